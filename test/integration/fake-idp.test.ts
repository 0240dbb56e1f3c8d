/**
 * What cognito-local cannot produce, against the fake IdP, on both runtimes: what the BFF sends to the token
 * endpoint, tokens that must be refused, a flow that must not complete, and an IdP that fails.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CookieJar, parseSetCookie, setCookieHeaders } from '../support/cookie-jar';
import { createCognitoSignOut } from '../../src/sessions/cognito-sign-out';
import { FakeIdp, newKeyPair, type TokenFault } from '../support/fake-idp';
import { BASE_URLS, buildHarness, RUNTIMES, type Harness, type RuntimeKind } from '../support/harness';
import type { RequestOptions, TargetResponse } from '../support/targets';

const SESSION_COOKIES = ['__Host-bff-at', '__Host-bff-session', '__Secure-bff-rt'];

function sessionCookiesSet(response: TargetResponse): string[] {
  return setCookieHeaders(response.headers)
    .map(parseSetCookie)
    .filter((cookie) => SESSION_COOKIES.some((name) => cookie.name.startsWith(name)) && cookie.attributes['max-age'] !== '0')
    .map((cookie) => cookie.name);
}

describe.each(RUNTIMES)('against a fake IdP (%s)', (kind: RuntimeKind) => {
  let idp: FakeIdp;
  let harness: Harness;
  let jar: CookieJar;

  async function send(method: string, path: string, options: RequestOptions = {}): Promise<TargetResponse> {
    const cookie = jar.header(harness.config.basePath + path.split('?')[0]);
    const response = await harness.target.request(method, path, {
      ...options,
      headers: { ...(cookie ? { Cookie: cookie } : {}), ...options.headers },
    });
    jar.apply(response.headers);
    return response;
  }

  /** /auth/login, then what the hosted UI does, then the callback as the browser would follow it. */
  async function signIn(tamper: (params: URLSearchParams) => void = () => {}): Promise<TargetResponse> {
    const login = await send('GET', '/auth/login');
    const authorize = String(login.headers.location);
    const params = new URLSearchParams({ code: idp.issueCode(authorize), state: new URL(authorize).searchParams.get('state')! });
    tamper(params);
    return send('GET', `/auth/callback?${params}`);
  }

  function expectFailedSignIn(response: TargetResponse, code: string): void {
    expect(response.status).toBe(302);
    const location = new URL(String(response.headers.location));
    expect(location.href.startsWith(BASE_URLS[kind] + '/')).toBe(true);
    expect(location.searchParams.get('auth_error')).toBe(code);
    expect(sessionCookiesSet(response)).toEqual([]);
  }

  beforeAll(async () => {
    idp = await FakeIdp.start();
  });
  afterAll(async () => {
    await idp.close();
  });
  beforeEach(() => {
    idp.tokenFault = undefined;
    idp.jwksFault = undefined;
    idp.echoNonce = true;
    idp.requests.length = 0;
    jar = new CookieJar();
    harness = buildHarness(kind, idp.env({ PUBLIC_BASE_URL: BASE_URLS[kind] }));
  });

  it('exchanges the code with client_secret_basic, the PKCE verifier and the configured redirect URI', async () => {
    const login = await send('GET', '/auth/login');
    const authorize = new URL(String(login.headers.location));
    const callback = await send('GET', `/auth/callback?code=${idp.issueCode(authorize.href)}&state=${authorize.searchParams.get('state')}`);
    expect(callback.status).toBe(302);
    expect(sessionCookiesSet(callback).sort()).toEqual([...SESSION_COOKIES].sort());

    const [exchange] = idp.requests;
    expect(exchange?.path).toBe('/oauth2/token');
    expect(exchange?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(exchange?.headers.authorization).toBe('Basic ' + Buffer.from(`${idp.clientId}:${idp.clientSecret}`).toString('base64'));
    expect(Object.fromEntries(exchange!.form)).toMatchObject({
      grant_type: 'authorization_code',
      client_id: idp.clientId,
      redirect_uri: `${BASE_URLS[kind]}/auth/callback`,
    });
    expect(exchange?.form.get('code_verifier')).toMatch(/^[\w-]{43}$/);
    expect(exchange?.form.has('client_secret')).toBe(false);
  });

  it('completes a POST /auth/callback (the SPA received the code) and answers the user without tokens', async () => {
    const login = await send('GET', '/auth/login');
    const authorize = new URL(String(login.headers.location));
    const response = await send('POST', '/auth/callback', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        code: idp.issueCode(authorize.href),
        redirectUri: `${BASE_URLS[kind]}/auth/callback`,
        state: authorize.searchParams.get('state'),
      }),
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ authenticated: true, user: { sub: idp.user.sub, email: idp.user.email, groups: ['testers'] } });
    expect(response.text).not.toMatch(/eyJ/);
    expect(sessionCookiesSet(response).length).toBe(3);
  });

  it('refuses a POST /auth/callback whose redirectUri is not an allowed callback', async () => {
    const response = await send('POST', '/auth/callback', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code: 'x', redirectUri: 'https://evil.example.com/auth/callback' }),
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_redirect_uri');
    expect(idp.requests).toHaveLength(0);
  });

  it('refuses a state that matches no login of this browser, without calling the IdP', async () => {
    expectFailedSignIn(await signIn((params) => params.set('state', 'forged-state')), 'invalid_state');
    expect(idp.requests).toHaveLength(0);
  });

  it('refuses a callback with no state at all', async () => {
    expectFailedSignIn(await signIn((params) => params.delete('state')), 'invalid_state');
  });

  it('refuses a replayed callback: the transaction is used up', async () => {
    const login = await send('GET', '/auth/login');
    const authorize = String(login.headers.location);
    const query = `code=${idp.issueCode(authorize)}&state=${new URL(authorize).searchParams.get('state')}`;
    const transactionCookie = jar.header('/');
    expect((await send('GET', `/auth/callback?${query}`)).status).toBe(302);
    // Even with the old transaction cookie replayed, the code is spent at the IdP.
    const replay = await harness.target.request('GET', `/auth/callback?${query}`, { headers: { Cookie: transactionCookie } });
    expectFailedSignIn(replay, 'invalid_grant');
  });

  it('maps an IdP error parameter to auth_error without completing', async () => {
    expectFailedSignIn(await signIn((params) => params.set('error', 'access_denied')), 'access_denied');
  });

  it.each([
    ['a bad signature', async () => (await idp.signIdToken()).replace(/\.[\w-]+$/, '.AAAA')],
    ['a wrong issuer', () => idp.signIdToken({ iss: 'https://cognito-idp.us-west-2.amazonaws.com/us-west-2_Other' })],
    ['a wrong audience', () => idp.signIdToken({ aud: 'another-client' })],
    ['a wrong token_use', () => idp.signIdToken({ token_use: 'access' })],
    ['an expired token', () => idp.signIdToken({ exp: Math.floor(Date.now() / 1000) - 60 })],
    ['no exp', () => idp.signIdToken({ exp: undefined })],
    ['another key', async () => idp.signIdToken({}, { key: await newKeyPair(idp.keys[0]!.kid) })],
    ['a nonce of another login', () => idp.signIdToken({ nonce: 'not-the-transaction-nonce' })],
    ['no nonce where one is required', () => idp.signIdToken()],
  ])('refuses an ID token with %s at the callback', async (_name, makeIdToken) => {
    const idToken = await makeIdToken();
    idp.tokenFault = { kind: 'override', respond: (issued) => ({ ...issued, id_token: idToken }) };
    expectFailedSignIn(await signIn(), 'invalid_token');
  });

  it.each([
    ['a wrong client_id', () => idp.signAccessToken({ client_id: 'another-client' })],
    ['a wrong token_use', () => idp.signAccessToken({ token_use: 'id' })],
    ['another user than the ID token', () => idp.signAccessToken({ sub: 'someone-else' })],
  ])('refuses an access token with %s at the callback', async (_name, makeAccessToken) => {
    const accessToken = await makeAccessToken();
    idp.tokenFault = { kind: 'override', respond: (issued) => ({ ...issued, access_token: accessToken }) };
    expectFailedSignIn(await signIn(), 'invalid_token');
  });

  it.each([
    ['a 500 with an HTML body', { kind: 'status', status: 500, body: '<html>oops</html>' }, 'idp_unavailable'],
    [
      'a 400 invalid_grant',
      { kind: 'status', status: 400, body: '{"error":"invalid_grant"}', contentType: 'application/json' },
      'invalid_grant',
    ],
    [
      'a 400 invalid_client',
      { kind: 'status', status: 400, body: '{"error":"invalid_client"}', contentType: 'application/json' },
      'idp_error',
    ],
    ['a 200 with garbage', { kind: 'status', status: 200, body: 'not json {', contentType: 'application/json' }, 'idp_bad_response'],
    ['a 200 without id_token', { kind: 'override', respond: (issued) => ({ ...issued, id_token: undefined }) }, 'idp_bad_response'],
  ] satisfies [string, TokenFault, string][])('fails cleanly when the token endpoint answers %s', async (_name, fault, code) => {
    idp.tokenFault = fault;
    expectFailedSignIn(await signIn(), code);
  });

  /** Only the timeout cases run with a short IdP bound; the fake IdP's stall outlasts the test, so any answer is the bound. */
  function withShortIdpTimeout(): void {
    harness = buildHarness(kind, idp.env({ PUBLIC_BASE_URL: BASE_URLS[kind], IDP_TIMEOUT_MS: '200' }));
    idp.tokenFault = { kind: 'delay', ms: 600_000 };
  }

  it('gives up on a token endpoint slower than IDP_TIMEOUT_MS', async () => {
    withShortIdpTimeout();
    expectFailedSignIn(await signIn(), 'idp_timeout');
  });

  it('answers 502 / 504 as JSON on POST /auth/callback when the IdP is down or slow', async () => {
    idp.tokenFault = { kind: 'status', status: 503, body: 'down' };
    const body = JSON.stringify({ code: 'c', redirectUri: `${BASE_URLS[kind]}/auth/callback`, codeVerifier: 'v'.repeat(43) });
    const down = await send('POST', '/auth/callback', { headers: { 'Content-Type': 'application/json' }, body });
    expect(down.status).toBe(502);
    expect(down.body).toEqual({ error: 'idp_unavailable', message: expect.any(String) });
    withShortIdpTimeout();
    const slow = await send('POST', '/auth/callback', { headers: { 'Content-Type': 'application/json' }, body });
    expect(slow.status).toBe(504);
    expect(slow.body.error).toBe('idp_timeout');
  });

  describe('refresh', () => {
    it('keeps the refresh cookie without rotation and replaces it with rotation', async () => {
      await signIn();
      const first = jar.get('__Secure-bff-rt')!.value;
      expect((await send('POST', '/auth/refresh', { headers: { 'X-CSRF': '1' } })).status).toBe(200);
      expect(jar.get('__Secure-bff-rt')!.value).toBe(first);
      idp.rotateRefreshTokens = true;
      try {
        expect((await send('POST', '/auth/refresh', { headers: { 'X-CSRF': '1' } })).status).toBe(200);
        expect(jar.get('__Secure-bff-rt')!.value).not.toBe(first);
        expect((await send('POST', '/auth/refresh', { headers: { 'X-CSRF': '1' } })).status).toBe(200);
      } finally {
        idp.rotateRefreshTokens = false;
      }
    });

    it('clears the session when the IdP refuses the refresh token, keeps it when the IdP is down', async () => {
      await signIn();
      idp.tokenFault = { kind: 'status', status: 500, body: 'down' };
      const down = await send('POST', '/auth/refresh', { headers: { 'X-CSRF': '1' } });
      expect(down.status).toBe(502);
      expect(setCookieHeaders(down.headers)).toEqual([]);
      expect(jar.get('__Secure-bff-rt')).toBeDefined();

      idp.tokenFault = { kind: 'status', status: 400, body: '{"error":"invalid_grant"}', contentType: 'application/json' };
      const refused = await send('POST', '/auth/refresh', { headers: { 'X-CSRF': '1' } });
      expect(refused.status).toBe(401);
      expect(refused.body.error).toBe('refresh_refused');
      expect(jar.names()).toEqual([]);
    });

    it('keeps the session (502) when the refreshed tokens cannot be checked: a new signing key while the JWKS is down', async () => {
      await signIn();
      const before = jar.all().map((cookie) => `${cookie.name}=${cookie.value}`);
      const original = idp.keys;
      idp.keys = [await newKeyPair()];
      idp.jwksFault = 'down';
      try {
        const response = await send('POST', '/auth/refresh', { headers: { 'X-CSRF': '1' } });
        expect(response.status).toBe(502);
        expect(response.body.error).toBe('idp_unavailable');
        expect(setCookieHeaders(response.headers)).toEqual([]);
        expect(jar.all().map((cookie) => `${cookie.name}=${cookie.value}`)).toEqual(before);
        expect(harness.logs.join('\n')).toContain('token keys unavailable');
      } finally {
        idp.keys = original;
      }
    });

    it('answers 401 and clears cookies when there is no refresh token', async () => {
      jar.set('__Host-bff-at', 'stale');
      const response = await send('POST', '/auth/refresh', { headers: { 'X-CSRF': '1' } });
      expect(response.status).toBe(401);
      expect(jar.names()).toEqual([]);
    });
  });

  describe('/tests', () => {
    it('accepts a valid Bearer token and refuses tampered, expired, foreign and ID tokens', async () => {
      const ok = await send('GET', '/tests', { headers: { Authorization: `Bearer ${await idp.signAccessToken()}` } });
      expect(ok.status).toBe(200);
      expect(ok.body.user.sub).toBe(idp.user.sub);
      const bad = [
        (await idp.signAccessToken()).slice(0, -3) + 'abc',
        await idp.signAccessToken({ exp: Math.floor(Date.now() / 1000) - 5 }),
        await idp.signAccessToken({ exp: undefined }),
        await idp.signAccessToken({ iss: `${idp.issuer}/` }),
        await idp.signIdToken(),
        'not.a.token',
      ];
      for (const token of bad) {
        const response = await send('GET', '/tests', { headers: { Authorization: `Bearer ${token}` } });
        expect(response.status, token).toBe(401);
        expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
        expect(response.body.error).toBe('invalid_token');
        expect(response.text).not.toContain(token);
      }
    });

    it('refuses a token that verifies when the API Gateway authorizer named another user', async () => {
      const token = await idp.signAccessToken();
      const response = await harness.target.request('GET', '/tests', {
        headers: { Authorization: `Bearer ${token}` },
        authorizerClaims: { sub: 'somebody-else', token_use: 'access' },
      });
      if (kind === 'lambda') {
        expect(response.status).toBe(401);
        expect(harness.logs.join('\n')).toContain('identity_mismatch');
      } else {
        // The HTTP server has no authorizer: the claims never reach it, the token alone decides.
        expect(response.status).toBe(200);
      }
      const agreeing = await harness.target.request('GET', '/tests', {
        headers: { Authorization: `Bearer ${token}` },
        authorizerClaims: { sub: idp.user.sub },
      });
      expect(agreeing.status).toBe(200);
    });
  });

  it('logs out with revocation at the IdP, and still logs out when revocation fails', async () => {
    await signIn();
    const refreshToken = jar.get('__Secure-bff-rt')!.value;
    const logout = await send('POST', '/auth/logout', { headers: { 'X-CSRF': '1' } });
    expect(logout.status).toBe(200);
    const revoke = idp.requests.find((request) => request.path === '/oauth2/revoke');
    expect(revoke?.form.get('token')).toBeTruthy();
    expect(revoke?.form.get('token')).not.toBe(refreshToken); // the IdP gets the token, not our sealed cookie
    expect(jar.names()).toEqual([]);

    await signIn();
    idp.revokeStatus = 503;
    try {
      const second = await send('POST', '/auth/logout', { headers: { 'X-CSRF': '1' } });
      expect(second.status).toBe(200);
      expect(jar.names()).toEqual([]);
      expect(harness.logs.join('\n')).toContain('revoke_failed');
    } finally {
      idp.revokeStatus = 200;
    }
  });

  it('keeps the logs free of tokens, codes, secrets and cookie values', async () => {
    await signIn();
    await send('POST', '/auth/refresh', { headers: { 'X-CSRF': '1' } });
    const values = jar.all().map((cookie) => cookie.value);
    const log = harness.logs.join('\n');
    for (const value of [...values, idp.clientSecret]) expect(log).not.toContain(value);
    for (const request of idp.requests) {
      for (const name of ['code', 'refresh_token', 'code_verifier']) {
        const value = request.form.get(name);
        if (value) expect(log).not.toContain(value);
      }
    }
  });
});

describe('the fake IdP`s AdminUserGlobalSignOut, as Cognito documents it', () => {
  let idp: FakeIdp;
  beforeAll(async () => {
    idp = await FakeIdp.start();
  });
  afterAll(async () => {
    await idp?.close();
  });

  const signOut = (userPoolId = idp.poolId) =>
    createCognitoSignOut({ userPoolId, endpoint: idp.url, region: 'us-west-2', timeoutMs: 5000 });
  const refused = (promise: Promise<void>) =>
    promise.then(
      () => 'signed out',
      (error: Error) => error.name,
    );

  it('refuses unsigned calls, unknown pools and unknown users with Cognito`s error types', async () => {
    const unsigned = await fetch(idp.url, {
      method: 'POST',
      headers: { 'X-Amz-Target': 'AWSCognitoIdentityProviderService.AdminUserGlobalSignOut', 'Content-Type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ UserPoolId: idp.poolId, Username: idp.user.username }),
    });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
    expect(await refused(signOut('us-west-2_Other1')(idp.user.username))).toBe('ResourceNotFoundException');
    expect(await refused(signOut()('nobody'))).toBe('UserNotFoundException');
  });

  it('invalidates every refresh token of the user, and only theirs', async () => {
    const redirect = 'http://localhost:3000/auth/callback';
    const tokenFor = async (user = idp.user) => {
      const code = idp.issueCode(`${idp.url}/oauth2/authorize?redirect_uri=${encodeURIComponent(redirect)}`, user);
      const response = await fetch(`${idp.url}/oauth2/token`, {
        method: 'POST',
        headers: { Authorization: 'Basic ' + Buffer.from(`${idp.clientId}:${idp.clientSecret}`).toString('base64') },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirect }),
      });
      return ((await response.json()) as { refresh_token: string }).refresh_token;
    };
    const bob = { ...idp.user, sub: 'bob-sub', username: 'bob' };
    const [first, second, bobs] = [await tokenFor(), await tokenFor(), await tokenFor(bob)];
    expect(await refused(signOut()(idp.user.username))).toBe('signed out');
    expect([first, second, bobs].map((token) => idp.refreshTokenLive(token))).toEqual([false, false, true]);
    expect(idp.adminCalls.at(-1)).toEqual({
      operation: 'AdminUserGlobalSignOut',
      body: { UserPoolId: idp.poolId, Username: idp.user.username },
      signedFor: 'us-west-2/cognito-idp',
    });
  });
});
