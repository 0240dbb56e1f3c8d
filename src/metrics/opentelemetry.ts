/**
 * Metrics for the HTTP runtime through the OpenTelemetry API: the same names as in Lambda, as counters and
 * histograms of the meter `cognito-bff`, labels as attributes. Nothing is exported unless the application registers an
 * OpenTelemetry SDK (a MeterProvider with the exporter of its choice: OTLP, Prometheus, …); without the API installed
 * (src/tracing/opentelemetry-api.ts) nothing is recorded at all.
 */
import { INSTRUMENTATION_NAME, openTelemetryApi, type OtelApi, type OtelMeter } from '../tracing/opentelemetry-api';
import { noMetrics, UNITS, type MetricName, type MetricsRecorder } from './recorder';

/** The part of the OpenTelemetry API's Meter used here. */
export type OpenTelemetryMeter = OtelMeter;

const OTEL_UNITS = { Count: '1', Milliseconds: 'ms', Bytes: 'By' } as const;

/** A recorder on `meter`, or on the API's global meter provider as it is when the first value is recorded. */
export function createOpenTelemetryRecorder(meter: OpenTelemetryMeter | (() => OpenTelemetryMeter)): MetricsRecorder {
  let resolved: OpenTelemetryMeter | undefined = typeof meter === 'function' ? undefined : meter;
  const instruments = new Map<MetricName, (value: number, attributes?: Record<string, string>) => void>();
  const instrument = (name: MetricName) => {
    let found = instruments.get(name);
    if (!found) {
      // The meter is taken on first use: an SDK registered after the BFF was built still gets every value.
      resolved ??= (meter as () => OpenTelemetryMeter)();
      const unit = UNITS[name];
      if (unit === 'Count') {
        const counter = resolved.createCounter(name, { unit: OTEL_UNITS[unit] });
        found = (value, attributes) => counter.add(value, attributes);
      } else {
        const histogram = resolved.createHistogram(name, { unit: OTEL_UNITS[unit] });
        found = (value, attributes) => histogram.record(value, attributes);
      }
      instruments.set(name, found);
    }
    return found;
  };
  return {
    record(name, value, labels) {
      instrument(name)(value, labels as Record<string, string> | undefined);
    },
  };
}

/** The recorder on the global meter provider when `@opentelemetry/api` is installed; none otherwise. */
export function openTelemetryRecorder(api: OtelApi | undefined = openTelemetryApi()): MetricsRecorder {
  return api ? createOpenTelemetryRecorder(() => api.metrics.getMeter(INSTRUMENTATION_NAME)) : noMetrics;
}
