/** GET /auth/session: who is signed in, from verified cookies. Never a token. */
import type { Request, Response } from 'express';
import { UnauthenticatedError } from '../../errors';
import type { AuthContext } from '../context';
import type { Authenticate, Identity } from '../guards';
import type { SessionUser } from '../session-cookies';

export function sessionRoute(context: AuthContext, authenticate: Authenticate) {
  return async (req: Request, res: Response): Promise<void> => {
    let identity: Identity;
    try {
      identity = await authenticate(req);
    } catch (error) {
      if (!(error instanceof UnauthenticatedError)) throw error;
      res.status(401).json({ authenticated: false });
      return;
    }
    const { claims } = identity;
    const profile = context.cookies.readSession(req);
    // The profile cookie adds what only the ID token knows (email); it counts only for the same user.
    const user: SessionUser =
      profile && profile.user.sub === claims.sub
        ? { ...profile.user, groups: claims.groups.length ? claims.groups : profile.user.groups }
        : { sub: claims.sub, username: claims.username, groups: claims.groups };
    res.status(200).json({ authenticated: true, user, expiresAt: claims.exp });
  };
}
