/**
 * The end of every sign-in (GET and POST /auth/callback): the Set-Cookie values of a new session. With server-side
 * sessions the session is stored first and the cookies carry its reference; either way the cookies are checked
 * against the budget before anything is stored or set, so a session that cannot fit is refused whole.
 */
import type { Request } from 'express';
import { nowSeconds, type AuthContext } from './context';
import { SessionTooLargeError } from './cookie-budget';
import type { NewSession } from './session-cookies';

export async function newSessionCookies(context: AuthContext, req: Request, session: NewSession): Promise<string[]> {
  const sid = context.cookies.newSessionId();
  try {
    if (!context.sessions) return context.cookies.issue(req, session, sid, nowSeconds(context));
    const headers = context.cookies.issue(req, session, sid, nowSeconds(context), { generation: 0 });
    const userAgent = req.headers['user-agent'];
    await context.sessions.begin(session, sid, { userAgent: typeof userAgent === 'string' ? userAgent : undefined });
    return headers;
  } catch (error) {
    if (error instanceof SessionTooLargeError) {
      context.logger.error('session refused: its cookies do not fit the budget', {
        event: 'session_too_large',
        sub: session.profile.user.sub,
        reason: error.logInfo,
      });
    }
    throw error;
  }
}
