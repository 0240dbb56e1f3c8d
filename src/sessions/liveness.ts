/**
 * Per-instance memory of whether the session behind an access token is still live, so the guard on every request
 * does not read the store: `REVOCATION_CHECK_SECONDS` is how long an answer "live" may be reused, and so the bound on
 * how late this instance sees a logout that another instance served. A session ended here is marked ended at once.
 *
 * Two bounded maps: token key -> session id (fixed for the token's life), and session id -> live and when last
 * checked. A hit answers synchronously (no promise on the hot path); concurrent misses for one token share one read.
 */
import type { SessionStore } from './session-store';

export interface LivenessOptions {
  store: Pick<SessionStore, 'get' | 'sessionOfToken'>;
  /** How long a "live" answer is reused, in milliseconds (REVOCATION_CHECK_SECONDS × 1000). 0: always ask. */
  checkMs: number;
  /** Epoch milliseconds. */
  now: () => number;
  /** Entries per map; the oldest goes first. @default 10_000 */
  maxEntries?: number;
}

interface Liveness {
  live: boolean;
  checkedAt: number;
}

/** A Map that forgets its oldest entry beyond a bound. */
class BoundedMap<V> extends Map<string, V> {
  constructor(private readonly bound: number) {
    super();
  }
  override set(key: string, value: V): this {
    if (!this.has(key) && this.size >= this.bound) this.delete(this.keys().next().value as string);
    return super.set(key, value);
  }
}

export class SessionLiveness {
  private readonly sessionOfToken: BoundedMap<string>;
  private readonly sessions: BoundedMap<Liveness>;
  private readonly pending = new Map<string, Promise<boolean>>();

  constructor(private readonly options: LivenessOptions) {
    const bound = options.maxEntries ?? 10_000;
    this.sessionOfToken = new BoundedMap(bound);
    this.sessions = new BoundedMap(bound);
  }

  /**
   * Whether the token (by tokenKey) belongs to a live session of `sub`: synchronously when known recently enough,
   * else from the store (which may reject with SessionStoreUnavailableError). A token the store does not know is not live.
   */
  isLive(sub: string, tokenKey: string): boolean | Promise<boolean> {
    const tokenId = `${sub}\n${tokenKey}`;
    const sid = this.sessionOfToken.get(tokenId);
    if (sid !== undefined) {
      const known = this.sessions.get(`${sub}\n${sid}`);
      if (known && (!known.live || this.options.now() - known.checkedAt < this.options.checkMs)) return known.live;
    }
    let pending = this.pending.get(tokenId);
    if (!pending) {
      pending = this.lookUp(sub, tokenKey, tokenId, sid).finally(() => this.pending.delete(tokenId));
      this.pending.set(tokenId, pending);
    }
    return pending;
  }

  /** This instance ended the session: refuse its tokens from now on, without asking the store. */
  ended(sub: string, sid: string): void {
    this.sessions.set(`${sub}\n${sid}`, { live: false, checkedAt: this.options.now() });
  }

  private async lookUp(sub: string, tokenKey: string, tokenId: string, knownSid: string | undefined): Promise<boolean> {
    const sid = knownSid ?? (await this.options.store.sessionOfToken(sub, tokenKey));
    if (sid === undefined) return false;
    this.sessionOfToken.set(tokenId, sid);
    const sessionId = `${sub}\n${sid}`;
    const checkedAt = this.options.now();
    const live = (await this.options.store.get(sub, sid)) !== undefined;
    // An "ended" this instance learnt meanwhile wins over a "live" read that started before it.
    if (this.sessions.get(sessionId)?.live !== false) this.sessions.set(sessionId, { live, checkedAt });
    return live && this.sessions.get(sessionId)?.live !== false;
  }
}
