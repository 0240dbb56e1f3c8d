/**
 * What a server-side session store keeps and answers (`SESSION_STORE=dynamodb`). The one implementation is
 * dynamodb-store.ts; the shapes live here so that the routes and the guards depend on the idea, not on DynamoDB.
 */
import type { SessionUser } from '../auth/session-cookies';

/** One sign-in, as the store keeps it. Tokens are plaintext here; the store seals them before they are written. */
export interface StoredSession {
  sub: string;
  /** The session id: random, per sign-in, the sort key. */
  sid: string;
  /** Epoch seconds. */
  createdAt: number;
  /** Epoch seconds of the last sign-in or refresh. */
  lastSeenAt: number;
  userAgent: string | undefined;
  /** Epoch seconds after which the session counts as ended, whatever the table still holds (the TTL attribute). */
  expiresAt: number;
  user: SessionUser;
  refreshToken: string;
  /** The latest access token of the session: what a caller that waited for another's refresh is handed. */
  accessToken: string;
  /** The latest access token's `exp`, epoch seconds. */
  accessExpiresAt: number;
  /** Counts refreshes: cookies carry the generation they were issued at, so a stale refresh can take the newer tokens. */
  generation: number;
  /** A refresh in progress: who holds it and until when (epoch milliseconds). */
  lease: { owner: string; until: number } | undefined;
}

/** What GET /auth/sessions lists. */
export interface SessionSummary {
  sid: string;
  createdAt: number;
  lastSeenAt: number;
  userAgent: string | undefined;
}

/** The result of renewing a session's tokens under the refresh lease. */
export interface RenewedTokens {
  accessToken: string;
  accessExpiresAt: number;
  /** The refresh token to keep: the rotated one, or the one the refresh used when the IdP did not rotate. */
  refreshToken: string;
  user: SessionUser;
  /** The access token's lookup key (see tokenKey) and until when that key needs to resolve (epoch seconds). */
  token: { key: string; expiresAt: number };
  /** Epoch seconds. */
  now: number;
}

export type LeaseOutcome = 'acquired' | 'held' | 'gone';

export interface SessionStore {
  /** Stores a new session and the lookup item of its first access token. */
  create(session: StoredSession, token: { key: string; expiresAt: number }): Promise<void>;
  /** The session, or undefined when it does not exist, has ended or has expired (checked here on every read). */
  get(sub: string, sid: string): Promise<StoredSession | undefined>;
  /** The session id an access token belongs to (by tokenKey), or undefined when the token is unknown or expired. */
  sessionOfToken(sub: string, key: string): Promise<string | undefined>;
  /** The user's live sessions, newest first. */
  list(sub: string): Promise<SessionSummary[]>;
  /** Ends one session; answers what it held (for revocation), or undefined when there was no such session. */
  end(sub: string, sid: string): Promise<StoredSession | undefined>;
  /** Ends every session of the user; answers what they held. */
  endAll(sub: string): Promise<StoredSession[]>;
  /**
   * Takes the refresh lease of a session until `untilMs` unless someone else holds an unexpired one (conditional
   * write): 'acquired', 'held', or 'gone' when the session no longer exists.
   */
  acquireLease(sub: string, sid: string, owner: string, nowMs: number, untilMs: number): Promise<LeaseOutcome>;
  /**
   * Writes renewed tokens and releases the lease in one conditional write (only while `owner` still holds it): the
   * old refresh token is replaced only when the new one is written. False when the lease was lost or the session gone.
   */
  completeRefresh(sub: string, sid: string, owner: string, renewed: RenewedTokens): Promise<boolean>;
  /** Gives the lease up without renewing (the IdP failed); a lease held by another is left alone. */
  releaseLease(sub: string, sid: string, owner: string): Promise<void>;
}

/**
 * The key an access token is looked up by: Cognito's `origin_jti` (the same for every token of one sign-in, so one
 * lookup item serves all refreshes) when present, else its `jti` (cognito-local issues only that). Undefined for a
 * token with neither: no session can be tied to it.
 */
export function tokenKey(claims: { jti?: string; originJti?: string }): string | undefined {
  if (claims.originJti) return `o:${claims.originJti}`;
  if (claims.jti) return `j:${claims.jti}`;
  return undefined;
}
