/**
 * The HTTP server of the standalone app, with explicit bounds on slow and idle clients instead of Node's defaults
 * (headers within 60 s, a whole request within 5 minutes, checked only every 30 s, and no connection cap: a client that
 * drips its body a byte at a time holds a connection for minutes, and enough of them hold every file descriptor).
 *
 * - `headersTimeoutMs`: the request head (line and headers) must arrive within this, from the first byte.
 * - `requestTimeoutMs`: the whole request, body included, must arrive within this (not the time to answer it: a slow
 *   IdP or upstream has bounds of its own).
 * - `keepAliveTimeoutMs`: an idle keep-alive connection is closed after this. Behind a load balancer, set it above the
 *   balancer's idle timeout, so the balancer never reuses a connection the server is closing.
 * - `maxConnections`: connections beyond this are closed as they arrive.
 *
 * Node checks the two request timeouts on a timer (`connectionsCheckingInterval`), which can only be given when the
 * server is created: it is derived from them here, so a bound is enforced within half of itself, not 30 s later.
 * API Gateway and Lambda bound all of this themselves; these settings concern the HTTP server only.
 */
import http from 'node:http';
import type { RequestListener } from 'node:http';

export interface ServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

/** The defaults, documented in the README's configuration table. */
export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1_000,
};

/**
 * The most request-header bytes Node parses (its default is 16 KB, above which it answers a bare 431 before any route
 * runs). The app applies its own, smaller budget to every route (src/http/header-budget.ts) except POST /auth/logout:
 * a browser still holding oversized cookies from an older version (up to 8 chunks of 4 KB per cookie) must always be
 * able to reach it and have them cleared.
 */
export const MAX_REQUEST_HEADER_BYTES = 128 * 1024;

/** How often Node sweeps connections for the two request timeouts: half the shorter one, between 10 ms and 1 s. */
export function checkingIntervalMs(limits: Pick<ServerLimits, 'headersTimeoutMs' | 'requestTimeoutMs'>): number {
  return Math.min(1_000, Math.max(10, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 2)));
}

/** An HTTP server for `app` with `limits` applied; not yet listening. */
export function createLimitedServer(app: RequestListener, limits: ServerLimits): http.Server {
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    // Node refuses this combination too, with a less helpful message.
    throw new RangeError('the headers timeout cannot be longer than the request timeout');
  }
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: checkingIntervalMs(limits),
      maxHeaderSize: MAX_REQUEST_HEADER_BYTES,
    },
    app,
  );
  server.maxConnections = limits.maxConnections;
  return server;
}
