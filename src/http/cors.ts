/**
 * CORS by exact origin: an allowed origin is echoed with credentials allowed; `*` is never sent (browsers refuse it
 * with credentials). A preflight from any other origin is refused and gets no CORS headers.
 */
import type { RequestHandler } from 'express';
import { ForbiddenError } from '../errors';

const ALLOWED_METHODS = 'GET, POST, OPTIONS';
const ALLOWED_HEADERS = 'Content-Type, Authorization, X-CSRF';

export function cors(allowedOrigins: readonly string[]): RequestHandler {
  return (req, res, next) => {
    const origin = req.headers.origin;
    // Vary: Origin on every answer (what it says depends on the Origin). Nothing sets Vary before this middleware;
    // res.vary (which parses and merges an existing header) is only needed if something did.
    if (res.getHeader('Vary') === undefined) res.setHeader('Vary', 'Origin');
    else res.vary('Origin');
    const allowed = origin !== undefined && allowedOrigins.includes(origin);
    if (allowed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (!preflight) return next();
    if (!allowed) throw new ForbiddenError('origin_not_allowed', 'This origin may not call this API.');
    res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
    res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
  };
}
