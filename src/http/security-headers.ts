/**
 * Security headers for every response, and `Cache-Control: no-store` on every answer of the app: whatever the path
 * looked like (base path, letter case, trailing slash, encoded characters), no cache keeps a session, an error or a
 * redirect. Only static files (the demo SPA) replace it with their own caching headers, which express.static sets
 * after this. A rule by path would have to spell paths the way Express matches them; this one cannot miss.
 */
import type { RequestHandler } from 'express';

export function securityHeaders(options: { https: boolean }): RequestHandler {
  // The same headers for every response: built once, not per request.
  const always: [string, string][] = [
    ['X-Content-Type-Options', 'nosniff'],
    ['X-Frame-Options', 'DENY'],
    ['Referrer-Policy', 'no-referrer'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    [
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ],
    ['Cache-Control', 'no-store'],
    ['Pragma', 'no-cache'],
  ];
  if (options.https) always.push(['Strict-Transport-Security', 'max-age=31536000; includeSubDomains']);
  return (_req, res, next) => {
    for (const [name, value] of always) res.setHeader(name, value);
    next();
  };
}
