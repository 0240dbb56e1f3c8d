/**
 * The BFF as it runs on a laptop or in a container (src/server.ts minus the local stack): configuration parsed
 * from BENCH_ENV, the real runtime (aws-jwt-verify verifiers against the fake IdP's JWKS, axios IdP client), the
 * production logger at the configured level, `createApp` unchanged.
 *
 * With BENCH_OTEL=1 an OpenTelemetry SDK is registered first, as a team running one would: a tracer provider that
 * samples and records every span (with no exporter), a meter provider whose reader is never collected, the
 * AsyncLocalStorage context manager and the W3C propagator; and the metrics go to it (METRICS=opentelemetry). What
 * that costs is what the benchmark's observability section measures.
 */
import http from 'node:http';
import { createApp } from '../../src/app';
import { parseConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { metricsFor } from '../../src/metrics/sink';
import { createRuntime, hydrate } from '../../src/runtime';
import { failStartup, serveBenchmark } from './ipc';

async function registerOpenTelemetry(): Promise<void> {
  const [api, { AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, { BasicTracerProvider }, sdkMetrics] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/sdk-metrics'),
  ]);
  class NeverCollected extends sdkMetrics.MetricReader {
    protected override async onShutdown(): Promise<void> {}
    protected override async onForceFlush(): Promise<void> {}
  }
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  api.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  api.trace.setGlobalTracerProvider(new BasicTracerProvider());
  api.metrics.setGlobalMeterProvider(new sdkMetrics.MeterProvider({ readers: [new NeverCollected()] }));
}

async function main(): Promise<void> {
  const observed = process.env.BENCH_OTEL === '1';
  if (observed) await registerOpenTelemetry();
  const config = parseConfig(JSON.parse(process.env.BENCH_ENV ?? '{}') as Record<string, string>);
  const logger = createLogger({ level: config.logLevel });
  const metrics = observed ? metricsFor({ ...config, metrics: 'opentelemetry' }) : undefined;
  const runtime = createRuntime(config, { metrics });
  await hydrate(runtime, logger);
  serveBenchmark(http.createServer(createApp({ config, ...runtime, logger, metrics })));
}

main().catch(failStartup);
