/**
 * Server-side sessions (SESSION_STORE=dynamodb) against a real dynalite and the fake IdP (rotation, revocation),
 * through both runtimes, with two BFF instances sharing the store for what crosses instances. Time is injected: one
 * clock for both instances, moved by the test, never slept on.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CookieJar, parseSetCookie, setCookieHeaders } from '../support/cookie-jar';
import { startTestDynalite, testClient, type TestDynalite } from '../support/dynalite';
import { FaultyRequestHandler, THROTTLING } from '../support/dynamodb-faults';
import { FakeIdp, type FakeUser } from '../support/fake-idp';
import { BASE_URLS, buildHarness, RUNTIMES, type Harness, type RuntimeKind } from '../support/harness';
import type { RequestOptions, TargetResponse } from '../support/targets';

const CSRF = { 'X-CSRF': '1' };

describe.each(RUNTIMES)('server-side sessions (%s)', (kind: RuntimeKind) => {
  let idp: FakeIdp;
  let dynalite: TestDynalite;
  let nowMs = Date.now();
  const clock = () => nowMs;
  /** Two instances behind one load balancer: same settings, same store, each with its own memory. */
  let a: Harness;
  let b: Harness;

  function env(extra: Record<string, string> = {}): Record<string, string> {
    return idp.env({ PUBLIC_BASE_URL: BASE_URLS[kind], IDP_TIMEOUT_MS: '20000', ...dynalite.env, ...extra });
  }

  /** A user of their own for each test: sessions of earlier tests are in the same table. */
  const newUser = (name = 'alice'): FakeUser => ({ sub: randomUUID(), username: name, email: `${name}@example.com`, groups: ['testers'] });

  /** A browser of `user`: a jar, and requests to one instance or the other. */
  function browser(user: FakeUser = newUser()) {
    const jar = new CookieJar();
    const send = async (harness: Harness, method: string, path: string, options: RequestOptions = {}): Promise<TargetResponse> => {
      const cookie = jar.header(harness.config.basePath + path.split('?')[0]);
      const response = await harness.target.request(method, path, {
        ...options,
        headers: { ...(cookie ? { Cookie: cookie } : {}), 'User-Agent': 'TestBrowser/1.0', ...options.headers },
      });
      jar.apply(response.headers);
      return response;
    };
    const signIn = async (harness: Harness = a): Promise<TargetResponse> => {
      const login = await send(harness, 'GET', '/auth/login');
      const authorize = String(login.headers.location);
      const params = new URLSearchParams({ code: idp.issueCode(authorize, user), state: new URL(authorize).searchParams.get('state')! });
      const callback = await send(harness, 'GET', `/auth/callback?${params}`);
      expect(callback.status).toBe(302);
      expect(new URL(String(callback.headers.location)).searchParams.get('auth_error')).toBeNull();
      return callback;
    };
    return { jar, send, signIn, accessToken: () => jar.get('__Host-bff-at')!.value, cookieHeader: () => jar.header('/') };
  }

  const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    [idp, dynalite] = await Promise.all([FakeIdp.start(), startTestDynalite()]);
  });
  afterAll(async () => {
    await Promise.all([idp?.close(), dynalite?.stop()]);
  });
  beforeEach(() => {
    idp.reset();
    nowMs = Date.now();
    a = buildHarness(kind, env(), { clock });
    b = buildHarness(kind, env(), { clock });
  });

  it('keeps the refresh token on the server: the browser holds the access token and a sealed reference only', async () => {
    const alice = browser();
    const callback = await alice.signIn();
    expect(alice.jar.names().sort()).toEqual(['__Host-bff-at', '__Host-bff-session']);
    const session = alice.jar.get('__Host-bff-session')!;
    expect(session.attributes).toMatchObject({ httponly: true, secure: true, samesite: 'Strict', path: '/' });
    const refreshToken = idp.requests.find((r) => r.path === '/oauth2/token');
    expect(refreshToken).toBeDefined();
    for (const header of setCookieHeaders(callback.headers)) {
      for (const issued of idp.issued) if (issued.length > 100 && !issued.startsWith('eyJ')) expect(header).not.toContain(issued);
    }
    expect((await alice.send(a, 'GET', '/tests')).status).toBe(200);
    expect((await alice.send(b, 'GET', '/tests')).status).toBe(200);
    expect((await b.target.request('GET', '/tests', bearer(alice.accessToken()))).status).toBe(200);
  });

  it('logout sticks: copied cookies and the Bearer token are refused at once here and within REVOCATION_CHECK_SECONDS elsewhere', async () => {
    const alice = browser();
    await alice.signIn();
    const copied = { cookie: alice.cookieHeader(), token: alice.accessToken() };
    // Instance b has seen the session live (and remembers it).
    expect((await b.target.request('GET', '/tests', bearer(copied.token))).status).toBe(200);

    const logout = await alice.send(a, 'POST', '/auth/logout', { headers: CSRF });
    expect(logout.status).toBe(200);
    expect(alice.jar.names()).toEqual([]);
    for (const request of [{ headers: { Cookie: copied.cookie } }, bearer(copied.token)]) {
      const refused = await a.target.request('GET', '/tests', request);
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expect((await a.target.request('GET', '/auth/session', request)).status).toBe(401);
    }
    expect((await a.target.request('POST', '/auth/refresh', { headers: { Cookie: copied.cookie, ...CSRF } })).status).toBe(401);

    // Instance b may answer from memory until the check window has passed, and not a moment longer.
    expect((await b.target.request('GET', '/tests', bearer(copied.token))).status).toBe(200);
    nowMs += 5000;
    expect((await b.target.request('GET', '/tests', bearer(copied.token))).status).toBe(401);
    expect((await b.target.request('GET', '/tests', { headers: { Cookie: copied.cookie } })).status).toBe(401);
    // The refresh token was revoked at the IdP.
    expect(idp.requests.filter((r) => r.path === '/oauth2/revoke')).toHaveLength(1);
  });

  it('lists the user`s sessions, ends another one by id (404 for any other id), and logs out everywhere', async () => {
    const user = newUser();
    const laptop = browser(user);
    const phone = browser(user);
    await laptop.signIn();
    await phone.signIn(b);
    const list = await laptop.send(a, 'GET', '/auth/sessions');
    expect(list.status).toBe(200);
    expect(list.headers['cache-control']).toBe('no-store');
    expect(list.body.sessions).toHaveLength(2);
    const current = list.body.sessions.find((s: { current: boolean }) => s.current);
    const other = list.body.sessions.find((s: { current: boolean }) => !s.current);
    expect(current).toMatchObject({ userAgent: 'TestBrowser/1.0', createdAt: expect.any(Number), lastSeenAt: expect.any(Number) });
    expect(Object.keys(current).sort()).toEqual(['createdAt', 'current', 'id', 'lastSeenAt', 'userAgent']);
    expect(list.text).not.toMatch(/eyJ|v1\./);

    // CSRF rules: a cookie-authenticated DELETE needs the header.
    expect((await laptop.send(a, 'DELETE', `/auth/sessions/${other.id}`)).status).toBe(403);
    // Another user's id, or one that never existed: 404, and nothing ends.
    const mallory = browser(newUser('mallory'));
    await mallory.signIn();
    const malloryList = await mallory.send(a, 'GET', '/auth/sessions');
    expect(malloryList.body.sessions.length).toBeGreaterThanOrEqual(1);
    const notMine = await mallory.send(a, 'DELETE', `/auth/sessions/${other.id}`, { headers: CSRF });
    expect(notMine.status).toBe(404);
    expect(notMine.body.error).toBe('session_not_found');
    expect((await laptop.send(a, 'DELETE', '/auth/sessions/AAAAAAAAAAAAAAAAAAAAAA', { headers: CSRF })).status).toBe(404);
    expect((await laptop.send(a, 'DELETE', '/auth/sessions/..%2F..', { headers: CSRF })).status).toBe(404);
    expect((await phone.send(b, 'GET', '/tests')).status).toBe(200);

    const ended = await laptop.send(a, 'DELETE', `/auth/sessions/${other.id}`, { headers: CSRF });
    expect(ended.status).toBe(204);
    nowMs += 5000;
    expect((await phone.send(b, 'GET', '/tests')).status).toBe(401);
    expect((await laptop.send(a, 'GET', '/auth/sessions')).body.sessions.map((s: { id: string }) => s.id)).toEqual([current.id]);

    // Everywhere: a third sign-in, then every session of the user ends, each refresh token revoked.
    const tablet = browser(user);
    await tablet.signIn(b);
    idp.requests.length = 0;
    const everywhere = await laptop.send(a, 'POST', '/auth/logout', {
      headers: { ...CSRF, 'Content-Type': 'application/json' },
      body: JSON.stringify({ everywhere: true }),
    });
    expect(everywhere.status).toBe(200);
    expect(idp.requests.filter((r) => r.path === '/oauth2/revoke')).toHaveLength(2);
    nowMs += 5000;
    expect((await tablet.send(b, 'GET', '/tests')).status).toBe(401);
    expect((await tablet.send(a, 'GET', '/tests')).status).toBe(401);
    // Another user's sessions are untouched.
    expect((await mallory.send(b, 'GET', '/tests')).status).toBe(200);
  });

  const logoutEverywhere = (who: ReturnType<typeof browser>, harness: Harness) =>
    who.send(harness, 'POST', '/auth/logout', {
      headers: { ...CSRF, 'Content-Type': 'application/json' },
      body: JSON.stringify({ everywhere: true }),
    });
  const logLines = (harness: Harness, event: string) =>
    harness.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.event === event);

  it('signs the user out at Cognito on "everywhere" (AdminUserGlobalSignOut, once, pool and username), not on a plain logout', async () => {
    const user = newUser('carol');
    const laptop = browser(user);
    const phone = browser(user);
    const tablet = browser(user);
    await laptop.signIn();
    await phone.signIn(b);
    await tablet.signIn(b);
    expect((await phone.send(b, 'POST', '/auth/logout', { headers: CSRF })).status).toBe(200);
    expect(idp.adminCalls).toEqual([]);
    const refreshTokens = idp.requests.filter((r) => r.path === '/oauth2/token').length;
    expect(refreshTokens).toBe(3);

    const everywhere = await logoutEverywhere(laptop, a);
    expect(everywhere.status).toBe(200);
    expect(everywhere.body).toEqual({ logoutUrl: expect.stringContaining('/logout?') });
    expect(idp.adminCalls).toEqual([
      { operation: 'AdminUserGlobalSignOut', body: { UserPoolId: idp.poolId, Username: 'carol' }, signedFor: 'us-west-2/cognito-idp' },
    ]);
    expect(logLines(a, 'cognito_global_sign_out')).toEqual([expect.objectContaining({ level: 'info', sub: user.sub })]);
    expect((await tablet.send(a, 'GET', '/tests')).status).toBe(401);
  });

  it.each([
    ['throttled', { status: 400, type: 'TooManyRequestsException' }],
    ['no IAM permission', { status: 400, type: 'AccessDeniedException' }],
    ['an outage', { status: 500, type: 'InternalErrorException' }],
  ] as const)('ends every session and answers the normal logout when Cognito refuses the global sign-out (%s)', async (_, fault) => {
    idp.adminFault = fault;
    const user = newUser('dave');
    const laptop = browser(user);
    const phone = browser(user);
    await laptop.signIn();
    await phone.signIn(b);
    const everywhere = await logoutEverywhere(laptop, a);
    expect(everywhere.status).toBe(200);
    expect(everywhere.body).toEqual({ logoutUrl: expect.stringContaining('/logout?') });
    expect(laptop.jar.names()).toEqual([]);
    // Throttling and outages are retried once by the SDK; a missing permission is not.
    expect(idp.adminCalls.length).toBe(fault.type === 'AccessDeniedException' ? 1 : 2);
    const [warning, ...more] = logLines(a, 'cognito_global_sign_out_failed');
    expect(more).toEqual([]);
    expect(warning).toEqual({
      level: 'warn',
      time: expect.any(String),
      msg: expect.any(String),
      requestId: expect.any(String),
      event: 'cognito_global_sign_out_failed',
      sub: user.sub,
      reason: fault.type,
      status: fault.status,
    });
    expect(JSON.stringify(warning)).not.toContain('dave');
    nowMs += 5000;
    expect((await phone.send(b, 'GET', '/tests')).status).toBe(401);
  });

  it('bounds the global sign-out by IDP_TIMEOUT_MS: a Cognito that never answers still leaves the user signed out', async () => {
    idp.adminFault = { kind: 'hang' };
    const user = newUser('erin');
    const laptop = browser(user);
    const phone = browser(user);
    await laptop.signIn();
    await phone.signIn();
    const impatient = buildHarness(kind, env({ IDP_TIMEOUT_MS: '300' }), { clock });
    const everywhere = await logoutEverywhere(laptop, impatient);
    expect(everywhere.status).toBe(200);
    expect(logLines(impatient, 'cognito_global_sign_out_failed')).toEqual([expect.objectContaining({ reason: 'AbortError' })]);
    nowMs += 5000;
    expect((await phone.send(a, 'GET', '/tests')).status).toBe(401);
  });

  it('never reaches Cognito from an ended session`s cookie, nor when COGNITO_GLOBAL_SIGN_OUT=false', async () => {
    const user = newUser('frank');
    const laptop = browser(user);
    await laptop.signIn();
    const stale = laptop.cookieHeader();
    expect((await laptop.send(a, 'POST', '/auth/logout', { headers: CSRF })).status).toBe(200);
    const phone = browser(user);
    await phone.signIn();
    // An old copy of the laptop's cookies: the rest of the user's sessions end, Cognito is not asked.
    const replay = await a.target.request('POST', '/auth/logout', {
      headers: { Cookie: stale, ...CSRF, 'Content-Type': 'application/json' },
      body: JSON.stringify({ everywhere: true }),
    });
    expect(replay.status).toBe(200);
    expect(idp.adminCalls).toEqual([]);

    const switchedOff = buildHarness(kind, env({ COGNITO_GLOBAL_SIGN_OUT: 'false' }), { clock });
    const tablet = browser(user);
    await tablet.signIn(switchedOff);
    expect((await logoutEverywhere(tablet, switchedOff)).status).toBe(200);
    expect(idp.adminCalls).toEqual([]);
    expect((await tablet.send(switchedOff, 'GET', '/tests')).status).toBe(401);
  });

  it('refreshes once for any number of concurrent callers on both instances, and hands each the renewed session', async () => {
    idp.rotateRefreshTokens = true;
    const alice = browser();
    await alice.signIn();
    const cookie = alice.cookieHeader();
    const before = alice.accessToken();
    idp.requests.length = 0;
    const responses = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        (i % 2 ? a : b).target.request('POST', '/auth/refresh', { headers: { Cookie: cookie, ...CSRF } }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
    expect(idp.requests.filter((r) => r.form.get('grant_type') === 'refresh_token')).toHaveLength(1);
    const tokens = new Set(
      responses.map(
        (r) =>
          setCookieHeaders(r.headers)
            .map(parseSetCookie)
            .find((c) => c.name === '__Host-bff-at')?.value,
      ),
    );
    expect(tokens.size).toBe(1);
    expect(tokens.has(before)).toBe(false);
    expect(responses.every((r) => setCookieHeaders(r.headers).every((h) => !h.startsWith('__Secure-bff-rt=v1')))).toBe(true);

    // The rotated refresh token replaced the old one: the next refresh sends the new one.
    alice.jar.apply(responses[0]!.headers);
    const usedFirst = idp.requests.find((r) => r.form.get('grant_type') === 'refresh_token')!.form.get('refresh_token');
    expect((await alice.send(a, 'POST', '/auth/refresh', { headers: CSRF })).status).toBe(200);
    const refreshes = idp.requests.filter((r) => r.form.get('grant_type') === 'refresh_token');
    expect(refreshes).toHaveLength(2);
    expect(refreshes[1]!.form.get('refresh_token')).not.toBe(usedFirst);
    expect((await alice.send(b, 'GET', '/tests')).status).toBe(200);
  });

  it('refuses a forged, foreign-key, ended or expired session reference with 401', async () => {
    const alice = browser();
    await alice.signIn();
    const reference = alice.jar.get('__Host-bff-session')!.value;
    const refreshWith = (value: string, harness: Harness = a) =>
      harness.target.request('POST', '/auth/refresh', { headers: { Cookie: `__Host-bff-session=${value}`, ...CSRF } });

    expect((await refreshWith('v1.' + 'A'.repeat(80))).status).toBe(401);
    const otherKey = buildHarness(kind, env({ COOKIE_KEYS: Buffer.alloc(32, 8).toString('base64url') }), { clock });
    expect((await refreshWith(reference, otherKey)).status).toBe(401);
    // Expired: the session outlives nothing past its lifetime, whatever the table still holds.
    nowMs += 31 * 86_400_000;
    expect((await refreshWith(reference)).status).toBe(401);
    nowMs -= 31 * 86_400_000;
    expect((await refreshWith(reference)).status).toBe(200);
    await alice.send(a, 'POST', '/auth/logout', { headers: CSRF });
    const ended = await refreshWith(reference, b);
    expect(ended.status).toBe(401);
    expect(ended.body.error).toBe('refresh_refused');
  });

  it('answers 503 session_store_unavailable without touching a cookie while dynalite is down, and recovers by itself', async () => {
    const alice = browser();
    await alice.signIn();
    const cookie = alice.cookieHeader();
    await dynalite.kill();
    try {
      for (const [method, path] of [
        ['POST', '/auth/refresh'],
        ['POST', '/auth/logout'],
        ['GET', '/auth/sessions'],
      ] as const) {
        const response = await b.target.request(method, path, { headers: { Cookie: cookie, ...CSRF } });
        expect(response.status, `${method} ${path}`).toBe(503);
        expect(response.body).toEqual({ error: 'session_store_unavailable', message: expect.any(String) });
        expect(setCookieHeaders(response.headers)).toEqual([]);
      }
      // b has never checked this token: it cannot say the session is live.
      expect((await b.target.request('GET', '/tests', { headers: { Cookie: cookie } })).status).toBe(503);
    } finally {
      await dynalite.restart();
    }
    expect((await b.target.request('GET', '/tests', { headers: { Cookie: cookie } })).status).toBe(200);
    expect((await alice.send(b, 'POST', '/auth/refresh', { headers: CSRF })).status).toBe(200);
  });

  it('answers 503 while DynamoDB throttles, and serves again when it stops', async () => {
    const alice = browser();
    await alice.signIn();
    const handler = new FaultyRequestHandler();
    const throttled = buildHarness(kind, env(), { clock, sessionStoreClient: testClient(dynalite.url, { requestHandler: handler }) });
    handler.fault = THROTTLING.provisioned;
    const refused = await throttled.target.request('GET', '/tests', { headers: { Cookie: alice.cookieHeader() } });
    expect(refused.status).toBe(503);
    expect(refused.body.error).toBe('session_store_unavailable');
    handler.fault = undefined;
    expect((await throttled.target.request('GET', '/tests', { headers: { Cookie: alice.cookieHeader() } })).status).toBe(200);
  });

  it('never logs a token, refresh token or cookie value', async () => {
    const alice = browser();
    await alice.signIn();
    await alice.send(a, 'POST', '/auth/refresh', { headers: CSRF });
    await alice.send(a, 'GET', '/auth/sessions');
    const values = alice.jar.all().map((c) => c.value);
    await alice.send(a, 'POST', '/auth/logout', { headers: CSRF });
    const log = [...a.logs, ...b.logs].join('\n');
    for (const value of [...values, ...idp.issued]) expect(log).not.toContain(value);
  });
});
