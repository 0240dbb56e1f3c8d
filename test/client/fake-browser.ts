/**
 * A fake BFF, cookie jar, Web Locks and BroadcastChannel for the browser client's unit tests: every step of the
 * client's renewal can be held and released by the test, so orderings are chosen, never waited for.
 *
 * The BFF accepts one access token at a time; the jar holds the browser's copy, which every request carries as it is
 * at the moment the request is sent (as a browser attaches cookies). A refresh issues a new token and puts it in the jar.
 */
import type { ChannelLike, LockManagerLike } from '../../src/client/index';

export const BFF = 'https://bff.test';

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export interface SeenRequest {
  method: string;
  path: string;
  headers: Headers;
  credentials: RequestCredentials;
  body: string;
  /** The access token the request carried. */
  token: number | undefined;
}

export class FakeBff {
  /** The access token the BFF accepts now. */
  private valid = 1;
  /** The browser's cookie jar (shared by every tab). */
  jar: { accessToken: number | undefined; refreshToken: boolean } = { accessToken: 1, refreshToken: true };
  readonly seen: SeenRequest[] = [];
  /** What `POST /auth/refresh` answers while the refresh token is good: 200 or a failure status. */
  refreshStatus = 200;
  /** While set, `POST /auth/refresh` waits for it before answering. */
  refreshGate: Deferred | undefined;
  /** Resolved when a refresh arrives. */
  refreshArrived = deferred();
  /** Requests whose answer the test holds: path → gate. */
  readonly holds = new Map<string, Deferred>();
  /** `METHOD /path` of each answer sent, in order. */
  readonly answered: string[] = [];

  /** What 15 minutes do: the access token expires (the browser drops its cookie). */
  expireAccessToken(): void {
    this.jar.accessToken = undefined;
  }

  count(method: string, path: string): number {
    return this.seen.filter((r) => r.method === method && r.path === path).length;
  }

  readonly fetch = async (request: Request): Promise<Response> => {
    const token = this.jar.accessToken; // attached when sent, as a browser does
    const url = new URL(request.url);
    const seen: SeenRequest = {
      method: request.method,
      path: url.pathname,
      headers: request.headers,
      credentials: request.credentials,
      body: await request.text(),
      token,
    };
    this.seen.push(seen);
    const response = await this.answer(seen);
    const hold = this.holds.get(`${seen.method} ${seen.path}`);
    if (hold) {
      this.holds.delete(`${seen.method} ${seen.path}`);
      await hold.promise;
    }
    this.answered.push(`${seen.method} ${seen.path}`);
    return response;
  };

  private async answer(request: SeenRequest): Promise<Response> {
    const { method, path } = request;
    if (method === 'POST' && path === '/auth/refresh') {
      this.refreshArrived.resolve();
      if (this.refreshGate) await this.refreshGate.promise;
      if (!this.jar.refreshToken) return json(401, { error: 'refresh_refused', message: 'Sign in again.' });
      if (this.refreshStatus !== 200) return json(this.refreshStatus, { error: 'idp_unavailable', message: 'The IdP is down.' });
      this.valid += 1;
      this.jar.accessToken = this.valid;
      return json(200, { expiresAt: 2_000_000_000 });
    }
    if (method === 'POST' && path === '/auth/logout') {
      if (request.headers.get('x-csrf') !== '1') return json(403, { error: 'csrf_check_failed', message: 'Send X-CSRF: 1.' });
      this.jar = { accessToken: undefined, refreshToken: false };
      return json(200, { logoutUrl: 'https://idp.test/logout?client_id=c&logout_uri=x' });
    }
    const authenticated = request.token !== undefined && request.token === this.valid;
    if (path === '/auth/session') {
      return authenticated
        ? json(200, {
            authenticated: true,
            user: { sub: 's-1', username: 's-1', email: 'a@example.com', groups: [] },
            expiresAt: 2_000_000_000,
          })
        : json(401, { authenticated: false });
    }
    return authenticated ? json(200, { path, method, body: request.body }) : json(401, { error: 'unauthenticated', message: 'Sign in.' });
  }
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });
}

/** Exclusive named locks shared by the "tabs" of one test, granted in request order, as Web Locks do. */
export class FakeLocks implements LockManagerLike {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly held = new Set<string>();

  async request<T>(name: string, options: { ifAvailable?: boolean }, callback: (lock: unknown) => T | Promise<T>): Promise<T> {
    if (options.ifAvailable && this.held.has(name)) return callback(null);
    const previous = this.tails.get(name) ?? Promise.resolve();
    const done = deferred();
    this.tails.set(
      name,
      previous.then(() => done.promise),
    );
    await previous;
    this.held.add(name);
    try {
      return await callback({ name });
    } finally {
      this.held.delete(name);
      done.resolve();
    }
  }
}

/**
 * BroadcastChannel between the "tabs" of one test. Messages reach the other members asynchronously; with `held`,
 * only when the test calls `deliver()` (a message slower than the lock).
 */
export class FakeBus {
  private readonly members = new Set<(data: unknown) => void>();
  private readonly pending: (() => void)[] = [];
  held = false;
  readonly sent: unknown[] = [];

  connect(): ChannelLike {
    let listener: ((event: { data: unknown }) => void) | undefined;
    const receive = (data: unknown): void => listener?.({ data: structuredClone(data) });
    this.members.add(receive);
    return {
      postMessage: (data) => {
        this.sent.push(data);
        for (const member of this.members) {
          if (member === receive) continue; // a BroadcastChannel does not hear itself
          const delivery = () => member(data);
          if (this.held) this.pending.push(delivery);
          else void Promise.resolve().then(delivery);
        }
      },
      addEventListener: (_type, callback) => {
        listener = callback;
      },
      close: () => {
        this.members.delete(receive);
      },
    };
  }

  deliver(): void {
    for (const delivery of this.pending.splice(0)) delivery();
  }
}

/** A clock that moves forward by one millisecond each time it is read: orderings are strict, never equal. */
export function steppingClock(start = 1_000): () => number {
  let now = start;
  return () => ++now;
}
