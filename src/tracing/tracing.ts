/**
 * Spans through the OpenTelemetry API: one for each request the BFF serves (request-span.ts) and one for each call it
 * makes on the request's behalf (the IdP, the JWKS, the session store, an upstream: outbound.ts). With no API
 * installed every call here is a no-op; with the API but no SDK the API's own spans are non-recording and cost little.
 *
 * A child span's parent is the span of the request being served (src/http/request-context.ts): in Lambda the
 * invocation's, over HTTP the API's active context (the request span runs in it). Every span carries the request id.
 */
import { currentRequest, type RequestContext } from '../http/request-context';
import {
  INSTRUMENTATION_NAME,
  openTelemetryApi,
  SPAN_STATUS_ERROR,
  type OtelApi,
  type OtelAttributes,
  type OtelContext,
  type OtelSpan,
} from './opentelemetry-api';

/** The attribute that carries the request id on every span. */
export const REQUEST_ID_ATTRIBUTE = 'cognito_bff.request_id';

export interface SpanHandle {
  readonly span: OtelSpan;
  /** The context in which this span is the active one: the parent of spans started under it. */
  readonly context: OtelContext;
}

export interface Tracing {
  /**
   * Starts a span: a child of the span of `request` (by default the request being served, see currentRequest), else
   * of the API's active span; undefined when there is no API.
   */
  start(name: string, kind: number, attributes?: OtelAttributes, request?: RequestContext): SpanHandle | undefined;
  /** Ends a span, marked as failed with `errorType` when given. */
  end(handle: SpanHandle | undefined, errorType?: string): void;
  /** Runs `fn` with the span active in the API's context (for the application's own instrumentations). */
  run<T>(handle: SpanHandle | undefined, fn: () => T): T;
  /** Adds the W3C trace headers of the current span to an outgoing request's headers. */
  inject(headers: Record<string, unknown>, handle: SpanHandle | undefined): void;
}

export const noTracing: Tracing = {
  start: () => undefined,
  end() {},
  run: (_handle, fn) => fn(),
  inject() {},
};

/**
 * Whether an SDK's tracer provider is registered: without one every span would be a non-recording no-op, and skipping
 * them keeps a BFF in a process that merely has the API (a dependency of something else) at its full speed.
 */
function tracerProviderRegistered(api: OtelApi): boolean {
  const provider = api.trace.getTracerProvider() as { getDelegate?(): object };
  const delegate = provider.getDelegate?.() ?? provider;
  return delegate.constructor.name !== 'NoopTracerProvider';
}

export function createTracing(api: OtelApi | undefined = openTelemetryApi(), version?: string): Tracing {
  if (!api) return noTracing;
  const tracer = api.trace.getTracer(INSTRUMENTATION_NAME, version);
  return {
    start(name, kind, attributes, given) {
      if (!tracerProviderRegistered(api)) return undefined;
      const request = given ?? currentRequest();
      const context = request?.otelContext ?? api.context.active();
      const span = tracer.startSpan(name, { kind, attributes }, context);
      if (request) span.setAttribute(REQUEST_ID_ATTRIBUTE, request.requestId);
      return { span, context: api.trace.setSpan(context, span) };
    },
    end(handle, errorType) {
      if (!handle) return;
      if (errorType !== undefined) {
        handle.span.setAttribute('error.type', errorType);
        handle.span.setStatus({ code: SPAN_STATUS_ERROR });
      }
      handle.span.end();
    },
    run: (handle, fn) => (handle ? api.context.with(handle.context, fn) : fn()),
    inject(headers, handle) {
      if (handle) api.propagation.inject(handle.context, headers);
    },
  };
}
