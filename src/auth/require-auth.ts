/**
 * requireAuth({ scopes?, groups? }): the guard for a team's own routes. The same verification as the BFF's own
 * protected routes (session cookie or Bearer, the verified-token cache first), the same CSRF rule for unsafe methods,
 * and it answers refusals itself (401/403 JSON): the team's app has no error middleware of ours.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ForbiddenError } from '../errors';
import { sendError } from '../http/errors';
import { ensureRequestCookies } from '../http/request-cookies';
import type { Logger } from '../logger';
import { BffConfigError } from '../options';
import type { AuthInfo } from './auth-info';
import type { Authenticate, Identity } from './guards';
import type { AccessClaims } from './verifiers';

export interface RequireAuthOptions {
  /** Scopes the access token must carry, every one of them. @default none */
  scopes?: readonly string[];
  /** Cognito groups the user must be in, every one of them. @default none */
  groups?: readonly string[];
}

/** One frozen AuthInfo per verified claims object: cached tokens give the same object, nothing to build per request. */
const infoByClaims = new WeakMap<AccessClaims, { cookie?: AuthInfo; bearer?: AuthInfo }>();

function authInfo(identity: Identity): AuthInfo {
  const { claims, via } = identity;
  let forms = infoByClaims.get(claims);
  if (!forms) infoByClaims.set(claims, (forms = {}));
  let info = forms[via];
  if (!info) {
    // Copies, frozen: a handler that changes req.auth cannot change what the cache hands the next request.
    info = Object.freeze({
      sub: claims.sub,
      username: claims.username,
      groups: Object.freeze([...claims.groups]),
      scopes: Object.freeze([...claims.scope]),
      clientId: claims.clientId,
      via,
    });
    forms[via] = info;
  }
  return info;
}

function names(option: string, value: unknown): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) {
    throw new BffConfigError([{ option: `requireAuth ${option}`, variable: undefined, message: 'must be an array of non-empty strings' }]);
  }
  return [...(value as string[])];
}

export function createRequireAuth(deps: {
  authenticate: Authenticate;
  csrf: RequestHandler;
  logger: Logger;
  /** Gives the request its id and span when nothing has yet (a team's route, outside the BFF's router). */
  requestTelemetry?: RequestHandler;
}) {
  return function requireAuth(options: RequireAuthOptions = {}): RequestHandler {
    if (typeof options !== 'object' || options === null) {
      throw new BffConfigError([{ option: 'requireAuth', variable: undefined, message: 'takes { scopes?, groups? }' }]);
    }
    const scopes = names('scopes', options.scopes);
    const groups = names('groups', options.groups);
    const insufficientScope = `Bearer error="insufficient_scope", scope="${scopes.join(' ')}"`;

    const admit = (identity: Identity, req: Request, res: Response, next: NextFunction): void => {
      const info = authInfo(identity);
      if (scopes.length > 0 && !scopes.every((scope) => info.scopes.includes(scope))) {
        res.setHeader('WWW-Authenticate', insufficientScope);
        return sendError(new ForbiddenError('insufficient_scope', 'The access token lacks a required scope.'), req, res, deps.logger);
      }
      if (groups.length > 0 && !groups.every((group) => info.groups.includes(group))) {
        return sendError(new ForbiddenError('forbidden', 'You are not in a group this route requires.'), req, res, deps.logger);
      }
      req.auth = info;
      next();
    };

    const guard: RequestHandler = (req, res, next) => {
      let identity: Identity | Promise<Identity>;
      try {
        ensureRequestCookies(req);
        // CSRF first for unsafe methods: a forged request is refused before any token work.
        if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS') deps.csrf(req, res, () => undefined);
        identity = deps.authenticate(req);
      } catch (error) {
        return sendError(error, req, res, deps.logger);
      }
      if (identity instanceof Promise) {
        identity.then(
          (verified) => admit(verified, req, res, next),
          (error: unknown) => sendError(error, req, res, deps.logger),
        );
        return;
      }
      admit(identity, req, res, next);
    };
    const { requestTelemetry } = deps;
    return requestTelemetry ? (req, res, next) => requestTelemetry(req, res, () => guard(req, res, next)) : guard;
  };
}
