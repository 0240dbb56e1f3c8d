/**
 * The CloudFront Function that lifts the access-token cookie into `Authorization: Bearer`, evaluated from its file
 * exactly as CloudFront receives it, and run on viewer-request events of the documented cloudfront-js-2.0 shape:
 * `request.headers` and `request.cookies` are objects keyed by lower-case header / cookie name with `{ value }`.
 */
import { readFileSync } from 'node:fs';
import { createContext, runInContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_FUNCTION_FILE } from '../../infra/lib/edge.js';

interface ValueObject {
  value: string;
  multiValue?: ValueObject[];
}
interface ViewerRequest {
  method: string;
  uri: string;
  querystring: Record<string, ValueObject>;
  headers: Record<string, ValueObject>;
  cookies: Record<string, ValueObject>;
}
interface ViewerRequestEvent {
  version: '1.0';
  context: { distributionDomainName: string; distributionId: string; eventType: 'viewer-request'; requestId: string };
  viewer: { ip: string };
  request: ViewerRequest;
}

interface ViewerResponse {
  statusCode: number;
  statusDescription?: string;
  headers: Record<string, ValueObject>;
  body?: { encoding: 'text' | 'base64'; data: string };
}

type Handler = (event: ViewerRequestEvent) => ViewerRequest | ViewerResponse;

/** A fresh global scope per load, like a CloudFront Functions runtime: no `require`, `module` or `process`. */
function loadHandler(): Handler {
  const sandbox = createContext({});
  runInContext(readFileSync(ACCESS_TOKEN_FUNCTION_FILE, 'utf8'), sandbox, { filename: 'access-token-to-header.js' });
  const handler = (sandbox as { handler?: unknown }).handler;
  expect(typeof handler).toBe('function');
  return handler as Handler;
}

const run = loadHandler();

/** The request CloudFront forwards; fails when the function answered by itself instead. */
function handler(event: ViewerRequestEvent): ViewerRequest {
  const result = run(event);
  expect(result, 'forwarded, not answered').not.toHaveProperty('statusCode');
  return result as ViewerRequest;
}

/** The response the function gave instead of forwarding; fails when it forwarded. */
function answer(event: ViewerRequestEvent): ViewerResponse {
  const result = run(event);
  expect(result, 'answered at the edge').toHaveProperty('statusCode');
  return result as ViewerResponse;
}

function viewerRequest(
  options: { cookies?: Record<string, string>; headers?: Record<string, string>; method?: string; uri?: string } = {},
): ViewerRequestEvent {
  const values = (entries: Record<string, string> = {}) =>
    Object.fromEntries(Object.entries(entries).map(([name, value]) => [name, { value }]));
  return {
    version: '1.0',
    context: {
      distributionDomainName: 'd111111abcdef8.cloudfront.net',
      distributionId: 'EDFDVBD6EXAMPLE',
      eventType: 'viewer-request',
      requestId: '4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==',
    },
    viewer: { ip: '198.51.100.11' },
    request: {
      method: options.method ?? 'GET',
      uri: options.uri ?? '/tests',
      querystring: {},
      headers: { host: { value: 'd111111abcdef8.cloudfront.net' }, accept: { value: 'application/json' }, ...values(options.headers) },
      cookies: values(options.cookies),
    },
  };
}

/** Shaped like a Cognito access token: three base64url segments (the function does not verify, the authorizer does). */
const ACCESS_TOKEN = [
  Buffer.from(JSON.stringify({ kid: 'test-key', alg: 'RS256' })).toString('base64url'),
  Buffer.from(JSON.stringify({ sub: 'user-1', token_use: 'access', scope: 'openid email profile' })).toString('base64url'),
  'c2lnbmF0dXJlLWJ5dGVzLW5vdC1jaGVja2VkLWhlcmU',
].join('.');

describe('access-token-to-header CloudFront Function', () => {
  it('copies the access-token cookie into Authorization: Bearer', () => {
    const request = handler(viewerRequest({ cookies: { '__Host-bff-at': ACCESS_TOKEN, theme: 'dark' } }));
    expect(request.headers.authorization).toEqual({ value: `Bearer ${ACCESS_TOKEN}` });
    // Everything else passes through untouched; the BFF still gets its cookies.
    expect(request.headers.host).toEqual({ value: 'd111111abcdef8.cloudfront.net' });
    expect(request.cookies['__Host-bff-at']).toEqual({ value: ACCESS_TOKEN });
    expect(request.cookies.theme).toEqual({ value: 'dark' });
    expect(request.uri).toBe('/tests');
  });

  it('adds no header when there is no access-token cookie', () => {
    const request = handler(viewerRequest({ cookies: { theme: 'dark' } }));
    expect(request.headers).not.toHaveProperty('authorization');
  });

  it('joins a chunked token in index order', () => {
    const third = Math.ceil(ACCESS_TOKEN.length / 3);
    const chunks = [ACCESS_TOKEN.slice(0, third), ACCESS_TOKEN.slice(third, 2 * third), ACCESS_TOKEN.slice(2 * third)];
    // Cookie order in the header is the browser's business: deliberately not 0, 1, 2.
    const request = handler(
      viewerRequest({
        cookies: { '__Host-bff-at.2': chunks[2] ?? '', '__Host-bff-at.0': chunks[0] ?? '', '__Host-bff-at.1': chunks[1] ?? '' },
      }),
    );
    expect(request.headers.authorization).toEqual({ value: `Bearer ${ACCESS_TOKEN}` });
  });

  it('stops at the first missing chunk instead of forwarding a spliced token', () => {
    const [header, payload, signature] = ACCESS_TOKEN.split('.');
    const request = handler(viewerRequest({ cookies: { '__Host-bff-at.0': `${header}.${payload}`, '__Host-bff-at.2': `.${signature}` } }));
    expect(request.headers).not.toHaveProperty('authorization');
  });

  it('leaves the Authorization header of a Bearer client alone', () => {
    const request = handler(
      viewerRequest({ headers: { authorization: 'Bearer client-token' }, cookies: { '__Host-bff-at': ACCESS_TOKEN } }),
    );
    expect(request.headers.authorization).toEqual({ value: 'Bearer client-token' });
  });

  it('fills an empty Authorization header from the cookie', () => {
    const request = handler(viewerRequest({ headers: { authorization: '' }, cookies: { '__Host-bff-at': ACCESS_TOKEN } }));
    expect(request.headers.authorization).toEqual({ value: `Bearer ${ACCESS_TOKEN}` });
  });

  it('prefers the whole cookie when stale chunks are left beside it', () => {
    const request = handler(viewerRequest({ cookies: { '__Host-bff-at': ACCESS_TOKEN, '__Host-bff-at.0': 'stale.chunk.value' } }));
    expect(request.headers.authorization).toEqual({ value: `Bearer ${ACCESS_TOKEN}` });
  });

  it.each([
    ['a suffix that is not an index', { '__Host-bff-at.x': ACCESS_TOKEN }],
    ['a zero-padded index', { '__Host-bff-at.01': ACCESS_TOKEN }],
    ['a chunk without chunk 0', { '__Host-bff-at.1': ACCESS_TOKEN }],
    ['a longer name', { '__Host-bff-atX': ACCESS_TOKEN }],
    ['a prefixed name', { 'x__Host-bff-at': ACCESS_TOKEN }],
    ['the refresh-token cookie', { '__Secure-bff-rt': ACCESS_TOKEN }],
    ['a different case', { '__host-bff-at': ACCESS_TOKEN }],
  ])('ignores %s', (_label, cookies) => {
    const request = handler(viewerRequest({ cookies }));
    expect(request.headers).not.toHaveProperty('authorization');
  });

  it.each([
    ['a sealed (non-JWT) value', 'v1.Zm9v'],
    ['a value with spaces', 'a.b.c d'],
    ['a value with a header break attempt', 'a.b.c\r\nx-injected: 1'],
    ['an empty value', ''],
  ])('does not forward %s', (_label, value) => {
    const request = handler(viewerRequest({ cookies: { '__Host-bff-at': value } }));
    expect(request.headers).not.toHaveProperty('authorization');
  });

  it('is within the 10 KB CloudFront Functions allow, with room to spare', () => {
    expect(readFileSync(ACCESS_TOKEN_FUNCTION_FILE).byteLength).toBeLessThan(10 * 1024);
  });

  it('is plain ES5 that defines nothing but top-level declarations (no module system)', () => {
    const source = readFileSync(ACCESS_TOKEN_FUNCTION_FILE, 'utf8');
    expect(source).not.toMatch(/\b(require|module\.exports|exports\.|import |export )/);
    expect(source).not.toMatch(/\b(let|const|class)\s/);
    expect(source).toMatch(/^function handler\(event\)/m);
  });
});

describe('CSRF check at the edge', () => {
  const UNSAFE = ['POST', 'PUT', 'PATCH', 'DELETE'];

  it.each(UNSAFE)('refuses %s with the access-token cookie and no X-CSRF: 403 csrf_check_failed, answered at the edge', (method) => {
    const response = answer(viewerRequest({ method, uri: '/orders/42', cookies: { '__Host-bff-at': ACCESS_TOKEN } }));
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toEqual({ value: 'application/json' });
    expect(response.headers['cache-control']).toEqual({ value: 'no-store' });
    expect(JSON.parse(response.body?.data ?? '')).toMatchObject({ error: 'csrf_check_failed' });
    // The refusal carries nothing of the request: no token, no cookie value.
    expect(JSON.stringify(response)).not.toContain(ACCESS_TOKEN.split('.')[1]);
  });

  it('refuses a chunked access-token cookie without X-CSRF too', () => {
    const response = answer(viewerRequest({ method: 'POST', cookies: { '__Host-bff-at.0': 'a.b', '__Host-bff-at.1': '.c' } }));
    expect(response.statusCode).toBe(403);
  });

  it('refuses a malformed access-token cookie without X-CSRF (the browser still sent a credential)', () => {
    expect(answer(viewerRequest({ method: 'DELETE', cookies: { '__Host-bff-at': 'not-a-jwt' } })).statusCode).toBe(403);
  });

  it.each([
    ['X-CSRF: 0', '0'],
    ['an empty X-CSRF', ''],
    ['X-CSRF: true', 'true'],
  ])('refuses %s', (_label, value) => {
    const response = answer(viewerRequest({ method: 'POST', headers: { 'x-csrf': value }, cookies: { '__Host-bff-at': ACCESS_TOKEN } }));
    expect(response.statusCode).toBe(403);
  });

  it.each(UNSAFE)('forwards %s with the cookie and X-CSRF: 1, token lifted into Authorization', (method) => {
    const request = handler(
      viewerRequest({ method, uri: '/orders/42', headers: { 'x-csrf': '1' }, cookies: { '__Host-bff-at': ACCESS_TOKEN } }),
    );
    expect(request.headers.authorization).toEqual({ value: `Bearer ${ACCESS_TOKEN}` });
    expect(request.method).toBe(method);
  });

  it.each(['GET', 'HEAD', 'OPTIONS'])('lets a safe %s through without X-CSRF', (method) => {
    const request = handler(viewerRequest({ method, cookies: { '__Host-bff-at': ACCESS_TOKEN } }));
    expect(request.headers.authorization).toEqual({ value: `Bearer ${ACCESS_TOKEN}` });
  });

  it('lets an unsafe request without the cookie through (nothing to forge; the authorizer answers 401)', () => {
    const request = handler(viewerRequest({ method: 'POST', cookies: { theme: 'dark' } }));
    expect(request.headers).not.toHaveProperty('authorization');
  });

  it("lets a Bearer client's unsafe request through: its own Authorization header, not the cookie, authenticates it", () => {
    const request = handler(
      viewerRequest({ method: 'POST', headers: { authorization: 'Bearer client-token' }, cookies: { '__Host-bff-at': ACCESS_TOKEN } }),
    );
    expect(request.headers.authorization).toEqual({ value: 'Bearer client-token' });
  });
});
