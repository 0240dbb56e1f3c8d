/**
 * The recorder the `metrics` option names (src/options.ts): EMF lines for Lambda, the OpenTelemetry API for
 * everything else, or none. Every entry (createBff, the standalone server and Lambda function) picks its recorder here.
 */
import type { Config } from '../options';
import { createEmfRecorder, registerForFlush, writeToStdout } from './emf';
import { openTelemetryRecorder } from './opentelemetry';
import { noMetrics, type MetricsRecorder } from './recorder';

export function metricsFor(
  config: Pick<Config, 'metrics' | 'metricsNamespace' | 'serviceName'>,
  write: (line: string) => void = writeToStdout,
): MetricsRecorder {
  switch (config.metrics) {
    case 'emf':
      // Flushed by createHandler (cognito-bff/lambda) once each invocation is answered.
      return registerForFlush(createEmfRecorder({ namespace: config.metricsNamespace, service: config.serviceName, write }));
    case 'opentelemetry':
      return openTelemetryRecorder();
    case 'none':
      return noMetrics;
  }
}
