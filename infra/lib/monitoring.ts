/**
 * Alarms and one dashboard for a `CognitoBff`: the BFF's own metrics (CloudWatch Embedded Metric Format from the
 * Lambda, namespace `CognitoBff`, dimension `service`) beside the metrics AWS publishes for the API, the function and
 * the session table.
 *
 * Alarms (each notifies `alarmTopic` when given, on alarm and on recovery):
 * - sign-in failure ratio: more than 20 % of finished sign-ins failed, over at least 10 of them, two 5-minute periods
 *   running (a broken IdP configuration, a redirect mismatch, a clock problem);
 * - refresh IdP failures: the token endpoint failed (not refused) 5 times in 5 minutes (Cognito or the network down);
 * - 5xx: the API answered 5 or more server errors in 5 minutes, or the function failed (crash, timeout);
 * - identity mismatches: any request whose token `sub` differs from the authorizer's (should never happen);
 * - throttles: the function or the session table refused work for capacity.
 * Missing data is not breaching: a quiet night is not an incident.
 */
import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Operation, type Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/**
 * The BFF's metric names: the contract between the Lambda's EMF output and these alarms and graphs. Counters unless
 * noted; latencies in milliseconds, sizes in bytes.
 */
export const BFF_METRICS = {
  signInStarted: 'SignInStarted',
  signInCompleted: 'SignInCompleted',
  signInFailed: 'SignInFailed',
  refreshOk: 'RefreshOk',
  refreshRefused: 'RefreshRefused',
  refreshIdpFailure: 'RefreshIdpFailure',
  logout: 'Logout',
  csrfRefused: 'CsrfRefused',
  originRefused: 'OriginRefused',
  identityMismatch: 'IdentityMismatch',
  tokenRejected: 'TokenRejected',
  idpLatency: 'IdpLatency',
  jwksLatency: 'JwksLatency',
  sessionStoreLatency: 'SessionStoreLatency',
  proxyCalls: 'ProxyCalls',
  cookieBytes: 'CookieBytes',
} as const;

export type BffMetricName = (typeof BFF_METRICS)[keyof typeof BFF_METRICS];

/** What the API front door offers for alarms: its server-error metric. */
export interface MonitoredApi {
  metricServerError(props?: { period?: Duration; statistic?: string }): IMetric;
}

export interface BffMonitoringProps {
  /** CloudWatch namespace of the BFF's metrics. */
  readonly namespace: string;
  /** Value of the `service` dimension of the BFF's metrics. */
  readonly serviceName: string;
  readonly handler: IFunction;
  readonly api: MonitoredApi;
  /** @default - no table graphs or throttle alarm */
  readonly table?: Table;
  /** @default - alarms change state without notifying anyone */
  readonly alarmTopic?: ITopic;
  /** @default true */
  readonly dashboard?: boolean;
  /** Names the dashboard's title. */
  readonly label: string;
}

const FIVE_MINUTES = Duration.minutes(5);

/** The operations the BFF calls on its table (SESSION_TABLE_ACTIONS); an alarm's expression takes at most 10 metrics. */
const TABLE_OPERATIONS = [Operation.GET_ITEM, Operation.PUT_ITEM, Operation.UPDATE_ITEM, Operation.DELETE_ITEM, Operation.QUERY];

export class BffMonitoring extends Construct {
  readonly signInFailureRatio: Alarm;
  readonly refreshIdpFailures: Alarm;
  readonly serverErrors: Alarm;
  readonly functionErrors: Alarm;
  readonly identityMismatches: Alarm;
  readonly functionThrottles: Alarm;
  readonly tableThrottles?: Alarm;
  readonly dashboard?: Dashboard;
  private readonly namespace: string;
  private readonly serviceName: string;
  private readonly topic?: ITopic;

  constructor(scope: Construct, id: string, props: BffMonitoringProps) {
    super(scope, id);
    this.namespace = props.namespace;
    this.serviceName = props.serviceName;
    if (props.alarmTopic !== undefined) this.topic = props.alarmTopic;
    const sum = (name: BffMetricName) => this.metric(name, 'Sum');

    this.signInFailureRatio = this.alarm('SignInFailureRatio', {
      metric: new MathExpression({
        // Percent of finished sign-ins that failed, once there are enough of them to mean something.
        expression: 'IF(completed + failed >= 10, 100 * failed / (completed + failed), 0)',
        usingMetrics: { completed: sum(BFF_METRICS.signInCompleted), failed: sum(BFF_METRICS.signInFailed) },
        label: 'Sign-in failures (%)',
        period: FIVE_MINUTES,
      }),
      threshold: 20,
      evaluationPeriods: 2,
      description: 'More than 20 % of at least 10 sign-ins failed, two 5-minute periods running: check SignInFailed by error code.',
    });
    this.refreshIdpFailures = this.alarm('RefreshIdpFailures', {
      metric: sum(BFF_METRICS.refreshIdpFailure),
      threshold: 5,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description: "The IdP's token endpoint failed 5 or more refreshes in 5 minutes (not refusals): Cognito or the network.",
    });
    this.serverErrors = this.alarm('ServerErrors', {
      metric: props.api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: 5,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description: 'The API answered 5 or more 5xx in 5 minutes.',
    });
    this.functionErrors = this.alarm('FunctionErrors', {
      metric: props.handler.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: 0,
      description: 'The BFF function failed (an uncaught error or a timeout): its log group says why.',
    });
    this.identityMismatches = this.alarm('IdentityMismatches', {
      metric: sum(BFF_METRICS.identityMismatch),
      threshold: 0,
      description: "A request's token sub differed from the authorizer's: never expected; investigate at once.",
    });
    this.functionThrottles = this.alarm('FunctionThrottles', {
      metric: props.handler.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: 0,
      description: 'Lambda throttled the BFF: the account or reserved concurrency is exhausted.',
    });
    if (props.table !== undefined) {
      this.tableThrottles = this.alarm('TableThrottles', {
        metric: props.table.metricThrottledRequestsForOperations({ operations: TABLE_OPERATIONS, period: FIVE_MINUTES }),
        threshold: 0,
        description: 'DynamoDB throttled the session table: sessions answer 503 session_store_unavailable meanwhile.',
      });
    }

    if (props.dashboard ?? true) this.dashboard = this.buildDashboard(props);
  }

  /** Every alarm, for an alarm-status widget or a composite alarm of the team's own. */
  get alarms(): Alarm[] {
    return [
      this.signInFailureRatio,
      this.refreshIdpFailures,
      this.serverErrors,
      this.functionErrors,
      this.identityMismatches,
      this.functionThrottles,
      ...(this.tableThrottles === undefined ? [] : [this.tableThrottles]),
    ];
  }

  /** One of the BFF's metrics, with the deployment's `service` dimension. */
  metric(name: BffMetricName, statistic: string, period: Duration = FIVE_MINUTES): Metric {
    return new Metric({ namespace: this.namespace, metricName: name, dimensionsMap: { service: this.serviceName }, statistic, period });
  }

  /** One line per value of a label (the EMF lines' `[service, <label>]` dimension set), found by a search. */
  private byLabel(name: BffMetricName, label: 'status' | 'route' | 'code'): IMetric {
    return new MathExpression({
      expression: `SEARCH('{${this.namespace},service,${label}} MetricName="${name}" service="${this.serviceName}"', 'Sum', 300)`,
      usingMetrics: {},
      label: `${name} by ${label}`,
      period: FIVE_MINUTES,
    });
  }

  private alarm(
    id: string,
    options: {
      metric: IMetric;
      threshold: number;
      description: string;
      evaluationPeriods?: number;
      comparisonOperator?: ComparisonOperator;
    },
  ): Alarm {
    const alarm = new Alarm(this, id, {
      metric: options.metric,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      comparisonOperator: options.comparisonOperator ?? ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: `cognito-bff (${this.serviceName}): ${options.description}`,
    });
    if (this.topic !== undefined) {
      alarm.addAlarmAction(new SnsAction(this.topic));
      alarm.addOkAction(new SnsAction(this.topic));
    }
    return alarm;
  }

  private buildDashboard(props: BffMonitoringProps): Dashboard {
    const sums = (...names: BffMetricName[]) => names.map((name) => this.metric(name, 'Sum'));
    const percentiles = (name: BffMetricName) =>
      ['p50', 'p99'].map((statistic) => this.metric(name, statistic).with({ label: `${name} ${statistic}` }));
    const graph = (title: string, left: IMetric[], right: IMetric[] = []) => new GraphWidget({ title, left, right, width: 12, height: 6 });
    const dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(6) });
    dashboard.addWidgets(new AlarmStatusWidget({ title: `cognito-bff ${props.label}: alarms`, alarms: this.alarms, width: 24, height: 3 }));
    dashboard.addWidgets(
      graph('Sign-ins', sums(BFF_METRICS.signInStarted, BFF_METRICS.signInCompleted, BFF_METRICS.signInFailed)),
      graph(
        'Refreshes and logouts',
        sums(BFF_METRICS.refreshOk, BFF_METRICS.refreshRefused, BFF_METRICS.refreshIdpFailure, BFF_METRICS.logout),
      ),
    );
    dashboard.addWidgets(
      graph('Refusals', sums(BFF_METRICS.csrfRefused, BFF_METRICS.originRefused, BFF_METRICS.tokenRejected, BFF_METRICS.identityMismatch)),
      graph(
        'Proxied calls by status class, and cookie size',
        [...sums(BFF_METRICS.proxyCalls), this.byLabel(BFF_METRICS.proxyCalls, 'status')],
        [this.metric(BFF_METRICS.cookieBytes, 'Maximum')],
      ),
    );
    dashboard.addWidgets(
      graph('IdP and JWKS latency (ms)', [...percentiles(BFF_METRICS.idpLatency), ...percentiles(BFF_METRICS.jwksLatency)]),
      graph('Session store latency (ms)', percentiles(BFF_METRICS.sessionStoreLatency)),
    );
    dashboard.addWidgets(
      graph(
        'BFF function',
        [
          props.handler.metricInvocations({ period: FIVE_MINUTES }),
          props.handler.metricErrors({ period: FIVE_MINUTES }),
          props.handler.metricThrottles({ period: FIVE_MINUTES }),
        ],
        [props.handler.metricDuration({ period: FIVE_MINUTES, statistic: 'p99' })],
      ),
      graph('API 5xx', [props.api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' })]),
    );
    if (props.table !== undefined) {
      dashboard.addWidgets(
        graph(
          'Session table',
          [props.table.metricThrottledRequestsForOperations({ operations: TABLE_OPERATIONS, period: FIVE_MINUTES })],
          [
            props.table.metricSuccessfulRequestLatency({
              period: FIVE_MINUTES,
              dimensionsMap: { TableName: props.table.tableName, Operation: 'GetItem' },
            }),
          ],
        ),
      );
    }
    return dashboard;
  }
}
