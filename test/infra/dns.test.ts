import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOM_DOMAIN_CONTEXT, InfraFixture, onlyResource, resourcesOfType, type SynthesizedStack } from './fixture.js';

const fixture = new InfraFixture();
let plain: SynthesizedStack;
let custom: SynthesizedStack;

beforeAll(() => {
  plain = fixture.synth();
  custom = fixture.synth({ ...CUSTOM_DOMAIN_CONTEXT, env: 'dev' });
});
afterAll(() => fixture.dispose());

function recordNamed(stack: SynthesizedStack, name: string, type: string): Record<string, unknown> {
  const records = resourcesOfType(stack.json, 'AWS::Route53::RecordSet')
    .map(([, record]) => record.Properties ?? {})
    .filter((props) => props.Name === name && props.Type === type);
  expect(records, `${type} ${name}`).toHaveLength(1);
  return records[0] as Record<string, unknown>;
}

describe('custom API domain and DNS', () => {
  it('maps <env>-api.<domain> (regional, TLS 1.2, certificate from context) to the stage', () => {
    const [domainId] = onlyResource(custom.json, 'AWS::ApiGateway::DomainName');
    const [apiId] = onlyResource(custom.json, 'AWS::ApiGateway::RestApi');
    const [stageId] = onlyResource(custom.json, 'AWS::ApiGateway::Stage');
    custom.template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'dev-api.test.com',
      RegionalCertificateArn: CUSTOM_DOMAIN_CONTEXT.apiCertificateArn,
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'TLS_1_2',
    });
    custom.template.hasResourceProperties('AWS::ApiGateway::BasePathMapping', {
      DomainName: { Ref: domainId },
      RestApiId: { Ref: apiId },
      Stage: { Ref: stageId },
    });
    expect(custom.json.Outputs?.ApiUrl?.Value).toBe('https://dev-api.test.com/');
  });

  it("creates the seed's <env>-api record as an alias (not a CNAME) in the zone from context", () => {
    const [domainId] = onlyResource(custom.json, 'AWS::ApiGateway::DomainName');
    expect(recordNamed(custom, 'dev-api.test.com.', 'A')).toMatchObject({
      HostedZoneId: CUSTOM_DOMAIN_CONTEXT.hostedZoneId,
      AliasTarget: {
        DNSName: { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] },
        HostedZoneId: { 'Fn::GetAtt': [domainId, 'RegionalHostedZoneId'] },
      },
    });
    const cnames = resourcesOfType(custom.json, 'AWS::Route53::RecordSet').filter(([, record]) => record.Properties?.Type === 'CNAME');
    expect(cnames).toEqual([]);
  });

  it('points <env>.<domain> at the distribution (IPv4 and IPv6) and <env>-auth.<domain> at the hosted UI', () => {
    const [distributionId] = onlyResource(custom.json, 'AWS::CloudFront::Distribution');
    const [userPoolDomainId] = onlyResource(custom.json, 'AWS::Cognito::UserPoolDomain');
    for (const type of ['A', 'AAAA']) {
      expect(recordNamed(custom, 'dev.test.com.', type)).toMatchObject({
        AliasTarget: { DNSName: { 'Fn::GetAtt': [distributionId, 'DomainName'] } },
      });
    }
    expect(recordNamed(custom, 'dev-auth.test.com.', 'A')).toMatchObject({
      AliasTarget: {
        DNSName: { 'Fn::GetAtt': [userPoolDomainId, 'CloudFrontDistribution'] },
        HostedZoneId: 'Z2FDTNDATAQYW2',
      },
    });
    // No custom resource: the hosted UI's CloudFront name is a plain attribute.
    expect(resourcesOfType(custom.json, 'Custom::UserPoolCloudFrontDomainName')).toEqual([]);
  });

  it('synthesizes without lookups: nothing needs credentials', () => {
    for (const stack of [plain, custom]) {
      const assembly = stack.app.synth();
      expect(assembly.manifest.missing ?? []).toEqual([]);
      expect(JSON.stringify(stack.json)).not.toContain('dummy-value');
    }
  });

  it('adds no custom domain and no record without context', () => {
    expect(resourcesOfType(plain.json, 'AWS::ApiGateway::DomainName')).toEqual([]);
    expect(resourcesOfType(plain.json, 'AWS::ApiGateway::BasePathMapping')).toEqual([]);
    expect(resourcesOfType(plain.json, 'AWS::Route53::RecordSet')).toEqual([]);
  });

  it('adds the API domain without records when there is no zone', () => {
    const { hostedZoneId: _zone, zoneName: _name, ...withoutZone } = CUSTOM_DOMAIN_CONTEXT;
    const stack = fixture.synth({ ...withoutZone, env: 'dev' });
    expect(resourcesOfType(stack.json, 'AWS::ApiGateway::DomainName')).toHaveLength(1);
    expect(resourcesOfType(stack.json, 'AWS::Route53::RecordSet')).toEqual([]);
  });
});
