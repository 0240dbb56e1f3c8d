/**
 * POST /auth/refresh: new tokens from the refresh token bound to this browser's `__Host-bff-session` (see
 * session-cookies.ts: a refresh cookie planted by another host is never the one used). A missing or refused refresh
 * token ends the session (cookies cleared, 401); an IdP that is down or slow leaves the session as it is (502/504),
 * since the refresh token may still be good. Without rotation Cognito returns no new refresh token and the cookie is
 * kept; the binding id stays the same across refreshes.
 */
import type { Request, Response } from 'express';
import { GrantRejectedError, TokenRejectedError, UnauthenticatedError } from '../../errors';
import { forRequest, nowSeconds, type AuthContext } from '../context';
import { refreshServerSession } from '../../sessions/routes';
import { sessionFromTokens } from '../session';

export function refreshRoute(shared: AuthContext) {
  return async (req: Request, res: Response): Promise<void> => {
    const context = forRequest(shared, req);
    if (context.sessions) return refreshServerSession(context, context.sessions, req, res);
    const cookies = req.cookies ?? {};
    const current = context.cookies.readSession(req);
    const refreshToken = current === undefined ? undefined : context.cookies.boundRefreshToken(req, current);
    if (current === undefined || refreshToken === undefined) {
      res.append('Set-Cookie', context.cookies.clearAll(cookies));
      throw new UnauthenticatedError(
        'refresh_refused',
        'There is no session to refresh; sign in again.',
        current === undefined ? 'no valid session cookie' : 'no refresh cookie bound to the session',
      );
    }
    let tokens;
    try {
      tokens = await context.idp.refresh(refreshToken);
    } catch (error) {
      if (!(error instanceof GrantRejectedError)) throw error;
      res.append('Set-Cookie', context.cookies.clearAll(cookies));
      throw new UnauthenticatedError('refresh_refused', 'The session has ended; sign in again.', error.logInfo);
    }
    const session = await sessionFromTokens(tokens, context, undefined);
    if (current.user.sub !== session.profile.user.sub) {
      res.append('Set-Cookie', context.cookies.clearAll(cookies));
      throw new TokenRejectedError('refreshed tokens name another user than the session');
    }
    res.append('Set-Cookie', context.cookies.issue(req, session, current.sid, nowSeconds(context)));
    context.logger.info('session refreshed', {
      event: 'refresh',
      sub: session.profile.user.sub,
      rotated: session.refreshToken !== undefined,
    });
    res.status(200).json({ expiresAt: session.profile.expiresAt });
  };
}
