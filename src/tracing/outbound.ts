/**
 * A call the BFF makes on a request's behalf (the IdP's token endpoint, the JWKS, the session store, an upstream): a
 * client span under the request's span, and its latency in the metric named for it, whether it succeeded or not.
 */
import { performance } from 'node:perf_hooks';
import type { LatencyName, MetricsRecorder } from '../metrics/recorder';
import type { OtelAttributes } from './opentelemetry-api';
import { SPAN_KIND } from './opentelemetry-api';
import type { Tracing } from './tracing';

/** Where a request's telemetry goes: its metrics and its spans. */
export interface Telemetry {
  metrics: MetricsRecorder;
  tracing: Tracing;
  /** Monotonic milliseconds, for latencies. @default performance.now */
  now?: () => number;
}

export interface OutboundCall {
  /** The span's name: `cognito.token`, `session_store.get`, … */
  span: string;
  /** The latency metric the call's duration goes to, if any. */
  latency?: LatencyName;
  attributes?: OtelAttributes;
}

/** The kind of failure, for a span: the error's stable code when it has one, else its class name. */
export function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[\w.-]{1,64}$/.test(code)) return code;
  return error instanceof Error ? error.name.slice(0, 64) : 'unknown';
}

export async function outbound<T>(telemetry: Telemetry, call: OutboundCall, fn: () => Promise<T>): Promise<T> {
  const now = telemetry.now ?? performance.now.bind(performance);
  const started = now();
  const handle = telemetry.tracing.start(call.span, SPAN_KIND.client, call.attributes);
  try {
    const result = await telemetry.tracing.run(handle, fn);
    telemetry.tracing.end(handle);
    return result;
  } catch (error) {
    telemetry.tracing.end(handle, errorType(error));
    throw error;
  } finally {
    if (call.latency) telemetry.metrics.record(call.latency, Math.max(0, now() - started));
  }
}
