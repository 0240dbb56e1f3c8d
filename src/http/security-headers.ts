/** Security headers for every response; `no-store` for everything under /auth (sessions must not be cached). */
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
  ];
  if (options.https) always.push(['Strict-Transport-Security', 'max-age=31536000; includeSubDomains']);
  return (req, res, next) => {
    for (const [name, value] of always) res.setHeader(name, value);
    const path = req.path;
    if (path.startsWith('/auth/') || path === '/auth') {
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Pragma', 'no-cache');
    }
    next();
  };
}
