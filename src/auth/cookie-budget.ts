/**
 * The cookie budget of one session. Browsers send every cookie of the site in one `Cookie` header; API Gateway
 * refuses requests with more than about 10 KB of headers, and Node's HTTP server (by default) more than 16 KB. So the
 * auth cookies of a session may add at most SESSION_COOKIE_BUDGET_BYTES to that header, which leaves room under 8 KB
 * for login transactions and the application's own cookies. A session that does not fit is refused whole at sign-in
 * (`session_too_large`), never stored half: a browser holding part of a session could not use it, and one holding
 * too much could no longer reach the BFF to sign out.
 */
import { AppError } from '../errors';

export const SESSION_COOKIE_BUDGET_BYTES = 7 * 1024;

export class SessionTooLargeError extends AppError {
  readonly status = 400;
  constructor(logInfo: string) {
    super(
      'session_too_large',
      'This account carries more than a browser session can hold; ask an administrator to trim its groups or claims.',
      logInfo,
    );
  }
}

/**
 * What the cookies these Set-Cookie values store add to the browser's `Cookie` header (`name=value`, joined by `; `),
 * in bytes, by name. Cookies being cleared count nothing.
 */
export function cookieHeaderBytes(setCookies: readonly string[]): { total: number; byName: Record<string, number> } {
  const byName: Record<string, number> = {};
  let total = 0;
  for (const header of setCookies) {
    const pair = header.split(';', 1)[0] ?? '';
    const eq = pair.indexOf('=');
    if (eq < 0 || eq === pair.length - 1 || /;\s*Max-Age=0(?:;|$)/i.test(header)) continue;
    const bytes = Buffer.byteLength(pair) + (total === 0 ? 0 : 2);
    const name = pair.slice(0, eq);
    byName[name] = (byName[name] ?? 0) + Buffer.byteLength(pair);
    total += bytes;
  }
  return { total, byName };
}

/** Throws SessionTooLargeError, naming the sizes (never the values), when the cookies exceed the budget. */
export function assertWithinCookieBudget(setCookies: readonly string[], budget = SESSION_COOKIE_BUDGET_BYTES): void {
  const { total, byName } = cookieHeaderBytes(setCookies);
  if (total <= budget) return;
  const sizes = Object.entries(byName)
    .map(([name, bytes]) => `${name} ${bytes} B`)
    .join(', ');
  throw new SessionTooLargeError(`session cookies need ${total} bytes of the Cookie header, budget ${budget} (${sizes})`);
}
