/**
 * The token relay (`apiProxy` / `API_PROXY`): each route's prefix, on the given router, guarded like every API route
 * of the BFF and relayed to its upstream with the caller's verified access token.
 */
import type { IRouter, Request, RequestHandler } from 'express';
import type { Dispatcher } from 'undici';
import type { Logger } from '../logger';
import type { Telemetry } from '../tracing/outbound';
import { relay } from './relay';
import type { ProxyRoute } from './routes';

export type { ProxyRoute, ProxyRouteOptions } from './routes';
export { lazyUpstreamAgent } from './undici';

export interface ApiProxyOptions {
  routes: readonly ProxyRoute[];
  timeoutMs: number;
  publicBaseUrl: string;
  logger: Logger;
  /** What a caller must pass before its request is relayed: authentication, CSRF, the route's scopes and groups. */
  guard: (route: ProxyRoute) => RequestHandler;
  /** The access token the guard verified for this request. */
  accessToken: (req: Request) => string | undefined;
  /** The connection pool, shared by every route and router (see lazyUpstreamAgent). */
  dispatcher: () => Promise<Dispatcher>;
  /** Where each relayed call's span and `ProxyCalls` count go. */
  telemetry: Telemetry;
}

/** Mounts every route's prefix on `router`, longest first. Does no I/O: connections open on the first relayed request. */
export function mountApiProxy(router: IRouter, options: ApiProxyOptions): void {
  for (const route of options.routes) router.use(route.prefix, options.guard(route), relay(route, options));
}
