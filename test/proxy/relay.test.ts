/**
 * The token relay in both runtimes, against a real upstream on loopback that records what reaches it: the verified
 * access token added and nothing else of the caller's credentials, the BFF's own forwarding headers, bodies intact
 * both ways, the upstream's statuses passed through and its cookies kept from the browser, paths that try to leave the
 * upstream refused, CSRF and scopes enforced, faults answered with the contract's codes.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectJsonError, type Browser } from '../attack/support';
import { FakeIdp } from '../support/fake-idp';
import { RUNTIMES } from '../support/harness';
import type { TargetResponse } from '../support/targets';
import { behaviours, closedPortUrl, pattern, startUpstream, type Upstream } from '../support/upstream';
import { buildRelayHarness, rawLambdaRequest, signedInBrowser, type RelayHarness } from './support';

describe.each(RUNTIMES)('token relay (%s)', (kind) => {
  let idp: FakeIdp;
  let upstream: Upstream;
  let harness: RelayHarness;
  let browser: Browser;
  let accessToken: string;
  const responses: TargetResponse[] = [];

  async function send(method: string, path: string, options: Parameters<Browser['send']>[2] = {}): Promise<TargetResponse> {
    const response = await browser.send(method, path, options);
    responses.push(response);
    return response;
  }

  beforeAll(async () => {
    idp = await FakeIdp.start();
    upstream = await startUpstream();
    harness = buildRelayHarness(kind, idp, [
      { prefix: '/api/orders', upstream: `${upstream.url}/v1` },
      { prefix: '/api/admin', upstream: `${upstream.url}/admin`, groups: ['admins'] },
      { prefix: '/api/reports', upstream: `${upstream.url}/reports`, scopes: ['reports.read'] },
      { prefix: '/api/tested', upstream: `${upstream.url}/tested`, scopes: ['openid'], groups: ['testers'] },
      { prefix: '/api/nowhere', upstream: await closedPortUrl() },
    ]);
    ({ browser, accessToken } = await signedInBrowser(harness));
  });
  afterEach(() => upstream.reset());
  afterAll(async () => {
    // No token, code or cookie value in any log line or in anything the browser was answered (Set-Cookie aside).
    const secrets = [...idp.issued, ...harness.cookieValues, idp.clientSecret];
    const exposed = [...harness.logs, ...responses.map((r) => `${JSON.stringify({ ...r.headers, 'set-cookie': [] })}\n${r.text}`)];
    for (const secret of secrets) expect(exposed.join('\n').includes(secret), `leaked ${secret.slice(0, 8)}…`).toBe(false);
    await upstream?.close();
    await idp?.close();
  });

  it('relays PREFIX/rest?query to UPSTREAM/rest?query with the verified access token and nothing of the caller’s credentials', async () => {
    const response = await send('GET', '/api/orders/42/lines?sort=desc&q=a%20b', {
      headers: {
        'X-Request-Id': 'req-1',
        'X-CSRF': '1',
        'X-Forwarded-For': '198.51.100.66',
        'X-Forwarded-Host': 'evil.example',
        'X-Forwarded-Proto': 'http',
        Forwarded: 'for=198.51.100.66;host=evil.example',
        Connection: 'X-Hop-Secret',
        'X-Hop-Secret': 'hop',
        'Proxy-Authorization': 'Basic c2VjcmV0',
        'X-Cognito-Bff-Authorizer-Sub': 'someone-else',
      },
    });
    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({ method: 'GET', path: '/v1/42/lines', bytes: 0 });
    // API Gateway hands the Lambda decoded parameters, which the event source encodes again (a space as `+`).
    expect([...new URLSearchParams(response.body.query)]).toEqual([
      ['sort', 'desc'],
      ['q', 'a b'],
    ]);
    if (kind === 'http') expect(response.body.query).toBe('sort=desc&q=a%20b');
    const received = upstream.last();
    expect(received.headers.authorization).toEqual([`Bearer ${accessToken}`]);
    expect(received.headers['x-request-id']).toEqual(['req-1']);
    for (const name of ['cookie', 'x-csrf', 'forwarded', 'x-hop-secret', 'proxy-authorization', 'x-cognito-bff-authorizer-sub'])
      expect(received.headers[name], name).toBeUndefined();
    // Set by the BFF from what it knows, never copied from the caller.
    expect(received.headers['x-forwarded-host']).toEqual([new URL(harness.config.publicBaseUrl).host]);
    expect(received.headers['x-forwarded-proto']).toEqual([new URL(harness.config.publicBaseUrl).protocol.slice(0, -1)]);
    expect(received.headers['x-forwarded-for']).toHaveLength(1);
    expect(received.headers['x-forwarded-for']![0]).not.toContain('198.51.100.66');
    expect(received.headers.host).toEqual([new URL(upstream.url).host]);
  });

  it('relays a Bearer caller with that token, and the prefix alone to the upstream base', async () => {
    const token = await idp.signAccessToken();
    const response = await harness.target.request('GET', '/api/orders', { headers: { Authorization: `Bearer ${token}` } });
    responses.push(response);
    expect(response.status, response.text).toBe(200);
    expect(upstream.last().url).toBe('/v1');
    expect(upstream.last().headers.authorization).toEqual([`Bearer ${token}`]);
  });

  it('returns the upstream’s answer without its cookies, hop-by-hop or CORS headers', async () => {
    upstream.behave(
      behaviours.status(201, {
        'Set-Cookie': ['upstream-session=abc; Path=/', 'other=1'],
        'X-Upstream': 'kept',
        'Cache-Control': 'max-age=60',
        Connection: 'X-Upstream-Hop',
        'X-Upstream-Hop': 'dropped',
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Credentials': 'true',
        Vary: 'Accept-Language',
      }),
    );
    const response = await send('GET', '/api/orders/created', { headers: { Origin: 'https://evil.example' } });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ from: 'upstream' });
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(response.headers['x-upstream']).toBe('kept');
    // The BFF answers no-store on every route, relayed answers included: they depend on the caller's session.
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['x-upstream-hop']).toBeUndefined();
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    expect(String(response.headers.vary)).toMatch(/Origin.*Accept-Language/);
    // The BFF's own security headers stand.
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('passes the upstream’s own statuses through, a 401 included', async () => {
    for (const status of [401, 403, 404, 409, 503]) {
      upstream.behave(behaviours.status(status, status === 401 ? { 'WWW-Authenticate': 'Bearer error="invalid_token"' } : {}));
      const response = await send('GET', '/api/orders/x');
      expect(response.status).toBe(status);
      expect(response.body).toEqual({ from: 'upstream' });
      if (status === 401) expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    }
  });

  it('relays HEAD: the upstream’s headers, no body', async () => {
    upstream.behave(behaviours.large(5000, 'application/pdf'));
    const response = await send('HEAD', '/api/orders/doc.pdf');
    expect(response.status).toBe(200);
    expect(upstream.last().method).toBe('HEAD');
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.raw.length).toBe(0);
  });

  it('relays an unsafe method with X-CSRF: 1 and its binary body intact, both ways', async () => {
    upstream.behave(behaviours.echo());
    const body = pattern(7, 300_000);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const response = await send(method, '/api/orders/42?dry=1', {
        headers: { 'X-CSRF': '1', 'Content-Type': 'application/octet-stream' },
        body,
      });
      expect(response.status, response.text).toBe(200);
      expect(upstream.last().method).toBe(method);
      expect(upstream.last().url).toBe('/v1/42?dry=1');
      expect(upstream.last().body.equals(body)).toBe(true);
      expect(upstream.last().headers['content-type']).toEqual(['application/octet-stream']);
      expect(response.raw.equals(body)).toBe(true);
    }
  });

  it('refuses an unsafe method authenticated by the cookie without X-CSRF: 1 (403), before the upstream', async () => {
    const response = await send('POST', '/api/orders/42', { headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expectJsonError(response, 403, 'csrf_check_failed');
    const foreign = await send('DELETE', '/api/orders/42', { headers: { 'X-CSRF': '1', Origin: 'https://evil.example' } });
    expectJsonError(foreign, 403, 'origin_not_allowed');
    expect(upstream.received).toHaveLength(0);
  });

  it('lets an SPA on an allowed origin preflight every method the relay passes on', async () => {
    const origin = harness.config.publicOrigin;
    const response = await send('OPTIONS', '/api/orders/42', {
      headers: { Origin: origin, 'Access-Control-Request-Method': 'DELETE', 'Access-Control-Request-Headers': 'x-csrf, content-type' },
    });
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(origin);
    expect(String(response.headers['access-control-allow-methods']).split(/,\s*/)).toEqual(
      expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
    );
    expect(upstream.received).toHaveLength(0);
  });

  it('refuses a caller without a session (401) before the upstream', async () => {
    const response = await harness.target.request('GET', '/api/orders/42');
    responses.push(response);
    expectJsonError(response, 401, 'unauthenticated');
    expect(response.headers['www-authenticate']).toBe('Bearer');
    const forged = await harness.target.request('GET', '/api/orders/42', { headers: { Authorization: 'Bearer not.a.token' } });
    expectJsonError(forged, 401, 'invalid_token');
    expect(upstream.received).toHaveLength(0);
  });

  it.each([
    '/api/orders/../admin/x',
    '/api/orders/a/../../admin',
    '/api/orders/%2e%2e/admin',
    '/api/orders/.%2E/admin',
    '/api/orders/%252e%252e/admin',
    '/api/orders/a%2f..%2f..%2fadmin',
    '/api/orders/a%5c..%5cadmin',
    '/api/orders/.',
    '/api/orders//evil.example/x',
  ])('refuses %s with 400 invalid_path, before the upstream', async (path) => {
    // API Gateway hands the Lambda a decoded `event.path`: what was an encoded separator arrives as a real one, `%2e`
    // as a dot. The event is built around the raw path (a URL parser would resolve the dot segments first).
    const response =
      kind === 'http'
        ? await send('GET', path)
        : await rawLambdaRequest(harness, 'GET', decodeURIComponent(path), browser.cookieHeader('/api/orders/'));
    responses.push(response);
    expectJsonError(response, 400, 'invalid_path');
    expect(upstream.received).toHaveLength(0);
  });

  it('enforces a route’s groups (403 forbidden) and scopes (403 insufficient_scope), and passes a caller who has them', async () => {
    expectJsonError(await send('GET', '/api/admin/users'), 403, 'forbidden');
    expectJsonError(await send('GET', '/api/reports/q1'), 403, 'insufficient_scope');
    expect(upstream.received).toHaveLength(0);
    const allowed = await send('GET', '/api/tested/runs');
    expect(allowed.status, allowed.text).toBe(200);
    expect(upstream.last().url).toBe('/tested/runs');
  });

  it('answers 502 upstream_unavailable for an unreachable upstream and for a reset', async () => {
    expectJsonError(await send('GET', '/api/nowhere/x'), 502, 'upstream_unavailable');
    upstream.behave(behaviours.reset());
    expectJsonError(await send('GET', '/api/orders/x'), 502, 'upstream_unavailable');
  });

  it('does not relay a Host header or an absolute request target to another host', async () => {
    const response = await send('GET', '/api/orders/h', { headers: { Host: 'evil.example', 'X-Forwarded-Host': 'evil.example' } });
    expect(response.status, response.text).toBe(200);
    expect(upstream.last().headers.host).toEqual([new URL(upstream.url).host]);
    expect(upstream.last().url).toBe('/v1/h');
  });
});
