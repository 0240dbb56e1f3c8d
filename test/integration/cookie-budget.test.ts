/**
 * The cookie budget, on both runtimes and in both session modes: a session's auth cookies keep the Cookie header
 * under 8 KB; a session that cannot fit is refused whole at sign-in; logout clears every auth cookie whatever the
 * request carries.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { listen } from '../../src/http-server';
import { createLogger } from '../../src/logger';
import { createRuntime } from '../../src/runtime';
import { CookieJar, parseSetCookie, setCookieHeaders } from '../support/cookie-jar';
import { startTestDynalite, type TestDynalite } from '../support/dynalite';
import { FakeIdp, type FakeUser } from '../support/fake-idp';
import { BASE_URLS, buildHarness, RUNTIMES, type Harness, type RuntimeKind } from '../support/harness';

const AUTH_COOKIE = /^(__Host-bff-at|__Host-bff-session|__Secure-bff-rt)(\.\d+)?$/;

describe.each(RUNTIMES)('cookie budget (%s)', (kind: RuntimeKind) => {
  let idp: FakeIdp;
  let dynalite: TestDynalite;

  beforeAll(async () => {
    [idp, dynalite] = await Promise.all([FakeIdp.start(), startTestDynalite()]);
  });
  afterAll(async () => {
    await Promise.all([idp?.close(), dynalite?.stop()]);
  });
  beforeEach(() => idp.reset());

  function harnessFor(mode: 'cookie' | 'dynamodb'): Harness {
    return buildHarness(kind, idp.env({ PUBLIC_BASE_URL: BASE_URLS[kind], ...(mode === 'dynamodb' ? dynalite.env : {}) }));
  }

  async function signIn(harness: Harness, user?: FakeUser) {
    const jar = new CookieJar();
    const login = await harness.target.request('GET', '/auth/login');
    jar.apply(login.headers);
    const authorize = String(login.headers.location);
    const params = new URLSearchParams({ code: idp.issueCode(authorize, user), state: new URL(authorize).searchParams.get('state')! });
    const callback = await harness.target.request('GET', `/auth/callback?${params}`, { headers: { Cookie: jar.header('/') } });
    jar.apply(callback.headers);
    return { jar, callback };
  }

  const manyGroups = (count: number): FakeUser => ({
    ...idp.user,
    groups: Array.from({ length: count }, (_, i) => `department-${i}-with-a-long-descriptive-group-name`),
  });

  for (const mode of ['cookie', 'dynamodb'] as const) {
    it(`keeps an ordinary session's auth cookies well under 8 KB (${mode})`, async () => {
      const { jar, callback } = await signIn(harnessFor(mode));
      expect(callback.status).toBe(302);
      const header = jar
        .all()
        .filter((c) => AUTH_COOKIE.test(c.name))
        .map((c) => `${c.name}=${c.value}`)
        .join('; ');
      expect(Buffer.byteLength(header)).toBeLessThan(7 * 1024);
    });
  }

  it('refuses at sign-in (cookie mode) a session that cannot fit, sets none of it, and logs the sizes', async () => {
    const harness = harnessFor('cookie');
    const { jar, callback } = await signIn(harness, manyGroups(120));
    expect(callback.status).toBe(302);
    expect(new URL(String(callback.headers.location)).searchParams.get('auth_error')).toBe('session_too_large');
    const set = setCookieHeaders(callback.headers).map(parseSetCookie);
    expect(set.filter((c) => AUTH_COOKIE.test(c.name) && c.attributes['max-age'] !== '0')).toEqual([]);
    expect(jar.names().filter((name) => AUTH_COOKIE.test(name))).toEqual([]);
    const line = harness.logs
      .map((l) => JSON.parse(l))
      .find((l) => l.level === 'error' && /session_too_large|cookie budget/.test(JSON.stringify(l)));
    expect(line).toBeDefined();
    expect(JSON.stringify(line)).toMatch(/__Host-bff-at(\.\d)? \d+ B/);
  });

  it('signs the same user in with server-side sessions, where only the access token and a reference travel', async () => {
    const { jar, callback } = await signIn(harnessFor('dynamodb'), manyGroups(60));
    expect(new URL(String(callback.headers.location)).searchParams.get('auth_error')).toBeNull();
    expect(jar.names().some((name) => name.startsWith('__Host-bff-at'))).toBe(true);
  });

  it('clears every auth cookie at logout even when the request`s cookies are unreadable', async () => {
    const harness = harnessFor('cookie');
    const garbage = [
      '__Host-bff-at.0=not-a-token',
      '__Host-bff-at.3=x',
      '__Host-bff-session=v1.garbage',
      '__Host-bff-session.7=y',
      '__Secure-bff-rt.1=z',
      '__Secure-bff-rt=%E0%A4%A',
    ].join('; ');
    const logout = await harness.target.request('POST', '/auth/logout', { headers: { Cookie: garbage, 'X-CSRF': '1' } });
    expect(logout.status).toBe(200);
    const cleared = new Set(
      setCookieHeaders(logout.headers)
        .map(parseSetCookie)
        .filter((c) => c.attributes['max-age'] === '0')
        .map((c) => c.name),
    );
    for (const name of ['__Host-bff-at', '__Host-bff-session', '__Secure-bff-rt']) {
      expect(cleared.has(name)).toBe(true);
      for (let chunk = 0; chunk < 8; chunk += 1) expect(cleared.has(`${name}.${chunk}`), `${name}.${chunk}`).toBe(true);
    }
  });

  it('lets a browser holding oversized auth cookies from an older version reach POST /auth/logout, which clears them', async () => {
    const harness = harnessFor('cookie');
    // 12 KB of our own cookie names: over the 10 KB request-header budget every other route applies.
    const oversized = Array.from({ length: 3 }, (_, i) => `__Host-bff-at.${i}=${'a'.repeat(4000)}`).join('; ');
    expect((await harness.target.request('GET', '/tests', { headers: { Cookie: oversized } })).status).toBe(431);
    const logout = await harness.target.request('POST', '/auth/logout', { headers: { Cookie: oversized, 'X-CSRF': '1' } });
    expect(logout.status).toBe(200);
    const cleared = setCookieHeaders(logout.headers)
      .map(parseSetCookie)
      .filter((c) => c.attributes['max-age'] === '0')
      .map((c) => c.name);
    for (let chunk = 0; chunk < 3; chunk += 1) expect(cleared).toContain(`__Host-bff-at.${chunk}`);
  });

  it('serves POST /auth/logout on the HTTP server even with 40 KB of old cookies (above Node`s default header limit)', async () => {
    if (kind !== 'http') return;
    const { config } = harnessFor('cookie');
    const logger = createLogger({ level: 'error', write: () => undefined });
    const server = await listen(createApp({ config, ...createRuntime(config), logger }), 0);
    try {
      const { port } = server.address() as AddressInfo;
      const cookie = Array.from({ length: 10 }, (_, i) => `__Host-bff-session.${i % 8}${i >= 8 ? 'x' : ''}=${'s'.repeat(4000)}`).join('; ');
      const logout = await fetch(`http://127.0.0.1:${port}/auth/logout`, { method: 'POST', headers: { cookie, 'x-csrf': '1' } });
      expect(logout.status).toBe(200);
      const cleared = logout.headers.getSetCookie().map((line) => line.split('=')[0]);
      for (let chunk = 0; chunk < 8; chunk += 1) expect(cleared).toContain(`__Host-bff-session.${chunk}`);
      // Every other route keeps the budget, answered in JSON.
      const tests = await fetch(`http://127.0.0.1:${port}/tests`, { headers: { cookie } });
      expect(tests.status).toBe(431);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
