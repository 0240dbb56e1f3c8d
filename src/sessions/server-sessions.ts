/**
 * Server-side sessions (`SESSION_STORE=dynamodb`): what the /auth routes and the guard do differently when sessions
 * live in the store. The refresh token never leaves the server; the browser holds the access token and a sealed
 * reference `{sid, sub, generation}` in `__Host-bff-session`.
 *
 * - sign-in stores the session and ties its access token to it (tokenKey);
 * - every guarded request asks whether its token's session is still live (SessionLiveness: from memory within
 *   REVOCATION_CHECK_SECONDS, else from the store), Bearer or cookie alike;
 * - refresh renews once per session, whoever asks (RefreshLease);
 * - logout, "everywhere" and DELETE /auth/sessions/:id end sessions in the store and in this instance's memory at once,
 *   and revoke their refresh tokens at the IdP (best effort); "everywhere" from a live session also signs the user
 *   out at Cognito (AdminUserGlobalSignOut, best effort: see global-sign-out.ts).
 */
import { TokenRejectedError, UnauthenticatedError } from '../errors';
import type { Logger } from '../logger';
import type { IdpClient } from '../auth/idp-client';
import { sessionFromTokens } from '../auth/session';
import type { NewSession } from '../auth/session-cookies';
import type { TokenVerifiers } from '../auth/verifiers';
import type { GlobalSignOut } from './global-sign-out';
import { SessionLiveness } from './liveness';
import { RefreshLease } from './refresh-lease';
import { tokenKey, type SessionStore, type SessionSummary, type StoredSession } from './session-store';

export interface ServerSessionsOptions {
  store: SessionStore;
  idp: IdpClient;
  verifiers: TokenVerifiers;
  logger: Logger;
  /** Epoch milliseconds. */
  now: () => number;
  /** How long a session lives without sign-in (the refresh token's lifetime as configured). */
  sessionLifetimeSeconds: number;
  /** REVOCATION_CHECK_SECONDS. */
  revocationCheckSeconds: number;
  /** IDP_TIMEOUT_MS: a refresh lease outlasts one whole IdP call. */
  idpTimeoutMs: number;
  /** For tests: how a caller waiting for another's refresh waits. */
  sleep?: (ms: number) => Promise<void>;
  /** Signs the user out at Cognito on "everywhere". @default none (the sessions end here only) */
  globalSignOut?: GlobalSignOut;
}

/** Who is signing in, for GET /auth/sessions. */
export interface SignInContext {
  userAgent: string | undefined;
}

/** The ids Cognito puts in an access token, read from a token verified moments ago. */
interface TokenIds {
  jti?: string;
  originJti?: string;
  exp: number;
}

function tokenIds(accessToken: string): TokenIds {
  const payload = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  return {
    jti: typeof payload.jti === 'string' ? payload.jti : undefined,
    originJti: typeof payload.origin_jti === 'string' ? payload.origin_jti : undefined,
    exp: Number(payload.exp),
  };
}

const SESSION_ID = /^[A-Za-z0-9_-]{22,64}$/;
const sessionEndedError = () =>
  new UnauthenticatedError('invalid_token', 'The session has ended; sign in again.', 'session ended', 'invalid_token');

export class ServerSessions {
  readonly liveness: SessionLiveness;
  private readonly lease: RefreshLease;

  constructor(private readonly options: ServerSessionsOptions) {
    this.liveness = new SessionLiveness({ store: options.store, checkMs: options.revocationCheckSeconds * 1000, now: options.now });
    this.lease = new RefreshLease({ store: options.store, now: options.now, leaseMs: options.idpTimeoutMs + 5000, sleep: options.sleep });
  }

  /** True for a string that could be one of our session ids (anything else is no session: a 404, never a store call). */
  static isSessionId(value: string): boolean {
    return SESSION_ID.test(value);
  }

  private nowSeconds(): number {
    return Math.floor(this.options.now() / 1000);
  }

  /** The token's lookup item: by origin_jti it serves the whole sign-in, by jti only this token's life. */
  private tokenItem(accessToken: string): { key: string; expiresAt: number } {
    const ids = tokenIds(accessToken);
    const key = tokenKey(ids);
    if (key === undefined) throw new TokenRejectedError('access token without jti: it could not be tied to a session');
    return { key, expiresAt: ids.originJti ? this.nowSeconds() + this.options.sessionLifetimeSeconds : ids.exp };
  }

  /** Stores a signed-in session under `sid` (the id its cookie reference names). */
  async begin(session: NewSession, sid: string, context: SignInContext): Promise<void> {
    if (session.refreshToken === undefined) throw new TokenRejectedError('sign-in without a refresh token');
    const now = this.nowSeconds();
    const stored: StoredSession = {
      sub: session.profile.user.sub,
      sid,
      createdAt: now,
      lastSeenAt: now,
      userAgent: context.userAgent,
      expiresAt: now + this.options.sessionLifetimeSeconds,
      user: session.profile.user,
      refreshToken: session.refreshToken,
      accessToken: session.accessToken,
      accessExpiresAt: session.profile.expiresAt,
      generation: 0,
      lease: undefined,
    };
    await this.options.store.create(stored, this.tokenItem(session.accessToken));
  }

  /**
   * New tokens for the session `sid` of `sub`, whose cookies were issued at `generation`: renewed at the IdP by exactly
   * one caller across instances; the others get the same renewed tokens. Rejects with refresh_refused (401) when the
   * session has ended or the IdP refused its refresh token.
   */
  async refresh(
    sub: string,
    sid: string,
    generation: number,
    /** The request's logger (its lines carry the request id). */
    logger: Logger = this.options.logger,
  ): Promise<{ session: NewSession; generation: number }> {
    const { idp, verifiers } = this.options;
    const stored = await this.lease.refresh(sub, sid, generation, async (refreshToken) => {
      const renewed = await sessionFromTokens(await idp.refresh(refreshToken), { verifiers, logger }, undefined);
      if (renewed.profile.user.sub !== sub) throw new TokenRejectedError('refreshed tokens name another user than the session');
      logger.info('session refreshed at the IdP', { event: 'refresh_idp', sub, rotated: renewed.refreshToken !== undefined });
      return {
        accessToken: renewed.accessToken,
        accessExpiresAt: renewed.profile.expiresAt,
        refreshToken: renewed.refreshToken,
        user: renewed.profile.user,
        token: this.tokenItem(renewed.accessToken),
      };
    });
    return {
      session: {
        accessToken: stored.accessToken,
        profile: { user: stored.user, expiresAt: stored.accessExpiresAt },
        refreshToken: undefined,
      },
      generation: stored.generation,
    };
  }

  /**
   * The guard's question for a verified access token: is its session still live? Synchronous when this instance knows
   * (the hot path); otherwise the store decides. Throws (or rejects with) UnauthenticatedError when it is not, and
   * SessionStoreUnavailableError when the store cannot say.
   */
  check(claims: { sub: string; jti?: string; originJti?: string }): void | Promise<void> {
    const key = tokenKey(claims);
    if (key === undefined) throw sessionEndedError();
    const live = this.liveness.isLive(claims.sub, key);
    if (live === true) return;
    if (live === false) throw sessionEndedError();
    return live.then((isLive) => {
      if (!isLive) throw sessionEndedError();
    });
  }

  /** The session id the access token belongs to (for `current` in the list), if any. */
  async sessionOf(claims: { sub: string; jti?: string; originJti?: string }): Promise<string | undefined> {
    const key = tokenKey(claims);
    return key === undefined ? undefined : this.options.store.sessionOfToken(claims.sub, key);
  }

  list(sub: string): Promise<SessionSummary[]> {
    return this.options.store.list(sub);
  }

  /**
   * Ends one session (undefined: there was none) or, with `everywhere`, all of the user's; revokes their refresh
   * tokens. "Everywhere" asked from a session that was still live also signs the user out at Cognito; a reference to
   * a session that had already ended (an old copied cookie) ends the rest here, but never reaches Cognito.
   */
  async end(
    sub: string,
    sid: string | undefined,
    everywhere: boolean,
    /** The request's logger (its lines carry the request id). */
    logger: Logger = this.options.logger,
  ): Promise<StoredSession[]> {
    const { store } = this.options;
    const ended = everywhere
      ? await store.endAll(sub)
      : sid === undefined
        ? []
        : [await store.end(sub, sid)].filter((s) => s !== undefined);
    if (sid !== undefined) this.liveness.ended(sub, sid);
    for (const session of ended) this.liveness.ended(sub, session.sid);
    const current = everywhere ? ended.find((session) => session.sid === sid) : undefined;
    await Promise.all([...ended.map((session) => this.revoke(session, logger)), current && this.signOutAtCognito(current, logger)]);
    return ended;
  }

  private async signOutAtCognito(session: StoredSession, logger: Logger): Promise<void> {
    const { globalSignOut } = this.options;
    if (!globalSignOut) return;
    try {
      await globalSignOut(session.user.username);
      logger.info('signed out at Cognito on every device', { event: 'cognito_global_sign_out', sub: session.sub });
    } catch (error) {
      // The exception's type only (NotAuthorizedException, TooManyRequestsException, AbortError, …): its message
      // may name the user. cognito-local has no AdminUserGlobalSignOut and always lands here.
      const reason = error instanceof Error ? error.name : 'unknown';
      const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
      logger.warn('Cognito global sign-out failed; the sessions have ended here anyway', {
        event: 'cognito_global_sign_out_failed',
        sub: session.sub,
        reason,
        status,
      });
    }
  }

  private async revoke(session: StoredSession, logger: Logger): Promise<void> {
    try {
      await this.options.idp.revoke(session.refreshToken);
    } catch (error) {
      const reason = error instanceof Error && 'logInfo' in error ? String((error as { logInfo?: string }).logInfo) : 'unknown';
      logger.warn('refresh-token revocation failed; the session has ended here anyway', { event: 'revoke_failed', reason });
    }
  }
}
