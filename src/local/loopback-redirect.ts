/**
 * Local stack only: one loopback spelling for the browser. `localhost` and `127.0.0.1` are different origins to a
 * browser, with different cookie jars: a sign-in started on `http://127.0.0.1:3000` sets its transaction cookie there,
 * the callback arrives on the configured `http://localhost:3000` (the app client's registered URL) without it, and
 * the sign-in fails with `invalid_state`. A browser request on another loopback spelling of this server is therefore
 * sent to the same path on PUBLIC_BASE_URL's origin, so every cookie lives on one origin.
 *
 * Only browser-shaped requests move: GET and HEAD, without an `Authorization` header (a Bearer client has no cookie to
 * lose), not the health check, and not behind a proxy that says where the request came from (`X-Forwarded-Host`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopbackHost } from '../net/loopback';

/** Returns a handler that answers the request with the redirect (and returns true), or leaves it alone (false). */
export function loopbackRedirect(publicBaseUrl: string): (req: IncomingMessage, res: ServerResponse) => boolean {
  const target = new URL(publicBaseUrl);
  // Only a loopback PUBLIC_BASE_URL has another loopback spelling; anything else is reached through a proxy.
  if (!isLoopbackHost(target.hostname)) return () => false;
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (req.headers.authorization !== undefined || req.headers['x-forwarded-host'] !== undefined) return false;
    const host = parseHost(req.headers.host);
    if (!host || !isLoopbackHost(host.hostname) || host.hostname === target.hostname.toLowerCase()) return false;
    // The same server on the same port, by another name: a different port is someone else's business.
    if ((host.port || '80') !== port) return false;
    const path = req.url ?? '/';
    if (!path.startsWith('/') || path.startsWith('//') || path.split('?')[0] === '/healthz') return false;
    res.writeHead(302, { Location: target.origin + path, 'Cache-Control': 'no-store', 'Content-Length': '0' }).end();
    return true;
  };
}

function parseHost(header: string | undefined): { hostname: string; port: string } | undefined {
  if (!header) return undefined;
  try {
    const url = new URL(`http://${header}`);
    return { hostname: url.hostname.toLowerCase(), port: url.port };
  } catch {
    return undefined;
  }
}
