/**
 * Metrics from outcomes, in one place: when a response is finished, what it was (route, status, error code, the
 * `auth_error` of a callback redirect, the Set-Cookie bytes) says which metric it counts for. The routes themselves
 * stay free of metrics code, and a refusal is counted however deep in the app it was raised.
 *
 * The error middleware leaves the stable code (and its log detail) of a refusal in `res.locals` (REFUSAL_LOCAL).
 */
import type { Request, RequestHandler, Response } from 'express';
import type { MetricsRecorder } from './recorder';

/** Where the error middleware leaves `{ code, reason }` of the error it answered. */
export const REFUSAL_LOCAL = 'cognitoBffRefusal';

export interface Refusal {
  code: string;
  reason?: string;
}

/** The log detail the guard gives a token whose `sub` differs from the gateway authorizer's (src/auth/guards.ts). */
const IDENTITY_MISMATCH_REASON = 'authorizer sub mismatch';

/** `/auth/login`, whatever the base path, letter case or trailing slash. */
function routeOf(req: Request, basePath: string): string {
  let path = req.path.toLowerCase();
  const base = basePath.toLowerCase();
  if (base && (path === base || path.startsWith(`${base}/`))) path = path.slice(base.length) || '/';
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function setCookieBytes(res: Response): number {
  const header = res.getHeader('set-cookie');
  const values = Array.isArray(header) ? header : header === undefined ? [] : [String(header)];
  return values.reduce((sum, value) => sum + Buffer.byteLength(value), 0);
}

/** The `auth_error` a callback redirect carries, if any. */
function authErrorOf(res: Response): string | undefined {
  const location = res.getHeader('location');
  if (typeof location !== 'string' || !location.includes('auth_error=')) return undefined;
  try {
    return new URL(location).searchParams.get('auth_error') ?? undefined;
  } catch {
    return undefined;
  }
}

/** A label safe as a metric dimension: short, from a small alphabet. */
function label(code: string): string {
  return /^[a-z_]{1,40}$/.test(code) ? code : 'other';
}

export function classify(req: Request, res: Response, basePath: string, metrics: MetricsRecorder): void {
  const route = `${req.method} ${routeOf(req, basePath)}`;
  const status = res.statusCode;
  const refusal = res.locals[REFUSAL_LOCAL] as Refusal | undefined;
  switch (route) {
    case 'GET /auth/login':
      if (status === 302) metrics.record('SignInStarted', 1);
      break;
    case 'GET /auth/callback':
    case 'POST /auth/callback': {
      const failure = status === 302 ? authErrorOf(res) : status === 200 ? undefined : (refusal?.code ?? `status_${status}`);
      if (failure === undefined && (status === 302 || status === 200)) metrics.record('SignInCompleted', 1);
      else metrics.record('SignInFailed', 1, { code: label(failure ?? 'other') });
      break;
    }
    case 'POST /auth/refresh':
      if (status === 200) metrics.record('RefreshOk', 1);
      else if (status === 401) metrics.record('RefreshRefused', 1);
      else if (status >= 500) metrics.record('RefreshIdpFailure', 1, { code: label(refusal?.code ?? 'other') });
      break;
    case 'POST /auth/logout':
      if (status === 200) metrics.record('Logout', 1);
      break;
  }
  if (refusal?.code === 'csrf_check_failed') metrics.record('CsrfRefused', 1);
  else if (refusal?.code === 'origin_not_allowed') metrics.record('OriginRefused', 1);
  else if (refusal?.code === 'invalid_token') {
    metrics.record('TokenRejected', 1);
    if (refusal.reason === IDENTITY_MISMATCH_REASON) metrics.record('IdentityMismatch', 1);
  }
  const cookieBytes = setCookieBytes(res);
  if (cookieBytes > 0) metrics.record('CookieBytes', cookieBytes);
}

/** Counts every finished response (see classify). */
export function recordOutcomes(metrics: MetricsRecorder, basePath: string): RequestHandler {
  return (req, res, next) => {
    res.once('finish', () => classify(req, res, basePath, metrics));
    next();
  };
}
