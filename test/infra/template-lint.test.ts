/**
 * What `cfn-lint` would check, as assertions (cfn-lint is a Python tool; PyPI is not reachable here and Debian does
 * not package it, see infra/README.md "Template checks"). CDK's own CloudFormation schema validation (property names
 * and types, required properties) runs in nag.test.ts; these are the template-wide rules it does not cover: every
 * reference resolves (E1012, E3005), logical ids and limits (E3006, E1001), no deprecated Lambda runtime (E2531/W2531),
 * Lambda inside API Gateway's 29 s (cfn-lint's best practice), IAM without `*` actions (W... / cdk-nag IAM5), and
 * both front doors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfraFixture, resourcesOfType, type SynthesizedStack, type TemplateJson } from './fixture.js';

const fixture = new InfraFixture();
const CONTEXTS: Record<string, Record<string, unknown>> = {
  'rest (dev)': {},
  'http (staging, alarms to a topic)': { env: 'staging', frontDoor: 'http', alarmTopicArn: 'arn:aws:sns:us-west-2:123456789012:pager' },
};
const templates: Record<string, SynthesizedStack> = {};

beforeAll(() => {
  for (const [label, context] of Object.entries(CONTEXTS)) templates[label] = fixture.synth(context);
}, 120_000); // synthesis is slow on a loaded 2-core machine
afterAll(() => fixture.dispose());

/** Node.js runtimes Lambda has deprecated or will soon (AWS Lambda runtime deprecation policy). */
const DEPRECATED_RUNTIMES = /^nodejs(1\d|20)\.x$|^nodejs[4-9]/;
const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

interface FullTemplate extends TemplateJson {
  Parameters?: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
  Mappings?: Record<string, unknown>;
}

/** Every `Ref`, `Fn::GetAtt` target and `Fn::Sub` `${name}` in `node`. */
function references(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const item of node) references(item, found);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'Ref' && typeof value === 'string') found.push(value);
      else if (key === 'Fn::GetAtt' && Array.isArray(value)) found.push(String(value[0]));
      else if (key === 'Fn::Sub') {
        const text = Array.isArray(value) ? value[0] : value;
        for (const match of String(text).matchAll(/\$\{([^}!.]+)[^}]*\}/g)) found.push(match[1] as string);
        if (Array.isArray(value)) references(value[1], found);
      } else references(value, found);
    }
  }
  return found;
}

describe.each(Object.keys(CONTEXTS))('template lint: %s', (label) => {
  const template = (): FullTemplate => templates[label]?.json as FullTemplate;

  it('resolves every Ref, GetAtt and Sub to a resource, parameter or pseudo parameter', () => {
    const json = template();
    const known = new Set([...Object.keys(json.Resources), ...Object.keys(json.Parameters ?? {}), ...PSEUDO_PARAMETERS]);
    const dangling = [...new Set(references({ Resources: json.Resources, Outputs: json.Outputs }))].filter((name) => !known.has(name));
    expect(dangling).toEqual([]);
  });

  it('names every DependsOn target that exists', () => {
    const json = template();
    for (const [id, resource] of Object.entries(json.Resources)) {
      const dependsOn = (resource as { DependsOn?: string | string[] }).DependsOn;
      for (const target of [dependsOn ?? []].flat()) expect(json.Resources, `${id} DependsOn`).toHaveProperty(target);
    }
  });

  it('stays inside the CloudFormation limits: alphanumeric logical ids, 500 resources, 1 MB', () => {
    const json = template();
    for (const id of Object.keys(json.Resources)) expect(id).toMatch(/^[A-Za-z0-9]{1,255}$/);
    expect(Object.keys(json.Resources).length).toBeLessThan(500);
    expect(JSON.stringify(json).length).toBeLessThan(1_000_000);
    for (const name of Object.keys(json.Outputs ?? {})) expect(name).toMatch(/^[A-Za-z0-9]{1,255}$/);
  });

  it('runs no Lambda function on a deprecated Node.js runtime, and none past API Gateway’s 29 s', () => {
    const functions = resourcesOfType(template(), 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThan(0);
    for (const [id, fn] of functions) {
      const runtime = fn.Properties?.Runtime as string | undefined;
      if (runtime !== undefined && runtime.startsWith('nodejs')) expect(runtime, id).not.toMatch(DEPRECATED_RUNTIMES);
    }
    const bff = functions.find(([, fn]) => JSON.stringify(fn.Properties).includes('COOKIE_KEYS_SECRET_ARN'));
    expect(bff?.[1].Properties?.Timeout as number).toBeLessThan(29);
  });

  it('grants no IAM action "*" and no service-wide wildcard', () => {
    for (const [id, policy] of resourcesOfType(template(), 'AWS::IAM::Policy')) {
      const statements = (policy.Properties?.PolicyDocument as { Statement: Array<{ Action: string | string[] }> }).Statement;
      for (const action of statements.flatMap((statement) => [statement.Action].flat())) {
        expect(action, id).not.toBe('*');
        expect(action, id).not.toMatch(/^[a-z0-9-]+:\*$/);
      }
    }
  });

  it('has a JSON error body and CORS in front of the protected API routes', () => {
    const json = template();
    const rest = resourcesOfType(json, 'AWS::ApiGateway::RestApi').length > 0;
    if (rest) {
      const types = resourcesOfType(json, 'AWS::ApiGateway::GatewayResponse').map(([, r]) => r.Properties?.ResponseType);
      expect(types.sort()).toEqual(['ACCESS_DENIED', 'DEFAULT_4XX', 'DEFAULT_5XX', 'UNAUTHORIZED']);
    } else {
      expect(resourcesOfType(json, 'AWS::ApiGatewayV2::Api')).toHaveLength(1);
      // A bare staging stack has no other origin: no CORS configuration, no wildcard anywhere.
      expect(JSON.stringify(json)).not.toContain('"AllowOrigins":["*"]');
    }
  });
});
