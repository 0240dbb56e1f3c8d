/**
 * Load against a real cognito-local, on both runtimes: 200 concurrent sign-ins spread over several users, then 200
 * concurrent refreshes with reads in between, then sign-ins and refreshes mixed. No request may fail and no browser
 * may ever see another user's identity. The figures (sign-ins per second, latencies) are printed.
 */
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar } from '../support/cookie-jar';
import { signInThroughEmulatorForm, startTestEmulator, type TestEmulator } from '../support/cognito-local';
import { BASE_URLS, buildHarness, pathBelowBase, RUNTIMES, type Harness } from '../support/harness';
import type { RequestOptions, TargetResponse } from '../support/targets';

const USERS = 8;
const CONCURRENT = 200;
const PASSWORD = 'Load-Passw0rd.test';

interface VirtualBrowser {
  id: number;
  email: string;
  jar: CookieJar;
  sub?: string;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0);
}

describe.each(RUNTIMES)('load against cognito-local (%s)', (kind) => {
  let emulator: TestEmulator;
  let harness: Harness;
  const emails = Array.from({ length: USERS }, (_, i) => `load-user-${i}@example.com`);
  /** Each e-mail's sub, as first seen; every later sighting must agree, and no two e-mails may share one. */
  const subs = new Map<string, string>();

  async function send(browser: VirtualBrowser, method: string, path: string, options: RequestOptions = {}): Promise<TargetResponse> {
    const cookie = browser.jar.header(harness.config.basePath + path.split('?')[0]);
    const response = await harness.target.request(method, path, {
      ...options,
      headers: { ...(cookie ? { Cookie: cookie } : {}), ...options.headers },
    });
    browser.jar.apply(response.headers);
    return response;
  }

  /** The identity this browser's session shows, checked against the user it signed in as. */
  async function expectOwnIdentity(browser: VirtualBrowser): Promise<void> {
    const [session, tests] = await Promise.all([send(browser, 'GET', '/auth/session'), send(browser, 'GET', '/tests')]);
    expect(session.status, `browser ${browser.id} /auth/session`).toBe(200);
    expect(tests.status, `browser ${browser.id} /tests`).toBe(200);
    expect(session.body.user.email).toBe(browser.email);
    expect(tests.body.user.sub).toBe(session.body.user.sub);
    browser.sub ??= session.body.user.sub;
    expect(session.body.user.sub).toBe(browser.sub);
    const known = subs.get(browser.email);
    if (known === undefined) subs.set(browser.email, session.body.user.sub);
    else expect(session.body.user.sub).toBe(known);
  }

  async function signInAs(browser: VirtualBrowser): Promise<number> {
    const started = performance.now();
    const login = await send(browser, 'GET', '/auth/login');
    expect(login.status).toBe(302);
    const callbackUrl = await signInThroughEmulatorForm(String(login.headers.location), browser.email, PASSWORD);
    const callback = await send(browser, 'GET', pathBelowBase(harness.config, callbackUrl));
    expect(callback.status, `browser ${browser.id} callback: ${String(callback.headers.location)}`).toBe(302);
    expect(callback.headers.location).toBe(harness.config.postLoginUrl);
    return performance.now() - started;
  }

  async function refresh(browser: VirtualBrowser): Promise<number> {
    const started = performance.now();
    const response = await send(browser, 'POST', '/auth/refresh', { headers: { 'X-CSRF': '1' } });
    expect(response.status, `browser ${browser.id} refresh: ${response.text}`).toBe(200);
    return performance.now() - started;
  }

  beforeAll(async () => {
    emulator = await startTestEmulator(BASE_URLS[kind]);
    const cognito = new CognitoIdentityProviderClient({
      endpoint: emulator.emulator.url,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      for (const email of emails) {
        await cognito.send(
          new AdminCreateUserCommand({
            UserPoolId: emulator.pool.userPoolId,
            Username: email,
            UserAttributes: [
              { Name: 'email', Value: email },
              { Name: 'email_verified', Value: 'true' },
            ],
            MessageAction: 'SUPPRESS',
          }),
        );
        await cognito.send(
          new AdminSetUserPasswordCommand({ UserPoolId: emulator.pool.userPoolId, Username: email, Password: PASSWORD, Permanent: true }),
        );
      }
    } finally {
      cognito.destroy();
    }
    // 200 code exchanges at once queue up in one single-threaded emulator: on a busy machine some wait longer than the
    // default IdP bound (5 s) for their turn. This suite is about identities under concurrency, not the IdP's speed, so
    // the bound is the largest the configuration takes; the timeout itself is tested in test/attack/idp-faults.
    harness = buildHarness(kind, { ...emulator.settings, PUBLIC_BASE_URL: BASE_URLS[kind], LOG_LEVEL: 'warn', IDP_TIMEOUT_MS: '25000' });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  const browsers: VirtualBrowser[] = Array.from({ length: CONCURRENT }, (_, id) => ({
    id,
    email: emails[id % USERS]!,
    jar: new CookieJar(),
  }));

  it(`signs in ${CONCURRENT} browsers at once, each as its own user`, async () => {
    const started = performance.now();
    const latencies = await Promise.all(browsers.map(signInAs));
    const seconds = (performance.now() - started) / 1000;
    await Promise.all(browsers.map(expectOwnIdentity));
    expect(new Set(subs.values()).size).toBe(USERS);
    console.log(
      `[load ${kind}] ${CONCURRENT} concurrent sign-ins (login -> emulator form -> callback) in ${seconds.toFixed(2)} s: ` +
        `${(CONCURRENT / seconds).toFixed(1)} sign-ins/s, p50 ${percentile(latencies, 50)} ms, p95 ${percentile(latencies, 95)} ms`,
    );
  });

  it(`refreshes ${CONCURRENT} sessions at once with reads in between, identities unchanged`, async () => {
    const started = performance.now();
    const latencies = await Promise.all(
      browsers.map(async (browser) => {
        const [took] = await Promise.all([refresh(browser), send(browser, 'GET', '/tests')]);
        await expectOwnIdentity(browser);
        return took;
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `[load ${kind}] ${CONCURRENT} concurrent refreshes (+ ${CONCURRENT * 3} reads) in ${seconds.toFixed(2)} s: ` +
        `${(CONCURRENT / seconds).toFixed(1)} refreshes/s, refresh p50 ${percentile(latencies, 50)} ms, p95 ${percentile(latencies, 95)} ms`,
    );
  });

  it('mixes fresh sign-ins, refreshes and logouts at once without crossing identities', async () => {
    const fresh: VirtualBrowser[] = Array.from({ length: CONCURRENT / 2 }, (_, i) => ({
      id: CONCURRENT + i,
      email: emails[(i * 3) % USERS]!,
      jar: new CookieJar(),
    }));
    const leaving = browsers.slice(0, 20);
    await Promise.all([
      ...fresh.map(async (browser) => {
        await signInAs(browser);
        await expectOwnIdentity(browser);
      }),
      ...browsers.slice(20, 20 + CONCURRENT / 2).map(async (browser) => {
        await refresh(browser);
        await expectOwnIdentity(browser);
      }),
      ...leaving.map(async (browser) => {
        expect((await send(browser, 'POST', '/auth/logout', { headers: { 'X-CSRF': '1' } })).status).toBe(200);
        expect(browser.jar.names()).toEqual([]);
        expect((await send(browser, 'GET', '/auth/session')).status).toBe(401);
      }),
    ]);
    expect(new Set(subs.values()).size).toBe(USERS);
  });
});
