/**
 * What crosses the relay in each direction. Towards the upstream: the caller's headers minus its credentials (Cookie,
 * Authorization), the BFF's CSRF marker, hop-by-hop headers and every forwarding header a caller could forge; the BFF
 * then adds the verified access token and its own X-Forwarded-*. Towards the browser: the upstream's headers minus
 * Set-Cookie (the browser's cookies belong to the BFF), hop-by-hop headers and CORS (the BFF's own CORS policy
 * answers), and never over a header the BFF has set itself (its security headers).
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** RFC 9110 7.6.1 hop-by-hop fields, plus the non-standard ones still seen. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Never forwarded upstream, whatever the caller sends. */
const REQUEST_DROPPED = new Set([
  'host',
  'cookie',
  'authorization',
  'x-csrf',
  'forwarded',
  'x-real-ip',
  // The relay sends bodies as it has them (a stream, or a Buffer whose length the client computes).
  'content-length',
  // The HTTP client does not do 100-continue; the BFF has already accepted the body.
  'expect',
]);

/** Never returned to the browser. */
const RESPONSE_DROPPED = new Set(['set-cookie', 'set-cookie2']);

/** Names listed in a Connection header are hop-by-hop too (RFC 9110 7.6.1). */
function connectionTokens(value: string | string[] | undefined): Set<string> {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(
    text
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter(Boolean),
  );
}

function droppedForwarding(name: string): boolean {
  // x-forwarded-*, and the internal headers the Lambda event source sets (x-cognito-bff-*).
  return name.startsWith('x-forwarded-') || name.startsWith('x-cognito-bff-');
}

export interface ForwardingFacts {
  accessToken: string;
  /** The caller's address as this BFF sees it (the socket peer, or API Gateway's source IP): never a header. */
  clientAddress: string | undefined;
  /** `https` or `http`, from the BFF's public base URL. */
  proto: string;
  /** The BFF's public host, from its public base URL. */
  host: string;
  /** The caller's body length, when it gave one and the body is streamed as is. */
  contentLength: string | undefined;
}

export function upstreamRequestHeaders(incoming: IncomingHttpHeaders, facts: ForwardingFacts): Record<string, string> {
  const hopByHop = connectionTokens(incoming.connection);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || HOP_BY_HOP.has(name) || hopByHop.has(name) || REQUEST_DROPPED.has(name) || droppedForwarding(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  headers.authorization = `Bearer ${facts.accessToken}`;
  if (facts.clientAddress) headers['x-forwarded-for'] = facts.clientAddress;
  headers['x-forwarded-proto'] = facts.proto;
  headers['x-forwarded-host'] = facts.host;
  if (facts.contentLength !== undefined) headers['content-length'] = facts.contentLength;
  return headers;
}

/**
 * The upstream's headers that may reach the browser, given the names the BFF has already set on the response
 * (lower case). `Vary` is merged rather than replaced: both sides' variations hold.
 */
export function browserResponseHeaders(
  upstream: Record<string, string | string[] | undefined>,
  alreadySet: (name: string) => string | undefined,
): OutgoingHttpHeaders {
  const hopByHop = connectionTokens(upstream.connection);
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined || HOP_BY_HOP.has(name) || hopByHop.has(name) || RESPONSE_DROPPED.has(name)) continue;
    if (name.startsWith('access-control-')) continue;
    const own = alreadySet(name);
    if (name === 'vary') headers.vary = own ? `${own}, ${String(value)}` : String(value);
    else if (own === undefined) headers[name] = value;
  }
  // An answer that depends on the caller's session must not be kept by a shared cache unless the upstream says so.
  if (headers['cache-control'] === undefined && alreadySet('cache-control') === undefined) headers['cache-control'] = 'no-store';
  return headers;
}
