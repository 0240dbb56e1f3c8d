/**
 * Cookie tossing: a sibling host of the same site plants `__Secure-bff-rt` with `Domain=<parent>` and a longer path,
 * so the browser sends it first. Whatever is planted (another user's genuine refresh cookie, the victim's own from an
 * earlier sign-in, duplicates in any order, chunked copies), it never chooses whose session a refresh, a session read
 * or a logout acts on: only the copy bound to the request's `__Host-bff-session` counts, and without one none does.
 */
import { describe, expect, it } from 'vitest';
import type { FakeIdp, FakeUser } from '../support/fake-idp';
import { ENTRIES } from '../support/harness';
import { Browser, expectJsonError, sessionCookiesSet, signIn, type AttackHarness, useAttackTarget } from './support';

const CSRF = { 'X-CSRF': '1' };
const MALLORY: FakeUser = { sub: 'mallory-sub', username: 'mallory', email: 'mallory@evil.example', groups: ['attackers'] };
const VICTIM: FakeUser = { sub: 'victim-sub', username: 'victim', email: 'victim@example.com', groups: [] };

// Through the HTTP server and every front door of the Lambda handler: each carries duplicated cookies its own way.
describe.each(ENTRIES)('cookie tossing ($name)', ({ kind, door }) => {
  let idp: FakeIdp;
  let harness: AttackHarness;
  useAttackTarget(kind, (started) => ({ idp, harness } = started), { door });

  /** A browser signed in as `user`, with the IdP's request log emptied. */
  async function signedInAs(user: FakeUser): Promise<Browser> {
    const browser = new Browser(harness);
    const { callback } = await signIn(harness, browser, { user });
    expect(callback.status).toBe(302);
    expect(String(callback.headers.location)).not.toContain('auth_error');
    idp.requests.length = 0;
    return browser;
  }

  const refreshPath = () => `${harness.config.basePath}/auth/refresh`;
  const authPath = () => `${harness.config.basePath}/auth`;

  /** The browser's access cookie has expired (Max-Age): only the session and refresh cookies are left. */
  function accessTokenExpired(browser: Browser): void {
    for (const name of browser.jar.names()) if (name.startsWith('__Host-bff-at')) browser.jar.delete(name);
  }

  /** The refresh tokens the IdP was asked to redeem since the last reset, by owner. */
  function refreshedFor(): (string | undefined)[] {
    return idp.requests
      .filter((r) => r.path === '/oauth2/token' && r.form.get('grant_type') === 'refresh_token')
      .map((r) => idp.ownerOfRefreshToken(r.form.get('refresh_token'))?.sub);
  }

  function revokedFor(): (string | undefined)[] {
    return idp.requests.filter((r) => r.path === '/oauth2/revoke').map((r) => idp.ownerOfRefreshToken(r.form.get('token'))?.sub);
  }

  it('a planted refresh cookie sent first (longer path) does not sign the victim into the planter’s account', async () => {
    const mallory = await signedInAs(MALLORY);
    const victim = await signedInAs(VICTIM);
    victim.jar.set('__Secure-bff-rt', mallory.jar.get('__Secure-bff-rt')!.value, refreshPath());
    accessTokenExpired(victim);
    // The browser sends the longer path first: the planted copy leads the header.
    expect(victim.cookieHeader('/auth/refresh').startsWith(`__Secure-bff-rt=${mallory.jar.get('__Secure-bff-rt')!.value}`)).toBe(true);
    expect((await victim.send('GET', '/auth/session')).status).toBe(401);

    const refreshed = await victim.send('POST', '/auth/refresh', { headers: CSRF });
    expect(refreshed.status, refreshed.text).toBe(200);
    expect(refreshedFor()).toEqual([VICTIM.sub]);
    const session = await victim.send('GET', '/auth/session');
    expect(session.status).toBe(200);
    expect(session.body.user.sub).toBe(VICTIM.sub);
    expect((await victim.send('GET', '/tests')).body.user.sub).toBe(VICTIM.sub);
  });

  it('picks the bound copy whatever the order and number of copies, plain or chunked', async () => {
    const mallory = await signedInAs(MALLORY);
    const victim = await signedInAs(VICTIM);
    const planted = mallory.jar.get('__Secure-bff-rt')!.value;
    const own = victim.jar.get('__Secure-bff-rt')!.value;
    // The victim's own refresh cookie from an earlier sign-in: genuine, the same user, but another binding.
    const earlier = (await signedInAs(VICTIM)).jar.get('__Secure-bff-rt')!.value;
    const half = (value: string) => [value.slice(0, value.length / 2), value.slice(value.length / 2)];
    const [p0, p1] = half(planted);
    const [o0, o1] = half(own);
    const sessionCookie = `__Host-bff-session=${victim.jar.get('__Host-bff-session')!.value}`;
    const layouts: string[][] = [
      [`__Secure-bff-rt=${planted}`, `__Secure-bff-rt=${own}`],
      [`__Secure-bff-rt=${own}`, `__Secure-bff-rt=${planted}`],
      [`__Secure-bff-rt=${planted}`, `__Secure-bff-rt=${earlier}`, `__Secure-bff-rt=${planted}`, `__Secure-bff-rt=${own}`],
      [`__Secure-bff-rt=${earlier}`, `__Secure-bff-rt=${own}`],
      // Planted chunks beside the victim's plain cookie, and the victim's chunks beside planted ones, interleaved.
      [`__Secure-bff-rt.0=${p0}`, `__Secure-bff-rt.1=${p1}`, `__Secure-bff-rt=${own}`],
      [`__Secure-bff-rt.1=${p1}`, `__Secure-bff-rt.0=${p0}`, `__Secure-bff-rt.0=${o0}`, `__Secure-bff-rt.1=${o1}`],
      [`__Secure-bff-rt.0=${o0}`, `__Secure-bff-rt.0=${p0}`, `__Secure-bff-rt.1=${p1}`, `__Secure-bff-rt.1=${o1}`],
      [`__Secure-bff-rt=${planted}`, `__Secure-bff-rt.0=${o0}`, `__Secure-bff-rt.1=${o1}`],
    ];
    for (const layout of layouts) {
      idp.requests.length = 0;
      const response = await harness.target.request('POST', '/auth/refresh', {
        headers: { Cookie: [...layout, sessionCookie].join('; '), ...CSRF },
      });
      expect(response.status, layout.join(' | ').slice(0, 80)).toBe(200);
      expect(refreshedFor()).toEqual([VICTIM.sub]);
    }
  });

  it('without a valid __Host- session cookie no refresh cookie counts: 401 refresh_refused, the IdP never asked', async () => {
    const mallory = await signedInAs(MALLORY);
    const victim = await signedInAs(VICTIM);
    const planted = `__Secure-bff-rt=${mallory.jar.get('__Secure-bff-rt')!.value}`;
    const own = `__Secure-bff-rt=${victim.jar.get('__Secure-bff-rt')!.value}`;
    const victimSession = `__Host-bff-session=${victim.jar.get('__Host-bff-session')!.value}`;
    const malloryAccess = `__Host-bff-at=${mallory.jar.get('__Host-bff-at')!.value}`;
    for (const cookie of [
      planted,
      own,
      `${planted}; ${own}`,
      // The access cookie is no binding: only the session cookie is.
      `${planted}; ${malloryAccess}`,
      // A session cookie that does not open, or two copies of it (a nameless-cookie trick in an old browser).
      `${planted}; __Host-bff-session=garbage`,
      `${own}; ${victimSession}; __Host-bff-session=${mallory.jar.get('__Host-bff-session')!.value}`,
      `${own}; ${victimSession}; ${victimSession}`,
    ]) {
      const response = await harness.target.request('POST', '/auth/refresh', { headers: { Cookie: cookie, ...CSRF } });
      expectJsonError(response, 401, 'refresh_refused');
    }
    expect(refreshedFor()).toEqual([]);
  });

  it('the victim’s session cookie paired only with a planted refresh cookie is refused, never refreshed as the planter', async () => {
    const mallory = await signedInAs(MALLORY);
    const victim = await signedInAs(VICTIM);
    const cookie = `__Secure-bff-rt=${mallory.jar.get('__Secure-bff-rt')!.value}; __Host-bff-session=${victim.jar.get('__Host-bff-session')!.value}`;
    const response = await harness.target.request('POST', '/auth/refresh', { headers: { Cookie: cookie, ...CSRF } });
    expectJsonError(response, 401, 'refresh_refused');
    expect(refreshedFor()).toEqual([]);
    expect(sessionCookiesSet(response)).toEqual([]);
  });

  it('logout revokes the victim’s refresh token only, whatever was planted beside it', async () => {
    const mallory = await signedInAs(MALLORY);
    const malloryToken = mallory.jar.get('__Secure-bff-rt')!.value;
    const victim = await signedInAs(VICTIM);
    victim.jar.set('__Secure-bff-rt', malloryToken, refreshPath());
    victim.jar.set('__Secure-bff-rt', malloryToken, `${authPath()}/logout`);
    const logout = await victim.send('POST', '/auth/logout', { headers: CSRF });
    expect(logout.status).toBe(200);
    expect(revokedFor()).toEqual([VICTIM.sub]);
    // The planter's session goes on: its refresh token was not revoked on the victim's behalf.
    idp.requests.length = 0;
    expect((await mallory.send('POST', '/auth/refresh', { headers: CSRF })).status).toBe(200);
    expect(refreshedFor()).toEqual([MALLORY.sub]);
  });

  it('logout without a valid session cookie revokes nothing (a planted refresh cookie alone ends no one’s session)', async () => {
    const mallory = await signedInAs(MALLORY);
    const logout = await harness.target.request('POST', '/auth/logout', {
      headers: { Cookie: `__Secure-bff-rt=${mallory.jar.get('__Secure-bff-rt')!.value}`, ...CSRF },
    });
    expect(logout.status).toBe(200);
    expect(revokedFor()).toEqual([]);
    expect((await mallory.send('POST', '/auth/refresh', { headers: CSRF })).status).toBe(200);
  });

  it('a planted cookie that survives sign-out and the next sign-in still chooses nothing', async () => {
    const mallory = await signedInAs(MALLORY);
    const victim = await signedInAs(VICTIM);
    // Planted under paths the BFF's own clearing does not reach (another path, another domain in a real browser).
    victim.jar.set('__Secure-bff-rt', mallory.jar.get('__Secure-bff-rt')!.value, refreshPath());
    victim.jar.set('__Secure-bff-rt.0', 'planted-chunk', refreshPath());
    expect((await victim.send('POST', '/auth/logout', { headers: CSRF })).status).toBe(200);
    expect(revokedFor()).toEqual([VICTIM.sub]);
    expect(victim.jar.all().filter((c) => c.path === refreshPath())).toHaveLength(2);
    // Signed out: the planted cookie signs no one in.
    idp.requests.length = 0;
    expectJsonError(await victim.send('POST', '/auth/refresh', { headers: CSRF }), 401, 'refresh_refused');
    expect((await victim.send('GET', '/auth/session')).status).toBe(401);
    expect(refreshedFor()).toEqual([]);
    // The next sign-in, and a silent refresh once its access cookie expired: still the victim's own session.
    await signIn(harness, victim, { user: VICTIM });
    accessTokenExpired(victim);
    idp.requests.length = 0;
    expect((await victim.send('POST', '/auth/refresh', { headers: CSRF })).status).toBe(200);
    expect(refreshedFor()).toEqual([VICTIM.sub]);
    expect((await victim.send('GET', '/auth/session')).body.user.sub).toBe(VICTIM.sub);
    idp.requests.length = 0;
    expect((await victim.send('POST', '/auth/logout', { headers: CSRF })).status).toBe(200);
    expect(revokedFor()).toEqual([VICTIM.sub]);
  });

  it('the session cookie outlives the access cookie (refresh lifetime), so a silent refresh still finds its binding', async () => {
    const browser = new Browser(harness);
    const { callback } = await signIn(harness, browser, { user: VICTIM });
    const maxAge = (name: string) => Number(browser.jar.get(name)!.attributes['max-age']);
    expect(maxAge('__Host-bff-session')).toBe(harness.config.refreshCookieMaxAgeSeconds);
    expect(maxAge('__Secure-bff-rt')).toBe(harness.config.refreshCookieMaxAgeSeconds);
    expect(maxAge('__Host-bff-at')).toBeLessThanOrEqual(idp.accessTokenSeconds);
    expect(callback.status).toBe(302);
    // The binding id is kept across refreshes (with and without rotation): the old refresh cookie stays bound.
    accessTokenExpired(browser);
    expect((await browser.send('POST', '/auth/refresh', { headers: CSRF })).status).toBe(200);
    idp.rotateRefreshTokens = true;
    expect((await browser.send('POST', '/auth/refresh', { headers: CSRF })).status).toBe(200);
    idp.requests.length = 0;
    expect((await browser.send('POST', '/auth/refresh', { headers: CSRF })).status).toBe(200);
    expect(refreshedFor()).toEqual([VICTIM.sub]);
  });
});
