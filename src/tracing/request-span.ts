/**
 * The first layer of every request the BFF serves: it gives the request its id (src/http/request-context.ts), sends
 * the id back in `X-Request-Id`, and starts the request's span, which ends when the response is finished or the
 * connection closes. The span is named for the route that answered (`GET /auth/callback`, `GET /api/orders` for a
 * relay prefix), never for the raw path: paths carry ids and whatever a caller chose to send. The rest of the request
 * runs with the span active in the OpenTelemetry context.
 *
 * Idempotent: `requireAuth` on a team's route runs it too, and where the router's layer already ran it does nothing.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { otelContextWithRequest, requestContextOf } from '../http/request-context';
import { REFUSAL_LOCAL, type Refusal } from '../metrics/outcomes';
import { SPAN_KIND } from './opentelemetry-api';
import type { SpanHandle, Tracing } from './tracing';

/** The route template that answered, as far as Express knows it: `/auth/sessions/:id`, a relay's prefix, … */
function routeOf(req: Request): string | undefined {
  const route = (req as { route?: { path?: unknown } }).route;
  if (route && typeof route.path === 'string') return req.baseUrl + route.path;
  return req.baseUrl || undefined;
}

function finish(tracing: Tracing, handle: SpanHandle, req: Request, res: Response): void {
  const route = routeOf(req);
  handle.span.updateName(route ? `${req.method} ${route}` : req.method);
  if (route) handle.span.setAttribute('http.route', route);
  const status = res.statusCode;
  handle.span.setAttribute('http.response.status_code', status);
  const refusal = res.locals[REFUSAL_LOCAL] as Refusal | undefined;
  if (refusal) handle.span.setAttribute('cognito_bff.error_code', refusal.code);
  // Only server errors fail a server span (OpenTelemetry's HTTP conventions): a 4xx is the caller's.
  tracing.end(handle, status >= 500 ? String(status) : undefined);
}

export function requestSpan(tracing: Tracing): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const request = requestContextOf(req);
    if (request.started) return next();
    request.started = true;
    if (!res.headersSent) res.setHeader('X-Request-Id', request.requestId);
    const handle = tracing.start(req.method, SPAN_KIND.server, { 'http.request.method': req.method }, request);
    if (!handle) return next();
    request.otelContext = otelContextWithRequest(handle.context, request);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      finish(tracing, handle, req, res);
    };
    res.once('finish', end);
    res.once('close', end);
    tracing.run({ span: handle.span, context: request.otelContext }, next);
  };
}
