import { readFileSync } from 'node:fs';
import { CachePolicy, OriginRequestPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_FUNCTION_FILE } from '../../infra/lib/edge.js';
import { CUSTOM_DOMAIN_CONTEXT, InfraFixture, onlyResource, propertiesOf, resourcesOfType, type SynthesizedStack } from './fixture.js';

interface Behavior {
  PathPattern?: string;
  TargetOriginId: string;
  CachePolicyId: string;
  OriginRequestPolicyId?: string;
  AllowedMethods?: string[];
  ViewerProtocolPolicy: string;
  FunctionAssociations?: Array<{ EventType: string; FunctionARN: { 'Fn::GetAtt': [string, string] } }>;
}
interface Origin {
  Id: string;
  DomainName: unknown;
  OriginPath?: string;
  OriginAccessControlId?: unknown;
  S3OriginConfig?: { OriginAccessIdentity: string };
  CustomOriginConfig?: { OriginProtocolPolicy: string; OriginSSLProtocols: string[] };
}
interface DistributionConfig {
  DefaultCacheBehavior: Behavior;
  CacheBehaviors: Behavior[];
  Origins: Origin[];
  Logging?: unknown;
  Aliases?: string[];
  ViewerCertificate?: Record<string, unknown>;
}

const fixture = new InfraFixture();
let dev: SynthesizedStack;
let custom: SynthesizedStack;

beforeAll(() => {
  dev = fixture.synth();
  custom = fixture.synth({ ...CUSTOM_DOMAIN_CONTEXT, env: 'dev' });
});
afterAll(() => fixture.dispose());

function distributionConfig(stack: SynthesizedStack): DistributionConfig {
  return propertiesOf(stack.json, 'AWS::CloudFront::Distribution').DistributionConfig as DistributionConfig;
}

function behaviorFor(config: DistributionConfig, pattern: string): Behavior {
  const behavior = config.CacheBehaviors.find((candidate) => candidate.PathPattern === pattern);
  expect(behavior, pattern).toBeDefined();
  return behavior as Behavior;
}

function originOf(config: DistributionConfig, behavior: Behavior): Origin {
  const origin = config.Origins.find((candidate) => candidate.Id === behavior.TargetOriginId);
  expect(origin).toBeDefined();
  return origin as Origin;
}

describe('CloudFront distribution', () => {
  it('serves the SPA from a private bucket through Origin Access Control', () => {
    const config = distributionConfig(dev);
    const spaOrigin = originOf(config, config.DefaultCacheBehavior);
    expect(spaOrigin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    const [oacId] = onlyResource(dev.json, 'AWS::CloudFront::OriginAccessControl');
    expect(spaOrigin.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oacId, 'Id'] });
    dev.template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always' },
    });
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');

    const bucketId = (spaOrigin.DomainName as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(dev.json.Resources[bucketId]?.Properties?.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const [distributionId] = onlyResource(dev.json, 'AWS::CloudFront::Distribution');
    dev.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Condition: {
              StringEquals: {
                'AWS:SourceArn': { 'Fn::Join': ['', Match.arrayWith([{ Ref: distributionId }])] },
              },
            },
          }),
        ]),
      },
    });
  });

  it('writes access logs to a private, expiring log bucket', () => {
    const config = distributionConfig(dev);
    const logging = config.Logging as { Bucket: { 'Fn::GetAtt': [string, string] }; Prefix: string };
    const logBucket = dev.json.Resources[logging.Bucket['Fn::GetAtt'][0]];
    expect(logBucket?.Type).toBe('AWS::S3::Bucket');
    expect(logBucket?.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 90, Status: 'Enabled' })] },
    });
  });

  it.each(['/auth/*', '/healthz', '/tests*'])(
    'forwards %s to the API stage, uncached, with cookies and headers but not Host',
    (pattern) => {
      const config = distributionConfig(dev);
      const behavior = behaviorFor(config, pattern);
      const [apiId] = onlyResource(dev.json, 'AWS::ApiGateway::RestApi');
      const origin = originOf(config, behavior);
      expect(origin.OriginPath).toBe('/dev');
      expect(JSON.stringify(origin.DomainName)).toContain(`{"Ref":"${apiId}"}`);
      expect(JSON.stringify(origin.DomainName)).toContain('.execute-api.');
      expect(origin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
      expect(behavior.CachePolicyId).toBe(CachePolicy.CACHING_DISABLED.cachePolicyId);
      expect(behavior.OriginRequestPolicyId).toBe(OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId);
      expect(behavior.AllowedMethods).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']));
      expect(behavior.ViewerProtocolPolicy).toBe('https-only');
    },
  );

  it('lifts the access-token cookie into Authorization on the authorized route only', () => {
    const config = distributionConfig(dev);
    const [functionId, fn] = onlyResource(dev.json, 'AWS::CloudFront::Function');
    expect(behaviorFor(config, '/tests*').FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } },
    ]);
    expect(behaviorFor(config, '/auth/*').FunctionAssociations).toBeUndefined();
    expect(behaviorFor(config, '/healthz').FunctionAssociations).toBeUndefined();
    expect(fn.Properties).toMatchObject({
      AutoPublish: true,
      FunctionConfig: { Runtime: 'cloudfront-js-2.0' },
      FunctionCode: readFileSync(ACCESS_TOKEN_FUNCTION_FILE, 'utf8'),
    });
  });

  it('is the BFF public base URL: <env>.<domain> with its certificate and TLS 1.2 when configured', () => {
    const config = distributionConfig(custom);
    expect(config.Aliases).toEqual(['dev.test.com']);
    expect(config.ViewerCertificate).toMatchObject({
      AcmCertificateArn: CUSTOM_DOMAIN_CONTEXT.spaCertificateArn,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    const fn = resourcesOfType(custom.json, 'AWS::Lambda::Function').find(([, f]) => f.Properties?.Environment);
    expect(fn?.[1].Properties).toMatchObject({
      Environment: { Variables: { PUBLIC_BASE_URL: 'https://dev.test.com' } },
    });
  });
});
