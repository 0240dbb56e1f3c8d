/**
 * POST /auth/logout: revoke the refresh token at the IdP (best effort: the user is logged out here whatever the IdP
 * says), clear every auth cookie, and hand back the IdP's /logout URL so the browser can end the hosted-UI session.
 */
import type { Request, Response } from 'express';
import type { AuthContext } from '../context';

export function logoutRoute(context: AuthContext) {
  return async (req: Request, res: Response): Promise<void> => {
    const cookies = req.cookies ?? {};
    const refreshToken = context.cookies.readRefreshToken(cookies);
    const profile = context.cookies.readProfile(cookies);
    res.append('Set-Cookie', context.cookies.clearAll(cookies));
    if (refreshToken !== undefined) {
      try {
        await context.idp.revoke(refreshToken);
      } catch (error) {
        const reason = error instanceof Error && 'logInfo' in error ? String((error as { logInfo?: string }).logInfo) : 'unknown';
        context.logger.warn('refresh-token revocation failed; cookies cleared anyway', { event: 'revoke_failed', reason });
      }
    }
    context.logger.info('signed out', { event: 'sign_out', sub: profile?.user.sub });
    res.status(200).json({ logoutUrl: context.idp.logoutUrl(context.config.publicBaseUrl + '/') });
  };
}
