/**
 * CORS by exact origin: an allowed origin is echoed with credentials allowed; `*` is never sent (browsers refuse it
 * with credentials). A preflight from any other origin is refused and gets no CORS headers.
 *
 * The protocol headers for allowed origins (echo, credentials, preflight answer, `Vary`) come from the `cors`
 * package; the policy stays here: `cors` would still send `Access-Control-Allow-Credentials` to a foreign origin and
 * answer its preflight with a 204, where the BFF sends no CORS header at all and refuses the preflight with a 403.
 */
import type { RequestHandler } from 'express';
import corsLibrary from 'cors';
import { ForbiddenError } from '../errors';

// Every method the token relay passes on (API_PROXY), so that an SPA on an allowed origin can PUT, PATCH and DELETE.
const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';
const ALLOWED_HEADERS = 'Content-Type, Authorization, X-CSRF';

export function cors(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  const forAllowedOrigin = corsLibrary({
    // Only ever called for an allowed origin: echo it (never `*`).
    origin: true,
    credentials: true,
    methods: ALLOWED_METHODS,
    allowedHeaders: ALLOWED_HEADERS,
    maxAge: 600,
    optionsSuccessStatus: 204,
  });
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin !== undefined && allowed.has(origin)) return forAllowedOrigin(req, res, next);
    // What a response says depends on the Origin, for every answer: a cache must not serve one origin's to another.
    // Nothing sets Vary before this middleware; res.vary (which parses and merges an existing header) only if so.
    if (res.getHeader('Vary') === undefined) res.setHeader('Vary', 'Origin');
    else res.vary('Origin');
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (preflight) throw new ForbiddenError('origin_not_allowed', 'This origin may not call this API.');
    next();
  };
}
