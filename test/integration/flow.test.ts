/**
 * The whole flow against a real cognito-local, through the HTTP server and through the Lambda handler behind each
 * of its front doors (API Gateway REST v1, HTTP API payload 2.0, Function URL, ALB with multi-value headers off and
 * on), and once more through the built Lambda bundle itself, each request through the next door in turn (one
 * function behind every door): login redirect -> the emulator's form -> callback -> cookies -> session -> /tests with
 * the cookie and with Bearer -> refresh -> logout -> /tests refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, parseSetCookie } from '../support/cookie-jar';
import { signInThroughEmulatorForm, startTestEmulator, TEST_DEMO_PASSWORD, type TestEmulator } from '../support/cognito-local';
import { FRONT_DOOR_BASE_URLS, LAMBDA_FRONT_DOORS } from '../support/front-door-events';
import { baseUrlOf, buildBundleHarness, buildHarness, ENTRIES, pathBelowBase, type Entry, type Harness } from '../support/harness';
import type { RequestOptions, TargetResponse } from '../support/targets';

/** What the CDK construct sets for the metrics: the bundle writes under these, the alarms read them. */
const METRICS_ENV = { POWERTOOLS_METRICS_NAMESPACE: 'CognitoBffTest', POWERTOOLS_SERVICE_NAME: 'CognitoBff-test-dev' };

/** The bundle serves one function behind every door: each request goes through the next door in turn. */
const BUNDLE: Entry & { bundle: true } = { kind: 'lambda', door: 'rest-api', name: 'bundle, every door in turn', bundle: true };

describe.each([...ENTRIES, BUNDLE])('full sign-in flow against cognito-local ($name)', (entry) => {
  const { kind } = entry;
  // The bundle's doors share one custom domain (a distribution in front of them all), so no stage leads any path.
  const baseUrl = 'bundle' in entry ? FRONT_DOOR_BASE_URLS.alb : baseUrlOf(entry);
  let emulator: TestEmulator;
  let harness: Harness;
  const jar = new CookieJar();
  const secrets: string[] = [];

  /** A request as a browser makes it: the jar's cookies for the path as the browser sees it (stage included). */
  async function send(method: string, path: string, options: RequestOptions = {}): Promise<TargetResponse> {
    const cookie = jar.header(harness.config.basePath + path.split('?')[0]);
    const headers = { ...(cookie ? { Cookie: cookie } : {}), ...options.headers };
    const response = await harness.target.request(method, path, { ...options, headers });
    jar.apply(response.headers);
    return response;
  }

  beforeAll(async () => {
    emulator = await startTestEmulator(baseUrl);
    const env = { ...emulator.settings, PUBLIC_BASE_URL: baseUrl, LOG_LEVEL: 'debug', ...METRICS_ENV };
    let turn = 0;
    harness =
      'bundle' in entry
        ? await buildBundleHarness(env, () => LAMBDA_FRONT_DOORS[turn++ % LAMBDA_FRONT_DOORS.length]!)
        : buildHarness(kind, env, { door: entry.door });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('signs in through the emulator form and lands on returnTo with session cookies', async () => {
    const login = await send('GET', '/auth/login?returnTo=%2Fdashboard');
    expect(login.status).toBe(302);
    const authorize = new URL(String(login.headers.location));
    expect(authorize.origin + authorize.pathname).toBe(`${emulator.settings.COGNITO_DOMAIN}/oauth2/authorize`);
    const params = authorize.searchParams;
    expect(params.get('response_type')).toBe('code');
    expect(params.get('client_id')).toBe(emulator.settings.COGNITO_CLIENT_ID);
    expect(params.get('redirect_uri')).toBe(`${baseUrl}/auth/callback`);
    expect(params.get('scope')).toBe('openid email profile');
    expect(params.get('code_challenge_method')).toBe('S256');
    for (const name of ['state', 'code_challenge', 'nonce']) expect(params.get(name)).toMatch(/^[\w-]{43}$/);
    const transaction = (login.headers['set-cookie'] as string[]).map(parseSetCookie).find((c) => c.name.startsWith('__Host-bff-tx-'));
    expect(transaction?.attributes).toMatchObject({ httponly: true, secure: true, samesite: 'Lax', path: '/' });

    const callbackUrl = await signInThroughEmulatorForm(authorize.href, emulator.pool.demoUsername, TEST_DEMO_PASSWORD);
    const code = new URL(callbackUrl).searchParams.get('code');
    expect(code).toBeTruthy();
    secrets.push(code!);
    const callback = await send('GET', pathBelowBase(harness.config, callbackUrl));
    expect(callback.status).toBe(302);
    expect(callback.headers.location).toBe(`${baseUrl}/dashboard`);
    expect(jar.names().some((name) => name.startsWith('__Host-bff-tx-'))).toBe(false);

    const access = jar.get('__Host-bff-at');
    const refresh = jar.get('__Secure-bff-rt');
    const profile = jar.get('__Host-bff-session');
    expect(access?.attributes).toMatchObject({ httponly: true, secure: true, samesite: 'Strict', path: '/' });
    expect(profile?.attributes).toMatchObject({ httponly: true, secure: true, samesite: 'Strict', path: '/' });
    expect(refresh?.attributes).toMatchObject({
      httponly: true,
      secure: true,
      samesite: 'Strict',
      path: `${harness.config.basePath}/auth`,
    });
    expect(access?.value.split('.')).toHaveLength(3);
    expect(refresh?.value.startsWith('v1.')).toBe(true);
    for (const setCookie of callback.headers['set-cookie'] as string[]) expect(Buffer.byteLength(setCookie)).toBeLessThanOrEqual(4096);
    secrets.push(access!.value, refresh!.value, profile!.value);
  });

  it('reports the session without any token', async () => {
    const session = await send('GET', '/auth/session');
    expect(session.status).toBe(200);
    expect(session.headers['cache-control']).toBe('no-store');
    expect(session.body).toMatchObject({
      authenticated: true,
      user: { email: emulator.pool.demoUsername, groups: ['testers'] },
    });
    expect(typeof session.body.user.sub).toBe('string');
    expect(session.body.expiresAt).toBeGreaterThan(Date.now() / 1000);
    for (const secret of secrets) expect(session.text).not.toContain(secret);
  });

  it('serves /tests with the cookie, with Bearer, and refuses it without either', async () => {
    const withCookie = await send('GET', '/tests');
    expect(withCookie.status).toBe(200);
    expect(withCookie.body.user.username).toBeTruthy();
    expect(Array.isArray(withCookie.body.tests)).toBe(true);

    const token = jar.get('__Host-bff-at')!.value;
    const withBearer = await harness.target.request('GET', '/tests', { headers: { Authorization: `Bearer ${token}` } });
    expect(withBearer.status).toBe(200);
    expect(withBearer.body.user.sub).toBe(withCookie.body.user.sub);

    const anonymous = await harness.target.request('GET', '/tests');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(anonymous.body).toMatchObject({ error: 'unauthenticated' });
  });

  it('refreshes only with the CSRF header, keeping the non-rotated refresh token', async () => {
    const refusedWithoutHeader = await send('POST', '/auth/refresh');
    expect(refusedWithoutHeader.status).toBe(403);
    expect(refusedWithoutHeader.body.error).toBe('csrf_check_failed');

    const before = jar.get('__Secure-bff-rt')!.value;
    const refreshed = await send('POST', '/auth/refresh', { headers: { 'X-CSRF': '1' } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.expiresAt).toBeGreaterThan(Date.now() / 1000);
    expect(Object.keys(refreshed.body)).toEqual(['expiresAt']);
    // cognito-local does not rotate: the refresh cookie stays as it was.
    expect(jar.get('__Secure-bff-rt')!.value).toBe(before);
    secrets.push(jar.get('__Host-bff-at')!.value);
    expect((await send('GET', '/tests')).status).toBe(200);
  });

  it('logs out: every auth cookie cleared, the Cognito logout URL returned, /tests refused', async () => {
    const refreshCookie = jar.get('__Secure-bff-rt')!.value;
    const logout = await send('POST', '/auth/logout', { headers: { 'X-CSRF': '1' } });
    expect(logout.status).toBe(200);
    const logoutUrl = new URL(logout.body.logoutUrl);
    expect(logoutUrl.origin + logoutUrl.pathname).toBe(`${emulator.settings.COGNITO_DOMAIN}/logout`);
    expect(logoutUrl.searchParams.get('client_id')).toBe(emulator.settings.COGNITO_CLIENT_ID);
    expect(logoutUrl.searchParams.get('logout_uri')).toBe(`${baseUrl}/`);
    expect(jar.names()).toEqual([]);

    expect((await send('GET', '/tests')).status).toBe(401);
    const session = await send('GET', '/auth/session');
    expect(session.status).toBe(401);
    expect(session.body).toEqual({ authenticated: false });

    // The local stack's front serves what cognito-local lacks: the revocation succeeded (no warning logged) and the
    // emulator now refuses the refresh token, so a stolen copy of the old cookie refreshes nothing...
    expect(harness.logs.join('\n')).not.toContain('revoke_failed');
    const replay = await harness.target.request('POST', '/auth/refresh', {
      headers: { Cookie: `__Secure-bff-rt=${refreshCookie}`, 'X-CSRF': '1' },
    });
    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe('refresh_refused');
    // ...and "Sign out of Cognito too" lands back on the app, as Cognito's /logout would send it.
    const cognitoLogout = await fetch(logoutUrl, { redirect: 'manual' });
    expect(cognitoLogout.status).toBe(302);
    expect(cognitoLogout.headers.get('location')).toBe(`${baseUrl}/`);
  });

  it.runIf(kind === 'lambda')('wrote the sign-in, refresh and logout as Embedded Metric Format lines', () => {
    const names = harness.metrics.flatMap((line) =>
      (JSON.parse(line) as { _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] } })._aws.CloudWatchMetrics[0]!.Metrics.map(
        (m) => m.Name,
      ),
    );
    expect(names).toEqual(
      expect.arrayContaining(['SignInStarted', 'SignInCompleted', 'RefreshOk', 'CsrfRefused', 'Logout', 'CookieBytes']),
    );
    for (const line of harness.metrics) for (const secret of secrets) expect(line).not.toContain(secret);
    // The bundle reads the namespace and service the construct sets; the handler built in-process uses the defaults.
    const [namespace, service] =
      'bundle' in entry ? [METRICS_ENV.POWERTOOLS_METRICS_NAMESPACE, METRICS_ENV.POWERTOOLS_SERVICE_NAME] : ['CognitoBff', 'cognito-bff'];
    for (const line of harness.metrics) {
      const parsed = JSON.parse(line) as { service: string; _aws: { CloudWatchMetrics: { Namespace: string }[] } };
      expect([parsed._aws.CloudWatchMetrics[0]!.Namespace, parsed.service]).toEqual([namespace, service]);
    }
  });

  it.runIf('bundle' in entry)('answers an event of no known front door with a clean 400 and one log line', async () => {
    const before = harness.logs.length;
    const result = await harness.handler!({ Records: [{ eventSource: 'aws:s3' }] }, {} as never);
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).error).toBe('unsupported_event');
    expect(harness.logs.slice(before).filter((line) => line.includes('unsupported Lambda event'))).toHaveLength(1);
  });

  it('never wrote a token, code or cookie value to the log', () => {
    expect(harness.logs.length).toBeGreaterThan(0);
    const log = harness.logs.join('\n');
    for (const secret of secrets) expect(log).not.toContain(secret);
  });
});
