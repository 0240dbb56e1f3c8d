/**
 * Metrics in Lambda: sign-ins, refreshes, logouts and refusals driven through the real handler (two front doors,
 * the fake IdP) come out as CloudWatch Embedded Metric Format lines, written once per invocation, with the names and
 * namespace the CDK alarms read.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEmfRecorder } from '../../src/metrics/emf';
import { createOpenTelemetryRecorder, type OpenTelemetryMeter } from '../../src/metrics/opentelemetry';
import { buildAttackHarness, Browser, callbackPath, signIn, startFakeIdp, startLogin, type AttackHarness } from '../attack/support';
import type { FakeIdp } from '../support/fake-idp';

interface EmfLine {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [field: string]: unknown;
}

/** Every metric value in the lines, by name (and `name{code=x}` for a breakdown), summed. */
function totals(lines: string[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const text of lines) {
    const line = JSON.parse(text) as EmfLine;
    const directive = line._aws.CloudWatchMetrics[0]!;
    expect(directive.Namespace).toBe('CognitoBff');
    expect(directive.Dimensions[0]).toEqual(['service']);
    expect(line.service).toBe('cognito-bff');
    const breakdown = directive.Dimensions[1]?.[1];
    for (const { Name } of directive.Metrics) {
      const raw = line[Name];
      const value = (Array.isArray(raw) ? raw : [raw]).reduce((sum: number, item) => sum + Number(item), 0);
      sums[Name] = (sums[Name] ?? 0) + value;
      if (breakdown)
        sums[`${Name}{${breakdown}=${String(line[breakdown])}}`] = (sums[`${Name}{${breakdown}=${String(line[breakdown])}}`] ?? 0) + value;
    }
  }
  return sums;
}

describe.each(['rest-api', 'http-api'] as const)('Embedded Metric Format through the %s door', (door) => {
  let idp: FakeIdp;
  let harness: AttackHarness;
  beforeAll(async () => {
    idp = await startFakeIdp();
    harness = buildAttackHarness('lambda', idp, { door });
  });
  beforeEach(() => {
    harness.metrics.length = 0;
  });
  afterAll(async () => {
    await idp?.close();
  });

  it('counts a sign-in started and completed, with the bytes of the cookies set', async () => {
    const browser = new Browser(harness);
    await signIn(harness, browser);
    const sums = totals(harness.metrics);
    expect(sums.SignInStarted).toBe(1);
    expect(sums.SignInCompleted).toBe(1);
    expect(sums.SignInFailed).toBeUndefined();
    expect(sums.CookieBytes).toBeGreaterThan(1000);
    // Two invocations, at most one flush each: the login's line and the callback's line.
    expect(harness.metrics).toHaveLength(2);
  });

  it('counts a failed sign-in by its code, in the total and in the breakdown', async () => {
    const browser = new Browser(harness);
    const { authorizeUrl } = await startLogin(browser);
    await browser.send('GET', callbackPath(harness, { code: idp.issueCode(authorizeUrl), state: 'f'.repeat(43) }));
    await browser.send('GET', callbackPath(harness, { error: 'access_denied' }));
    const sums = totals(harness.metrics);
    expect(sums.SignInFailed).toBe(2);
    expect(sums['SignInFailed{code=invalid_state}']).toBe(1);
    expect(Object.keys(sums).filter((name) => name.startsWith('SignInFailed{')).length).toBe(2);
  });

  it('counts refreshes, refusals by CSRF and Origin, and logout', async () => {
    const browser = new Browser(harness);
    await signIn(harness, browser);
    harness.metrics.length = 0;
    await browser.send('POST', '/auth/refresh', { headers: { 'X-CSRF': '1' } });
    await browser.send('POST', '/auth/refresh');
    await browser.send('POST', '/auth/refresh', { headers: { 'X-CSRF': '1', Origin: 'https://evil.example' } });
    await harness.target.request('POST', '/auth/refresh', { headers: { 'X-CSRF': '1', Cookie: '__Secure-bff-rt=v1.garbage' } });
    await browser.send('POST', '/auth/logout', { headers: { 'X-CSRF': '1' } });
    const sums = totals(harness.metrics);
    expect(sums).toMatchObject({ RefreshOk: 1, RefreshRefused: 1, CsrfRefused: 1, OriginRefused: 1, Logout: 1 });
    expect(sums.RefreshIdpFailure).toBeUndefined();
  });

  it('counts an IdP failure on refresh apart from a refusal', async () => {
    const browser = new Browser(harness);
    await signIn(harness, browser);
    harness.metrics.length = 0;
    idp.tokenFault = { kind: 'status', status: 503, body: 'down' };
    try {
      const response = await browser.send('POST', '/auth/refresh', { headers: { 'X-CSRF': '1' } });
      expect(response.status).toBeGreaterThanOrEqual(500);
    } finally {
      idp.tokenFault = undefined;
    }
    const sums = totals(harness.metrics);
    expect(sums.RefreshIdpFailure).toBe(1);
    expect(sums.RefreshRefused).toBeUndefined();
  });

  it('counts rejected tokens, and an authorizer naming someone else as an identity mismatch too', async () => {
    await harness.target.request('GET', '/tests', { headers: { Authorization: 'Bearer a.b.c' } });
    const token = await idp.signAccessToken();
    await harness.target.request('GET', '/tests', {
      headers: { Authorization: `Bearer ${token}` },
      authorizerClaims: { sub: randomUUID() },
    });
    const sums = totals(harness.metrics);
    expect(sums.TokenRejected).toBe(2);
    expect(sums.IdentityMismatch).toBe(1);
  });

  it('writes nothing for an invocation that counted nothing', async () => {
    expect((await harness.target.request('GET', '/healthz')).status).toBe(200);
    expect(harness.metrics).toEqual([]);
  });
});

describe('the EMF writer', () => {
  it('buffers an invocation and writes it once; repeated values go in one list; a breakdown gets its own line', () => {
    const lines: string[] = [];
    const recorder = createEmfRecorder({ service: 'svc', write: (line) => lines.push(line), now: () => 1_700_000_000_000 });
    recorder.record('SignInStarted', 1);
    recorder.record('CookieBytes', 100);
    recorder.record('CookieBytes', 50);
    recorder.record('SignInFailed', 1, { code: 'invalid_state' });
    expect(lines).toEqual([]);
    recorder.flush();
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      {
        _aws: {
          Timestamp: 1_700_000_000_000,
          CloudWatchMetrics: [
            {
              Namespace: 'CognitoBff',
              Dimensions: [['service']],
              Metrics: [
                { Name: 'SignInStarted', Unit: 'Count' },
                { Name: 'CookieBytes', Unit: 'Bytes' },
              ],
            },
          ],
        },
        service: 'svc',
        SignInStarted: 1,
        CookieBytes: [100, 50],
      },
      {
        _aws: {
          Timestamp: 1_700_000_000_000,
          CloudWatchMetrics: [
            { Namespace: 'CognitoBff', Dimensions: [['service'], ['service', 'code']], Metrics: [{ Name: 'SignInFailed', Unit: 'Count' }] },
          ],
        },
        service: 'svc',
        code: 'invalid_state',
        SignInFailed: 1,
      },
    ]);
    recorder.flush();
    expect(lines).toHaveLength(2);
  });

  it('gives a value with two labels one line, with a dimension set per label besides the total', () => {
    const lines: string[] = [];
    const recorder = createEmfRecorder({ service: 'svc', namespace: 'Shop', write: (line) => lines.push(line), now: () => 5 });
    recorder.record('ProxyCalls', 1, { route: '/api/orders', status: '2xx' });
    recorder.record('ProxyCalls', 1, { route: '/api/orders', status: '2xx' });
    recorder.record('ProxyCalls', 1, { route: '/api/orders', status: '5xx' });
    recorder.flush();
    // The same directive on both lines: the three dimension sets, the one metric.
    const directive = {
      Namespace: 'Shop',
      Dimensions: [['service'], ['service', 'route'], ['service', 'status']],
      Metrics: [{ Name: 'ProxyCalls', Unit: 'Count' }],
    };
    const line = (status: string, ProxyCalls: number | number[]) => ({
      _aws: { Timestamp: 5, CloudWatchMetrics: [directive] },
      service: 'svc',
      route: '/api/orders',
      status,
      ProxyCalls,
    });
    expect(lines.map((text) => JSON.parse(text))).toEqual([line('2xx', [1, 1]), line('5xx', 1)]);
  });
});

describe('the HTTP runtime: the same names through the OpenTelemetry API', () => {
  let idp: FakeIdp;
  afterAll(async () => {
    await idp?.close();
  });

  it('adds to a counter per name (a histogram for bytes), with the breakdown as an attribute', async () => {
    const recorded: { instrument: string; unit?: string; value: number; attributes?: Record<string, unknown> }[] = [];
    // A Meter as the API defines it: what an SDK's MeterProvider hands out.
    const meter = {
      createCounter: (name: string, options?: { unit?: string }) => ({
        add: (value: number, attributes?: Record<string, unknown>) =>
          recorded.push({ instrument: `counter:${name}`, unit: options?.unit, value, attributes }),
      }),
      createHistogram: (name: string, options?: { unit?: string }) => ({
        record: (value: number, attributes?: Record<string, unknown>) =>
          recorded.push({ instrument: `histogram:${name}`, unit: options?.unit, value, attributes }),
      }),
    } satisfies OpenTelemetryMeter;
    idp = await startFakeIdp();
    const harness = buildAttackHarness('http', idp, { metricsRecorder: createOpenTelemetryRecorder(meter) });
    const browser = new Browser(harness);
    await signIn(harness, browser);
    await browser.send('GET', callbackPath(harness, { error: 'access_denied' }));
    expect(recorded).toEqual(
      expect.arrayContaining([
        { instrument: 'counter:SignInStarted', unit: '1', value: 1, attributes: undefined },
        { instrument: 'counter:SignInCompleted', unit: '1', value: 1, attributes: undefined },
        { instrument: 'counter:SignInFailed', unit: '1', value: 1, attributes: { code: 'access_denied' } },
        expect.objectContaining({ instrument: 'histogram:CookieBytes', unit: 'By' }),
      ]),
    );
  });
});
