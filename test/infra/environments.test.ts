import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOM_DOMAIN_CONTEXT, InfraFixture, onlyResource, resourcesOfType, type SynthesizedStack } from './fixture.js';

const fixture = new InfraFixture();
let dev: SynthesizedStack;
let prod: SynthesizedStack;

beforeAll(() => {
  dev = fixture.synth({ ...CUSTOM_DOMAIN_CONTEXT, env: 'dev' });
  prod = fixture.synth({ ...CUSTOM_DOMAIN_CONTEXT, env: 'prod' });
});
afterAll(() => fixture.dispose());

function clientUrls(stack: SynthesizedStack): { callbacks: string[]; logouts: string[] } {
  const props = onlyResource(stack.json, 'AWS::Cognito::UserPoolClient')[1].Properties as {
    CallbackURLs: string[];
    LogoutURLs: string[];
  };
  return { callbacks: props.CallbackURLs, logouts: props.LogoutURLs };
}

describe('dev and prod', () => {
  it('names the stack and the stage after the environment', () => {
    expect(dev.stack.stackName).toBe('CognitoBff-dev');
    expect(prod.stack.stackName).toBe('CognitoBff-prod');
    prod.template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'prod' });
  });

  it('accepts localhost callbacks, logouts and CORS in dev only', () => {
    expect(clientUrls(dev).callbacks).toEqual([
      'https://dev.test.com/auth/callback',
      'http://localhost:3000/auth/callback',
      'https://dev.test.com',
      'http://localhost:3000',
    ]);
    expect(clientUrls(dev).logouts).toContain('http://localhost:3000/');
    expect(clientUrls(prod)).toEqual({
      callbacks: ['https://prod.test.com/auth/callback', 'https://prod.test.com'],
      logouts: ['https://prod.test.com/'],
    });
    expect(JSON.stringify(prod.json)).not.toContain('localhost');
  });

  it('keeps the prod user pool: RETAIN and deletion protection; dev is disposable', () => {
    const [, prodPool] = onlyResource(prod.json, 'AWS::Cognito::UserPool');
    expect(prodPool.DeletionPolicy).toBe('Retain');
    expect(prodPool.UpdateReplacePolicy).toBe('Retain');
    expect(prodPool.Properties?.DeletionProtection).toBe('ACTIVE');
    expect(prod.stack.terminationProtection).toBe(true);

    const [, devPool] = onlyResource(dev.json, 'AWS::Cognito::UserPool');
    expect(devPool.DeletionPolicy).toBe('Delete');
    expect(devPool.Properties?.DeletionProtection).toBe('INACTIVE');
    expect(dev.stack.terminationProtection).toBe(false);
  });

  it('keeps prod logs for a year, dev logs for a month', () => {
    const retention = (stack: SynthesizedStack) =>
      resourcesOfType(stack.json, 'AWS::Logs::LogGroup').map(([, group]) => group.Properties?.RetentionInDays);
    expect(retention(prod)).toEqual([365, 365]);
    expect(retention(dev)).toEqual([30, 30]);
    for (const [, group] of resourcesOfType(prod.json, 'AWS::Logs::LogGroup')) expect(group.DeletionPolicy).toBe('Retain');
  });

  it('empties and deletes buckets with a dev stack, keeps them with prod', () => {
    expect(resourcesOfType(dev.json, 'Custom::S3AutoDeleteObjects')).toHaveLength(2);
    expect(resourcesOfType(prod.json, 'Custom::S3AutoDeleteObjects')).toEqual([]);
    for (const [, bucket] of resourcesOfType(prod.json, 'AWS::S3::Bucket')) expect(bucket.DeletionPolicy).toBe('Retain');
  });

  it('enforces threat protection in prod by default, not in dev', () => {
    prod.template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
    dev.template.hasResourceProperties('AWS::Cognito::UserPool', { UserPoolTier: 'ESSENTIALS' });
  });

  it("warns when prod would send e-mail through Cognito's limited sender", () => {
    const bare = fixture.synth({ env: 'prod' });
    const warnings = bare.app
      .synth()
      .getStackArtifact(bare.stack.artifactId)
      .messages.filter((message) => message.level === 'warning')
      .map((message) => String(message.entry.data));
    expect(warnings.some((text) => text.includes('50 messages a day'))).toBe(true);
  });
});
