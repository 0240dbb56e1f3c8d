/**
 * POST /auth/logout: revoke the refresh token bound to this browser's session (best effort: the user is logged out
 * here whatever the IdP says; a refresh cookie another host planted is never revoked, see session-cookies.ts), clear
 * every auth cookie, and hand back the IdP's /logout URL so the browser can end the hosted-UI session.
 */
import type { Request, Response } from 'express';
import { logoutServerSession } from '../../sessions/routes';
import { forRequest, type AuthContext } from '../context';

export function logoutRoute(shared: AuthContext) {
  return async (req: Request, res: Response): Promise<void> => {
    const context = forRequest(shared, req);
    if (context.sessions) return logoutServerSession(context, context.sessions, req, res);
    const cookies = req.cookies ?? {};
    const session = context.cookies.readSession(req);
    const refreshToken = session === undefined ? undefined : context.cookies.boundRefreshToken(req, session);
    res.append('Set-Cookie', context.cookies.clearAll(cookies));
    if (refreshToken !== undefined) {
      try {
        await context.idp.revoke(refreshToken);
      } catch (error) {
        const reason = error instanceof Error && 'logInfo' in error ? String((error as { logInfo?: string }).logInfo) : 'unknown';
        context.logger.warn('refresh-token revocation failed; cookies cleared anyway', { event: 'revoke_failed', reason });
      }
    }
    context.logger.info('signed out', { event: 'sign_out', sub: session?.user.sub, revoked: refreshToken !== undefined });
    res.status(200).json({ logoutUrl: context.idp.logoutUrl(context.config.publicBaseUrl + '/') });
  };
}
