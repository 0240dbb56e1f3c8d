/**
 * Metrics for the HTTP runtime through the OpenTelemetry API: the same names as in Lambda, as counters and
 * histograms of the meter `cognito-bff`. The API is a no-op until the application registers an OpenTelemetry SDK
 * (a MeterProvider with the exporter of its choice: OTLP, Prometheus, …), so nothing is exported or loaded by
 * default, and a team that runs one gets the BFF's metrics beside its own.
 */
import { metrics as otelMetrics, type Counter, type Histogram, type Meter } from '@opentelemetry/api';
import { UNITS, type MetricName, type MetricsRecorder } from './recorder';

const OTEL_UNITS = { Count: '1', Milliseconds: 'ms', Bytes: 'By' } as const;

export function createOpenTelemetryRecorder(meter: Meter = otelMetrics.getMeter('cognito-bff')): MetricsRecorder {
  const instruments = new Map<MetricName, Counter | Histogram>();
  const instrument = (name: MetricName): Counter | Histogram => {
    let found = instruments.get(name);
    if (!found) {
      const unit = UNITS[name];
      found =
        unit === 'Count' ? meter.createCounter(name, { unit: OTEL_UNITS[unit] }) : meter.createHistogram(name, { unit: OTEL_UNITS[unit] });
      instruments.set(name, found);
    }
    return found;
  };
  return {
    record(name, value, breakdown) {
      const attributes = breakdown ? { [breakdown.name]: breakdown.value } : undefined;
      const target = instrument(name);
      if ('add' in target) target.add(value, attributes);
      else target.record(value, attributes);
    },
  };
}
