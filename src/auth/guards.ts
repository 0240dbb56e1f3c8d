/**
 * Guards: who is calling (access token from `Authorization: Bearer` or the session cookie, verified by us on every
 * request) and whether an unsafe request may be a cross-site forgery.
 */
import type { Request, RequestHandler } from 'express';
import { ForbiddenError, UnauthenticatedError } from '../errors';
import { requestLogger, type Logger } from '../logger';
import { logFact } from '../http/log-facts';
import { ACCESS_COOKIE, type SessionCookies } from './session-cookies';
import { TokenVerificationError, type AccessClaims, type TokenVerifiers } from './verifiers';

/** Claims API Gateway's Cognito authorizer passed along (Lambda only). Strings, and never trusted over our own check. */
export type GatewayClaims = Record<string, unknown>;

export interface Identity {
  claims: AccessClaims;
  via: 'bearer' | 'cookie';
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const BEARER = /^Bearer[ \t]+([A-Za-z0-9_~+/=.-]+)[ \t]*$/i;
const BEARER_PREFIX = /^Bearer[ \t]+/i;

/**
 * What BEARER would capture, found without scanning the token's characters: `Bearer`, blanks, the rest up to trailing
 * blanks. Only for a look-up in the verified-token cache, which holds compact JWS strings only (characters BEARER
 * allows, no blanks): a hit means BEARER matches the header and captures exactly this. Anything else takes the full
 * check.
 */
function bearerCandidate(header: string): string | undefined {
  const prefix = BEARER_PREFIX.exec(header);
  if (!prefix) return undefined;
  let end = header.length;
  while (end > prefix[0].length && (header.charCodeAt(end - 1) === 0x20 || header.charCodeAt(end - 1) === 0x09)) end -= 1;
  return header.slice(prefix[0].length, end);
}

const ACCESS_COOKIE_PREFIX = `${ACCESS_COOKIE}=`;

/**
 * What cookie-parser would give as the access-token cookie's value, found without parsing the whole header: the first
 * `__Host-bff-at=` at a cookie boundary, up to the next `;`, blanks trimmed. Only for a look-up in the verified-token
 * cache, which holds compact JWS strings only: a hit means the value has no quotes or `%`-escapes, so cookie-parser
 * would have given exactly this, and readChunkedCookie takes a plain cookie of that name over chunks. Anything else
 * misses and takes the full parse. Scanning the value's characters here would cost more than parsing every cookie.
 */
function accessCookieCandidate(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  let at = header.indexOf(ACCESS_COOKIE_PREFIX);
  // A cookie boundary: the header's start, or `;` and blanks before the name (not `x__Host-bff-at=`).
  while (at > 0) {
    let before = at - 1;
    while (before >= 0 && (header.charCodeAt(before) === 0x20 || header.charCodeAt(before) === 0x09)) before -= 1;
    if (before < 0 || header.charCodeAt(before) === 0x3b) break;
    at = header.indexOf(ACCESS_COOKIE_PREFIX, at + 1);
  }
  if (at === -1) return undefined;
  const start = at + ACCESS_COOKIE_PREFIX.length;
  const end = header.indexOf(';', start);
  const value = header.slice(start, end === -1 ? header.length : end).trim();
  return value === '' ? undefined : value;
}

/** The access token of the request and where it came from. A present but malformed Authorization header is an error. */
export function presentedToken(req: Request, cookies: SessionCookies): { token: string; via: Identity['via'] } | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = BEARER.exec(header);
    if (!match?.[1])
      throw new UnauthenticatedError(
        'invalid_token',
        'The Authorization header must be "Bearer <access token>".',
        'malformed Authorization header',
        'invalid_token',
      );
    return { token: match[1], via: 'bearer' };
  }
  const token = cookies.readAccessToken(req.cookies ?? {});
  return token === undefined ? undefined : { token, via: 'cookie' };
}

export function createAuthenticate(deps: {
  verifiers: TokenVerifiers;
  cookies: SessionCookies;
  logger: Logger;
  gatewayClaims?: (req: Request) => GatewayClaims | undefined;
  /**
   * Server-side sessions (SESSION_STORE=dynamodb): whether the token's session is still live. Synchronous when known
   * (src/sessions/liveness.ts), so the hot path stays free of promises; throws UnauthenticatedError when it has ended.
   */
  sessions?: { check(claims: AccessClaims): void | Promise<void> };
}) {
  // Behind API Gateway the authorizer already checked a token; if it names someone else, something is wrong
  // between the edge and us (a header and a cookie that disagree, a confused deputy): refuse and say so.
  const identity = (req: Request, claims: AccessClaims, via: Identity['via']): Identity | Promise<Identity> => {
    const gateway = deps.gatewayClaims?.(req);
    if (gateway && gateway.sub !== undefined && gateway.sub !== claims.sub) {
      requestLogger(deps.logger, req).warn('security: authorizer identity differs from the verified token', {
        event: 'identity_mismatch',
        path: req.path,
      });
      throw new UnauthenticatedError('invalid_token', 'The access token is not valid.', 'authorizer sub mismatch', 'invalid_token');
    }
    // A verified token whose session has ended (logout, another device, "everywhere") counts for nothing.
    const live = deps.sessions?.check(claims);
    return live === undefined ? { claims, via } : live.then(() => ({ claims, via }));
  };
  const verify = async (req: Request, presented: { token: string; via: Identity['via'] }): Promise<Identity> => {
    let claims: AccessClaims;
    try {
      claims = await deps.verifiers.verifyAccessToken(presented.token);
    } catch (error) {
      if (!(error instanceof TokenVerificationError)) throw error;
      if (error.keysUnavailable) requestLogger(deps.logger, req).error('token keys unavailable: failing closed', { reason: error.message });
      throw new UnauthenticatedError('invalid_token', 'The access token is not valid.', error.message, 'invalid_token');
    }
    return identity(req, claims, presented.via);
  };
  /**
   * Resolves the caller's identity or throws (or rejects with) UnauthenticatedError. A token verified before and still
   * good (see TokenVerifiers.cachedAccessClaims) resolves synchronously: no promise on the hot path.
   */
  return function authenticate(req: Request): Identity | Promise<Identity> {
    const header = req.headers.authorization;
    const candidate = header === undefined || !deps.verifiers.cachedAccessClaims ? undefined : bearerCandidate(header);
    const known = candidate === undefined ? undefined : deps.verifiers.cachedAccessClaims?.(candidate);
    if (known) return identity(req, known, 'bearer');
    // The same shortcut for a browser: the access-token cookie found in the raw header without parsing every cookie.
    const fromCookie = header === undefined && deps.verifiers.cachedAccessClaims ? accessCookieCandidate(req.headers.cookie) : undefined;
    const knownCookie = fromCookie === undefined ? undefined : deps.verifiers.cachedAccessClaims?.(fromCookie);
    if (knownCookie) return identity(req, knownCookie, 'cookie');
    const presented = presentedToken(req, deps.cookies);
    if (!presented) throw new UnauthenticatedError('unauthenticated', 'Sign in first.');
    const cached = deps.verifiers.cachedAccessClaims?.(presented.token);
    return cached ? identity(req, cached, presented.via) : verify(req, presented);
  };
}

export type Authenticate = (req: Request) => Identity | Promise<Identity>;

/**
 * CSRF defence for unsafe methods. An Origin header, when present, must be allowed (`null` never is). A request that
 * a browser authenticates with our cookies must also carry the custom header `X-CSRF: 1`: a cross-site form or a
 * simple request cannot set it, and a preflight for it fails for foreign origins. A request with no session cookie
 * (a Bearer client, a first sign-in) has nothing a forger could ride on.
 */
export function requireCsrfProtection(options: {
  allowedOrigins: readonly string[];
  cookies: SessionCookies;
  /** False for routes that only check the Origin (POST /auth/callback reads only application/json). */
  headerForCookies?: boolean;
}): RequestHandler {
  const headerForCookies = options.headerForCookies ?? true;
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const origin = req.headers.origin;
    if (origin !== undefined && !options.allowedOrigins.includes(origin)) {
      throw new ForbiddenError('origin_not_allowed', 'This origin may not make this request.', `origin ${logFact(origin)}`);
    }
    if (headerForCookies && options.cookies.carriesSession(req.cookies ?? {}) && req.headers['x-csrf'] !== '1') {
      throw new ForbiddenError('csrf_check_failed', 'The X-CSRF: 1 header is required.');
    }
    next();
  };
}
