/**
 * CloudWatch Embedded Metric Format for Lambda: metrics recorded during an invocation are buffered and written as
 * EMF log lines once, when the invocation ends (flush). CloudWatch turns the lines into metrics; nothing is called.
 *
 * The lines have the shape `@aws-lambda-powertools/metrics` writes (namespace, a `service` dimension, one line per
 * flush), written here by hand: that package adds 28 KB minified to a bundle that must stay under 300 KB (it is at
 * 285 KB), and the function's asset ships `index.js` alone, so it cannot be split off and loaded later.
 * A metric with a breakdown gets its own line whose dimension sets are `[service]` and `[service, <breakdown>]`, so
 * the total and each breakdown value are both metrics.
 */
import { METRICS_NAMESPACE, UNITS, type Breakdown, type MetricName, type MetricsRecorder } from './recorder';

/** CloudWatch takes at most 100 values per metric in one EMF line. */
const MAX_VALUES = 100;

/** The `service` dimension of every line. */
export const METRICS_SERVICE = 'cognito-bff';

/** Where Lambda's EMF lines go: stdout, which Lambda sends to CloudWatch Logs. */
export function writeToStdout(line: string): void {
  process.stdout.write(`${line}\n`);
}

export interface EmfRecorder extends MetricsRecorder {
  /** Writes what this invocation recorded (nothing when nothing was), and starts over. */
  flush(): void;
}

/** Namespace and service from Powertools' variables (`POWERTOOLS_METRICS_NAMESPACE`, `POWERTOOLS_SERVICE_NAME`). */
export function emfSettings(env: Record<string, string | undefined>): { namespace: string; service: string } {
  return {
    namespace: env.POWERTOOLS_METRICS_NAMESPACE?.trim() || METRICS_NAMESPACE,
    service: env.POWERTOOLS_SERVICE_NAME?.trim() || METRICS_SERVICE,
  };
}

export function createEmfRecorder(options: {
  service: string;
  namespace?: string;
  write: (line: string) => void;
  now?: () => number;
}): EmfRecorder {
  const now = options.now ?? Date.now;
  // One group per dimension set: the plain metrics, and one per breakdown label value.
  let groups = new Map<string, { breakdown?: Breakdown; values: Map<MetricName, number[]> }>();

  const line = (breakdown: Breakdown | undefined, values: Map<MetricName, number[]>): string => {
    const dimensions = breakdown ? [['service'], ['service', breakdown.name]] : [['service']];
    const body: Record<string, unknown> = {
      _aws: {
        Timestamp: now(),
        CloudWatchMetrics: [
          {
            Namespace: options.namespace ?? METRICS_NAMESPACE,
            Dimensions: dimensions,
            Metrics: [...values.keys()].map((name) => ({ Name: name, Unit: UNITS[name] })),
          },
        ],
      },
      service: options.service,
      ...(breakdown ? { [breakdown.name]: breakdown.value } : {}),
    };
    for (const [name, list] of values) body[name] = list.length === 1 ? list[0] : list.slice(0, MAX_VALUES);
    return JSON.stringify(body);
  };

  return {
    record(name, value, breakdown) {
      if (!Number.isFinite(value)) return;
      const key = breakdown ? `${breakdown.name}=${breakdown.value}` : '';
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { breakdown, values: new Map() }));
      const list = group.values.get(name);
      if (list) list.push(value);
      else group.values.set(name, [value]);
    },
    flush() {
      const pending = groups;
      groups = new Map();
      for (const { breakdown, values } of pending.values()) options.write(line(breakdown, values));
    },
  };
}
