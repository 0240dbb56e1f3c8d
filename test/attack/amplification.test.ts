/**
 * Amplification: whatever a request carries (hundreds of transaction cookies, chunks, copies of the refresh cookie,
 * every one genuine and sealed), the work the BFF does for it and the size of its answer stay under a fixed bound:
 * a bounded number of sealed values opened (each with every key, so the keys count too), a bounded number of
 * Set-Cookie headers.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FakeIdp } from '../support/fake-idp';
import { RUNTIMES } from '../support/harness';
import { setCookieHeaders } from '../support/cookie-jar';
import { Browser, signIn, startLogin, type AttackHarness, useAttackTarget } from './support';

/** Every sealed value opened, by any harness in this file: the unit of per-request work with every key. */
const opened = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../src/auth/sealing', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/auth/sealing')>();
  return {
    ...original,
    createSealer: (...args: Parameters<typeof original.createSealer>) => {
      const sealer = original.createSealer(...args);
      return {
        seal: sealer.seal,
        open: (purpose: string, sealed: string) => {
          opened.count += 1;
          return sealer.open(purpose, sealed);
        },
      };
    },
  };
});

/** Opens one request may cost: 8 transactions, or a session cookie and 8 refresh-cookie candidates, and a little slack. */
const MAX_OPENS = 12;
/** Set-Cookie headers one answer may carry: every form of our three cookies (plain and 9 chunks each) and 8 transactions. */
const MAX_SET_COOKIES = 3 * 10 + 8 + 1;

describe.each(RUNTIMES)('amplification (%s)', (kind) => {
  let idp: FakeIdp;
  let harness: AttackHarness;
  useAttackTarget(kind, (started) => ({ idp, harness } = started));
  afterEach(() => {
    opened.count = 0;
  });

  /** Cookie bytes per request: just inside the app's request-header budget (10,240 bytes, API Gateway's limit). */
  const budget = () => 9_000;

  /** Pairs repeated (under numbered names where `name` holds `#`) until the Cookie header reaches the budget. */
  function flood(pairs: [string, string][], base = ''): string {
    const parts = base ? [base] : [];
    let length = base.length;
    for (let i = 0; length < budget(); i += 1) {
      const [name, value] = pairs[i % pairs.length]!;
      const part = `${name.replace('#', String(i))}=${value}`;
      parts.push(part);
      length += part.length + 2;
    }
    return parts.join('; ');
  }

  async function measured(method: string, path: string, cookie: string, headers: Record<string, string> = {}) {
    opened.count = 0;
    const response = await harness.target.request(method, path, { headers: { Cookie: cookie, ...headers } });
    return { response, opens: opened.count, setCookies: setCookieHeaders(response.headers).length };
  }

  it('opens at most a fixed number of transaction cookies and clears at most a fixed number, however many arrive', async () => {
    const browser = new Browser(harness);
    await startLogin(browser);
    const genuine = browser.jar.all().find((c) => c.name.startsWith('__Host-bff-tx-'))!.value;
    const cookie = flood([
      ['__Host-bff-tx-a#', genuine],
      ['__Host-bff-tx-b#', 'v1.' + 'A'.repeat(40)],
    ]);
    const count = cookie.split('; ').length;
    expect(count).toBeGreaterThan(30);
    for (const [method, path, headers] of [
      ['GET', '/auth/login', {}],
      ['POST', '/auth/logout', { 'X-CSRF': '1' }],
      ['POST', '/auth/refresh', { 'X-CSRF': '1' }],
      ['GET', '/auth/session', {}],
      ['GET', '/auth/callback?code=c&state=s', {}],
    ] as [string, string, Record<string, string>][]) {
      const { response, opens, setCookies } = await measured(method, path, cookie, headers);
      expect(response.status, `${method} ${path}`).toBeLessThan(500);
      // Within the header budget: the request reached the routes (a 431 would prove nothing).
      expect(response.status, `${method} ${path}`).not.toBe(431);
      expect(opens, `${method} ${path}: ${count} cookies`).toBeLessThanOrEqual(MAX_OPENS);
      expect(setCookies, `${method} ${path}`).toBeLessThanOrEqual(MAX_SET_COOKIES);
    }
  });

  it('bounds refresh, logout and sign-in against floods of chunks and refresh-cookie copies', async () => {
    const victim = new Browser(harness);
    const { callback } = await signIn(harness, victim);
    expect(callback.status).toBe(302);
    const rt = victim.jar.get('__Secure-bff-rt')!.value;
    const session = `__Host-bff-session=${victim.jar.get('__Host-bff-session')!.value}`;
    const half = rt.length / 2;
    const cookie = flood(
      [
        ['__Secure-bff-rt', 'v1.' + 'B'.repeat(60)],
        ['__Secure-bff-rt.0', rt.slice(0, half)],
        ['__Secure-bff-rt.1', rt.slice(half)],
        ['__Host-bff-at.#', 'x'],
        ['__Host-bff-session.#', 'y'],
        ['__Secure-bff-rt.#', 'z'],
      ],
      session,
    );
    for (const [method, path] of [
      ['POST', '/auth/refresh'],
      ['POST', '/auth/logout'],
      ['GET', '/auth/session'],
      ['GET', '/tests'],
      ['GET', '/auth/login'],
    ]) {
      const { response, opens, setCookies } = await measured(method!, path!, cookie, { 'X-CSRF': '1' });
      expect(response.status, `${method} ${path}`).toBeLessThan(500);
      // Within the header budget: the request reached the routes (a 431 would prove nothing).
      expect(response.status, `${method} ${path}`).not.toBe(431);
      expect(opens, `${method} ${path}`).toBeLessThanOrEqual(MAX_OPENS);
      expect(setCookies, `${method} ${path}`).toBeLessThanOrEqual(MAX_SET_COOKIES);
    }
    // A sign-in on top of such a flood: the same bounds, and the session it sets is whole.
    const browser = new Browser(harness);
    const { authorizeUrl, state } = await startLogin(browser);
    const code = idp.issueCode(authorizeUrl);
    const transaction = browser.cookieHeader('/auth/callback');
    const signInFlood = flood([['__Host-bff-at.#', 'x']], transaction);
    const url = `/auth/callback?code=${code}&state=${state}`;
    const signedIn = await measured('GET', url, signInFlood);
    expect(signedIn.response.status).toBe(302);
    expect(String(signedIn.response.headers.location)).not.toContain('auth_error');
    expect(signedIn.opens).toBeLessThanOrEqual(MAX_OPENS);
    expect(signedIn.setCookies).toBeLessThanOrEqual(MAX_SET_COOKIES);
  });
});
