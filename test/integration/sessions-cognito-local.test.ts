/**
 * "Sign out everywhere" against the real emulators: cognito-local (through the local stack's front, as `npm start`
 * runs it) and dynalite. cognito-local serves the cognito-idp JSON API but has no AdminUserGlobalSignOut: the BFF asks
 * it anyway (the issuer's origin is the Cognito API endpoint for an emulator, with placeholder credentials), takes
 * the refusal as a warning, and the user is signed out of every session all the same. What Cognito does with the
 * call is tested against the fake IdP (sessions.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar } from '../support/cookie-jar';
import { signInThroughEmulatorForm, startTestEmulator, TEST_DEMO_PASSWORD, type TestEmulator } from '../support/cognito-local';
import { startTestDynalite, type TestDynalite } from '../support/dynalite';
import { BASE_URLS, buildHarness, pathBelowBase, type Harness } from '../support/harness';

const CSRF = { 'X-CSRF': '1' };

describe('sign out everywhere against cognito-local and dynalite', () => {
  let emulator: TestEmulator;
  let dynalite: TestDynalite;
  let harness: Harness;

  beforeAll(async () => {
    [emulator, dynalite] = await Promise.all([startTestEmulator(BASE_URLS.http), startTestDynalite()]);
    harness = buildHarness('http', { ...emulator.settings, ...dynalite.env, PUBLIC_BASE_URL: BASE_URLS.http, LOG_LEVEL: 'debug' });
  });
  afterAll(async () => {
    await Promise.all([emulator?.stop(), dynalite?.stop()]);
  });

  /** A browser signed in as the demo user through the emulator's form. */
  async function signedInBrowser() {
    const jar = new CookieJar();
    const send = async (method: string, path: string, options: { headers?: Record<string, string>; body?: string } = {}) => {
      const cookie = jar.header(path.split('?')[0]!);
      const response = await harness.target.request(method, path, {
        ...options,
        headers: { ...(cookie ? { Cookie: cookie } : {}), ...options.headers },
      });
      jar.apply(response.headers);
      return response;
    };
    const login = await send('GET', '/auth/login');
    const callbackUrl = await signInThroughEmulatorForm(String(login.headers.location), emulator.pool.demoUsername, TEST_DEMO_PASSWORD);
    expect((await send('GET', pathBelowBase(harness.config, callbackUrl))).status).toBe(302);
    expect((await send('GET', '/tests')).status).toBe(200);
    return { jar, send };
  }

  it('ends every session of the user; the emulator`s refusal of AdminUserGlobalSignOut is only a warning', async () => {
    const laptop = await signedInBrowser();
    const phone = await signedInBrowser();
    const copied = laptop.jar.header('/');

    const everywhere = await laptop.send('POST', '/auth/logout', {
      headers: { ...CSRF, 'Content-Type': 'application/json' },
      body: JSON.stringify({ everywhere: true }),
    });
    expect(everywhere.status).toBe(200);
    expect(everywhere.body).toEqual({ logoutUrl: expect.stringContaining(`${emulator.settings.COGNITO_DOMAIN}/logout?`) });
    expect(laptop.jar.names()).toEqual([]);
    expect((await phone.send('GET', '/tests')).status).toBe(401);
    expect((await harness.target.request('GET', '/tests', { headers: { Cookie: copied } })).status).toBe(401);

    const lines = harness.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    const refused = lines.filter((line) => line.event === 'cognito_global_sign_out_failed');
    // The call reached the emulator (an answer, not a connection failure or a timeout), which refused it: cognito-local
    // answers 500 {"__type":"Unsupported"} for the admin operations it lacks. Should it ever implement this one, the
    // README's "What the emulators lack" needs its line changed.
    expect(refused).toEqual([expect.objectContaining({ level: 'warn', reason: 'Unsupported', status: 500 })]);
    expect(lines.filter((line) => line.event === 'cognito_global_sign_out')).toEqual([]);
    expect(lines.find((line) => line.event === 'sign_out')).toMatchObject({ everywhere: true, ended: 2 });
  });
});
