/**
 * createApp(deps): the Express app, with every dependency injected so the HTTP server, the Lambda handler, the
 * tests and the benchmark share it. No I/O happens at import time or here.
 */
import { randomBytes } from 'node:crypto';
import cookieParser from 'cookie-parser';
import express, { type Express, type IRouter, type Request, type RequestHandler, Router } from 'express';
import { testsRoute } from './api/tests';
import type { AuthContext } from './auth/context';
import { createAuthenticate, requireCsrfProtection, requireIdentity, type GatewayClaims } from './auth/guards';
import type { IdpClient } from './auth/idp-client';
import { callbackGetRoute, callbackPostRoute } from './auth/routes/callback';
import { loginRoute } from './auth/routes/login';
import { logoutRoute } from './auth/routes/logout';
import { refreshRoute } from './auth/routes/refresh';
import { sessionRoute } from './auth/routes/session';
import { createSealer } from './auth/sealing';
import { SessionCookies } from './auth/session-cookies';
import type { TokenVerifiers } from './auth/verifiers';
import type { Config } from './config';
import { InvalidRequestError } from './errors';
import { requireIdentityEncoding } from './http/body-encoding';
import { lazyCookieParser } from './http/cookies';
import { cors } from './http/cors';
import { errorMiddleware, notFound } from './http/errors';
import { headerBudget } from './http/header-budget';
import { requestLog } from './http/request-log';
import { securityHeaders } from './http/security-headers';
import type { Logger } from './logger';

export interface AppDeps {
  config: Config;
  idp: IdpClient;
  verifiers: TokenVerifiers;
  logger: Logger;
  /** Epoch milliseconds; default Date.now. */
  clock?: () => number;
  /** Random bytes; default crypto.randomBytes. */
  random?: (size: number) => Buffer;
  /** A directory of static files served at `/` (the demo SPA); none in Lambda. */
  staticDir?: string;
  /** The API Gateway authorizer's claims for this request (Lambda only). */
  gatewayClaims?: (req: Request) => GatewayClaims | undefined;
}

/** JSON bodies are small here: a code, a redirect URI, a verifier. */
const JSON_LIMIT = '8kb';

/** Adds the routes to `router` (the app itself, or a router mounted below a base path). */
function routes<R extends IRouter>(context: AuthContext, deps: AppDeps, router: R): R {
  const authenticate = createAuthenticate({ ...context, gatewayClaims: deps.gatewayClaims });
  const csrf = requireCsrfProtection({ allowedOrigins: context.config.allowedOrigins, cookies: context.cookies });
  // The API first: every call of a signed-in SPA lands here, and routes are matched in order.
  router.get('/tests', requireIdentity(authenticate), (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    testsRoute(req, res);
  });
  router.get('/healthz', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });
  router.get('/auth/login', loginRoute(context));
  router.get('/auth/callback', callbackGetRoute(context));
  router.post(
    '/auth/callback',
    csrfForCallback(context),
    requireIdentityEncoding,
    requireJsonBody,
    express.json({ limit: JSON_LIMIT, inflate: false }),
    callbackPostRoute(context),
  );
  router.get('/auth/session', sessionRoute(context, authenticate));
  router.post('/auth/refresh', csrf, refreshRoute(context));
  router.post('/auth/logout', csrf, logoutRoute(context));
  return router;
}

/** Only application/json is read: a cross-site form cannot send it without a preflight. */
const requireJsonBody: RequestHandler = (req, _res, next) => {
  if (!req.is('application/json')) {
    throw new InvalidRequestError('unsupported_media_type', 'Send the body as application/json.', undefined, 415);
  }
  next();
};

/**
 * POST /auth/callback is not authenticated by a cookie, so it needs no X-CSRF header; it is still refused from a
 * foreign Origin (login CSRF), and only application/json is read, which a cross-site form cannot send.
 */
function csrfForCallback(context: AuthContext) {
  return requireCsrfProtection({ allowedOrigins: context.config.allowedOrigins, cookies: context.cookies, headerForCookies: false });
}

export function createApp(deps: AppDeps): Express {
  const { config, logger } = deps;
  const now = deps.clock ?? Date.now;
  const sealer = createSealer(config.cookieKeys);
  const random = deps.random ?? randomBytes;
  const context: AuthContext = {
    config,
    idp: deps.idp,
    verifiers: deps.verifiers,
    logger,
    sealer,
    cookies: new SessionCookies(sealer, { basePath: config.basePath, refreshMaxAgeSeconds: config.refreshCookieMaxAgeSeconds, random }),
    now,
    random,
  };

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // Behind API Gateway, CloudFront or a local proxy: req.secure and req.ip come from X-Forwarded-*. Nothing here
  // builds a URL from the request (redirect URIs come from PUBLIC_BASE_URL), so a spoofed header changes no target.
  app.set('trust proxy', true);
  app.set('query parser', 'simple');

  // Every layer costs every request: the request log only exists when its lines would be written.
  if (logger.enabled?.('debug') ?? true) app.use(requestLog(logger, now));
  app.use(securityHeaders({ https: config.publicBaseUrl.startsWith('https:') }));
  app.use(cors(config.allowedOrigins));
  // One header budget at every front door (src/http/header-budget.ts), answered in JSON by the app itself.
  app.use(headerBudget());
  // req.cookies by cookie-parser, parsed on first read: no middleware layer on every request (see lazyCookieParser).
  lazyCookieParser(app.request, cookieParser() as unknown as Parameters<typeof lazyCookieParser>[1]);

  // On the app itself rather than in a mounted router: one router pass per request instead of two.
  routes(context, deps, app);
  // Requests may arrive with the stage or base path still on (a custom domain mapping, a local proxy).
  if (config.basePath) app.use(config.basePath, routes(context, deps, Router()));
  if (deps.staticDir) app.use(express.static(deps.staticDir, { index: 'index.html', dotfiles: 'ignore', redirect: false }));
  app.use(notFound);
  app.use(errorMiddleware(logger));
  return app;
}
