/**
 * The browser client's logic with an injected BFF, cookie jar, Web Locks and BroadcastChannel (fake-browser.ts):
 * one renewal for any number of concurrent calls, in one tab and across tabs, whatever order the answers arrive in.
 * The same module runs against the real BFF in Chromium in test/e2e/client.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { BffClientError, createBffClient, type BffClient, type BffClientOptions, type SignedOutEvent } from '../../src/client/index';
import { BFF, FakeBff, FakeBus, FakeLocks, deferred, steppingClock } from './fake-browser';

interface Tab {
  client: BffClient;
  signedOut: SignedOutEvent['reason'][];
  navigations: string[];
}

/** One browser: a BFF, a jar, locks and a channel shared by the tabs opened with `tab()`. */
function browser(options: { locks?: boolean; channel?: boolean } = {}) {
  const bff = new FakeBff();
  const locks = options.locks === false ? null : new FakeLocks();
  const bus = new FakeBus();
  const now = steppingClock();
  const tab = (overrides: Partial<BffClientOptions> = {}): Tab => {
    const signedOut: SignedOutEvent['reason'][] = [];
    const navigations: string[] = [];
    const client = createBffClient({
      baseUrl: BFF,
      fetch: bff.fetch,
      locks,
      channel: options.channel === false ? null : bus.connect(),
      now,
      navigate: (url) => navigations.push(url),
      currentUrl: () => `${BFF}/orders/42?tab=open#top`,
      ...overrides,
    });
    client.on('signedout', (event) => signedOut.push(event.reason));
    return { client, signedOut, navigations };
  };
  return { bff, bus, tab };
}

const tenCalls = (client: BffClient, path = '/api/orders') => Array.from({ length: 10 }, (_, i) => client.fetch(`${path}/${i}`));

describe('fetch()', () => {
  it('sends the cookies and X-CSRF, resolves paths against baseUrl, and keeps the caller’s method, headers and body', async () => {
    const { bff, tab } = browser();
    const { client } = tab({ baseUrl: `${BFF}/dev/` });
    const response = await client.fetch('api/orders', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'r-1' },
      body: JSON.stringify({ item: 'tea' }),
    });
    expect(response.status).toBe(200);
    const [seen] = bff.seen;
    expect(seen).toMatchObject({ method: 'POST', path: '/dev/api/orders', credentials: 'include', body: '{"item":"tea"}' });
    expect(seen!.headers.get('x-csrf')).toBe('1');
    expect(seen!.headers.get('x-request-id')).toBe('r-1');
    expect(seen!.headers.get('content-type')).toBe('application/json');
    // A leading slash is still below baseUrl; an absolute URL is left alone.
    await client.fetch('/tests');
    await client.fetch('https://bff.test/elsewhere');
    expect(bff.seen.map((r) => r.path)).toEqual(['/dev/api/orders', '/dev/tests', '/elsewhere']);
  });

  it('ten concurrent calls meeting an expired access token share ONE refresh, and each is retried once', async () => {
    const { bff, tab } = browser();
    const { client, signedOut } = tab();
    bff.expireAccessToken();
    bff.refreshGate = deferred();
    const calls = tenCalls(client);
    await bff.refreshArrived.promise;
    bff.refreshGate.resolve();
    const responses = await Promise.all(calls);
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(bff.count('POST', '/auth/refresh')).toBe(1);
    for (let i = 0; i < 10; i++) expect(bff.count('GET', `/api/orders/${i}`)).toBe(2);
    expect(signedOut).toEqual([]);
  });

  it('retries without refreshing again a call that was sent before the renewal and answered 401 after it', async () => {
    const { bff, tab } = browser();
    const { client } = tab();
    bff.expireAccessToken();
    const slow = deferred();
    bff.holds.set('GET /api/slow', slow);
    const slowCall = client.fetch('/api/slow'); // carries the expired cookie; its 401 is held
    const fast = await client.fetch('/api/fast'); // 401, refresh, retry: done
    expect(fast.status).toBe(200);
    slow.resolve(); // the old 401 arrives after the renewal
    expect((await slowCall).status).toBe(200);
    expect(bff.count('POST', '/auth/refresh')).toBe(1);
    expect(bff.count('GET', '/api/slow')).toBe(2);
  });

  it('retries once only: a second 401 is the answer, with no second refresh', async () => {
    const { bff, tab } = browser();
    bff.expireAccessToken();
    // The retry is answered 401 too: the renewed token is refused (say, the user was disabled meanwhile).
    const original = bff.fetch;
    let calls = 0;
    const { client: stubborn } = tab({
      fetch: async (request) => {
        const response = await original(request);
        return new URL(request.url).pathname === '/api/x' && ++calls === 2 ? new Response('{}', { status: 401 }) : response;
      },
    });
    const response = await stubborn.fetch('/api/x');
    expect(response.status).toBe(401);
    expect(calls).toBe(2);
    expect(bff.count('POST', '/auth/refresh')).toBe(1);
  });

  it('passes other statuses through untouched and refreshes nothing', async () => {
    const { bff, tab } = browser();
    const { client } = tab({ fetch: async () => new Response('{"error":"forbidden"}', { status: 403 }) });
    expect((await client.fetch('/api/x')).status).toBe(403);
    expect(bff.count('POST', '/auth/refresh')).toBe(0);
  });

  it('when the refresh is refused, every call resolves to its 401 and `signedout` fires once', async () => {
    const { bff, tab } = browser();
    const { client, signedOut } = tab();
    bff.expireAccessToken();
    bff.jar.refreshToken = false;
    const responses = await Promise.all(tenCalls(client));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(401));
    expect(bff.count('POST', '/auth/refresh')).toBe(1);
    expect(signedOut).toEqual(['refresh_refused']);
    // The 401 bodies are still readable by the caller.
    expect(await responses[0]!.json()).toEqual({ error: 'unauthenticated', message: 'Sign in.' });
  });

  it('when the IdP is unavailable, the calls resolve to their 401 and the session is not declared over', async () => {
    const { bff, tab } = browser();
    const { client, signedOut } = tab();
    bff.expireAccessToken();
    bff.refreshStatus = 502;
    expect((await client.fetch('/api/x')).status).toBe(401);
    expect(signedOut).toEqual([]);
    // The next call tries again, and succeeds once the IdP is back.
    bff.refreshStatus = 200;
    expect((await client.fetch('/api/x')).status).toBe(200);
    expect(bff.count('POST', '/auth/refresh')).toBe(2);
  });

  it('without Web Locks and BroadcastChannel, one tab still refreshes once', async () => {
    const { bff, tab } = browser({ locks: false, channel: false });
    const { client } = tab();
    bff.expireAccessToken();
    expect((await Promise.all(tenCalls(client))).map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(bff.count('POST', '/auth/refresh')).toBe(1);
  });
});

describe('across tabs', () => {
  it('a second tab meeting the expiry while the first refreshes shares that refresh', async () => {
    const { bff, tab } = browser();
    const first = tab();
    const second = tab();
    bff.expireAccessToken();
    bff.refreshGate = deferred();
    const calls = [...tenCalls(first.client), ...tenCalls(second.client, '/api/other')];
    await bff.refreshArrived.promise;
    bff.refreshGate.resolve();
    expect((await Promise.all(calls)).map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(bff.count('POST', '/auth/refresh')).toBe(1);
  });

  it('a tab that waited for the lock asks whether the session is live before refreshing (the news may come after the lock)', async () => {
    const { bff, bus, tab } = browser();
    bus.held = true; // the first tab's announcement reaches the second only after the lock does
    const first = tab();
    const second = tab();
    bff.expireAccessToken();
    bff.refreshGate = deferred();
    const firstCall = first.client.fetch('/api/a');
    await bff.refreshArrived.promise; // the first tab holds the lock and is refreshing
    const secondCall = second.client.fetch('/api/b'); // 401, then waits for the lock
    bff.refreshGate.resolve();
    expect((await firstCall).status).toBe(200);
    expect((await secondCall).status).toBe(200);
    expect(bff.count('POST', '/auth/refresh')).toBe(1);
    expect(bff.count('GET', '/auth/session')).toBe(1); // the second tab's question
    bus.deliver();
  });

  it('a tab that heard of a newer renewal retries at once, with neither lock nor question', async () => {
    const { bff, tab } = browser();
    const first = tab();
    const second = tab();
    bff.expireAccessToken();
    const slow = deferred();
    bff.holds.set('GET /api/b', slow);
    const secondCall = second.client.fetch('/api/b'); // sent with the expired cookie, answer held
    expect((await first.client.fetch('/api/a')).status).toBe(200); // the first tab renews and says so
    slow.resolve();
    expect((await secondCall).status).toBe(200);
    expect(bff.count('POST', '/auth/refresh')).toBe(1);
    expect(bff.count('GET', '/auth/session')).toBe(0);
  });

  it('a refused refresh signs every tab out, each saying `signedout` once', async () => {
    const { bff, tab } = browser();
    const first = tab();
    const second = tab();
    bff.expireAccessToken();
    bff.jar.refreshToken = false;
    bff.refreshGate = deferred();
    const calls = [...tenCalls(first.client), ...tenCalls(second.client)];
    await bff.refreshArrived.promise;
    bff.refreshGate.resolve();
    expect((await Promise.all(calls)).map((r) => r.status)).toEqual(Array(20).fill(401));
    expect(first.signedOut).toEqual(['refresh_refused']);
    expect(second.signedOut).toEqual(['refresh_refused']);
    // The second tab waited for the lock and heard the outcome there: nobody asks the IdP twice.
    expect(bff.count('POST', '/auth/refresh')).toBe(1);
  });
});

describe('session()', () => {
  it('answers who is signed in', async () => {
    const { tab } = browser();
    expect(await tab().client.session()).toEqual({
      authenticated: true,
      user: { sub: 's-1', username: 's-1', email: 'a@example.com', groups: [] },
      expiresAt: 2_000_000_000,
    });
  });

  it('renews an expired access token first, so an expired token is no sign-out', async () => {
    const { bff, tab } = browser();
    bff.expireAccessToken();
    const session = await tab().client.session();
    expect(session.authenticated).toBe(true);
    expect(bff.seen.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /auth/session', 'POST /auth/refresh', 'GET /auth/session']);
  });

  it('is signed out when there is nothing to renew: its answer says so, and the other tabs hear `signedout`', async () => {
    const { bff, tab } = browser();
    const other = tab();
    expect((await other.client.session()).authenticated).toBe(true); // the other tab was signed in
    bff.expireAccessToken();
    bff.jar.refreshToken = false;
    const { client, signedOut } = tab();
    const heard = new Promise<string>((resolve) => other.client.on('signedout', (event) => resolve(event.reason)));
    expect(await client.session()).toEqual({ authenticated: false });
    expect(signedOut).toEqual([]);
    expect(await heard).toBe('refresh_refused');
  });

  it('a tab that proved the session live after another tab’s refused refresh was sent ignores that news (a sign-in in between)', async () => {
    const { bff, bus, tab } = browser();
    bus.held = true;
    const loading = tab(); // a tab still loading while the user signs in elsewhere
    const signedIn = tab();
    bff.expireAccessToken();
    bff.jar.refreshToken = false;
    expect(await loading.client.session()).toEqual({ authenticated: false }); // its refused refresh is sent first
    // The sign-in completes in the other tab: new cookies, and that tab sees the session live.
    bff.jar.refreshToken = true;
    await bff.fetch(new Request(`${BFF}/auth/refresh`, { method: 'POST' }));
    expect((await signedIn.client.session()).authenticated).toBe(true);
    bus.deliver(); // now the loading tab's news arrives
    expect((await signedIn.client.fetch('/api/x')).status).toBe(200);
    expect(signedIn.signedOut).toEqual([]);
  });

  it('throws a BffClientError with the stable code when the BFF cannot answer', async () => {
    const { bff, tab } = browser();
    const { client } = tab({
      fetch: async () =>
        new Response('{"error":"session_store_unavailable","message":"x"}', {
          status: 503,
          headers: { 'content-type': 'application/json' },
        }),
    });
    await expect(client.session()).rejects.toMatchObject({ name: 'BffClientError', status: 503, code: 'session_store_unavailable' });
    bff.expireAccessToken();
    bff.refreshStatus = 504;
    const error = await tab()
      .client.session()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BffClientError);
    expect(error).toMatchObject({ code: 'refresh_unavailable' });
  });
});

describe('logout()', () => {
  it('POSTs with X-CSRF and {everywhere}, returns the IdP logout URL without leaving, and tells the other tabs', async () => {
    const { bff, tab } = browser();
    const first = tab();
    const second = tab();
    const heard = new Promise<SignedOutEvent['reason']>((resolve) => second.client.on('signedout', (event) => resolve(event.reason)));
    const result = await first.client.logout({ everywhere: true });
    expect(result).toEqual({ logoutUrl: 'https://idp.test/logout?client_id=c&logout_uri=x' });
    const [seen] = bff.seen;
    expect(seen).toMatchObject({ method: 'POST', path: '/auth/logout', body: '{"everywhere":true}', credentials: 'include' });
    expect(seen!.headers.get('x-csrf')).toBe('1');
    expect(seen!.headers.get('content-type')).toBe('application/json');
    expect(first.navigations).toEqual([]);
    expect(first.signedOut).toEqual([]); // the caller knows
    expect(await heard).toBe('logout');
  });

  it('follows the IdP logout URL with `redirect: true`; sends everywhere:false by default', async () => {
    const { bff, tab } = browser();
    const { client, navigations } = tab();
    await client.logout({ redirect: true });
    expect(bff.seen[0]!.body).toBe('{"everywhere":false}');
    expect(navigations).toEqual(['https://idp.test/logout?client_id=c&logout_uri=x']);
  });

  it('a call that was in flight when this tab signed out does not refresh afterwards', async () => {
    const { bff, tab } = browser();
    const { client } = tab();
    bff.expireAccessToken();
    const slow = deferred();
    bff.holds.set('GET /api/slow', slow);
    const slowCall = client.fetch('/api/slow');
    await client.logout();
    slow.resolve();
    expect((await slowCall).status).toBe(401);
    expect(bff.count('POST', '/auth/refresh')).toBe(0);
  });

  it('throws the BFF’s error code when it refuses', async () => {
    const { tab } = browser();
    const { client } = tab({
      fetch: async () =>
        new Response('{"error":"origin_not_allowed","message":"no"}', { status: 403, headers: { 'content-type': 'application/json' } }),
    });
    await expect(client.logout()).rejects.toMatchObject({ status: 403, code: 'origin_not_allowed' });
  });
});

describe('login()', () => {
  it('comes back to this page by default (a path when the BFF shares its origin)', () => {
    const { tab } = browser();
    const { client, navigations } = tab();
    client.login();
    expect(navigations).toEqual([`${BFF}/auth/login?returnTo=${encodeURIComponent('/orders/42?tab=open#top')}`]);
  });

  it('sends the full page URL when the BFF is on another origin (a dev server on another port)', () => {
    const { tab } = browser();
    const { client, navigations } = tab({ baseUrl: 'http://localhost:3000', currentUrl: () => 'http://localhost:5173/app?x=1' });
    client.login();
    expect(navigations).toEqual([`http://localhost:3000/auth/login?returnTo=${encodeURIComponent('http://localhost:5173/app?x=1')}`]);
  });

  it('takes an explicit returnTo, encoded', () => {
    const { tab } = browser();
    const { client, navigations } = tab();
    client.login('/a b?c=d&e=f');
    expect(navigations).toEqual([`${BFF}/auth/login?returnTo=${encodeURIComponent('/a b?c=d&e=f')}`]);
  });
});
