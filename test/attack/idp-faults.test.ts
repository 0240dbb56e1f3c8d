/**
 * The IdP misbehaving: slow or stalled token endpoint, 5xx with HTML, 200 with garbage, a refused grant, JWKS down or
 * malformed (fail closed, recover when it is back), key rotation, the revoke endpoint down at logout. The BFF answers
 * with a clean error within IDP_TIMEOUT_MS, keeps a session the IdP did not refuse, and ends one it did.
 */
import { describe, expect, it } from 'vitest';
import { setCookieHeaders } from '../support/cookie-jar';
import { freePort } from '../support/cognito-local';
import type { FakeIdp } from '../support/fake-idp';
import { RUNTIMES } from '../support/harness';
import {
  Browser,
  buildAttackHarness,
  callbackPath,
  expectJsonError,
  expectNoLeak,
  expectRefusedSignIn,
  sessionCookiesCleared,
  signIn,
  startLogin,
  type AttackHarness,
  useAttackTarget,
} from './support';

const CSRF = { 'X-CSRF': '1' };
/**
 * The IdP bound of the harness that only the timeout cases use. Every other case runs on the block's harness, whose
 * bound is the fake IdP's generous default, so a busy machine never turns a slow answer into idp_timeout. The timeout
 * cases assert no durations: the fake IdP's stall outlasts the test's own timeout, so any answer at all is the BFF's
 * configured bound at work.
 */
const SHORT_TIMEOUT_MS = 200;
/** Longer than any test may run: a token or revoke endpoint that never answers by itself. */
const STALL_MS = 600_000;
const HTML_ERROR = '<html><body><h1>503 Service Temporarily Unavailable</h1><script>secret()</script></body></html>';

describe.each(RUNTIMES)('IdP faults (%s)', (kind) => {
  let idp: FakeIdp;
  let harness: AttackHarness;
  /** The same product with a short IdP bound, same configuration and cookie keys otherwise: cookies work on both. */
  let impatient: AttackHarness;
  useAttackTarget(kind, (started) => {
    ({ idp, harness } = started);
    impatient = buildAttackHarness(kind, idp, { env: { IDP_TIMEOUT_MS: String(SHORT_TIMEOUT_MS) } });
  });

  async function signedIn(h: AttackHarness = harness): Promise<Browser> {
    const browser = new Browser(h);
    const { callback } = await signIn(h, browser);
    expect(callback.status).toBe(302);
    expect(browser.jar.get('__Host-bff-at')).toBeDefined();
    return browser;
  }

  /** A callback (on `target`, default the block's harness) with the IdP's token endpoint in the state `fault` puts it in. */
  async function callbackWith(fault: FakeIdp['tokenFault'], target: AttackHarness = harness) {
    const browser = new Browser(target);
    const { authorizeUrl, state } = await startLogin(browser);
    idp.tokenFault = fault;
    const code = idp.issueCode(authorizeUrl);
    const callback = await browser.send('GET', callbackPath(target, { code, state }));
    return { callback, code, browser };
  }

  /** A browser signed in on the block's harness, now talking to the impatient one. */
  async function signedInImpatient(): Promise<Browser> {
    return new Browser(impatient, (await signedIn()).jar);
  }

  describe('token endpoint', () => {
    it('gives up on a token endpoint that does not answer within IDP_TIMEOUT_MS (callback: auth_error=idp_timeout)', async () => {
      const { callback } = await callbackWith({ kind: 'delay', ms: STALL_MS }, impatient);
      expectRefusedSignIn(impatient, callback, 'idp_timeout');
    });

    it('gives up on a token endpoint that answers 200 and then stalls, within IDP_TIMEOUT_MS', async () => {
      // 10,000 bytes a byte every 50 ms: more than eight minutes unless the BFF's deadline cuts it off.
      const { callback } = await callbackWith({ kind: 'trickle', intervalMs: 50 }, impatient);
      expectRefusedSignIn(impatient, callback, 'idp_timeout');
    });

    it('answers a slow refresh with 504 within the bound and keeps the session', async () => {
      const browser = await signedInImpatient();
      idp.tokenFault = { kind: 'delay', ms: STALL_MS };
      const refresh = await browser.send('POST', '/auth/refresh', { headers: CSRF });
      expectJsonError(refresh, 504, 'idp_timeout');
      expect(setCookieHeaders(refresh.headers)).toEqual([]);
      expect((await browser.send('GET', '/auth/session')).status).toBe(200);
    });

    it('turns a 5xx with an HTML body into auth_error=idp_unavailable without reflecting the body', async () => {
      for (const status of [500, 502, 503]) {
        const { callback, code } = await callbackWith({ kind: 'status', status, body: HTML_ERROR });
        expectRefusedSignIn(harness, callback, 'idp_unavailable');
        expect(callback.text + harness.logs.join('\n')).not.toContain('secret()');
        expectNoLeak(harness, [callback], [code]);
      }
    });

    it.each([
      ['invalid JSON', { kind: 'status', status: 200, body: '{"access_token": "eyJ', contentType: 'application/json' }],
      ['HTML', { kind: 'status', status: 200, body: HTML_ERROR, contentType: 'text/html' }],
      ['a JSON array', { kind: 'status', status: 200, body: '[]', contentType: 'application/json' }],
      ['JSON null', { kind: 'status', status: 200, body: 'null', contentType: 'application/json' }],
      ['an empty body', { kind: 'status', status: 200, body: '', contentType: 'application/json' }],
      ['no id_token', { kind: 'override', respond: ({ id_token: _, ...rest }: Record<string, unknown>) => rest }],
      ['no access_token', { kind: 'override', respond: ({ access_token: _, ...rest }: Record<string, unknown>) => rest }],
      ['no refresh_token', { kind: 'override', respond: ({ refresh_token: _, ...rest }: Record<string, unknown>) => rest }],
      ['an id_token that is a number', { kind: 'override', respond: (issued: Record<string, unknown>) => ({ ...issued, id_token: 42 }) }],
      [
        'an id_token that is an object',
        { kind: 'override', respond: (issued: Record<string, unknown>) => ({ ...issued, id_token: { a: 1 } }) },
      ],
      ['token_type MAC', { kind: 'override', respond: (issued: Record<string, unknown>) => ({ ...issued, token_type: 'MAC' }) }],
      [
        'a body over the size bound',
        { kind: 'status', status: 200, body: JSON.stringify({ x: 'y'.repeat(400_000) }), contentType: 'application/json' },
      ],
    ] as [string, FakeIdp['tokenFault']][])(
      'turns a 200 with %s into auth_error=idp_bad_response or idp_unavailable',
      async (_name, fault) => {
        const { callback } = await callbackWith(fault);
        expectRefusedSignIn(harness, callback, /^idp_(bad_response|unavailable)$/);
      },
    );

    it('turns an OAuth error that blames the client (invalid_client) into auth_error=idp_error, and a 302 likewise', async () => {
      const invalidClient = await callbackWith({
        kind: 'status',
        status: 401,
        body: '{"error":"invalid_client"}',
        contentType: 'application/json',
      });
      expectRefusedSignIn(harness, invalidClient.callback, 'idp_error');
      const redirect = await callbackWith({ kind: 'status', status: 302, body: '', contentType: 'text/plain' });
      expectRefusedSignIn(harness, redirect.callback, 'idp_error');
    });

    it('turns an unreachable IdP into auth_error=idp_unavailable and a refresh into 502', async () => {
      const unreachable = buildAttackHarness(kind, idp, {
        env: { COGNITO_DOMAIN: `http://127.0.0.1:${await freePort()}` },
      });
      const browser = new Browser(unreachable);
      const { authorizeUrl, state } = await startLogin(browser);
      const callback = await browser.send('GET', callbackPath(unreachable, { code: idp.issueCode(authorizeUrl), state }));
      expectRefusedSignIn(unreachable, callback, 'idp_unavailable');
      // A session from before the outage (same cookie keys) is kept: 502, no cookie touched.
      const session = await signedIn();
      const refresh = await unreachable.target.request('POST', '/auth/refresh', {
        headers: { Cookie: session.cookieHeader('/auth/refresh'), ...CSRF },
      });
      expectJsonError(refresh, 502, 'idp_unavailable');
      expect(setCookieHeaders(refresh.headers)).toEqual([]);
    });

    it('ends the session on a refused refresh (401, every cookie cleared)', async () => {
      const browser = await signedIn();
      idp.tokenFault = { kind: 'status', status: 400, body: '{"error":"invalid_grant"}', contentType: 'application/json' };
      const refresh = await browser.send('POST', '/auth/refresh', { headers: CSRF });
      expectJsonError(refresh, 401, 'refresh_refused');
      expect(sessionCookiesCleared(refresh)).toEqual(expect.arrayContaining(['__Host-bff-at', '__Host-bff-session', '__Secure-bff-rt']));
      expect(browser.jar.names()).toEqual([]);
    });

    it('keeps the session when a refresh fails with 5xx (502, no cookie touched)', async () => {
      const browser = await signedIn();
      const before = browser.jar
        .all()
        .map((c) => `${c.name}=${c.value}`)
        .sort();
      idp.tokenFault = { kind: 'status', status: 503, body: HTML_ERROR };
      const refresh = await browser.send('POST', '/auth/refresh', { headers: CSRF });
      expectJsonError(refresh, 502, 'idp_unavailable');
      expect(setCookieHeaders(refresh.headers)).toEqual([]);
      expect(
        browser.jar
          .all()
          .map((c) => `${c.name}=${c.value}`)
          .sort(),
      ).toEqual(before);
      idp.tokenFault = undefined;
      expect((await browser.send('POST', '/auth/refresh', { headers: CSRF })).status).toBe(200);
    });

    it('keeps the session when a refresh returns tokens too big for the cookie budget (session_too_large, logged)', async () => {
      const browser = await signedIn();
      const groups = Array.from({ length: 1500 }, (_, i) => `group-with-a-long-name-${i}`);
      idp.tokenFault = {
        kind: 'override',
        respond: async (issued) => ({ ...issued, access_token: await idp.signAccessToken({ 'cognito:groups': groups }) }),
      };
      const refresh = await browser.send('POST', '/auth/refresh', { headers: CSRF });
      expectJsonError(refresh, 400, 'session_too_large');
      expect(setCookieHeaders(refresh.headers)).toEqual([]);
      expect((await browser.send('GET', '/tests')).status).toBe(200);
    });
  });

  describe('JWKS', () => {
    it.each(['down', 'malformed'] as const)('fails closed while the JWKS is %s, and recovers as soon as it is back', async (fault) => {
      const fresh = buildAttackHarness(kind, idp);
      const token = await idp.signAccessToken();
      idp.jwksFault = fault;
      const refused = await fresh.target.request('GET', '/tests', { headers: { Authorization: `Bearer ${token}` } });
      expectJsonError(refused, 401, 'invalid_token');
      expect(fresh.logs.join('\n')).toContain('token keys unavailable');
      // The sign-in fails closed too: no session from tokens nobody could check, and the IdP is named as the cause.
      const browser = new Browser(fresh);
      const { callback } = await signIn(fresh, browser);
      expectRefusedSignIn(fresh, callback, 'idp_unavailable');

      idp.jwksFault = undefined;
      const recovered = await fresh.target.request('GET', '/tests', { headers: { Authorization: `Bearer ${token}` } });
      expect(recovered.status).toBe(200);
      const again = await signIn(fresh, new Browser(fresh));
      expect(again.callback.status).toBe(302);
      expect(again.callback.headers.location).toBe(fresh.config.postLoginUrl);
    });

    it('fails closed on a JWKS without the key, and recovers once the penalty box lets it look again', async () => {
      const fresh = buildAttackHarness(kind, idp);
      const token = await idp.signAccessToken();
      idp.jwksFault = 'empty';
      expectJsonError(await fresh.target.request('GET', '/tests', { headers: { Authorization: `Bearer ${token}` } }), 401, 'invalid_token');
      idp.jwksFault = undefined;
      // aws-jwt-verify holds off refetching for 10 s after a kid was not found: still refused, no new fetch.
      const fetches = idp.jwksFetches;
      expectJsonError(await fresh.target.request('GET', '/tests', { headers: { Authorization: `Bearer ${token}` } }), 401, 'invalid_token');
      expect(idp.jwksFetches).toBe(fetches);
      // The wait ends (injected rather than slept): the key is found and the token accepted.
      fresh.penaltyBox.release(fresh.config.cognito.jwksUri);
      expect((await fresh.target.request('GET', '/tests', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
      expect(idp.jwksFetches).toBe(fetches + 1);
    });

    it('keeps serving from the cached JWKS while the JWKS endpoint is down', async () => {
      const fresh = buildAttackHarness(kind, idp);
      const token = await idp.signAccessToken();
      expect((await fresh.target.request('GET', '/tests', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
      idp.jwksFault = 'down';
      expect(
        (await fresh.target.request('GET', '/tests', { headers: { Authorization: `Bearer ${await idp.signAccessToken()}` } })).status,
      ).toBe(200);
      const { callback } = await signIn(fresh, new Browser(fresh));
      expect(callback.status).toBe(302);
      expect(callback.headers.location).toBe(fresh.config.postLoginUrl);
    });
  });

  describe('logout', () => {
    it('logs out when the revoke endpoint is down: 200, every cookie cleared, the failure logged', async () => {
      const browser = await signedIn();
      idp.revokeStatus = 503;
      const logout = await browser.send('POST', '/auth/logout', { headers: CSRF });
      expect(logout.status).toBe(200);
      expect(typeof logout.body.logoutUrl).toBe('string');
      expect(sessionCookiesCleared(logout)).toEqual(expect.arrayContaining(['__Host-bff-at', '__Host-bff-session', '__Secure-bff-rt']));
      expect(browser.jar.names()).toEqual([]);
      expect(harness.logs.join('\n')).toContain('revoke_failed');
      expect(idp.requests.filter((r) => r.path === '/oauth2/revoke')).toHaveLength(1);
    });

    it('logs out within IDP_TIMEOUT_MS when the revoke endpoint hangs', async () => {
      const browser = await signedInImpatient();
      idp.revokeDelayMs = STALL_MS;
      const logout = await browser.send('POST', '/auth/logout', { headers: CSRF });
      expect(logout.status).toBe(200);
      expect(impatient.logs.join('\n')).toContain('revoke_failed');
      expect(browser.jar.names()).toEqual([]);
    });

    it('revokes the refresh token at logout, so it no longer refreshes anywhere', async () => {
      const browser = await signedIn();
      const stolen = browser.cookieHeader('/auth/refresh');
      expect((await browser.send('POST', '/auth/logout', { headers: CSRF })).status).toBe(200);
      const revoke = idp.requests.find((r) => r.path === '/oauth2/revoke');
      expect(revoke?.form.get('token')).toBeTruthy();
      // A copy of the cookies taken before logout (another tab, a thief) cannot refresh any more.
      const replay = await harness.target.request('POST', '/auth/refresh', { headers: { Cookie: stolen, ...CSRF } });
      expectJsonError(replay, 401, 'refresh_refused');
    });
  });
});
