/**
 * The demo SPA as a person sees it: `npm start` (the local stack) driven by headless Chromium from the distribution
 * (/usr/bin/chromium) through playwright-core. Sign in on the emulator's form, see who is signed in, call /tests,
 * refresh, sign out, and check on the way that no token ever reaches the page's JavaScript.
 *
 * A screenshot of each step lands in test/e2e/artifacts/ (git-ignored), with the product's output (server.log).
 * Run with `npm run test:e2e`.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/cognito-local';
import { DEMO_USERNAME, EMULATOR_PORT, REPO_ROOT, externalProduct, startProduct, type RunningProduct } from './product';
import { startDevServer } from './dev-server';
import { serverRequestsDuring } from './server-requests';

const CHROMIUM = '/usr/bin/chromium';
/** Without the last four flags Chromium keeps calling home, which floods a closed network. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = path.join(REPO_ROOT, 'test', 'e2e', 'artifacts');
const STEP_TIMEOUT_MS = 15_000;
const VIEWPORT = { width: 1100, height: 800 };

/** The little of the DOM the checks use (the project compiles without the DOM library). */
interface WebStorage {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
}
interface PageGlobals {
  document: { cookie: string };
  localStorage: WebStorage;
  sessionStorage: WebStorage;
}

/** What a page sees of the browser client (src/client), loaded the way the demo SPA loads it. */
interface PageClient {
  fetch(input: string): Promise<{ status: number }>;
}
interface ClientWindow {
  e2eClient?: PageClient;
}

/** A console error on an app page, with the resource it is about (Chromium names the URL of a failed load). */
interface ConsoleError {
  text: string;
  url: string;
}

/** What the page's own JavaScript can see of the browser's storage. */
interface PageStorage {
  cookie: string;
  local: Record<string, string>;
  session: Record<string, string>;
}

describe('the demo SPA in Chromium, against the local stack', () => {
  let product: RunningProduct | undefined;
  /** Where an SPA's development server runs beside the BFF (README, "Integrate your SPA"); in ALLOWED_ORIGINS. */
  let devPort: number;
  let context: BrowserContext | undefined;
  let userDataDir: string | undefined;
  let page: Page;
  const appErrors: string[] = [];
  /** Every console error on the app's pages, the expected ones included. */
  const consoleErrors: ConsoleError[] = [];

  const shot = async (name: string): Promise<void> => {
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  };
  const readStorage = (): Promise<PageStorage> =>
    page.evaluate(() => {
      // Runs in the page. Typed by hand: this project compiles without the DOM library.
      const { document, localStorage, sessionStorage } = globalThis as unknown as PageGlobals;
      const dump = (storage: WebStorage): Record<string, string> => {
        const entries: Record<string, string> = {};
        for (let i = 0; i < storage.length; i++) {
          const key = storage.key(i);
          if (key !== null) entries[key] = storage.getItem(key) ?? '';
        }
        return entries;
      };
      return { cookie: document.cookie, local: dump(localStorage), session: dump(sessionStorage) };
    });
  const expectNoTokenVisibleToScript = async (): Promise<void> => {
    const storage = await readStorage();
    // A JWT starts with eyJ (base64url of `{"`); the refresh token is a JWE, which starts the same way.
    expect(JSON.stringify(storage)).not.toContain('eyJ');
    expect(storage.local).toEqual({});
    expect(storage.session).toEqual({});
    // Every cookie the BFF set is HttpOnly: document.cookie shows none of them.
    const cookies = await context!.cookies();
    for (const cookie of cookies.filter((c) => c.name.startsWith('__Host-') || c.name.startsWith('__Secure-'))) {
      expect(cookie.httpOnly, `${cookie.name} is HttpOnly`).toBe(true);
      expect(cookie.secure, `${cookie.name} is Secure`).toBe(true);
      expect(storage.cookie).not.toContain(cookie.name);
    }
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`);
    }
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    devPort = await freePort();
    product =
      externalProduct() ??
      (await startProduct({
        port: await freePort(),
        logFile: path.join(ARTIFACTS, 'server.log'),
        env: { ALLOWED_ORIGINS: `http://localhost:${devPort}` },
      }));

    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'cognito-bff-e2e-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: VIEWPORT,
      locale: 'en-US',
      timezoneId: 'UTC',
    });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    page = context.pages()[0] ?? (await context.newPage());
    watchConsole(page);
  });

  /** Script errors and console errors on the app's pages (a CSP violation shows up as one). */
  const watchConsole = (target: Page): void => {
    const onApp = () => target.url().startsWith(product!.baseUrl);
    target.on('pageerror', (error) => appErrors.push(`${target.url()}: ${error.message}`));
    target.on('console', (message) => {
      if (message.type() !== 'error' || !onApp()) return;
      const error = { text: message.text(), url: message.location().url };
      consoleErrors.push(error);
      // Chromium reports every non-2xx fetch too: a 401 is how a page learns that a session is missing or expired, and
      // a 404 from /auth/sessions how the SPA learns that the BFF keeps no server-side sessions (it hides that panel).
      const status = /Failed to load resource: .*status of (\d{3})\b/.exec(error.text)?.[1];
      const expected =
        status === '401' || ((status === '404' || status === '501') && new URL(error.url).pathname.endsWith('/auth/sessions'));
      if (!expected) appErrors.push(`${target.url()}: ${error.text} (${error.url})`);
    });
  };

  afterAll(async () => {
    // Each in its own try: the product must be stopped even when the browser fails to close.
    try {
      await context?.close();
    } finally {
      try {
        await product?.stop();
      } finally {
        if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
      }
    }
  });

  it('starts the local stack and prints where to go and how to sign in', (test) => {
    const output = product!.output();
    if (output === undefined) return test.skip(); // started elsewhere (E2E_BASE_URL)
    expect(output).toContain(`cognito-bff is listening on ${product!.baseUrl}`);
    expect(output).toContain(`sign in as ${DEMO_USERNAME} with password ${product!.demoPassword}`);
  });

  it('shows a signed-out page with a sign-in button, and no console error but the session check’s own', async () => {
    consoleErrors.length = 0;
    await page.goto(`${product!.baseUrl}/`);
    await expect.poll(() => page.locator('#status').textContent()).toBe('Signed out');
    expect(await page.locator('#sign-in').isVisible()).toBe(true);
    expect(await page.locator('#error').isVisible()).toBe(false);
    await expectNoTokenVisibleToScript();
    // The session check: GET /auth/session says 401, and POST /auth/refresh (which an expired access token would need)
    // says there is nothing to renew. Chromium logs both failed loads; nothing else may be logged.
    expect(consoleErrors.map((error) => `${new URL(error.url).pathname} ${/status of (\d+)/.exec(error.text)?.[1]}`)).toEqual([
      '/auth/session 401',
      '/auth/refresh 401',
    ]);
    await shot('01-signed-out');
  });

  it('shows a human sentence for a known auth_error, the generic one for any other text, and never the text itself', async () => {
    const authError = async (value: string): Promise<string | null> => {
      await page.goto(`${product!.baseUrl}/?auth_error=${encodeURIComponent(value)}`);
      await expect.poll(() => page.locator('#status').textContent()).toBe('Signed out');
      expect(await page.locator('#error').isVisible()).toBe(true);
      // Shown once: the code leaves the address bar, so a reload does not repeat it.
      expect(new URL(page.url()).searchParams.has('auth_error')).toBe(false);
      return page.locator('#error').textContent();
    };
    const planted = 'Your account is locked. Call +1 555 0100 to unlock it';
    const generic = await authError(planted);
    expect(generic).toBe('Sign-in did not complete. Please try again.');
    expect(await authError('<img src=x onerror=alert(1)>')).toBe(generic);
    const known = await authError('invalid_state');
    expect(known).not.toBe(generic);
    expect(known).not.toContain('invalid_state');
    expect(known).toMatch(/sign in again/i);
    await shot('01-auth-error-message');
    await page.goto(`${product!.baseUrl}/`);
    await expect.poll(() => page.locator('#status').textContent()).toBe('Signed out');
  });

  it("sends the browser to the emulator's sign-in form", async () => {
    await page.locator('#sign-in').click();
    await page.waitForURL((url) => url.origin === `http://127.0.0.1:${EMULATOR_PORT}` && url.pathname === '/oauth2/authorize');
    const url = new URL(page.url());
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('redirect_uri')).toBe(`${product!.baseUrl}/auth/callback`);
    expect(await page.locator('input[name="username"]').isVisible()).toBe(true);
    expect(await page.locator('input[name="password"]').isVisible()).toBe(true);
    await shot('02-emulator-sign-in-form');
  });

  it('signs in as the demo user and comes back to the app, signed in', async () => {
    await page.locator('input[name="username"]').fill(DEMO_USERNAME);
    await page.locator('input[name="password"]').fill(product!.demoPassword);
    await Promise.all([
      page.waitForURL((url) => url.origin === product!.baseUrl && url.pathname === '/'),
      page.locator('input[name="password"]').press('Enter'),
    ]);
    // Back on the app, with neither the code nor the state left in the address bar.
    expect(new URL(page.url()).search).toBe('');
    await expect.poll(() => page.locator('#status').textContent()).toBe(`Signed in as ${DEMO_USERNAME}`);
    expect(await page.locator('#user').isVisible()).toBe(true);
    expect(await page.locator('#user').textContent()).toContain(DEMO_USERNAME);
    expect(await page.locator('#user-groups').textContent()).toBe('testers');
    expect(await page.locator('#error').isVisible()).toBe(false);
    await expectNoTokenVisibleToScript();
    // The session cookies exist, for the BFF's eyes only.
    const names = (await context!.cookies(product!.baseUrl)).map((cookie) => cookie.name);
    expect(names.some((name) => name.startsWith('__Host-'))).toBe(true);
    await shot('03-signed-in');
  });

  it('calls /tests and shows the result', async () => {
    await page.locator('#call-tests').click();
    await expect.poll(() => page.locator('#tests-result').textContent()).toContain('"tests"');
    const result = JSON.parse((await page.locator('#tests-result').textContent()) ?? '') as {
      user?: { sub?: string; groups?: string[] };
      tests?: unknown[];
    };
    // /tests knows the caller from the access token (no e-mail in it): the same sub as the session shows.
    expect(result.user?.sub).toBe(await page.locator('#user-sub').textContent());
    expect(result.user?.groups).toEqual(['testers']);
    expect(result.tests?.length).toBeGreaterThan(0);
    expect(await page.locator('#tests-caption').textContent()).toBe('GET /tests: HTTP 200 OK');
    expect(JSON.stringify(result)).not.toContain('eyJ');
    await expectNoTokenVisibleToScript();
    await shot('04-tests-result');

    // On a phone-sized screen nothing sticks out sideways (the result scrolls inside its box).
    await page.setViewportSize({ width: 390, height: 800 });
    const widths = await page.evaluate(() => {
      const { documentElement } = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } })
        .document;
      return { scroll: documentElement.scrollWidth, client: documentElement.clientWidth };
    });
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    await shot('04-tests-result-narrow');
    await page.setViewportSize(VIEWPORT);
  });

  it('refreshes the session without leaving the page', async () => {
    await page.locator('#refresh').click();
    await expect.poll(() => page.locator('#expires-at').textContent()).toContain('(refreshed)');
    expect(await page.locator('#error').isVisible()).toBe(false);
    expect(await page.locator('#status').textContent()).toBe(`Signed in as ${DEMO_USERNAME}`);
    await expectNoTokenVisibleToScript();
    // Still signed in after a reload: the refreshed cookies reached the browser.
    await page.reload();
    await expect.poll(() => page.locator('#status').textContent()).toBe(`Signed in as ${DEMO_USERNAME}`);
    await shot('05-refreshed');
  });

  it('renews an expired access token silently when the page loads', async () => {
    // What 15 minutes do: the browser drops the access-token cookie (its Max-Age is the token's lifetime).
    await context!.clearCookies({ name: /^__Host-bff-at/ });
    expect((await context!.cookies(product!.baseUrl)).some((cookie) => cookie.name.startsWith('__Host-bff-at'))).toBe(false);
    await page.reload();
    await expect.poll(() => page.locator('#status').textContent()).toBe(`Signed in as ${DEMO_USERNAME}`);
    expect((await context!.cookies(product!.baseUrl)).some((cookie) => cookie.name === '__Host-bff-at')).toBe(true);
  });

  it('ten concurrent fetch() calls meeting an expired access token, and a second tab, share ONE refresh', async (test) => {
    if (product!.output() === undefined) return test.skip(); // counts from the product's own log
    const second = await context!.newPage();
    watchConsole(second);
    try {
      await second.goto(`${product!.baseUrl}/`);
      await expect.poll(() => second.locator('#status').textContent()).toBe(`Signed in as ${DEMO_USERNAME}`);
      // Each tab loads the browser client as the demo SPA does, and makes a client of its own.
      // (A string: vitest would rewrite an import() written in this file, even inside a function run by the page.)
      for (const tab of [page, second]) {
        await tab.evaluate(`import('/bff-client.js').then((m) => { window.e2eClient = m.createBffClient({ baseUrl: location.origin }); })`);
      }
      const callTests = (tab: Page, count: number) =>
        tab.evaluate(async (n) => {
          const client = (globalThis as unknown as ClientWindow).e2eClient!;
          const responses = await Promise.all(Array.from({ length: n }, () => client.fetch('/tests')));
          return responses.map((response) => response.status);
        }, count);

      // The access token expires (the browser drops its cookie). So that the second tab surely meets the expired
      // token too, the browser holds the refresh until the second tab has had its 401; then it goes to the BFF.
      await context!.clearCookies({ name: /^__Host-bff-at/ });
      let secondTabRefused!: () => void;
      const secondTabMetExpiry = new Promise<void>((resolve) => (secondTabRefused = resolve));
      second.on('response', (response) => {
        if (new URL(response.url()).pathname === '/tests' && response.status() === 401) secondTabRefused();
      });
      const refreshesSent: string[] = [];
      await context!.route(`${product!.baseUrl}/auth/refresh`, async (route) => {
        refreshesSent.push(route.request().method());
        await secondTabMetExpiry;
        await route.continue();
      });

      const { result, requests } = await serverRequestsDuring(product!, () => Promise.all([callTests(page, 10), callTests(second, 3)]));
      await context!.unroute(`${product!.baseUrl}/auth/refresh`);
      const [firstTab, secondTab] = result;
      expect(firstTab).toEqual(Array(10).fill(200));
      expect(secondTab).toEqual(Array(3).fill(200));
      // Counted where it matters, by the BFF: one refresh for thirteen calls in two tabs.
      expect(requests.filter((r) => r.method === 'POST' && r.path === '/auth/refresh')).toEqual([
        { method: 'POST', path: '/auth/refresh', status: 200 },
      ]);
      expect(refreshesSent).toEqual(['POST']);
      // Each call was answered once, and no call was refused twice (a refusal is followed by one retry at most).
      const tests = requests.filter((r) => r.path === '/tests');
      expect(tests.filter((r) => r.status === 200)).toHaveLength(13);
      expect(tests.filter((r) => r.status === 401).length).toBeGreaterThanOrEqual(2); // one per tab at least
      expect((await context!.cookies(product!.baseUrl)).some((cookie) => cookie.name === '__Host-bff-at')).toBe(true);
    } finally {
      await second.close();
    }
  });

  it('serves an SPA on a dev server on another port (ALLOWED_ORIGINS): session, calls, renewal and the way back from sign-in', async (test) => {
    if (product!.output() === undefined) return test.skip(); // needs ALLOWED_ORIGINS set at start
    const devServer = await startDevServer({ port: devPort, bffBaseUrl: product!.baseUrl });
    const dev = await context!.newPage();
    try {
      const devErrors: string[] = [];
      dev.on('pageerror', (error) => devErrors.push(error.message));
      dev.on('console', (message) => {
        if (message.type() === 'error' && !/status of 401\b/.test(message.text()))
          devErrors.push(`${message.text()} (${message.location().url})`);
      });
      await dev.goto(`${devServer.origin}/`);
      await dev.waitForFunction('window.bff !== undefined');
      // Same site (localhost), other origin: the SameSite=Strict cookies travel, CORS lets the page read the answers.
      const session = (await dev.evaluate('window.bff.session()')) as { authenticated: boolean; user?: { email?: string } };
      expect(session).toMatchObject({ authenticated: true, user: { email: DEMO_USERNAME } });
      await context!.clearCookies({ name: /^__Host-bff-at/ });
      const { result, requests } = await serverRequestsDuring(product!, async () =>
        dev.evaluate(`Promise.all([1, 2, 3].map(() => window.bff.fetch('/tests').then((r) => r.status)))`),
      );
      expect(result).toEqual([200, 200, 200]);
      // One refresh (after its CORS preflight: X-CSRF is not a simple header).
      expect(requests.filter((r) => r.path === '/auth/refresh')).toEqual([
        { method: 'OPTIONS', path: '/auth/refresh', status: 204 },
        { method: 'POST', path: '/auth/refresh', status: 200 },
      ]);

      // login() from the dev server comes back to the dev server's page after signing in.
      await dev.evaluate(`window.bff.login()`);
      await dev.waitForURL((url) => url.origin === `http://127.0.0.1:${EMULATOR_PORT}` && url.pathname === '/oauth2/authorize');
      await dev.locator('input[name="username"]').fill(DEMO_USERNAME);
      await dev.locator('input[name="password"]').fill(product!.demoPassword);
      await Promise.all([dev.waitForURL((url) => url.origin === devServer.origin), dev.locator('input[name="password"]').press('Enter')]);
      expect(dev.url()).toBe(`${devServer.origin}/`);
      await dev.waitForFunction('window.bff !== undefined');
      expect(await dev.evaluate('window.bff.session().then((s) => s.authenticated)')).toBe(true);
      expect(devErrors).toEqual([]);
    } finally {
      await dev.close();
      await devServer.stop();
    }
  });

  /** The emulator's form, filled as a person would, from the app's sign-in button back to the app, signed in. */
  const signInThroughForm = async (target: Page): Promise<void> => {
    await target.locator('#sign-in').click();
    await target.waitForURL((url) => url.origin === `http://127.0.0.1:${EMULATOR_PORT}` && url.pathname === '/oauth2/authorize');
    await target.locator('input[name="username"]').fill(DEMO_USERNAME);
    await target.locator('input[name="password"]').fill(product!.demoPassword);
    await Promise.all([
      target.waitForURL((url) => url.origin === product!.baseUrl && url.pathname === '/'),
      target.locator('input[name="password"]').press('Enter'),
    ]);
    await expect.poll(() => target.locator('#status').textContent()).toBe(`Signed in as ${DEMO_USERNAME}`);
  };
  /** The sessions panel as shown: each row's session id, and whether it is marked as this browser. */
  const sessionsShown = (target: Page): Promise<{ id: string; current: boolean; text: string }[]> =>
    target
      .locator('#sessions-list > li')
      .evaluateAll((rows) =>
        (rows as unknown as { dataset: { sessionId: string }; textContent: string | null; querySelector(s: string): unknown }[]).map(
          (row) => ({ id: row.dataset.sessionId, current: row.querySelector('.current') !== null, text: row.textContent ?? '' }),
        ),
      );
  const testsStatus = (target: Page): Promise<number> =>
    target.evaluate(async () => (await fetch('tests', { credentials: 'include', headers: { Accept: 'application/json' } })).status);

  it('lists the sessions of two browsers, marks this one, and signs the other one out (its next /tests is 401)', async (test) => {
    if (product!.output() === undefined) return test.skip(); // needs the local stack's server-side sessions
    // A clean slate for the demo user: "Sign out everywhere" ends every session the earlier steps left.
    await page.locator('#sign-out-everywhere').click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('Signed out');
    expect(await page.locator('#sessions').isVisible()).toBe(false);
    await signInThroughForm(page);

    // A second browser (its own profile and cookies), the same user: a second session.
    const otherBrowser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    try {
      const other = await (await otherBrowser.newContext({ viewport: VIEWPORT, locale: 'en-US', timezoneId: 'UTC' })).newPage();
      other.setDefaultTimeout(STEP_TIMEOUT_MS);
      watchConsole(other);
      await other.goto(`${product!.baseUrl}/`);
      await expect.poll(() => other.locator('#status').textContent()).toBe('Signed out');
      await signInThroughForm(other);
      await expect.poll(async () => (await sessionsShown(other)).length).toBe(2);
      const seenByOther = await sessionsShown(other);
      expect(seenByOther.filter((row) => row.current)).toHaveLength(1);
      expect(await testsStatus(other)).toBe(200);

      // This browser lists the same two, with the other one's current session as "not this browser".
      await page.reload();
      await expect.poll(async () => (await sessionsShown(page)).length).toBe(2);
      const seenHere = await sessionsShown(page);
      expect(seenHere.map((row) => row.id).sort()).toEqual(seenByOther.map((row) => row.id).sort());
      const mine = seenHere.find((row) => row.current);
      const theirs = seenHere.find((row) => !row.current);
      expect(mine?.text).toContain('This browser');
      expect(theirs?.id).toBe(seenByOther.find((row) => row.current)?.id);
      expect(theirs?.text).toMatch(/Chrome/);
      await shot('06-sessions-two-browsers');

      // Sign the other browser out from here.
      await page.locator(`#sessions-list > li[data-session-id="${theirs!.id}"] button.end-session`).click();
      await expect.poll(async () => (await sessionsShown(page)).map((row) => row.id)).toEqual([mine!.id]);
      expect(await page.locator('#error').isVisible()).toBe(false);
      await shot('06-sessions-other-signed-out');
      expect(await testsStatus(other)).toBe(401);
      await other.reload();
      await expect.poll(() => other.locator('#status').textContent()).toBe('Signed out');
      // This browser is untouched.
      expect(await testsStatus(page)).toBe(200);
    } finally {
      await otherBrowser.close();
    }
  });

  it('signs out, after which /tests refuses the browser', async () => {
    await page.locator('#sign-out').click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('Signed out');
    expect(await page.locator('#sign-in').isVisible()).toBe(true);
    expect(await page.locator('#error').isVisible()).toBe(false);
    const left = (await context!.cookies(product!.baseUrl)).filter(
      (cookie) => cookie.name.startsWith('__Host-') || cookie.name.startsWith('__Secure-'),
    );
    expect(left.map((cookie) => cookie.name)).toEqual([]);
    await shot('06-signed-out-again');

    const tests = await page.evaluate(async () => {
      const response = await fetch('tests', { credentials: 'include', headers: { Accept: 'application/json' } });
      return { status: response.status, authenticate: response.headers.get('www-authenticate') };
    });
    expect(tests.status).toBe(401);
    expect(tests.authenticate).toMatch(/^Bearer/);

    // A reload does not bring the session back.
    await page.reload();
    await expect.poll(() => page.locator('#status').textContent()).toBe('Signed out');
  });

  it('showed no script or console error on its pages', () => {
    expect(appErrors).toEqual([]);
  });

  it('logged no token along the way', (test) => {
    const output = product!.output();
    if (output === undefined) return test.skip();
    expect(output).not.toContain('eyJ');
  });
});
