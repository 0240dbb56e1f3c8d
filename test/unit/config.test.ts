import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, wantsLocalStack } from '../../src/config';

const KEY = Buffer.alloc(32, 1).toString('base64url');
const valid = {
  COGNITO_USER_POOL_ID: 'us-west-2_AbC123',
  COGNITO_CLIENT_ID: 'abc123def',
  COGNITO_DOMAIN: 'https://auth.example.com',
  COOKIE_KEYS: KEY,
  PUBLIC_BASE_URL: 'https://api.example.com/dev',
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => `${problem.variable ?? problem.option}: ${problem.message}`);
    throw error;
  }
  return [];
}

describe('parseConfig', () => {
  it('derives issuer, JWKS, redirect URI and base path from a real pool and a staged base URL', () => {
    const config = parseConfig(valid);
    expect(config.cognito.issuer).toBe('https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbC123');
    expect(config.cognito.jwksUri).toBe('https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbC123/.well-known/jwks.json');
    expect(config.cognito.customIssuer).toBe(false);
    expect(config.redirectUri).toBe('https://api.example.com/dev/auth/callback');
    expect(config.basePath).toBe('/dev');
    expect(config.allowedOrigins).toEqual(['https://api.example.com']);
    expect(config.postLoginUrl).toBe('https://api.example.com/dev/');
    expect(config.requireNonce).toBe(true);
    expect(config.port).toBe(3000);
    expect(config.scopes).toBe('openid email profile');
  });

  it('applies the documented defaults', () => {
    const config = parseConfig({ ...valid, PUBLIC_BASE_URL: undefined });
    expect(config.publicBaseUrl).toBe('http://localhost:3000');
    expect(config.logLevel).toBe('info');
    expect(config.idpTimeoutMs).toBe(5000);
    expect(config).toMatchObject({ metrics: 'opentelemetry', metricsNamespace: 'CognitoBff', serviceName: 'cognito-bff' });
  });

  it('writes EMF metrics inside AWS Lambda unless METRICS says otherwise, under the Powertools names', () => {
    expect(parseConfig({ ...valid, AWS_LAMBDA_FUNCTION_NAME: 'bff' }).metrics).toBe('emf');
    expect(parseConfig({ ...valid, AWS_LAMBDA_FUNCTION_NAME: 'bff', METRICS: 'none' }).metrics).toBe('none');
    const config = parseConfig({ ...valid, POWERTOOLS_METRICS_NAMESPACE: 'Shop', POWERTOOLS_SERVICE_NAME: 'shop-bff' });
    expect(config).toMatchObject({ metrics: 'opentelemetry', metricsNamespace: 'Shop', serviceName: 'shop-bff' });
  });

  it.each([
    ['COGNITO_USER_POOL_ID', { COGNITO_USER_POOL_ID: undefined }],
    ['COGNITO_CLIENT_ID', { COGNITO_CLIENT_ID: '' }],
    ['COGNITO_DOMAIN', { COGNITO_DOMAIN: undefined }],
    ['COOKIE_KEYS', { COOKIE_KEYS: undefined }],
  ])('names %s when it is missing', (name, change) => {
    expect(problemsOf({ ...valid, ...change }).join('\n')).toContain(`${name}: is required`);
  });

  it.each([
    ['COGNITO_DOMAIN', { COGNITO_DOMAIN: 'http://auth.example.com' }, 'https'],
    ['COGNITO_DOMAIN', { COGNITO_DOMAIN: 'https://auth.example.com/path' }, 'without a path'],
    ['COGNITO_DOMAIN', { COGNITO_DOMAIN: 'not a url' }, 'not a URL'],
    ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: 'http://api.example.com' }, 'https'],
    ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: 'https://api.example.com/?x=1' }, 'query'],
    ['COGNITO_ISSUER', { COGNITO_ISSUER: 'http://10.0.0.5:9229/pool' }, 'https'],
    ['COOKIE_KEYS', { COOKIE_KEYS: Buffer.alloc(16).toString('base64url') }, '32 bytes'],
    ['COOKIE_KEYS', { COOKIE_KEYS: `${KEY},not*base64` }, 'key #2'],
    ['ALLOWED_ORIGINS', { ALLOWED_ORIGINS: 'https://app.example.com/path' }, 'not an origin'],
    ['ALLOWED_ORIGINS', { ALLOWED_ORIGINS: 'http://app.example.com' }, 'https'],
    ['COGNITO_USER_POOL_ID', { COGNITO_USER_POOL_ID: 'no-underscore' }, 'us-west-2_AbC123'],
    ['COGNITO_USER_POOL_ID', { COGNITO_USER_POOL_ID: 'local_abc' }, 'COGNITO_ISSUER'],
    ['PORT', { PORT: '70000' }, 'between'],
    ['PORT', { PORT: 'eighty' }, 'port number'],
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }, 'one of'],
    ['REQUIRE_NONCE', { REQUIRE_NONCE: 'no' }, 'true or false'],
    ['OAUTH_SCOPES', { OAUTH_SCOPES: 'email profile' }, 'openid'],
    ['POST_LOGIN_PATH', { POST_LOGIN_PATH: 'https://evil.example.com/' }, 'allowed origin'],
    ['METRICS', { METRICS: 'prometheus' }, 'one of opentelemetry, emf, none'],
    ['POWERTOOLS_METRICS_NAMESPACE', { POWERTOOLS_METRICS_NAMESPACE: 'a\u0000b' }, 'letters, digits'],
    ['POWERTOOLS_SERVICE_NAME', { POWERTOOLS_SERVICE_NAME: 'x'.repeat(256) }, 'letters, digits'],
  ])('names %s when it is malformed (%o)', (name, change, words) => {
    const problems = problemsOf({ ...valid, ...change });
    const mine = problems.filter((problem) => problem.startsWith(`${name}:`));
    expect(mine.length, problems.join('\n')).toBeGreaterThan(0);
    expect(mine.join('\n')).toContain(words);
  });

  it('accepts plain http only for loopback hosts (an emulator, a laptop)', () => {
    const config = parseConfig({
      ...valid,
      COGNITO_USER_POOL_ID: 'local_abc',
      COGNITO_DOMAIN: 'http://127.0.0.1:9229',
      COGNITO_ISSUER: 'http://127.0.0.1:9229/local_abc/',
      PUBLIC_BASE_URL: 'http://localhost:3000',
    });
    expect(config.cognito.issuer).toBe('http://127.0.0.1:9229/local_abc');
    expect(config.cognito.jwksUri).toBe('http://127.0.0.1:9229/local_abc/.well-known/jwks.json');
    expect(config.cognito.customIssuer).toBe(true);
  });

  it('keeps every rotation key, the first one first', () => {
    const second = Buffer.alloc(32, 2).toString('base64url');
    const config = parseConfig({ ...valid, COOKIE_KEYS: `${KEY}, ${second}` });
    expect(config.cookieKeys.map((key) => key[0])).toEqual([1, 2]);
  });

  it('always allows its own origin besides the listed ones, without duplicates', () => {
    const config = parseConfig({ ...valid, ALLOWED_ORIGINS: 'https://app.example.com, https://api.example.com' });
    expect(config.allowedOrigins).toEqual(['https://api.example.com', 'https://app.example.com']);
  });

  it('lists every problem at once', () => {
    expect(problemsOf({ COOKIE_KEYS: 'short' }).length).toBeGreaterThanOrEqual(4);
  });
});

describe('wantsLocalStack', () => {
  it('is true only when no IdP variable is set', () => {
    expect(wantsLocalStack({})).toBe(true);
    expect(wantsLocalStack({ COGNITO_DOMAIN: ' ' })).toBe(true);
    expect(wantsLocalStack({ COGNITO_CLIENT_ID: 'x' })).toBe(false);
  });
});
