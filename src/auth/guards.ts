/**
 * Guards: who is calling (access token from `Authorization: Bearer` or the session cookie, verified by us on every
 * request) and whether an unsafe request may be a cross-site forgery.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ForbiddenError, UnauthenticatedError } from '../errors';
import type { Logger } from '../logger';
import type { SessionCookies } from './session-cookies';
import { TokenVerificationError, type AccessClaims, type TokenVerifiers } from './verifiers';

/** Claims API Gateway's Cognito authorizer passed along (Lambda only). Strings, and never trusted over our own check. */
export type GatewayClaims = Record<string, unknown>;

export interface Identity {
  claims: AccessClaims;
  via: 'bearer' | 'cookie';
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const BEARER = /^Bearer[ \t]+([A-Za-z0-9_~+/=.-]+)[ \t]*$/i;

/** The access token of the request and where it came from. A present but malformed Authorization header is an error. */
function presentedToken(req: Request, cookies: SessionCookies): { token: string; via: Identity['via'] } | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = BEARER.exec(header);
    if (!match?.[1]) throw new UnauthenticatedError('invalid_token', 'The Authorization header must be "Bearer <access token>".', 'malformed Authorization header', 'invalid_token');
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
}) {
  /** Resolves the caller's identity or throws UnauthenticatedError. */
  return async function authenticate(req: Request): Promise<Identity> {
    const presented = presentedToken(req, deps.cookies);
    if (!presented) throw new UnauthenticatedError('unauthenticated', 'Sign in first.');
    let claims: AccessClaims;
    try {
      claims = await deps.verifiers.verifyAccessToken(presented.token);
    } catch (error) {
      if (!(error instanceof TokenVerificationError)) throw error;
      if (error.keysUnavailable) deps.logger.error('token keys unavailable: failing closed', { reason: error.message });
      throw new UnauthenticatedError('invalid_token', 'The access token is not valid.', error.message, 'invalid_token');
    }
    // Behind API Gateway the authorizer already checked a token; if it names someone else, something is wrong
    // between the edge and us (a header and a cookie that disagree, a confused deputy): refuse and say so.
    const gateway = deps.gatewayClaims?.(req);
    if (gateway && gateway.sub !== undefined && gateway.sub !== claims.sub) {
      deps.logger.warn('security: authorizer identity differs from the verified token', { event: 'identity_mismatch', path: req.path });
      throw new UnauthenticatedError('invalid_token', 'The access token is not valid.', 'authorizer sub mismatch', 'invalid_token');
    }
    return { claims, via: presented.via };
  };
}

export function requireIdentity(authenticate: (req: Request) => Promise<Identity>): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    res.locals.identity = await authenticate(req);
    next();
  };
}

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
      throw new ForbiddenError('origin_not_allowed', 'This origin may not make this request.', `origin ${origin.slice(0, 100)}`);
    }
    if (headerForCookies && options.cookies.carriesSession(req.cookies ?? {}) && req.headers['x-csrf'] !== '1') {
      throw new ForbiddenError('csrf_check_failed', 'The X-CSRF: 1 header is required.');
    }
    next();
  };
}
