/**
 * The standalone app (`npm start`, the container, the Lambda bundle): an Express app that uses the BFF like any team's
 * app would (the router, and `requireAuth` on its own route, the sample `/tests`), plus the HTTP policy on every
 * response and JSON errors for every route. No I/O happens at import time or here.
 */
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import { testsRoute } from './api/tests';
import { assembleBff, type AssembledBff, type BffParts } from './bff';
import type { Config } from './config';
import { lazyCookieParser } from './http/cookies';
import { errorMiddleware, notFound } from './http/errors';

export interface AppDeps extends Omit<BffParts, 'httpPolicy'> {
  config: Config;
}

/** The standalone app around an assembled BFF. */
export function standaloneApp(bff: AssembledBff): Express {
  const { config } = bff;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // Behind API Gateway, CloudFront or a local proxy: req.secure and req.ip come from X-Forwarded-*. Nothing here
  // builds a URL from the request (redirect URIs come from PUBLIC_BASE_URL), so a spoofed header changes no target.
  app.set('trust proxy', true);
  app.set('query parser', 'simple');
  // req.cookies by cookie-parser, parsed on first read: no middleware layer on every request (see lazyCookieParser).
  lazyCookieParser(app.request, cookieParser() as unknown as Parameters<typeof lazyCookieParser>[1]);

  // Security headers and CORS on every response, the app's own routes and 404s included.
  app.use(bff.httpPolicy);
  // The sample protected resource, guarded as any team's route would be. Before the router: every call of a
  // signed-in SPA lands here, and routes are matched in order. Also below the base path (a stage left on the path).
  app.get(config.basePath ? ['/tests', `${config.basePath}/tests`] : '/tests', bff.requireAuth(), testsRoute);
  app.use(bff.router);
  app.use(notFound);
  app.use(errorMiddleware(bff.logger));
  return app;
}

/** The standalone app from a resolved configuration and injected parts (tests, the benchmark). */
export function createApp(deps: AppDeps): Express {
  return standaloneApp(assembleBff(deps.config, { ...deps, httpPolicy: 'none' }));
}
