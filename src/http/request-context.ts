/**
 * What belongs to the request being served: its id (in every log line and span) and its span's OpenTelemetry context
 * (the parent of the IdP, JWKS, store and upstream spans).
 *
 * Where it is found, without an AsyncLocalStorage of the BFF's own (on Node 20 one cost `/tests` about 6 % of its
 * throughput in our measurements: the promise hooks it turns on slow every request of the process):
 * - on the request object, for everything that has the request (the routes, the guards, the error answers);
 * - in Lambda, in the invocation being served: a Lambda process serves one invocation at a time;
 * - over HTTP, in the OpenTelemetry context the request span runs in, when the application registered an SDK with a
 *   context manager (which already pays for the propagation): then code deep in a request finds it too.
 *
 * The id: in Lambda the invocation's `awsRequestId` (the id in Lambda's own START/END/REPORT lines); over HTTP the
 * caller's `X-Request-Id` when it is a plain token (a proxy in front that already names requests), else a random UUID.
 * Either way the response carries it back in `X-Request-Id`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { openTelemetryApi, type OtelContext } from '../tracing/opentelemetry-api';

export interface RequestContext {
  readonly requestId: string;
  /** The request span's context, once the request span has started (src/tracing/request-span.ts). */
  otelContext?: OtelContext;
  /** Whether the request's first layer has run (it runs once, whether the router or requireAuth gets there first). */
  started?: boolean;
}

/** The context of each request, beside it rather than on it: Node's request objects keep their shape. */
const contexts = new WeakMap<IncomingMessage, RequestContext>();

/** Lambda: the invocation being served (one at a time per process). */
let invocation: RequestContext | undefined;

/** The OpenTelemetry context key under which the request span's context carries the request (created on first use). */
let otelKey: symbol | undefined;

/** A request id we keep as it came: short, and from an alphabet that cannot break a log line or a header. */
const PLAIN_ID = /^[A-Za-z0-9._:@-]{1,64}$/;

/** `id` when it is a plain token, else a fresh one. */
export function requestIdOr(id: unknown): string {
  return typeof id === 'string' && PLAIN_ID.test(id) ? id : randomUUID();
}

/** The request's context; created on first ask (from the Lambda invocation, or from `X-Request-Id`). */
export function requestContextOf(req: IncomingMessage): RequestContext {
  let context = contexts.get(req);
  if (context === undefined) {
    context = invocation ?? { requestId: requestIdOr(req.headers['x-request-id']) };
    contexts.set(req, context);
  }
  return context;
}

/** Lambda: serves `fn` as the invocation `context` (set before the app runs, cleared when it has answered). */
export async function serveInvocation<T>(context: RequestContext, fn: () => Promise<T>): Promise<T> {
  invocation = context;
  try {
    return await fn();
  } finally {
    if (invocation === context) invocation = undefined;
  }
}

/** `otel` (a request span's context) carrying `request`, for code that runs inside it. */
export function otelContextWithRequest(otel: OtelContext, request: RequestContext): OtelContext {
  const api = openTelemetryApi();
  if (!api) return otel;
  otelKey ??= api.createContextKey('cognito-bff request');
  return otel.setValue(otelKey, request);
}

/** The request being served by the code that asks, where that can be known without the request object (see above). */
export function currentRequest(): RequestContext | undefined {
  if (invocation) return invocation;
  if (otelKey === undefined) return undefined;
  return openTelemetryApi()?.context.active().getValue(otelKey) as RequestContext | undefined;
}
