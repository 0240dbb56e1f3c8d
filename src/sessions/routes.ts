/**
 * GET /auth/sessions and DELETE /auth/sessions/:id: the signed-in user's sessions, listed and ended one by one.
 *
 * Authenticated like every guarded route (the one authenticate function: cookie or Bearer, session liveness
 * included); DELETE is an unsafe method, so the CSRF rules apply (the router puts the CSRF guard in front). Only the
 * caller's own partition is ever read or written: an id of another user's session is simply not found (404), exactly
 * as an id that never existed. With `SESSION_STORE=cookie` there is nothing to list: `501 session_store_required`.
 */
import type { Request, Response } from 'express';
import { forRequest, nowSeconds, type AuthContext } from '../auth/context';
import { SessionTooLargeError } from '../auth/cookie-budget';
import type { Authenticate } from '../auth/guards';
import { AppError, UnauthenticatedError } from '../errors';
import type { Logger } from '../logger';
import { ServerSessions } from './server-sessions';

/** The routes exist in cookie mode too, and say why they cannot serve. */
export class SessionStoreRequiredError extends AppError {
  readonly status = 501;
  constructor() {
    super('session_store_required', 'Listing and ending sessions needs server-side sessions (SESSION_STORE=dynamodb).');
  }
}

export class SessionNotFoundError extends AppError {
  readonly status = 404;
  constructor() {
    super('session_not_found', 'No such session.');
  }
}

export interface SessionRoutesDeps {
  /** Undefined with SESSION_STORE=cookie. */
  sessions: ServerSessions | undefined;
  authenticate: Authenticate;
  logger: Logger;
  /** The session id of the request's own session cookie, when it names one of `sub`'s sessions. */
  cookieSessionId(req: Request, sub: string): string | undefined;
  /** Set-Cookie values that clear every auth cookie of the request (ending one's own session signs this browser out). */
  clearCookies(req: Request): string[];
}

export function listSessionsRoute(shared: SessionRoutesDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const deps = forRequest(shared, req);
    if (!deps.sessions) throw new SessionStoreRequiredError();
    const { claims } = await deps.authenticate(req);
    const [sessions, current] = await Promise.all([
      deps.sessions.list(claims.sub),
      deps.cookieSessionId(req, claims.sub) ?? deps.sessions.sessionOf(claims),
    ]);
    res.status(200).json({
      sessions: sessions.map((session) => ({
        id: session.sid,
        createdAt: session.createdAt,
        lastSeenAt: session.lastSeenAt,
        userAgent: session.userAgent ?? null,
        current: session.sid === current,
      })),
    });
  };
}

export function endSessionRoute(shared: SessionRoutesDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const deps = forRequest(shared, req);
    if (!deps.sessions) throw new SessionStoreRequiredError();
    const { claims } = await deps.authenticate(req);
    const id = typeof req.params.id === 'string' ? req.params.id : '';
    if (!ServerSessions.isSessionId(id)) throw new SessionNotFoundError();
    const current = deps.cookieSessionId(req, claims.sub) ?? (await deps.sessions.sessionOf(claims));
    const ended = await deps.sessions.end(claims.sub, id, false, deps.logger);
    if (ended.length === 0) throw new SessionNotFoundError();
    deps.logger.info('session ended by its user', { event: 'session_ended', sub: claims.sub, current: id === current });
    if (id === current) res.append('Set-Cookie', deps.clearCookies(req));
    res.status(204).end();
  };
}

/**
 * POST /auth/refresh with server-side sessions: the reference in `__Host-bff-session` names the session; the store's
 * refresh token is renewed once (RefreshLease) and the caller gets the renewed access token and a new reference. An
 * ended session clears the cookies (401); the store or the IdP failing leaves them untouched (503/502/504).
 */
export async function refreshServerSession(context: AuthContext, sessions: ServerSessions, req: Request, res: Response): Promise<void> {
  const current = context.cookies.readSession(req);
  try {
    if (current === undefined)
      throw new UnauthenticatedError('refresh_refused', 'There is no session to refresh; sign in again.', 'no valid session reference');
    const renewed = await sessions.refresh(current.user.sub, current.sid, current.generation ?? 0, context.logger);
    res.append(
      'Set-Cookie',
      context.cookies.issue(req, renewed.session, current.sid, nowSeconds(context), { generation: renewed.generation }),
    );
    context.logger.info('session refreshed', { event: 'refresh', sub: current.user.sub, generation: renewed.generation });
    res.status(200).json({ expiresAt: renewed.session.profile.expiresAt });
  } catch (error) {
    if (error instanceof UnauthenticatedError || error instanceof SessionTooLargeError)
      res.append('Set-Cookie', context.cookies.clearAll(req.cookies ?? {}));
    throw error;
  }
}

/**
 * POST /auth/logout with server-side sessions: the session named by the reference ends in the store (with
 * `{"everywhere":true}` every session of its user), and so at once on this instance; the refresh tokens are revoked.
 * The store unreachable: 503 and no cookie touched, so the user can try again and nothing is left half ended.
 */
export async function logoutServerSession(context: AuthContext, sessions: ServerSessions, req: Request, res: Response): Promise<void> {
  const current = context.cookies.readSession(req);
  const body: unknown = req.body;
  const everywhere = typeof body === 'object' && body !== null && (body as { everywhere?: unknown }).everywhere === true;
  const ended = current === undefined ? [] : await sessions.end(current.user.sub, current.sid, everywhere, context.logger);
  res.append('Set-Cookie', context.cookies.clearAll(req.cookies ?? {}));
  context.logger.info('signed out', { event: 'sign_out', sub: current?.user.sub, everywhere, ended: ended.length });
  res.status(200).json({ logoutUrl: context.idp.logoutUrl(context.config.publicBaseUrl + '/') });
}
