/**
 * assembleBff(config, parts): the one composition root of the BFF's request handling. `createBff` (src/index.ts) and
 * the standalone app (src/app.ts) both build on it; tests and the benchmark inject their parts (IdP client, verifiers,
 * clock, randomness) here. Not part of the package's documented surface. No I/O happens here.
 */
import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import express, { Router, type IRouter, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { AuthContext } from './auth/context';
import { gatewayClaimsOf } from './auth/gateway-claims';
import { createAuthenticate, presentedToken, requireCsrfProtection } from './auth/guards';
import type { IdpClient } from './auth/idp-client';
import { createRequireAuth, type RequireAuthOptions } from './auth/require-auth';
import { callbackGetRoute, callbackPostRoute } from './auth/routes/callback';
import { loginRoute } from './auth/routes/login';
import { logoutRoute } from './auth/routes/logout';
import { refreshRoute } from './auth/routes/refresh';
import { sessionRoute } from './auth/routes/session';
import { createSealer, type Sealer } from './auth/sealing';
import { SessionCookies } from './auth/session-cookies';
import type { TokenVerifiers } from './auth/verifiers';
import { InvalidRequestError } from './errors';
import { requireIdentityEncoding } from './http/body-encoding';
import { cors } from './http/cors';
import { errorMiddleware, notFound } from './http/errors';
import { headerBudget } from './http/header-budget';
import { requestLog } from './http/request-log';
import { ensureRequestCookies } from './http/request-cookies';
import { securityHeaders } from './http/security-headers';
import { SPA_DIR } from './local/spa-dir';
import type { Logger } from './logger';
import { recordOutcomes } from './metrics/outcomes';
import { noMetrics, type MetricsRecorder } from './metrics/recorder';
import { lazyUpstreamAgent, mountApiProxy, type ApiProxyOptions } from './proxy';
import type { Config } from './options';
import { createDynamoDbSessionStore } from './sessions/dynamodb-store';
import { lazyGlobalSignOut } from './sessions/global-sign-out';
import { endSessionRoute, listSessionsRoute, type SessionRoutesDeps } from './sessions/routes';
import { ServerSessions } from './sessions/server-sessions';
import { instrumentGlobalSignOut, instrumentIdp, instrumentSessionStore } from './tracing/instrument';
import type { Telemetry } from './tracing/outbound';
import { requestSpan } from './tracing/request-span';
import { createTracing, type Tracing } from './tracing/tracing';

/** What `createBff` returns (README, "Use it in your own app"). */
export interface Bff {
  /** `/healthz`, every `/auth/*` route and the `apiProxy` prefixes; mount it at `/`. */
  router: Router;
  /** Middleware for the team's own routes: 401/403 unless the caller is signed in (with the scopes and groups). */
  requireAuth(options?: RequireAuthOptions): RequestHandler;
  /** Loads the token keys (JWKS) ahead of the first request; rejects when they cannot be had. */
  ready(): Promise<void>;
}

export interface BffParts {
  logger: Logger;
  idp: IdpClient;
  verifiers: TokenVerifiers;
  /** Epoch milliseconds. @default Date.now */
  clock?: () => number;
  /** Random bytes. @default crypto.randomBytes */
  random?: (size: number) => Buffer;
  /** The demo SPA's directory, served when `serveDemoSpa` is on (the standalone app builds one from sources). @default SPA_DIR */
  demoSpaDir?: string;
  /**
   * Where the router applies the HTTP policy (security headers, CORS, `no-store` under /auth, the request log): `own`
   * paths only (a team's app: its other routes are its business), or `none` when the app applies it to every
   * request itself (the standalone app). @default 'own'
   */
  httpPolicy?: 'own' | 'none';
  /** Where the metrics go (src/metrics: EMF lines in Lambda, OpenTelemetry in the HTTP server). @default none */
  metrics?: MetricsRecorder;
  /** Where the spans go (src/tracing). @default the OpenTelemetry API when installed, else none */
  tracing?: Tracing;
  /** With `sessionStore: 'dynamodb'`: the DynamoDB document client. @default one for `dynamodbEndpoint` (no I/O until used) */
  dynamodbClient?: DynamoDBDocumentClient;
}

/** The Bff plus what the standalone app composes around it. */
export interface AssembledBff extends Bff {
  config: Config;
  logger: Logger;
  /** The request log, security headers, CORS and the header budget, for an app that applies them to every request. */
  httpPolicy: RequestHandler[];
}

/** JSON bodies are small here: a code, a redirect URI, a verifier. */
const JSON_LIMIT = '8kb';

/** Only application/json is read: a cross-site form cannot send it without a preflight. */
const requireJsonBody: RequestHandler = (req, _res, next) => {
  if (!req.is('application/json')) {
    throw new InvalidRequestError('unsupported_media_type', 'Send the body as application/json.', undefined, 415);
  }
  next();
};

/** Runs middleware one after the other, as a router would, without a router's per-layer cost. */
function runInOrder(layers: readonly RequestHandler[], req: Request, res: Response, done: NextFunction): void {
  let index = 0;
  const step = (error?: unknown): void => {
    if (error !== undefined) return done(error);
    const layer = layers[index++];
    if (!layer) return done();
    try {
      void layer(req, res, step);
    } catch (thrown) {
      done(thrown);
    }
  };
  step();
}

/** `/auth/logout`, below the base path or not, however its letters are cased (Express routes case-insensitively). */
function isLogoutPath(path: string, basePath: string): boolean {
  const lower = path.toLowerCase().replace(/\/+$/, '');
  return lower === '/auth/logout' || (basePath !== '' && lower === `${basePath.toLowerCase()}/auth/logout`);
}

/** Server-side sessions on the configured table (SESSION_STORE=dynamodb); the client does no I/O until a request. */
function serverSessions(config: Config, parts: BffParts, sealer: Sealer, now: () => number, telemetry: Telemetry): ServerSessions {
  // Loaded on first use: an app in cookie mode (and the Lambda bundle) never loads the AWS SDK for DynamoDB.
  const client =
    parts.dynamodbClient ??
    (() =>
      import('./sessions/dynamodb-client.js').then(({ createDocumentClient }) =>
        createDocumentClient({ endpoint: config.dynamodbEndpoint }),
      ));
  return new ServerSessions({
    store: instrumentSessionStore(createDynamoDbSessionStore({ client, table: config.sessionTable ?? '', sealer, now }), telemetry),
    idp: instrumentIdp(parts.idp, telemetry),
    verifiers: parts.verifiers,
    logger: parts.logger,
    now,
    sessionLifetimeSeconds: config.refreshCookieMaxAgeSeconds,
    revocationCheckSeconds: config.revocationCheckSeconds,
    idpTimeoutMs: config.idpTimeoutMs,
    // The SDK client for Cognito is loaded on the first "sign out everywhere", like the DynamoDB one above.
    globalSignOut: config.cognitoGlobalSignOut
      ? instrumentGlobalSignOut(lazyGlobalSignOut(config.cognito, config.idpTimeoutMs), telemetry)
      : undefined,
  });
}

export function assembleBff(config: Config, parts: BffParts): AssembledBff {
  const { logger } = parts;
  const now = parts.clock ?? Date.now;
  const sealer = createSealer(config.cookieKeys);
  const random = parts.random ?? randomBytes;
  // Every call to the IdP, the session store and an upstream gets a span and its latency (src/tracing/instrument.ts).
  const telemetry: Telemetry = { metrics: parts.metrics ?? noMetrics, tracing: parts.tracing ?? createTracing() };
  const context: AuthContext = {
    config,
    idp: instrumentIdp(parts.idp, telemetry),
    verifiers: parts.verifiers,
    logger,
    sealer,
    cookies: new SessionCookies(sealer, { basePath: config.basePath, refreshMaxAgeSeconds: config.refreshCookieMaxAgeSeconds, random }),
    now,
    random,
  };
  if (config.sessionStore === 'dynamodb') context.sessions = serverSessions(config, parts, sealer, now, telemetry);
  // Behind API Gateway the authorizer's claims ride on the request (src/apigateway/): checked against our own.
  // With server-side sessions it also refuses the tokens of ended sessions, for every route it guards.
  const authenticate = createAuthenticate({ ...context, gatewayClaims: gatewayClaimsOf });
  const sessionRoutes: SessionRoutesDeps = {
    sessions: context.sessions,
    authenticate,
    logger,
    cookieSessionId: (req, sub) => {
      const record = context.cookies.readSession(req);
      return record?.user.sub === sub ? record.sid : undefined;
    },
    clearCookies: (req) => context.cookies.clearAll(req.cookies ?? {}),
  };
  const csrf = requireCsrfProtection({ allowedOrigins: config.allowedOrigins, cookies: context.cookies });
  // POST /auth/callback is not authenticated by a cookie, so it needs no X-CSRF header; it is still refused from a
  // foreign Origin (login CSRF), and only application/json is read, which a cross-site form cannot send.
  const csrfForCallback = requireCsrfProtection({
    allowedOrigins: config.allowedOrigins,
    cookies: context.cookies,
    headerForCookies: false,
  });

  // The request's id and span: the first layer of the router's own paths, and of requireAuth on a team's routes.
  const requestTelemetry = requestSpan(telemetry.tracing);
  const requireAuth = createRequireAuth({ authenticate, csrf, logger, requestTelemetry });
  const relayOptions: ApiProxyOptions = {
    routes: config.apiProxy,
    timeoutMs: config.apiProxyTimeoutMs,
    publicBaseUrl: config.publicBaseUrl,
    logger,
    guard: (route) => requireAuth({ scopes: route.scopes, groups: route.groups }),
    // The token requireAuth verified: the same one presentedToken finds again (Bearer header, else the cookie).
    accessToken: (req) => presentedToken(req, context.cookies)?.token,
    // One pool for the router and its copy below the base path.
    dispatcher: lazyUpstreamAgent(config.apiProxyTimeoutMs),
    telemetry,
  };

  // Every layer costs every request: the request log only exists when its lines would be written.
  const httpPolicy: RequestHandler[] = [
    requestTelemetry,
    // Counts what each finished response was (a sign-in, a refusal, …): one listener, only when metrics are wanted.
    ...(parts.metrics && parts.metrics !== noMetrics ? [recordOutcomes(parts.metrics, config.basePath)] : []),
    ...((logger.enabled?.('debug') ?? true) ? [requestLog(logger, now)] : []),
    securityHeaders({ https: config.publicBaseUrl.startsWith('https:') }),
    cors(config.allowedOrigins),
    // One header budget at every front door (src/http/header-budget.ts), answered in JSON by the app itself; but
    // POST /auth/logout always gets through, so a browser holding oversized cookies can be signed out and cleaned.
    headerBudget(undefined, (req) => req.method === 'POST' && isLogoutPath(req.path, config.basePath)),
  ];

  const routes = <R extends IRouter>(router: R): R => {
    router.get('/healthz', (_req, res) => {
      res.status(200).json({ status: 'ok' });
    });
    router.get('/auth/login', loginRoute(context));
    router.get('/auth/callback', callbackGetRoute(context));
    router.post(
      '/auth/callback',
      csrfForCallback,
      requireIdentityEncoding,
      requireJsonBody,
      express.json({ limit: JSON_LIMIT, inflate: false }),
      callbackPostRoute(context),
    );
    router.get('/auth/session', sessionRoute(context, authenticate));
    router.post('/auth/refresh', csrf, refreshRoute(context));
    // A body is optional here (`{"everywhere":true}`); read as JSON only, never inflated.
    router.post('/auth/logout', csrf, requireIdentityEncoding, express.json({ limit: '1kb', inflate: false }), logoutRoute(context));
    router.get('/auth/sessions', listSessionsRoute(sessionRoutes));
    router.delete('/auth/sessions/:id', csrf, endSessionRoute(sessionRoutes));
    // Token relay (config.apiProxy): each prefix guarded as requireAuth guards a team's route, then relayed.
    if (config.apiProxy.length > 0) mountApiProxy(router, relayOptions);
    // Anything else under /auth is ours to refuse, as JSON.
    router.use('/auth', notFound);
    return router;
  };

  const router = Router();
  const ownPrefixes = ['/auth', '/healthz', ...config.apiProxy.map((route) => route.prefix)].flatMap((prefix) =>
    config.basePath ? [prefix, config.basePath + prefix] : [prefix],
  );
  const owns = (path: string) => ownPrefixes.some((prefix) => path === prefix || path.startsWith(prefix + '/'));
  const policy = (parts.httpPolicy ?? 'own') === 'own' ? httpPolicy : [];
  // One layer in front: a request that is not ours leaves the router at once (the team's own routes pay one check),
  // ours get the cookie property and the HTTP policy. With the demo SPA every path may be ours.
  router.use((req, res, next) => {
    if (!config.serveDemoSpa && !owns(req.path)) return next('router');
    ensureRequestCookies(req);
    runInOrder(policy, req, res, next);
  });
  routes(router);
  // Requests may arrive with the stage or base path still on (a custom domain mapping, a local proxy).
  if (config.basePath) router.use(config.basePath, routes(Router()));
  if (config.serveDemoSpa)
    router.use(express.static(parts.demoSpaDir ?? SPA_DIR, { index: 'index.html', dotfiles: 'ignore', redirect: false }));
  // Errors of the routes above, answered as JSON here: the team's app has no error middleware of ours.
  router.use(errorMiddleware(logger));

  return {
    config,
    logger,
    httpPolicy,
    router,
    requireAuth,
    ready: () => parts.verifiers.hydrate(),
  };
}
