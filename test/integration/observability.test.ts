/**
 * Traces, request ids and latency metrics, through the library's entries as a team uses them: `createBff` in an
 * Express app over HTTP with a real OpenTelemetry SDK registered in this process (in-memory span exporter, a metric
 * reader collected on demand), and `createBff({ metrics: 'emf' })` behind `createHandler` in Lambda, its EMF lines
 * read from stdout. The IdP is the fake one (it signs real RS256 tokens); the relay's upstream and dynalite are real.
 */
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import express from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBff, optionsFromEnv, type BffOptions } from '../../src/index';
import { createHandler } from '../../src/create-handler';
import { parseConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { setOpenTelemetryLoaderForTests } from '../../src/tracing/opentelemetry-api';
import { Browser, callbackPath, signIn, startFakeIdp, startLogin, type AttackHarness } from '../attack/support';
import { startTestDynalite, type TestDynalite } from '../support/dynalite';
import type { FakeIdp } from '../support/fake-idp';
import { httpTarget, lambdaTarget, type Target } from '../support/targets';
import { startUpstream, type Upstream } from '../support/upstream';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A metric reader that exports only when the test collects. */
class OnDemandReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

const spans = new InMemorySpanExporter();
const reader = new OnDemandReader();
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});

afterAll(() => {
  trace.disable();
  metrics.disable();
  context.disable();
  propagation.disable();
});

/** Every data point of the meter `cognito-bff`, by metric name: counters' sums and histograms' counts. */
async function collected(): Promise<Record<string, { value: number; attributes: Record<string, unknown> }[]>> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  const result: Record<string, { value: number; attributes: Record<string, unknown> }[]> = {};
  for (const scope of (resourceMetrics as ResourceMetrics).scopeMetrics) {
    if (scope.scope.name !== 'cognito-bff') continue;
    for (const metric of scope.metrics) {
      result[metric.descriptor.name] = metric.dataPoints.map((point) => ({
        value: typeof point.value === 'number' ? point.value : (point.value as { count: number }).count,
        attributes: point.attributes,
      }));
    }
  }
  return result;
}

function total(points: { value: number }[] | undefined): number {
  return (points ?? []).reduce((sum, point) => sum + point.value, 0);
}

function spanNamed(name: string, list: ReadableSpan[] = spans.getFinishedSpans()): ReadableSpan {
  const found = list.filter((span) => span.name === name);
  expect(
    found.map((span) => span.name),
    `one span named ${name}`,
  ).toEqual([name]);
  return found[0]!;
}

function childrenOf(parent: ReadableSpan): ReadableSpan[] {
  return spans.getFinishedSpans().filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId);
}

/** A team's Express app: the BFF router and a route of its own behind requireAuth. */
function teamApp(options: BffOptions): express.Express {
  const bff = createBff(options);
  const app = express();
  app.use(bff.router);
  app.get('/mine', bff.requireAuth(), (req, res) => {
    res.json({ sub: req.auth?.sub });
  });
  return app;
}

/** What the attack helpers need to sign a browser in against any target. */
function harnessFor(idp: FakeIdp, env: Record<string, string>, target: Target): AttackHarness {
  return {
    kind: 'http',
    idp,
    config: parseConfig(env),
    logs: [],
    metrics: [],
    target,
    penaltyBox: undefined as never,
    cookieValues: new Set(),
  };
}

describe('over HTTP: createBff with an OpenTelemetry SDK registered', () => {
  let idp: FakeIdp;
  let upstream: Upstream;
  let dynalite: TestDynalite;
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) });

  beforeAll(async () => {
    [idp, upstream, dynalite] = await Promise.all([startFakeIdp(), startUpstream(), startTestDynalite()]);
  });
  afterAll(async () => {
    await Promise.all([idp?.close(), upstream?.close(), dynalite?.stop()]);
  });
  afterEach(() => {
    spans.reset();
    logs.length = 0;
  });

  function signedInTeam(extra: Record<string, string> = {}) {
    const env = { ...idp.env(), PUBLIC_BASE_URL: 'http://localhost:3000', ...extra };
    const target = httpTarget(teamApp({ ...optionsFromEnv(env), logger }));
    const harness = harnessFor(idp, env, target);
    return { harness, browser: new Browser(harness) };
  }

  it('gives a sign-in one span per request, the IdP and JWKS calls as its children, and the request id on each', async () => {
    const { harness, browser } = signedInTeam();
    const { login, callback } = await signIn(harness, browser);
    expect(callback.status).toBe(302);

    const loginSpan = spanNamed('GET /auth/login');
    expect(loginSpan.kind).toBe(1); // SERVER
    expect(loginSpan.attributes).toMatchObject({ 'http.route': '/auth/login', 'http.response.status_code': 302 });
    expect(loginSpan.attributes['cognito_bff.request_id']).toBe(login.headers['x-request-id']);
    expect(String(login.headers['x-request-id'])).toMatch(UUID);

    const callbackSpan = spanNamed('GET /auth/callback');
    const requestId = callback.headers['x-request-id'];
    expect(callbackSpan.attributes['cognito_bff.request_id']).toBe(requestId);
    expect(requestId).not.toBe(login.headers['x-request-id']);
    const children = childrenOf(callbackSpan);
    const token = spanNamed('cognito.token', children);
    expect(token.kind).toBe(2); // CLIENT
    expect(token.attributes).toMatchObject({ 'cognito_bff.grant_type': 'authorization_code', 'cognito_bff.request_id': requestId });
    // The verifier had no keys yet: the first token it checked fetched them, inside this request.
    expect(spanNamed('cognito.jwks', children).attributes['cognito_bff.request_id']).toBe(requestId);
    // One trace per request.
    for (const child of children) expect(child.spanContext().traceId).toBe(callbackSpan.spanContext().traceId);
    expect(callbackSpan.spanContext().traceId).not.toBe(loginSpan.spanContext().traceId);

    const guarded = await browser.send('GET', '/mine');
    expect(guarded.status).toBe(200);
    expect(spanNamed('GET /mine').attributes).toMatchObject({ 'http.route': '/mine', 'http.response.status_code': 200 });
  });

  it('puts the request id in every log line written while a request is served, and keeps a plain id a proxy sent', async () => {
    const { harness, browser } = signedInTeam();
    const refused = await harness.target.request('GET', '/mine', { headers: { 'X-Request-Id': 'edge-42.a:b' } });
    expect(refused.status).toBe(401);
    expect(refused.headers['x-request-id']).toBe('edge-42.a:b');
    const started = await startLogin(browser);
    await browser.send('GET', callbackPath(harness, { code: idp.issueCode(started.authorizeUrl), state: 'x'.repeat(43) }));
    const hostile = await harness.target.request('GET', '/mine', { headers: { 'X-Request-Id': 'a"b\\n{}<script>' } });
    expect(String(hostile.headers['x-request-id'])).toMatch(UUID);

    const requestLines = logs.filter((line) => line.msg === 'request' || line.msg === 'request refused');
    expect(requestLines.length).toBeGreaterThanOrEqual(4);
    for (const line of requestLines) expect(line.requestId, JSON.stringify(line)).toEqual(expect.any(String));
    expect(logs.filter((line) => line.requestId === 'edge-42.a:b').map((line) => line.msg)).toEqual(
      expect.arrayContaining(['request refused']),
    );
    expect(logs.some((line) => line.requestId === hostile.headers['x-request-id'])).toBe(true);
    expect(JSON.stringify(logs)).not.toContain('<script>');
  });

  it('marks a request that failed at the IdP, and its IdP span, as errors; a refusal is not one', async () => {
    const { harness, browser } = signedInTeam();
    await signIn(harness, browser);
    spans.reset();
    idp.tokenFault = { kind: 'status', status: 503, body: 'down' };
    try {
      const failed = await browser.send('POST', '/auth/refresh', { headers: { 'X-CSRF': '1' } });
      expect(failed.status).toBeGreaterThanOrEqual(500);
    } finally {
      idp.tokenFault = undefined;
    }
    const refresh = spanNamed('POST /auth/refresh');
    expect(refresh.status.code).toBe(2); // ERROR
    expect(refresh.attributes['cognito_bff.error_code']).toBe('idp_unavailable');
    const token = spanNamed('cognito.token', childrenOf(refresh));
    expect(token.status.code).toBe(2);
    expect(token.attributes['error.type']).toBe('idp_unavailable');

    const refused = await harness.target.request('GET', '/mine');
    expect(refused.status).toBe(401);
    expect(spanNamed('GET /mine').status.code).toBe(0); // UNSET: a 4xx is the caller's
  });

  it('records IdP and JWKS latency, and relayed calls by route and status class, with the trace sent upstream', async () => {
    const before = await collected();
    const { harness, browser } = signedInTeam({ API_PROXY: `/api/orders=${upstream.url}/v1` });
    await signIn(harness, browser);
    expect((await browser.send('GET', '/api/orders/7')).status).toBe(200);
    expect((await browser.send('GET', '/api/orders/none', {})).status).toBe(200);
    upstream.behave((_received, res) => {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
    });
    expect((await browser.send('GET', '/api/orders/gone')).status).toBe(404);
    upstream.behave((_received, res) => {
      res.writeHead(200).end('{}');
    });

    const after = await collected();
    const grew = (name: string) => total(after[name]) - total(before[name]);
    expect(grew('IdpLatency')).toBe(1);
    expect(grew('JwksLatency')).toBeGreaterThanOrEqual(1);
    expect(grew('SignInCompleted')).toBe(1);
    const byStatus = (status: string) =>
      total(after.ProxyCalls?.filter((point) => point.attributes.route === '/api/orders' && point.attributes.status === status)) -
      total(before.ProxyCalls?.filter((point) => point.attributes.route === '/api/orders' && point.attributes.status === status));
    expect(byStatus('2xx')).toBe(2);
    expect(byStatus('4xx')).toBe(1);

    // One client span per relayed call, under the request's span; the upstream got its trace context.
    const relayed = spans.getFinishedSpans().filter((span) => span.kind === 2 && span.name === 'GET /api/orders');
    expect(relayed.map((span) => span.attributes['http.response.status_code'])).toEqual([200, 200, 404]);
    const last = relayed[2]!;
    expect(upstream.received.at(-1)?.headers.traceparent).toEqual([`00-${last.spanContext().traceId}-${last.spanContext().spanId}-01`]);
    const server = spans.getFinishedSpans().find((span) => span.spanContext().spanId === last.parentSpanContext?.spanId);
    expect(server?.kind).toBe(1);
    expect(server?.attributes['http.response.status_code']).toBe(404);
  });

  it('records session-store latency and a span per store call with DynamoDB sessions', async () => {
    const before = await collected();
    const { harness, browser } = signedInTeam(dynalite.env);
    await signIn(harness, browser);
    const callback = spanNamed('GET /auth/callback');
    expect(childrenOf(callback).map((span) => span.name)).toContain('session_store.create');
    const after = await collected();
    expect(total(after.SessionStoreLatency) - total(before.SessionStoreLatency)).toBeGreaterThanOrEqual(1);
    const listed = await browser.send('GET', '/auth/sessions');
    expect(listed.status).toBe(200);
    expect(childrenOf(spanNamed('GET /auth/sessions')).map((span) => span.name)).toContain('session_store.list');

    // Logout everywhere: the store, the revocation and Cognito's global sign-out, each a child of the logout's span.
    const adminCallsBefore = idp.adminCalls.length;
    const out = await browser.send('POST', '/auth/logout', {
      headers: { 'X-CSRF': '1', 'Content-Type': 'application/json' },
      body: JSON.stringify({ everywhere: true }),
    });
    expect(out.status).toBe(200);
    expect(idp.adminCalls.length).toBe(adminCallsBefore + 1);
    expect(childrenOf(spanNamed('POST /auth/logout')).map((span) => span.name)).toEqual(
      expect.arrayContaining(['session_store.endAll', 'cognito.revoke', 'cognito.global_sign_out']),
    );
  });
});

describe('in Lambda: createBff({ metrics: "emf" }) behind createHandler', () => {
  let idp: FakeIdp;
  beforeAll(async () => {
    idp = await startFakeIdp();
  });
  afterAll(async () => {
    await idp?.close();
  });

  it('writes the latencies as EMF once per invocation, and logs every line under the invocation id', async () => {
    const env = { ...idp.env(), PUBLIC_BASE_URL: 'https://abc123.execute-api.us-west-2.amazonaws.com/dev' };
    const logs: Record<string, unknown>[] = [];
    const logger = createLogger({ level: 'debug', write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) });
    const target = lambdaTarget(createHandler(teamApp({ ...optionsFromEnv(env), logger, metrics: 'emf', serviceName: 'shop' })), '/dev');
    const harness = harnessFor(idp, env, target);
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    let callbackStatus: number;
    try {
      callbackStatus = (await signIn(harness, new Browser(harness))).callback.status;
    } finally {
      spy.mockRestore();
    }
    expect(callbackStatus).toBe(302);
    const lines = written.flatMap((chunk) => chunk.split('\n')).filter((line) => line.includes('"_aws"'));
    const metricsOf = (line: string) =>
      JSON.parse(line) as Record<string, unknown> & {
        _aws: { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string; Unit: string }[] }[] };
      };
    const names = lines.flatMap((line) =>
      metricsOf(line)._aws.CloudWatchMetrics[0]!.Metrics.map((metric) => `${metric.Name}:${metric.Unit}`),
    );
    expect(names).toEqual(
      expect.arrayContaining(['SignInStarted:Count', 'SignInCompleted:Count', 'IdpLatency:Milliseconds', 'JwksLatency:Milliseconds']),
    );
    for (const line of lines)
      expect(metricsOf(line)).toMatchObject({ service: 'shop', _aws: { CloudWatchMetrics: [{ Namespace: 'CognitoBff' }] } });
    // The login's invocation and the callback's: one flush each, its metrics in as few lines as dimension sets.
    expect(lines.length).toBeLessThanOrEqual(3);
    // lambdaTarget names each invocation after its event's request id.
    const ids = new Set(logs.filter((line) => line.msg === 'request').map((line) => line.requestId));
    expect(ids.size).toBe(2);
  });
});

describe('without @opentelemetry/api installed', () => {
  afterAll(() => {
    setOpenTelemetryLoaderForTests();
  });

  it('serves the same, still with request ids, and records nothing', async () => {
    setOpenTelemetryLoaderForTests((name) => {
      throw Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });
    });
    const idp = await startFakeIdp();
    try {
      spans.reset();
      const env = { ...idp.env(), PUBLIC_BASE_URL: 'http://localhost:3000' };
      const harness = harnessFor(idp, env, httpTarget(teamApp(optionsFromEnv(env))));
      const { callback } = await signIn(harness, new Browser(harness));
      expect(callback.status).toBe(302);
      expect(String(callback.headers['x-request-id'])).toMatch(UUID);
      expect(spans.getFinishedSpans()).toEqual([]);
    } finally {
      await idp.close();
    }
  });
});
