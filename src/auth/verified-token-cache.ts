/**
 * A bounded cache of access tokens that passed verification, so a token presented again (every API call of a signed-in
 * browser) is not RSA-verified again: an RS256 verification costs tens of microseconds, a lookup about one.
 *
 * It never makes a check weaker than verifying again would:
 * - an entry answers only for the whole token it was remembered for, compared character for character: two different
 *   tokens never share an entry. (Entries are indexed by the token's last 64 characters, which lie in its signature,
 *   so a lookup hashes 64 characters rather than the whole kilobyte; the whole token still has to be equal.)
 * - only a verification that succeeded is remembered; a failure is never cached (the next try verifies again);
 * - an entry never outlives the token's `exp` by the injected clock (and is dropped once looked up past it);
 * - an entry remembers the very JWK object that verified the token and counts only while the verifier's JWKS cache
 *   still holds that same object for its kid: a key removed from the JWKS (or a JWKS refetched at all) ends it;
 * - bounded in entries (least recently used first out, approximately: a hit moves an entry to the young end only
 *   once it has aged past half the bound, which spares the hot path a Map delete and insert per request), so memory
 *   stays bounded whatever the traffic.
 */

export interface VerifiedTokenCacheOptions<Key> {
  /** Most entries kept; the least recently used goes first. Default 2048 (about 2.5 MB with 1 KB tokens). */
  maxEntries?: number;
  /** Epoch milliseconds; default Date.now. */
  now?: () => number;
  /** True while `key` (what verified an entry) is still current in the JWKS; consulted at every hit and at insertion. */
  keyIsCurrent: (key: Key) => boolean;
}

interface Entry<Value, Key> {
  /** The whole token, as its own string (not a slice of the request header it came in). */
  token: string;
  value: Value;
  /** The token's `exp` in epoch milliseconds: the entry counts only strictly before it. */
  expiresAtMs: number;
  key: Key;
  /** The cache's sequence number when the entry last went to the young end. */
  position: number;
}

export const DEFAULT_MAX_ENTRIES = 2048;
const INDEX_CHARS = 64;

/** Where a token's entry is filed: its last 64 characters (a JWS's signature), or all of a shorter string. */
function indexOf(token: string): string {
  return token.length <= INDEX_CHARS ? token : token.slice(token.length - INDEX_CHARS);
}

export class VerifiedTokenCache<Value, Key> {
  private readonly entries = new Map<string, Entry<Value, Key>>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly keyIsCurrent: (key: Key) => boolean;
  /** Counts moves to the young end: an entry whose position is more than maxEntries behind has been evicted. */
  private sequence = 0;

  constructor(options: VerifiedTokenCacheOptions<Key>) {
    const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
    this.maxEntries = maxEntries;
    this.now = options.now ?? Date.now;
    this.keyIsCurrent = options.keyIsCurrent;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value remembered for exactly this token, if it is still good; undefined means: verify it. */
  get(token: string): Value | undefined {
    const index = indexOf(token);
    const entry = this.entries.get(index);
    // Another token filed under the same index (a forgery reusing a signature) is simply not this one.
    if (entry === undefined || entry.token !== token) return undefined;
    if (this.now() >= entry.expiresAtMs || !this.keyIsCurrent(entry.key)) {
      this.entries.delete(index);
      return undefined;
    }
    // Most recently used last (Map iteration order is insertion order), once the entry is old enough to matter.
    if (this.sequence - entry.position > this.maxEntries / 2) {
      this.entries.delete(index);
      entry.position = ++this.sequence;
      this.entries.set(index, entry);
    }
    return entry.value;
  }

  /**
   * Remembers a token that has just passed verification with `key`, until `expSeconds` (the token's `exp`). Nothing is
   * remembered for a token already expired or a key no longer current.
   */
  remember(token: string, value: Value, expSeconds: number, key: Key): void {
    const expiresAtMs = expSeconds * 1000;
    if (!Number.isFinite(expiresAtMs) || this.now() >= expiresAtMs || !this.keyIsCurrent(key)) return;
    // A copy of its own: a token sliced out of a request header would keep the whole header alive.
    const own = Buffer.from(token, 'utf8').toString('utf8');
    if (own !== token) return; // not well-formed UTF-16 (a lone surrogate): nothing a verified JWS contains
    const index = indexOf(own);
    this.entries.delete(index);
    this.entries.set(index, { token: own, value, expiresAtMs, key, position: ++this.sequence });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  /** Forgets every entry. */
  clear(): void {
    this.entries.clear();
  }
}
