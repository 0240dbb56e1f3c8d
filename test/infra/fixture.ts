/**
 * Builds the CDK app in-process against a stub Lambda bundle in a temporary directory, so the infra tests need
 * neither `npm run build` nor AWS, and parallel files never share an output directory.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createApp } from '../../infra/lib/app.js';
import type { CognitoBffStack } from '../../infra/lib/stack.js';

export interface SynthesizedStack {
  readonly app: App;
  readonly stack: CognitoBffStack;
  readonly template: Template;
  /** The template as plain JSON, for checks across all resources. */
  readonly json: TemplateJson;
}

export interface TemplateJson {
  Resources: Record<string, CfnResourceJson>;
  Outputs?: Record<string, { Value: unknown; Description?: string }>;
}

export interface CfnResourceJson {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: Record<string, unknown>;
}

/** Context of a fully customized production deployment: every optional feature switched on. */
export const CUSTOM_DOMAIN_CONTEXT = {
  domainName: 'test.com',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  zoneName: 'test.com',
  apiCertificateArn: 'arn:aws:acm:us-west-2:123456789012:certificate/11111111-2222-3333-4444-555555555555',
  authDomainCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/aaaaaaaa-2222-3333-4444-555555555555',
  spaCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/bbbbbbbb-2222-3333-4444-555555555555',
  sesRegion: 'us-west-2',
  fromName: 'Test Sender',
} as const;

export class InfraFixture {
  readonly root = mkdtempSync(join(tmpdir(), 'cognito-bff-infra-'));
  /** A directory with a tiny `index.js`, standing in for `dist/lambda`. */
  readonly lambdaAssetDir = join(this.root, 'lambda');

  constructor() {
    mkdirSync(this.lambdaAssetDir);
    writeFileSync(join(this.lambdaAssetDir, 'index.js'), "exports.handler = async () => ({ statusCode: 200, body: 'stub' });\n");
    writeFileSync(join(this.lambdaAssetDir, 'undici.js'), 'module.exports = {};\n');
    writeFileSync(join(this.lambdaAssetDir, 'axios.js'), 'module.exports = {};\n');
    // What else `npm run build` leaves in dist/lambda (esbuild metafile, tsc output): not to be shipped.
    writeFileSync(join(this.lambdaAssetDir, 'meta.json'), '{"inputs":{}}\n');
    writeFileSync(join(this.lambdaAssetDir, 'handler.js'), "require('../app');\n");
  }

  /**
   * Synthesizes the stack for `context`. CDK's CloudFormation schema validation is off unless asked for: it costs
   * seconds per synth and has a test of its own; cdk-nag always runs, so every synth is also a nag check.
   */
  synth(context: Record<string, unknown> = {}, options: { validateTemplates?: boolean } = {}): SynthesizedStack {
    const { app, stack } = createApp({
      outdir: mkdtempSync(join(this.root, 'cdk.out-')),
      context: { lambdaAssetDir: this.lambdaAssetDir, ...context },
      builtinCloudFormationValidation: options.validateTemplates ?? false,
    });
    const template = Template.fromStack(stack);
    return { app, stack, template, json: template.toJSON() as TemplateJson };
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** All resources of one type, as `[logicalId, resource]` pairs. */
export function resourcesOfType(json: TemplateJson, type: string): Array<[string, CfnResourceJson]> {
  return Object.entries(json.Resources).filter(([, resource]) => resource.Type === type);
}

/** The single resource of `type`; fails when there is not exactly one. */
export function onlyResource(json: TemplateJson, type: string): [string, CfnResourceJson] {
  const found = resourcesOfType(json, type);
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0] as [string, CfnResourceJson];
}

/** The property bag of the single resource of `type`. */
export function propertiesOf(json: TemplateJson, type: string): Record<string, unknown> {
  return onlyResource(json, type)[1].Properties ?? {};
}
