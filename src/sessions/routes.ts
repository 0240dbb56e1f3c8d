/**
 * GET /auth/sessions and DELETE /auth/sessions/:id: the signed-in user's sessions, listed and ended one by one.
 *
 * Authenticated like every guarded route (the one authenticate function: cookie or Bearer, session liveness
 * included); DELETE is an unsafe method, so the CSRF rules apply (the router puts the CSRF guard in front). Only the
 * caller's own partition is ever read or written: an id of another user's session is simply not found (404), exactly
 * as an id that never existed. With `SESSION_STORE=cookie` there is nothing to list: `501 session_store_required`.
 */
import type { Request, Response } from 'express';
import { AppError } from '../errors';
import type { Authenticate } from '../auth/guards';
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

export function listSessionsRoute(deps: SessionRoutesDeps) {
  return async (req: Request, res: Response): Promise<void> => {
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

export function endSessionRoute(deps: SessionRoutesDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    if (!deps.sessions) throw new SessionStoreRequiredError();
    const { claims } = await deps.authenticate(req);
    const id = typeof req.params.id === 'string' ? req.params.id : '';
    if (!ServerSessions.isSessionId(id)) throw new SessionNotFoundError();
    const current = deps.cookieSessionId(req, claims.sub) ?? (await deps.sessions.sessionOf(claims));
    const ended = await deps.sessions.end(claims.sub, id, false);
    if (ended.length === 0) throw new SessionNotFoundError();
    deps.logger.info('session ended by its user', { event: 'session_ended', sub: claims.sub, current: id === current });
    if (id === current) res.append('Set-Cookie', deps.clearCookies(req));
    res.status(204).end();
  };
}
