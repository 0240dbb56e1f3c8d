/**
 * The metrics the BFF emits, by name (the CDK construct's alarms and dashboard read the same names), and the one
 * interface the app records them through. Each runtime plugs in its own recorder: CloudWatch Embedded Metric Format
 * lines in Lambda (emf.ts); none by default, so tests and the HTTP server pay nothing unless they ask.
 */

/** Namespace of every metric in CloudWatch. */
export const METRICS_NAMESPACE = 'CognitoBff';

export const COUNTERS = [
  'SignInStarted',
  'SignInCompleted',
  'SignInFailed',
  'RefreshOk',
  'RefreshRefused',
  'RefreshIdpFailure',
  'Logout',
  'CsrfRefused',
  'OriginRefused',
  'IdentityMismatch',
  'TokenRejected',
  'ProxyCalls',
] as const;

export type CounterName = (typeof COUNTERS)[number];
export type LatencyName = 'IdpLatency' | 'JwksLatency' | 'SessionStoreLatency';
export type MetricName = CounterName | LatencyName | 'CookieBytes';
export type MetricUnit = 'Count' | 'Milliseconds' | 'Bytes';

export const UNITS: Record<MetricName, MetricUnit> = {
  ...(Object.fromEntries(COUNTERS.map((name) => [name, 'Count'])) as Record<CounterName, 'Count'>),
  IdpLatency: 'Milliseconds',
  JwksLatency: 'Milliseconds',
  SessionStoreLatency: 'Milliseconds',
  CookieBytes: 'Bytes',
};

/**
 * Breakdowns of one value (`code` of a failed sign-in; `route` and `status` class of a proxied call): short, bounded
 * labels. Each is a metric of its own besides the total (the total is never lost to a breakdown): in CloudWatch one
 * dimension set per label, in OpenTelemetry the labels as attributes.
 */
export type LabelName = 'code' | 'route' | 'status';
export type Labels = Partial<Record<LabelName, string>>;

export interface MetricsRecorder {
  record(name: MetricName, value: number, labels?: Labels): void;
}

export const noMetrics: MetricsRecorder = { record() {} };
