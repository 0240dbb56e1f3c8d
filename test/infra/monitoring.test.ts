/**
 * Alarms and the dashboard of `CognitoBff` (on by default): each alarm watches the metric it is named for, with the
 * deployment's namespace and `service` dimension the function is told to emit, and notifies the topic when given.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BFF_METRICS, CognitoBff } from '../../infra/lib/index.js';
import { onlyResource, resourcesOfType, type CfnResourceJson, type TemplateJson } from './fixture.js';

const root = mkdtempSync(join(tmpdir(), 'cognito-bff-monitoring-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const STUB = Code.fromInline('exports.handler = async () => ({ statusCode: 200 });');

let json: TemplateJson;
let topicId: string;
let quietJson: TemplateJson;

beforeAll(() => {
  const stack = new Stack(new App({ outdir: mkdtempSync(join(root, 'out-')) }), 'Watched');
  const topic = new Topic(stack, 'Pager', { enforceSSL: true });
  new CognitoBff(stack, 'Bff', { code: STUB, alarmTopic: topic, serviceName: 'shop-bff' });
  topicId = stack.getLogicalId(topic.node.defaultChild as CfnElement);
  json = Template.fromStack(stack).toJSON() as TemplateJson;

  const quiet = new Stack(new App({ outdir: mkdtempSync(join(root, 'out-')) }), 'Quiet');
  new CognitoBff(quiet, 'Bff', { code: STUB, monitoring: false });
  quietJson = Template.fromStack(quiet).toJSON() as TemplateJson;
}, 120_000); // synthesis is slow on a loaded 2-core machine

type AlarmProps = {
  MetricName?: string;
  Namespace?: string;
  Dimensions?: Array<{ Name: string; Value: unknown }>;
  Threshold: number;
  ComparisonOperator: string;
  TreatMissingData: string;
  AlarmActions?: unknown[];
  OKActions?: unknown[];
  Metrics?: Array<{ Expression?: string; MetricStat?: { Metric: { MetricName: string; Namespace: string } } }>;
  AlarmDescription: string;
};

function alarms(): AlarmProps[] {
  return resourcesOfType(json, 'AWS::CloudWatch::Alarm').map(
    ([, alarm]: [string, CfnResourceJson]) => alarm.Properties as unknown as AlarmProps,
  );
}

/** The alarm watching `metricName` (directly or inside its math expression). */
function alarmOn(metricName: string): AlarmProps {
  const found = alarms().filter(
    (alarm) => alarm.MetricName === metricName || (alarm.Metrics ?? []).some((m) => m.MetricStat?.Metric.MetricName === metricName),
  );
  expect(found, metricName).toHaveLength(1);
  return found[0] as AlarmProps;
}

describe('alarms', () => {
  it('watches identity mismatches: any at all', () => {
    expect(alarmOn(BFF_METRICS.identityMismatch)).toMatchObject({
      Namespace: 'CognitoBff',
      Dimensions: [{ Name: 'service', Value: 'shop-bff' }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('watches the sign-in failure ratio over enough sign-ins', () => {
    const alarm = alarmOn(BFF_METRICS.signInFailed);
    const expression = alarm.Metrics?.find((metric) => metric.Expression !== undefined)?.Expression;
    expect(expression).toContain('failed / (completed + failed)');
    expect(expression).toContain('>= 10');
    expect(
      alarm.Metrics?.map((metric) => metric.MetricStat?.Metric.MetricName)
        .filter(Boolean)
        .sort(),
    ).toEqual([BFF_METRICS.signInCompleted, BFF_METRICS.signInFailed]);
    expect(alarm).toMatchObject({ Threshold: 20, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('watches refresh failures at the IdP (not refusals)', () => {
    expect(alarmOn(BFF_METRICS.refreshIdpFailure)).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(alarms().some((alarm) => alarm.MetricName === BFF_METRICS.refreshRefused)).toBe(false);
  });

  it("watches the API's 5xx and the function's errors", () => {
    expect(alarmOn('5XXError')).toMatchObject({ Namespace: 'AWS/ApiGateway', Threshold: 5 });
    expect(alarmOn('Errors')).toMatchObject({ Namespace: 'AWS/Lambda', Threshold: 0 });
  });

  it('watches throttles of the function and of the session table', () => {
    expect(alarmOn('Throttles')).toMatchObject({ Namespace: 'AWS/Lambda' });
    const table = alarmOn('ThrottledRequests');
    const [tableId] = onlyResource(json, 'AWS::DynamoDB::Table');
    expect(JSON.stringify(table.Metrics)).toContain(tableId);
  });

  it('notifies the topic on alarm and on recovery, every one of them', () => {
    expect(alarms()).toHaveLength(7);
    for (const alarm of alarms()) {
      expect(alarm.AlarmActions, alarm.AlarmDescription).toEqual([{ Ref: topicId }]);
      expect(alarm.OKActions, alarm.AlarmDescription).toEqual([{ Ref: topicId }]);
      expect(alarm.AlarmDescription).toMatch(/^cognito-bff \(shop-bff\): /);
    }
  });

  it('tells the function the namespace and dimension the alarms watch', () => {
    const bff = resourcesOfType(json, 'AWS::Lambda::Function').find(([, fn]) => JSON.stringify(fn.Properties).includes('POWERTOOLS'));
    expect((bff?.[1].Properties as { Environment: { Variables: Record<string, string> } }).Environment.Variables).toMatchObject({
      POWERTOOLS_METRICS_NAMESPACE: 'CognitoBff',
      POWERTOOLS_SERVICE_NAME: 'shop-bff',
    });
  });
});

describe('dashboard', () => {
  it('graphs every BFF metric and shows the alarms', () => {
    const [, dashboard] = onlyResource(json, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties?.DashboardBody);
    for (const name of Object.values(BFF_METRICS)) expect(body, name).toContain(`\\"${name}\\"`);
    expect(body).toContain('\\"alarms\\"');
    // Relayed calls by status class: the EMF lines' [service, status] dimension set, found by a search.
    expect(body).toContain("SEARCH('{CognitoBff,service,status} MetricName=");
  });
});

describe('monitoring: false', () => {
  it('creates neither alarms nor a dashboard', () => {
    expect(resourcesOfType(quietJson, 'AWS::CloudWatch::Alarm')).toEqual([]);
    expect(resourcesOfType(quietJson, 'AWS::CloudWatch::Dashboard')).toEqual([]);
  });

  it('refuses an alarm topic, naming it', () => {
    const stack = new Stack(new App(), 'Bad');
    expect(() => new CognitoBff(stack, 'Bff', { code: STUB, monitoring: false, alarmTopic: new Topic(stack, 'T') })).toThrow(
      /^CognitoBff: alarmTopic /,
    );
  });
});
