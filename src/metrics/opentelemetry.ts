/**
 * Metrics for the HTTP runtime through the OpenTelemetry API: the same names as in Lambda, as counters and
 * histograms of the meter `cognito-bff`. Nothing is exported unless the application registers an OpenTelemetry SDK
 * (a MeterProvider with the exporter of its choice: OTLP, Prometheus, …), and `@opentelemetry/api` is not a
 * dependency: it is loaded when the application has it (every OpenTelemetry SDK brings it), so a team that runs one
 * gets the BFF's metrics beside its own and a team that does not pays nothing.
 */
import { UNITS, type MetricName, type MetricsRecorder } from './recorder';

/** The part of the OpenTelemetry API's Meter used here. */
export interface OpenTelemetryMeter {
  createCounter(name: string, options?: { unit?: string }): { add(value: number, attributes?: Record<string, string>): void };
  createHistogram(name: string, options?: { unit?: string }): { record(value: number, attributes?: Record<string, string>): void };
}

const OTEL_UNITS = { Count: '1', Milliseconds: 'ms', Bytes: 'By' } as const;

export function createOpenTelemetryRecorder(meter: OpenTelemetryMeter): MetricsRecorder {
  const record = new Map<MetricName, (value: number, attributes?: Record<string, string>) => void>();
  const instrument = (name: MetricName) => {
    let found = record.get(name);
    if (!found) {
      const unit = UNITS[name];
      if (unit === 'Count') {
        const counter = meter.createCounter(name, { unit: OTEL_UNITS[unit] });
        found = (value, attributes) => counter.add(value, attributes);
      } else {
        const histogram = meter.createHistogram(name, { unit: OTEL_UNITS[unit] });
        found = (value, attributes) => histogram.record(value, attributes);
      }
      record.set(name, found);
    }
    return found;
  };
  return {
    record(name, value, breakdown) {
      instrument(name)(value, breakdown ? { [breakdown.name]: breakdown.value } : undefined);
    },
  };
}

/** The recorder on the global meter provider when `@opentelemetry/api` is installed; none otherwise. */
export async function loadOpenTelemetryRecorder(): Promise<MetricsRecorder | undefined> {
  // A specifier in a variable: the module is optional, neither resolved at compile time nor bundled.
  const specifier = '@opentelemetry/api';
  try {
    const api = (await import(specifier)) as { metrics: { getMeter(name: string): OpenTelemetryMeter } };
    return createOpenTelemetryRecorder(api.metrics.getMeter('cognito-bff'));
  } catch {
    return undefined;
  }
}
