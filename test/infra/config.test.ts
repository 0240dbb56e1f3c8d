import { describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN_VALIDITY } from '../../src/client-settings.js';
import { DEFAULT_ROTATION_GRACE_SECONDS, readDeploymentConfig } from '../../infra/lib/config.js';
import { ContextError } from '../../infra/lib/context-values.js';

/** Context as `-c key=value` gives it: strings only. */
function configFrom(context: Record<string, unknown>) {
  return readDeploymentConfig((key) => context[key]);
}

describe('deployment context', () => {
  it('gives a dev stack without custom names when no context is set', () => {
    const config = configFrom({});
    expect(config).toMatchObject({
      environment: 'dev',
      isProduction: false,
      spaOrigins: [],
      tokenValidity: DEFAULT_TOKEN_VALIDITY,
      refreshTokenRotationGraceSeconds: DEFAULT_ROTATION_GRACE_SECONDS,
      mfa: 'optional',
      threatProtection: 'off',
      throttling: { rateLimit: 100, burstLimit: 200 },
      logLevel: 'info',
      localhostPort: 3000,
      apiGatewayCloudWatchRole: true,
    });
    for (const key of ['domainName', 'email', 'hostedZone', 'apiCertificateArn', 'spaCertificateArn'] as const) {
      expect(config[key]).toBeUndefined();
    }
  });

  it('reads the front door and the alarm topic', () => {
    expect(configFrom({}).frontDoor).toBe('rest');
    expect(configFrom({ frontDoor: 'HTTP' }).frontDoor).toBe('http');
    expect(configFrom({}).alarmTopicArn).toBeUndefined();
    const arn = 'arn:aws:sns:us-west-2:123456789012:pager';
    expect(configFrom({ alarmTopicArn: arn }).alarmTopicArn).toBe(arn);
  });

  it('treats prod as production: threat protection enforced, no localhost', () => {
    const config = configFrom({ env: 'prod' });
    expect(config.isProduction).toBe(true);
    expect(config.threatProtection).toBe('enforced');
    expect(config.localhostPort).toBeUndefined();
  });

  it('allows localhost only in dev', () => {
    expect(configFrom({ env: 'staging' }).localhostPort).toBeUndefined();
    expect(configFrom({ env: 'dev' }).localhostPort).toBe(3000);
  });

  it('derives the seed sender no-reply@<domain> from the verified domain', () => {
    expect(configFrom({ domainName: 'test.com' }).email).toEqual({
      fromEmail: 'no-reply@test.com',
      sesVerifiedDomain: 'test.com',
    });
    expect(configFrom({ fromEmail: 'ops@example.org', fromName: 'Ops', sesRegion: 'eu-west-1' }).email).toEqual({
      fromEmail: 'ops@example.org',
      fromName: 'Ops',
      sesRegion: 'eu-west-1',
    });
  });

  it('reads refresh-token rotation as off, on, or a grace period', () => {
    expect(configFrom({ refreshTokenRotation: 'off' }).refreshTokenRotationGraceSeconds).toBeUndefined();
    expect(configFrom({ refreshTokenRotation: false }).refreshTokenRotationGraceSeconds).toBeUndefined();
    expect(configFrom({ refreshTokenRotation: 'on' }).refreshTokenRotationGraceSeconds).toBe(DEFAULT_ROTATION_GRACE_SECONDS);
    expect(configFrom({ refreshTokenRotation: '0' }).refreshTokenRotationGraceSeconds).toBe(0);
    expect(configFrom({ refreshTokenRotation: '60' }).refreshTokenRotationGraceSeconds).toBe(60);
    expect(() => configFrom({ refreshTokenRotation: '61' })).toThrow(/"refreshTokenRotation"/);
  });

  it('reads throttling from the command line and from cdk.json', () => {
    expect(configFrom({ throttling: '20,40' }).throttling).toEqual({ rateLimit: 20, burstLimit: 40 });
    expect(configFrom({ throttling: { rate: 5, burst: 10 } }).throttling).toEqual({ rateLimit: 5, burstLimit: 10 });
    expect(() => configFrom({ throttling: '20' })).toThrow(/"throttling"/);
  });

  it('reads SPA origins as a list or comma-separated, keeping exact origins', () => {
    expect(configFrom({ spaOrigins: 'https://a.example.com, https://b.example.com/' }).spaOrigins).toEqual([
      'https://a.example.com',
      'https://b.example.com',
    ]);
    expect(configFrom({ spaOrigins: ['http://localhost:5173'] }).spaOrigins).toEqual(['http://localhost:5173']);
  });

  it.each([
    [{ env: 'Prod!' }, 'env'],
    [{ mfa: 'sometimes' }, 'mfa'],
    [{ threatProtection: 'max' }, 'threatProtection'],
    [{ accessTokenMinutes: '2' }, 'accessTokenMinutes'],
    [{ accessTokenMinutes: '15.5' }, 'accessTokenMinutes'],
    [{ refreshTokenDays: '0' }, 'refreshTokenDays'],
    [{ spaOrigins: 'http://app.example.com' }, 'spaOrigins'],
    [{ spaOrigins: 'https://app.example.com/path' }, 'spaOrigins'],
    [{ spaOrigins: '*' }, 'spaOrigins'],
    [{ apiCertificateArn: 'arn:aws:acm:us-west-2:123456789012:certificate/abc' }, 'apiCertificateArn'],
    [{ domainName: 'test.com', spaCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' }, 'spaCertificateArn'],
    [{ domainName: 'test.com', hostedZoneId: 'Z0123456789' }, 'zoneName'],
    [{ domainName: 'app.test.com', hostedZoneId: 'Z0123456789', zoneName: 'other.com' }, 'zoneName'],
    [{ cognitoDomainPrefix: 'my-cognito-login' }, 'cognitoDomainPrefix'],
    [{ fromEmail: 'not-an-address' }, 'fromEmail'],
    [{ fromName: 'Sender' }, 'fromName'],
    [{ logLevel: 'trace' }, 'logLevel'],
    [{ frontDoor: 'grpc' }, 'frontDoor'],
    [
      { domainName: 'test.com', frontDoor: 'http', apiCertificateArn: 'arn:aws:acm:us-west-2:123456789012:certificate/abc' },
      'apiCertificateArn',
    ],
    [{ alarmTopicArn: 'pager' }, 'alarmTopicArn'],
  ])('refuses %j, naming the context key %s', (context, key) => {
    let thrown: unknown;
    try {
      configFrom(context);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ContextError);
    expect((thrown as ContextError).key).toBe(key);
    expect((thrown as Error).message).toContain(`"${key}"`);
  });
});
