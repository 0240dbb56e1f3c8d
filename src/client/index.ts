/**
 * cognito-bff/client: the browser side of the BFF, with no dependencies and no Node API (it compiles against the DOM
 * library only; lint forbids imports and Node globals in this folder).
 *
 * The page never holds a token: the session lives in HttpOnly cookies that only the BFF reads. This module knows the
 * BFF's routes, sends the cookies and the CSRF header, and renews an expired access token once for however many calls
 * meet it, in this tab and in the other tabs of the same browser:
 *
 * - In one tab, concurrent calls that get a `401` share one `POST /auth/refresh` (one promise), and a call that was
 *   sent before a renewal finished and answered `401` after it is simply retried (it carried the old cookie).
 * - Across tabs, the renewal runs under a Web Lock (`navigator.locks`), and the outcome is announced on a
 *   `BroadcastChannel`. A tab that had to wait for the lock first asks `GET /auth/session` whether another tab has
 *   already renewed the session (the announcement may arrive after the lock), and refreshes only if not.
 * - Without Web Locks, each tab still refreshes at most once at a time and skips its refresh when another tab
 *   announced a renewal newer than its failed call; two tabs may then refresh at the same moment, which the BFF
 *   absorbs (with server-side sessions it reaches the IdP once). Without BroadcastChannel, tabs learn nothing from
 *   each other but the lock still serialises them.
 *
 * Times that tabs compare are `Date.now()` of one browser (one clock); a clock step can at worst cost one extra
 * refresh or one failed retry, never a loop: every call is retried at most once.
 */

/** The user as `GET /auth/session` describes them. */
export interface SessionUser {
  sub: string;
  /** Cognito's username; with some pools (and cognito-local) it is the same as `sub`. */
  username: string;
  email?: string;
  groups: string[];
}

/** What `session()` resolves to. */
export type Session = { authenticated: true; user: SessionUser; expiresAt: number } | { authenticated: false };

/** Why the client says `signedout`. */
export type SignedOutReason = 'refresh_refused' | 'logout';

/**
 * Fired (type `signedout`) when a `fetch()` meets a session that cannot be renewed, or another tab found the session
 * over or signed out. Once per signed-in spell, however many calls find out. `session()` says it by its answer instead.
 */
export class SignedOutEvent extends Event {
  constructor(readonly reason: SignedOutReason) {
    super('signedout');
  }
}

/** The BFF answered with an error where the client needed an answer (`session()`, `logout()`). */
export class BffClientError extends Error {
  override readonly name = 'BffClientError';
  constructor(
    /** HTTP status, or 0 when the BFF's refresh could not be reached. */
    readonly status: number,
    /** The BFF's stable error code (`{"error":…}`), or `http_<status>` when the body had none. Match on this. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The part of the Web Locks API the client uses (`navigator.locks` has it). */
export interface LockManagerLike {
  request<T>(name: string, options: { ifAvailable?: boolean }, callback: (lock: unknown) => T | Promise<T>): Promise<T>;
}

/** The part of `BroadcastChannel` the client uses. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  close(): void;
}

export interface BffClientOptions {
  /**
   * Where the BFF is: its `PUBLIC_BASE_URL`, stage path included (`https://api.example.com/dev`), when it is not at
   * the root of the page's own origin. Paths given to `fetch()` are resolved against it.
   * @default '' (the page's own origin)
   */
  baseUrl?: string;
  /** @default globalThis.fetch */
  fetch?: (request: Request) => Promise<Response>;
  /** Cross-tab lock for the renewal; `null` disables it. @default navigator.locks where the browser has it */
  locks?: LockManagerLike | null;
  /** Channel on which tabs share outcomes; `null` disables it. @default new BroadcastChannel(name) where available */
  channel?: ChannelLike | null;
  /** Name of the lock and the channel: two BFFs used from one origin need two names. @default 'cognito-bff ' + baseUrl */
  name?: string;
  /** Sends the browser elsewhere (login, IdP logout). @default location.assign */
  navigate?: (url: string) => void;
  /** The page's URL, for the default return URL of `login()`. @default location.href */
  currentUrl?: () => string;
  /** Epoch milliseconds. @default Date.now */
  now?: () => number;
}

export interface LogoutOptions {
  /** End every session of the user, not only this browser's (server-side sessions only). @default false */
  everywhere?: boolean;
  /**
   * Then send the browser to the IdP's logout page (Cognito's `/logout`), which ends the hosted-UI session as well and
   * comes back to the app. Without it the IdP still remembers the user, and the next sign-in skips the password.
   * @default false
   */
  redirect?: boolean;
}

export interface BffClient {
  /** Who is signed in. A `401` first tries one renewal (shared with concurrent calls), so an expired access token is no sign-out. */
  session(): Promise<Session>;
  /** Sends the browser to the BFF's sign-in, coming back to `returnTo` (default: this page). Returns at once. */
  login(returnTo?: string): void;
  /**
   * Signs out at the BFF (`POST /auth/logout`) and tells the other tabs. Resolves to the IdP's logout URL, which the
   * caller may offer or follow (`redirect: true` follows it). Other tabs receive `signedout` with reason `logout`.
   */
  logout(options?: LogoutOptions): Promise<{ logoutUrl: string | undefined }>;
  /**
   * `fetch` for the BFF and the APIs behind it: sends the cookies (`credentials: 'include'`) and `X-CSRF: 1`; on a
   * `401` renews the session once (shared) and retries once. Resolves to the last response, whatever its status.
   */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** Listens for `signedout`; returns the function that stops listening. */
  on(type: 'signedout', listener: (event: SignedOutEvent) => void): () => void;
  addEventListener(type: 'signedout', listener: (event: SignedOutEvent) => void): void;
  removeEventListener(type: 'signedout', listener: (event: SignedOutEvent) => void): void;
  /** Stops listening to the other tabs (closes the channel). */
  close(): void;
}

/** What a renewal ended in. `unavailable`: the BFF or the IdP could not answer; the session may still be good. */
type Outcome = 'renewed' | 'signedout' | 'unavailable';

/**
 * The latest renewal someone (this tab or another) finished. `at` for `renewed`: when the answer arrived (calls sent
 * before it carried the old cookies); for `signedout`: when the refused refresh or the logout was sent (calls sent
 * before it carried cookies that are no better).
 */
interface KnownOutcome {
  at: number;
  outcome: 'renewed' | 'signedout';
}

/** Messages between tabs. Versioned: tabs of an old and a new deployment may meet. */
type TabMessage = { v: 1; type: 'renewed'; at: number } | { v: 1; type: 'signedout'; at: number; reason: SignedOutReason };

const SCHEME = /^[a-z][a-z\d+.-]*:|^\/\//i;

export function createBffClient(options: BffClientOptions = {}): BffClient {
  const base = (options.baseUrl ?? '').replace(/\/+$/, '');
  const send = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const now = options.now ?? Date.now;
  const name = options.name ?? `cognito-bff ${base}`;
  const locks = options.locks === undefined ? defaultLocks() : options.locks;
  const channel = options.channel === undefined ? defaultChannel(name) : options.channel;
  const navigate = options.navigate ?? ((url: string) => window.location.assign(url));
  const currentUrl = options.currentUrl ?? (() => window.location.href);
  const events = new EventTarget();

  let known: KnownOutcome | undefined;
  let inflight: Promise<Outcome> | undefined;
  /** When the latest request that proved the session live was sent: older news of a sign-out is about another spell. */
  let liveSince = -Infinity;
  /** `signedout` is said once per signed-in spell. */
  let saidSignedOut = false;

  const url = (path: string): string => `${base}/${path.replace(/^\/+/, '')}`;

  const learn = (outcome: KnownOutcome['outcome'], at: number): void => {
    if (!known || at >= known.at) known = { outcome, at };
  };
  const live = (sentAt: number): void => {
    if (sentAt <= liveSince) return;
    liveSince = sentAt;
    saidSignedOut = false;
  };
  const saySignedOut = (reason: SignedOutReason): void => {
    if (saidSignedOut) return;
    saidSignedOut = true;
    events.dispatchEvent(new SignedOutEvent(reason));
  };
  const tell = (message: TabMessage): void => {
    try {
      channel?.postMessage(message);
    } catch {
      // A closed channel: the other tabs find out by themselves.
    }
  };

  channel?.addEventListener('message', (event) => {
    const message = asTabMessage(event.data);
    if (!message) return;
    if (message.type === 'renewed') {
      learn('renewed', message.at);
      live(message.at);
    } else {
      learn('signedout', message.at);
      // A tab that was still loading may report the sign-out of a spell that a sign-in here has since replaced.
      if (message.at > liveSince) saySignedOut(message.reason);
    }
  });

  /** A request to the BFF's own routes: cookies, and `X-CSRF` (needed by the unsafe ones, harmless on the others). */
  const bffRequest = (method: string, path: string, body?: unknown): Request =>
    new Request(url(path), {
      method,
      credentials: 'include',
      cache: 'no-store',
      headers:
        body === undefined
          ? { Accept: 'application/json', 'X-CSRF': '1' }
          : { Accept: 'application/json', 'X-CSRF': '1', 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  /** `POST /auth/refresh`, its outcome told to the other tabs. Runs inside the lock when there is one. */
  const refresh = async (): Promise<Outcome> => {
    const sentAt = now();
    let response: Response;
    try {
      response = await send(bffRequest('POST', 'auth/refresh'));
    } catch {
      return 'unavailable';
    }
    void response.body?.cancel().catch(() => undefined);
    if (response.ok) {
      const at = now();
      learn('renewed', at);
      live(sentAt);
      tell({ v: 1, type: 'renewed', at });
      return 'renewed';
    }
    if (response.status === 401) {
      learn('signedout', sentAt);
      tell({ v: 1, type: 'signedout', at: sentAt, reason: 'refresh_refused' });
      return 'signedout';
    }
    return 'unavailable';
  };

  /** Whether the cookies the browser holds now are good: another tab may have renewed them while we waited. */
  const sessionIsLive = async (): Promise<boolean> => {
    try {
      const response = await send(bffRequest('GET', 'auth/session'));
      void response.body?.cancel().catch(() => undefined);
      return response.ok;
    } catch {
      return false;
    }
  };

  /** The renewal step for a call sent at `sentAt`, once this tab holds the lock (or has none). */
  const renewHolding = async (sentAt: number, waited: boolean): Promise<Outcome> => {
    if (known && known.at >= sentAt) return known.outcome;
    if (waited) {
      const askedAt = now();
      if (await sessionIsLive()) {
        learn('renewed', now());
        live(askedAt);
        return 'renewed';
      }
    }
    return refresh();
  };

  const underLock = async (sentAt: number): Promise<Outcome> => {
    if (!locks) return renewHolding(sentAt, false);
    const first = await locks.request(name, { ifAvailable: true }, (lock) => (lock ? renewHolding(sentAt, false) : undefined));
    return first ?? locks.request(name, {}, () => renewHolding(sentAt, true));
  };

  /** Renews the session for a call sent at `sentAt` that got a `401`, unless that already happened since. */
  const renew = (sentAt: number): Promise<Outcome> => {
    if (known && known.at >= sentAt) return Promise.resolve(known.outcome);
    // Joining a renewal in flight is right for any call: the renewal had not finished when the call was sent, so the
    // call carried the cookies that the renewal replaces.
    inflight ??= underLock(sentAt)
      .catch((): Outcome => 'unavailable')
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };

  const fetchWithRenewal = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = withCredentials(typeof input === 'string' && !SCHEME.test(input) ? url(input) : input, init);
    const spare = request.clone(); // the retry needs the body again
    const sentAt = now();
    const first = await send(request);
    if (first.status !== 401) return first;
    const outcome = await renew(sentAt);
    if (outcome === 'signedout') saySignedOut('refresh_refused');
    if (outcome !== 'renewed') return first;
    void first.body?.cancel().catch(() => undefined);
    return send(spare);
  };

  const session = async (): Promise<Session> => {
    const sentAt = now();
    let response = await send(bffRequest('GET', 'auth/session'));
    if (response.status === 401) {
      void response.body?.cancel().catch(() => undefined);
      const outcome = await renew(sentAt);
      if (outcome === 'signedout') return { authenticated: false };
      if (outcome === 'unavailable') throw new BffClientError(0, 'refresh_unavailable', 'The session could not be renewed now; try again.');
      response = await send(bffRequest('GET', 'auth/session'));
    }
    if (response.status === 401) return { authenticated: false };
    const body = await readJson(response);
    if (!response.ok) throw errorFrom(response.status, body);
    if (!isSession(body)) throw new BffClientError(response.status, 'bad_response', 'GET /auth/session answered with an unexpected body.');
    live(sentAt);
    return body;
  };

  const logout = async (logoutOptions: LogoutOptions = {}): Promise<{ logoutUrl: string | undefined }> => {
    const at = now();
    const response = await send(bffRequest('POST', 'auth/logout', { everywhere: logoutOptions.everywhere === true }));
    const body = await readJson(response);
    if (!response.ok) throw errorFrom(response.status, body);
    learn('signedout', at);
    // This tab asked for it; the others hear `signedout`. Saying it here too would only echo the caller.
    saidSignedOut = true;
    tell({ v: 1, type: 'signedout', at, reason: 'logout' });
    const logoutUrl = isRecord(body) && typeof body.logoutUrl === 'string' ? body.logoutUrl : undefined;
    if (logoutOptions.redirect && logoutUrl) navigate(logoutUrl);
    return { logoutUrl };
  };

  const login = (returnTo?: string): void => {
    const target = returnTo ?? defaultReturnTo(base, currentUrl());
    navigate(`${url('auth/login')}?returnTo=${encodeURIComponent(target)}`);
  };

  return {
    session,
    login,
    logout,
    fetch: fetchWithRenewal,
    on(type, listener) {
      const handler = (event: Event): void => listener(event as SignedOutEvent);
      events.addEventListener(type, handler);
      return () => events.removeEventListener(type, handler);
    },
    addEventListener: (type, listener) => events.addEventListener(type, listener as EventListener),
    removeEventListener: (type, listener) => events.removeEventListener(type, listener as EventListener),
    close: () => channel?.close(),
  };
}

/** The caller's request with the cookies and the CSRF header added; its own headers, method and body kept. */
function withCredentials(input: RequestInfo | URL, init: RequestInit | undefined): Request {
  const request = new Request(input, init);
  const headers = new Headers(request.headers);
  headers.set('X-CSRF', '1');
  return new Request(request, { headers, credentials: 'include' });
}

/**
 * Where `login()` comes back to by default: this page. As a path when the BFF is on the page's origin (always
 * allowed), as a full URL when it is elsewhere (then the page's origin must be in the BFF's `ALLOWED_ORIGINS`).
 */
function defaultReturnTo(base: string, pageUrl: string): string {
  const page = new URL(pageUrl);
  const bffOrigin = SCHEME.test(base) ? new URL(base, page).origin : page.origin;
  return bffOrigin === page.origin ? page.pathname + page.search + page.hash : page.href;
}

function defaultLocks(): LockManagerLike | null {
  // Web Locks exist only in secure contexts (https, localhost), and not in old browsers.
  return typeof navigator !== 'undefined' && navigator.locks ? navigator.locks : null;
}

function defaultChannel(name: string): ChannelLike | null {
  return typeof BroadcastChannel === 'function' ? new BroadcastChannel(name) : null;
}

async function readJson(response: Response): Promise<unknown> {
  if (!(response.headers.get('content-type') ?? '').includes('json')) {
    void response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  return response.json().catch(() => undefined);
}

function errorFrom(status: number, body: unknown): BffClientError {
  const code = isRecord(body) && typeof body.error === 'string' ? body.error : `http_${status}`;
  const message = isRecord(body) && typeof body.message === 'string' ? body.message : `The BFF answered HTTP ${status}.`;
  return new BffClientError(status, code, message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isSession(body: unknown): body is Session {
  if (!isRecord(body) || body.authenticated !== true || !isRecord(body.user)) return false;
  return typeof body.user.sub === 'string' && typeof body.expiresAt === 'number';
}

function asTabMessage(data: unknown): TabMessage | undefined {
  if (!isRecord(data) || data.v !== 1 || typeof data.at !== 'number') return undefined;
  if (data.type === 'renewed') return { v: 1, type: 'renewed', at: data.at };
  if (data.type === 'signedout' && (data.reason === 'refresh_refused' || data.reason === 'logout')) {
    return { v: 1, type: 'signedout', at: data.at, reason: data.reason };
  }
  return undefined;
}
