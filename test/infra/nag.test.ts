/**
 * cdk-nag AwsSolutions checks. cdk-nag 3 runs as a synthesis validation plugin (registered by createApp): an
 * unacknowledged error-level finding makes `app.synth()` throw, and findings are reported in the cloud assembly's
 * validation report, not as construct annotations. The tests therefore run the pack over each synthesized app and
 * read the templates' audit-trail metadata for the acknowledgements and their reasons.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../infra/lib/app.js';
import { CUSTOM_DOMAIN_CONTEXT, InfraFixture, type SynthesizedStack } from './fixture.js';

const fixture = new InfraFixture();
afterAll(() => fixture.dispose());

const CONFIGURATIONS: Record<string, Record<string, unknown>> = {
  'dev, no context': {},
  'prod with every custom name': { ...CUSTOM_DOMAIN_CONTEXT, env: 'prod' },
  'staging with required MFA, threat protection audit, no logging role': {
    env: 'staging',
    mfa: 'required',
    threatProtection: 'audit',
    apiGatewayCloudWatchRole: 'false',
  },
  'HTTP API front door, alarms notifying a topic': {
    env: 'staging',
    frontDoor: 'http',
    alarmTopicArn: 'arn:aws:sns:us-west-2:123456789012:pager',
  },
};

/** The AwsSolutions acknowledgements written into the template (CDK adds some of its own for other validators). */
function acknowledgements(stack: SynthesizedStack): Array<{ resource: string; id: string; reason: string }> {
  return Object.entries(stack.json.Resources).flatMap(([resource, body]) => {
    const nag = body.Metadata?.cdk_nag as { rules_to_suppress?: Array<{ id: string; reason: string }> } | undefined;
    return (nag?.rules_to_suppress ?? []).filter((rule) => rule.id.startsWith('AwsSolutions-')).map((rule) => ({ resource, ...rule }));
  });
}

describe('cdk-nag AwsSolutions', () => {
  it.each(Object.entries(CONFIGURATIONS))('leaves no unacknowledged finding: %s', (_label, context) => {
    const stack = fixture.synth(context);
    const report = new AwsSolutionsChecks().validateScope(stack.app);
    expect(report.violations.map((violation) => `${violation.ruleName} (${violation.severity})`)).toEqual([]);
    expect(report.success).toBe(true);
    expect(Annotations.fromStack(stack.stack).findError('*', Match.anyValue())).toEqual([]);
  });

  it.each(Object.entries(CONFIGURATIONS))('gives every acknowledgement a written reason: %s', (_label, context) => {
    const stack = fixture.synth(context);
    const acks = acknowledgements(stack);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.id, ack.resource).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(ack.reason.length, `${ack.id} on ${ack.resource}`).toBeGreaterThan(60);
    }
  });

  it('acknowledges what context can fix only while context leaves it open', () => {
    const ids = (context: Record<string, unknown>) => new Set(acknowledgements(fixture.synth(context)).map((a) => a.id));
    const open = ids({});
    expect(open).toContain('AwsSolutions-COG2');
    expect(open).toContain('AwsSolutions-COG8');
    expect(open).toContain('AwsSolutions-CFR4');
    const closed = ids({ ...CUSTOM_DOMAIN_CONTEXT, mfa: 'required', threatProtection: 'enforced' });
    expect(closed).not.toContain('AwsSolutions-COG2');
    expect(closed).not.toContain('AwsSolutions-COG8');
    expect(closed).not.toContain('AwsSolutions-CFR4');
  });

  it('acknowledges the missing authorizer on the open routes only, never on /tests', () => {
    const stack = fixture.synth();
    const apig4 = acknowledgements(stack)
      .filter((ack) => ack.id === 'AwsSolutions-APIG4')
      .map((ack) => stack.json.Resources[ack.resource]?.Properties?.HttpMethod);
    expect(apig4.sort()).toEqual(['ANY', 'GET']);
    const protectedMethod = Object.entries(stack.json.Resources).find(
      ([, resource]) => resource.Properties?.AuthorizationType === 'COGNITO_USER_POOLS',
    );
    expect(protectedMethod?.[1].Metadata?.cdk_nag).toBeUndefined();
  });

  it.each(['prod with every custom name', 'HTTP API front door, alarms notifying a topic'])(
    "passes CDK's CloudFormation schema validation without findings: %s",
    (label) => {
      const stack = fixture.synth(CONFIGURATIONS[label] ?? {}, { validateTemplates: true });
      const report = JSON.parse(readFileSync(join(stack.app.outdir, 'validation-report.json'), 'utf8')) as {
        pluginReports: Array<{ pluginName: string; violations: unknown[] }>;
      };
      const schemaReport = report.pluginReports.find((plugin) => plugin.pluginName === 'CloudFormation Validate');
      expect(schemaReport).toBeDefined();
      expect(schemaReport?.violations).toEqual([]);
    },
    // CDK's schema validation takes seconds per template, many more on a loaded 2-core machine.
    120_000,
  );

  it('fails synthesis on a new, unacknowledged finding (the gate is live)', () => {
    const { app, stack } = createApp({
      outdir: join(fixture.root, 'gate'),
      context: { lambdaAssetDir: fixture.lambdaAssetDir },
      builtinCloudFormationValidation: false,
    });
    new Bucket(stack, 'UnloggedBucket');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });
});
