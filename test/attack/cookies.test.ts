/**
 * Cookies and CSRF (browser-based-apps BFF draft 6.1, OWASP ASVS V3/V50): attributes per the contract, garbage and
 * truncated sealed cookies, session fixation, CSRF on unsafe routes, logout clearing every chunk, the 4096-byte
 * Set-Cookie budget with chunking and stale-chunk removal.
 */
import { describe, expect, it } from 'vitest';
import { parseSetCookie, setCookieHeaders, type StoredCookie } from '../support/cookie-jar';
import type { FakeIdp, FakeUser } from '../support/fake-idp';
import { ENTRIES } from '../support/harness';
import type { TargetResponse } from '../support/targets';
import {
  Browser,
  callbackPath,
  expectJsonError,
  expectNoLeak,
  expectRefusedSignIn,
  sessionCookiesCleared,
  sessionCookiesSet,
  signIn,
  startLogin,
  withoutSetCookie,
  type AttackHarness,
  useAttackTarget,
} from './support';

const CSRF = { 'X-CSRF': '1' };

function cookiesOf(response: TargetResponse): StoredCookie[] {
  return setCookieHeaders(response.headers).map(parseSetCookie);
}

// Through the HTTP server and every front door of the Lambda handler: cookies are where the doors differ most.
describe.each(ENTRIES)('cookie and CSRF attacks ($name)', ({ kind, door }) => {
  let idp: FakeIdp;
  let harness: AttackHarness;
  useAttackTarget(kind, (started) => ({ idp, harness } = started), { door });

  async function signedIn(): Promise<Browser> {
    const browser = new Browser(harness);
    const { callback } = await signIn(harness, browser);
    expect(callback.status).toBe(302);
    expect(browser.jar.get('__Host-bff-at')).toBeDefined();
    idp.requests.length = 0;
    return browser;
  }

  describe('attributes', () => {
    it('sets the transaction cookie __Host-, HttpOnly, Secure, SameSite=Lax, Path=/, no Domain, minutes to live', async () => {
      const { login } = await startLogin(new Browser(harness));
      const transaction = cookiesOf(login).find((c) => c.name.startsWith('__Host-bff-tx-'));
      expect(transaction?.attributes).toMatchObject({ httponly: true, secure: true, samesite: 'Lax', path: '/' });
      expect(transaction?.attributes.domain).toBeUndefined();
      expect(Number(transaction?.attributes['max-age'])).toBeGreaterThan(60);
      expect(Number(transaction?.attributes['max-age'])).toBeLessThanOrEqual(900);
    });

    it('sets session cookies __Host- (Strict, Path=/) and the refresh cookie __Secure- under the /auth path (stage included)', async () => {
      const browser = new Browser(harness);
      const { callback } = await signIn(harness, browser);
      const set = cookiesOf(callback).filter((c) => c.value !== '');
      expect(set.map((c) => c.name).sort()).toEqual(['__Host-bff-at', '__Host-bff-session', '__Secure-bff-rt']);
      for (const cookie of set) {
        expect(cookie.attributes).toMatchObject({ httponly: true, secure: true, samesite: 'Strict' });
        expect(cookie.attributes.domain).toBeUndefined();
        if (cookie.name.startsWith('__Host-')) expect(cookie.attributes.path).toBe('/');
      }
      const refresh = set.find((c) => c.name === '__Secure-bff-rt')!;
      expect(refresh.attributes.path).toBe(`${harness.config.basePath}/auth`);
      expect(Number(refresh.attributes['max-age'])).toBe(30 * 86_400);
      const access = set.find((c) => c.name === '__Host-bff-at')!;
      expect(Number(access.attributes['max-age'])).toBeGreaterThan(800);
      expect(Number(access.attributes['max-age'])).toBeLessThanOrEqual(900);
      // The refresh token and the profile are sealed; only the access token is a raw JWT (for the edge).
      expect(set.find((c) => c.name === '__Secure-bff-rt')!.value).toMatch(/^v1\.[\w-]+$/);
      expect(set.find((c) => c.name === '__Host-bff-session')!.value).toMatch(/^v1\.[\w-]+$/);
      // The transaction cookie is cleared with the attributes it was set with (a browser ignores a mismatched clear).
      const cleared = cookiesOf(callback).find((c) => c.name.startsWith('__Host-bff-tx-'));
      expect(cleared?.attributes).toMatchObject({ 'max-age': '0', path: '/', secure: true, httponly: true, samesite: 'Lax' });
    });

    it('clears cookies with the same name, path and prefix rules they were set with', async () => {
      const browser = await signedIn();
      const logout = await browser.send('POST', '/auth/logout', { headers: CSRF });
      expect(logout.status).toBe(200);
      for (const cookie of cookiesOf(logout)) {
        expect(cookie.value).toBe('');
        expect(cookie.attributes).toMatchObject({ 'max-age': '0', secure: true, httponly: true });
        expect(cookie.attributes.domain).toBeUndefined();
        if (cookie.name.startsWith('__Host-')) expect(cookie.attributes.path).toBe('/');
      }
      expect(cookiesOf(logout).find((c) => c.name === '__Secure-bff-rt')?.attributes.path).toBe(`${harness.config.basePath}/auth`);
      expect(browser.jar.names()).toEqual([]);
    });
  });

  describe('garbage, truncated and forged cookies', () => {
    const GARBAGE = [
      'garbage',
      'v1.',
      'v1.' + 'A'.repeat(60),
      'v1.!!!!',
      'v2.' + 'A'.repeat(60),
      '%E0%A4%A',
      '"quoted"',
      'j:{"user":{"sub":"x"},"expiresAt":9999999999}',
      'j:1',
      'j:[]',
      'j:null',
      's:signed.value',
      'x'.repeat(3000),
    ];

    it.each(GARBAGE)('treats a session cookie of %j as signed out (401, not 500)', async (value) => {
      for (const name of ['__Host-bff-at', '__Host-bff-session', '__Secure-bff-rt', '__Host-bff-at.0']) {
        const cookie = { Cookie: `${name}=${value}` };
        const session = await harness.target.request('GET', '/auth/session', { headers: cookie });
        expect(session.status).toBe(401);
        expect(session.body).toEqual({ authenticated: false });
        expectJsonError(await harness.target.request('GET', '/tests', { headers: cookie }), 401);
        const refresh = await harness.target.request('POST', '/auth/refresh', { headers: { ...cookie, ...CSRF } });
        expectJsonError(refresh, 401, 'refresh_refused');
        expect(sessionCookiesCleared(refresh)).toContain('__Secure-bff-rt');
        const logout = await harness.target.request('POST', '/auth/logout', { headers: { ...cookie, ...CSRF } });
        expect(logout.status).toBe(200);
        expect(sessionCookiesSet(logout)).toEqual([]);
        const login = await harness.target.request('GET', '/auth/login', { headers: cookie });
        expect(login.status).toBe(302);
      }
      // Nothing reached the IdP: a cookie that is not ours is never sent on.
      expect(idp.requests).toHaveLength(0);
    });

    it('treats truncated, bit-flipped and cross-purpose sealed cookies as signed out', async () => {
      const browser = await signedIn();
      const profile = browser.jar.get('__Host-bff-session')!.value;
      const refresh = browser.jar.get('__Secure-bff-rt')!.value;
      const access = browser.jar.get('__Host-bff-at')!.value;
      const flip = (value: string) => value.slice(0, 20) + (value[20] === 'A' ? 'B' : 'A') + value.slice(21);
      for (const forged of [profile.slice(0, profile.length / 2), flip(profile), refresh]) {
        // A profile that does not open is ignored: the user comes from the verified access token alone (no e-mail).
        const session = await harness.target.request('GET', '/auth/session', {
          headers: { Cookie: `__Host-bff-at=${access}; __Host-bff-session=${forged}` },
        });
        expect(session.status).toBe(200);
        expect(session.body.user).toEqual({ sub: idp.user.sub, username: idp.user.username, groups: idp.user.groups });
        expect((await harness.target.request('GET', '/auth/session', { headers: { Cookie: `__Host-bff-session=${forged}` } })).status).toBe(
          401,
        );
      }
      // Another user's genuine profile cookie next to this token is not shown for it.
      const mallory = new Browser(harness);
      await signIn(harness, mallory, { user: { sub: 'mallory-sub', username: 'mallory', email: 'm@evil.example', groups: [] } });
      const mixed = await harness.target.request('GET', '/auth/session', {
        headers: { Cookie: `__Host-bff-at=${access}; __Host-bff-session=${mallory.jar.get('__Host-bff-session')!.value}` },
      });
      expect(mixed.status).toBe(200);
      expect(mixed.body.user).toEqual({ sub: idp.user.sub, username: idp.user.username, groups: idp.user.groups });
      for (const forged of [refresh.slice(0, refresh.length / 2), flip(refresh), profile]) {
        const response = await harness.target.request('POST', '/auth/refresh', {
          headers: { Cookie: `__Secure-bff-rt=${forged}`, ...CSRF },
        });
        expectJsonError(response, 401, 'refresh_refused');
      }
      for (const forged of [access.slice(0, -5), access.slice(0, access.length / 2)]) {
        const response = await harness.target.request('GET', '/tests', { headers: { Cookie: `__Host-bff-at=${forged}` } });
        expectJsonError(response, 401, 'invalid_token');
      }
      expect(idp.requests.filter((r) => r.form.get('grant_type') === 'refresh_token')).toHaveLength(0);
      expectNoLeak(harness, [], [profile, refresh, access]);
    });

    it('refuses a chunked access cookie with a missing middle chunk or too many chunks', async () => {
      const token = await idp.signAccessToken();
      const third = Math.ceil(token.length / 3);
      const parts = [token.slice(0, third), token.slice(third, 2 * third), token.slice(2 * third)];
      const whole = await harness.target.request('GET', '/tests', {
        headers: { Cookie: parts.map((p, i) => `__Host-bff-at.${i}=${p}`).join('; ') },
      });
      expect(whole.status).toBe(200);
      const gap = await harness.target.request('GET', '/tests', {
        headers: { Cookie: `__Host-bff-at.0=${parts[0]}; __Host-bff-at.2=${parts[2]}` },
      });
      expect(gap.status).toBe(401);
      const tooMany = Array.from({ length: 9 }, (_, i) => `__Host-bff-at.${i}=${i < 3 ? parts[i] : 'x'}`).join('; ');
      expect((await harness.target.request('GET', '/tests', { headers: { Cookie: tooMany } })).status).toBe(401);
    });
  });

  describe('session fixation', () => {
    it('replaces every session cookie an attacker planted before sign-in, chunks included', async () => {
      // The attacker's own, valid session, planted in the victim's browser (a sibling subdomain, a shared machine).
      const attacker = await signedIn();
      const planted = attacker.jar.all().map((c) => ({ ...c }));
      const victim = new Browser(harness);
      for (const cookie of planted) victim.jar.set(cookie.name, cookie.value, cookie.path);
      victim.jar.set('__Host-bff-at.0', 'planted-chunk-0');
      victim.jar.set('__Host-bff-at.3', 'planted-chunk-3');
      victim.jar.set('__Host-bff-session.1', 'planted');
      const victimUser = { sub: 'victim-sub', username: 'victim', email: 'victim@example.com', groups: [] };
      const { callback } = await signIn(harness, victim, { user: victimUser });
      expect(callback.status).toBe(302);
      expect(sessionCookiesSet(callback).sort()).toEqual(['__Host-bff-at', '__Host-bff-session', '__Secure-bff-rt']);
      expect(sessionCookiesCleared(callback).sort()).toEqual(['__Host-bff-at.0', '__Host-bff-at.3', '__Host-bff-session.1']);
      for (const cookie of planted) expect(victim.jar.get(cookie.name)?.value).not.toBe(cookie.value);
      expect(victim.jar.names().sort()).toEqual(['__Host-bff-at', '__Host-bff-session', '__Secure-bff-rt']);
      const session = await victim.send('GET', '/auth/session');
      expect(session.body.user.sub).toBe('victim-sub');
      // The victim's refresh token is the one now held: a refresh keeps the victim signed in as the victim.
      const refreshed = await victim.send('POST', '/auth/refresh', { headers: CSRF });
      expect(refreshed.status).toBe(200);
      expect((await victim.send('GET', '/auth/session')).body.user.sub).toBe('victim-sub');
    });

    it('refuses a refresh whose new tokens name another user than the session, and ends it', async () => {
      const victim = await signedIn();
      const mallory: FakeUser = { sub: 'mallory-sub', username: 'mallory', email: 'm@evil.example', groups: [] };
      idp.tokenFault = {
        kind: 'override',
        respond: async (issued) => ({
          ...issued,
          access_token: await idp.signAccessToken({}, { user: mallory }),
          id_token: await idp.signIdToken({}, { user: mallory }),
        }),
      };
      const refresh = await victim.send('POST', '/auth/refresh', { headers: CSRF });
      expectJsonError(refresh, 401, 'invalid_token');
      expect(sessionCookiesCleared(refresh)).toEqual(expect.arrayContaining(['__Host-bff-at', '__Host-bff-session', '__Secure-bff-rt']));
    });
  });

  describe('CSRF', () => {
    it('refuses refresh and logout by cookie without X-CSRF: 1, and changes nothing', async () => {
      const browser = await signedIn();
      for (const headers of [{}, { 'X-CSRF': '0' }, { 'X-CSRF': 'true' }, { 'X-CSRF': '' }] as Record<string, string>[]) {
        for (const path of ['/auth/refresh', '/auth/logout']) {
          const response = await browser.send('POST', path, { headers });
          expectJsonError(response, 403, 'csrf_check_failed');
          expect(setCookieHeaders(response.headers)).toEqual([]);
        }
      }
      expect(idp.requests).toHaveLength(0);
      expect((await browser.send('GET', '/auth/session')).status).toBe(200);
    });

    it('refuses unsafe requests from a foreign Origin or Origin: null, even with X-CSRF', async () => {
      const browser = await signedIn();
      for (const origin of [
        'https://evil.example',
        'null',
        `${harness.config.publicOrigin}.evil.example`,
        harness.config.publicOrigin.replace(/^https?/, (s) => (s === 'http' ? 'https' : 'http')),
      ]) {
        for (const path of ['/auth/refresh', '/auth/logout']) {
          const response = await browser.send('POST', path, { headers: { ...CSRF, Origin: origin } });
          expectJsonError(response, 403, 'origin_not_allowed');
          expect(setCookieHeaders(response.headers)).toEqual([]);
          expect(response.headers['access-control-allow-origin']).toBeUndefined();
        }
        const callback = await harness.target.request('POST', '/auth/callback', {
          headers: { Origin: origin, 'Content-Type': 'application/json' },
          body: JSON.stringify({ code: 'abc', redirectUri: harness.config.redirectUri }),
        });
        expectJsonError(callback, 403, 'origin_not_allowed');
      }
      expect(idp.requests).toHaveLength(0);
    });

    it('refuses a cross-site form post to /auth/callback (only application/json is read)', async () => {
      for (const contentType of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
        const response = await harness.target.request('POST', '/auth/callback', {
          headers: { 'Content-Type': contentType },
          body: 'code=abc',
        });
        expectJsonError(response, 415, 'unsupported_media_type');
      }
    });

    it('lets an allowed origin with X-CSRF refresh (the control)', async () => {
      const browser = await signedIn();
      const response = await browser.send('POST', '/auth/refresh', { headers: { ...CSRF, Origin: harness.config.publicOrigin } });
      expect(response.status).toBe(200);
      expect(response.headers['access-control-allow-origin']).toBe(harness.config.publicOrigin);
    });
  });

  describe('logout', () => {
    it('clears every chunk and transaction an attacker or an old session left behind', async () => {
      const browser = await signedIn();
      for (let i = 0; i < 4; i += 1) browser.jar.set(`__Host-bff-at.${i}`, `chunk${i}`);
      browser.jar.set('__Host-bff-session.0', 'x');
      browser.jar.set('__Host-bff-session.1', 'y');
      browser.jar.set('__Secure-bff-rt.0', 'z', `${harness.config.basePath}/auth`);
      browser.jar.set('__Secure-bff-rt.1', 'z', `${harness.config.basePath}/auth`);
      await startLogin(browser);
      await startLogin(browser);
      const before = browser.jar.names().sort();
      expect(before.filter((n) => n.startsWith('__Host-bff-tx-'))).toHaveLength(2);
      const logout = await browser.send('POST', '/auth/logout', { headers: CSRF });
      expect(logout.status).toBe(200);
      const cleared = cookiesOf(logout)
        .filter((c) => c.attributes['max-age'] === '0')
        .map((c) => c.name)
        .sort();
      // Every form of every auth cookie (plain and each chunk) is cleared, whatever the request carried.
      expect(cleared).toEqual(expect.arrayContaining(before));
      expect(cleared.filter((n) => !n.startsWith('__Host-bff-tx-'))).toHaveLength(27);
      expect(browser.jar.names()).toEqual([]);
      expect(sessionCookiesSet(logout)).toEqual([]);
    });
  });

  describe('the 4096-byte Set-Cookie budget', () => {
    it('chunks a big access token, reads it back, and removes stale chunks after a refresh with a smaller one', async () => {
      const browser = new Browser(harness);
      const { authorizeUrl, state } = await startLogin(browser);
      // Enough groups to chunk the access token and the profile, still within the 10 KB request-header budget.
      const groups = Array.from({ length: 90 }, (_, i) => `group-with-a-long-name-${i}`);
      idp.tokenFault = {
        kind: 'override',
        respond: async (issued) => ({ ...issued, access_token: await idp.signAccessToken({ 'cognito:groups': groups }) }),
      };
      const callback = await browser.send('GET', callbackPath(harness, { code: idp.issueCode(authorizeUrl), state }));
      expect(callback.status).toBe(302);
      for (const header of setCookieHeaders(callback.headers)) expect(Buffer.byteLength(header)).toBeLessThanOrEqual(4096);
      // The access token, and the profile that carries the same groups, are both chunked.
      const chunks = browser.jar
        .names()
        .filter((n) => /^__Host-bff-(at|session)\./.test(n))
        .sort();
      expect(chunks.filter((n) => n.startsWith('__Host-bff-at.')).length).toBeGreaterThanOrEqual(2);
      expect(browser.jar.get('__Host-bff-at')).toBeUndefined();
      for (const name of chunks)
        expect(browser.jar.get(name)!.attributes).toMatchObject({ httponly: true, secure: true, samesite: 'Strict', path: '/' });

      const tests = await browser.send('GET', '/tests');
      expect(tests.status).toBe(200);
      expect(tests.body.user.groups).toEqual(groups);
      expect((await browser.send('GET', '/auth/session')).status).toBe(200);

      idp.tokenFault = undefined;
      const refreshed = await browser.send('POST', '/auth/refresh', { headers: CSRF });
      expect(refreshed.status).toBe(200);
      expect(sessionCookiesCleared(refreshed).sort()).toEqual(chunks);
      expect(
        browser.jar
          .names()
          .filter((n) => n.startsWith('__Host-bff-'))
          .sort(),
      ).toEqual(['__Host-bff-at', '__Host-bff-session']);
      const after = await browser.send('GET', '/tests');
      expect(after.status).toBe(200);
      expect(after.body.user.groups).toEqual(idp.user.groups);
      expectNoLeak(harness, [withoutSetCookie(callback), tests, withoutSetCookie(refreshed), after]);
    });

    it('ends a sign-in cleanly (auth_error, no cookie, no 500) when the tokens are too big for any cookie budget', async () => {
      const browser = new Browser(harness);
      const { authorizeUrl, state } = await startLogin(browser);
      const groups = Array.from({ length: 1500 }, (_, i) => `group-with-a-long-name-${i}`);
      idp.tokenFault = {
        kind: 'override',
        respond: async (issued) => ({ ...issued, access_token: await idp.signAccessToken({ 'cognito:groups': groups }) }),
      };
      const callback = await browser.send('GET', callbackPath(harness, { code: idp.issueCode(authorizeUrl), state }));
      expectRefusedSignIn(harness, callback, 'session_too_large');
      expect(harness.logs.join('\n')).not.toContain('unexpected error');
      expect(harness.logs.join('\n')).toContain('"event":"session_too_large"');
    });
  });
});
