/**
 * CloudWatch Embedded Metric Format for Lambda: metrics recorded during an invocation are buffered and written as
 * EMF log lines once, when the invocation ends (flush). CloudWatch turns the lines into metrics; nothing is called.
 *
 * The lines have the shape `@aws-lambda-powertools/metrics` writes (namespace, a `service` dimension, one line per
 * flush and dimension set), written here by hand: measured in `npm run bench` (observability section), that package
 * writes an invocation's metrics at about a tenth of this writer's rate and adds 16 KB minified against 1.6 KB.
 * A value with labels (src/metrics/recorder.ts) goes on a line whose dimension sets are `[service]` and one
 * `[service, <label>]` per label, so the total and each breakdown are all metrics and none counts twice.
 */
import { METRICS_NAMESPACE, UNITS, type LabelName, type MetricName, type MetricsRecorder } from './recorder';

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

interface Group {
  labels: [LabelName, string][];
  values: Map<MetricName, number[]>;
}

/** One key per set of label values: `code=x`, `route=/a|status=2xx`, `` for none. */
function keyOf(labels: [LabelName, string][]): string {
  return labels.map(([name, value]) => `${name}=${value}`).join('|');
}

export function createEmfRecorder(options: {
  service: string;
  namespace?: string;
  write: (line: string) => void;
  now?: () => number;
}): EmfRecorder {
  const now = options.now ?? Date.now;
  const namespace = options.namespace ?? METRICS_NAMESPACE;
  // One group per dimension set: the plain metrics, and one per combination of label values.
  let groups = new Map<string, Group>();

  const line = ({ labels, values }: Group): string => {
    const body: Record<string, unknown> = {
      _aws: {
        Timestamp: now(),
        CloudWatchMetrics: [
          {
            Namespace: namespace,
            Dimensions: [['service'], ...labels.map(([name]) => ['service', name])],
            Metrics: [...values.keys()].map((name) => ({ Name: name, Unit: UNITS[name] })),
          },
        ],
      },
      service: options.service,
    };
    for (const [name, value] of labels) body[name] = value;
    for (const [name, list] of values) body[name] = list.length === 1 ? list[0] : list.slice(0, MAX_VALUES);
    return JSON.stringify(body);
  };

  return {
    record(name, value, labels) {
      if (!Number.isFinite(value)) return;
      const pairs = labels ? (Object.entries(labels).filter(([, v]) => v !== undefined) as [LabelName, string][]) : [];
      const key = keyOf(pairs);
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { labels: pairs, values: new Map() }));
      const list = group.values.get(name);
      if (list) list.push(value);
      else group.values.set(name, [value]);
    },
    flush() {
      const pending = groups;
      groups = new Map();
      for (const group of pending.values()) options.write(line(group));
    },
  };
}

/**
 * The EMF recorders of `createBff({ metrics: 'emf' })` in this process, flushed by `createHandler` (cognito-bff/lambda)
 * after each invocation: the team's app and its handler are built apart, and a Lambda process serves one invocation at
 * a time, so whatever they hold belongs to the invocation just answered.
 */
const pendingRecorders = new Set<EmfRecorder>();

export function registerForFlush(recorder: EmfRecorder): EmfRecorder {
  pendingRecorders.add(recorder);
  return recorder;
}

/** Writes what every registered recorder holds. */
export function flushRegistered(): void {
  for (const recorder of pendingRecorders) recorder.flush();
}
