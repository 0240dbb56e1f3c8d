/**
 * One handler, every front door: the same requests through the HTTP server and through the Lambda handler behind
 * API Gateway REST (v1), HTTP API (payload 2.0), a Function URL and an ALB (multi-value headers off and on) get the
 * same statuses, bodies, cookies and redirects; each door's result has the form that door reads; door-specific
 * inputs (stages, cookies[], percent-encoded ALB queries, base64 bodies, a JWT authorizer's claims) land as the app
 * expects. The full sign-in flow through each door, against cognito-local, is in flow.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import { createFrontDoorHandler, type FrontDoorResult, type LambdaHandler } from '../../src/aws-lambda/handler';
import { buildAttackHarness, Browser, signIn, startFakeIdp, type AttackHarness } from '../attack/support';
import type { FakeIdp } from '../support/fake-idp';
import { frontDoorEvent, resultHeaderFields, type LambdaFrontDoor } from '../support/front-door-events';
import { ENTRIES, type Entry } from '../support/harness';
import { lambdaTarget, type TargetResponse } from '../support/targets';
import { createLogger } from '../../src/logger';

let idp: FakeIdp;
const harnesses = new Map<string, AttackHarness>();

beforeAll(async () => {
  idp = await startFakeIdp();
  for (const entry of ENTRIES) harnesses.set(entry.name, buildAttackHarness(entry.kind, idp, { door: entry.door }));
});
afterAll(async () => {
  await idp?.close();
});

const LAMBDA_ENTRIES = ENTRIES.filter((entry) => entry.kind === 'lambda') as (Entry & { door: LambdaFrontDoor })[];

function harnessOf(entry: Entry): AttackHarness {
  return harnesses.get(entry.name)!;
}

/** What must be the same whichever way a request came in: base URLs (and so absolute locations) differ per door. */
function comparable(harness: AttackHarness, response: TargetResponse) {
  const location = response.headers.location === undefined ? undefined : String(response.headers.location);
  const base = harness.config.publicBaseUrl;
  const cookies = ((response.headers['set-cookie'] as string[] | undefined) ?? []).map((cookie) =>
    cookie.replace(/=[^;]*/, '=<value>').replace(/Path=[^;]*/i, (path) => path.replace(harness.config.basePath, '')),
  );
  return {
    status: response.status,
    body: response.text.split(base).join('<base>'),
    location: location?.startsWith(base) ? location.replace(base, '<base>') : location && new URL(location).pathname,
    cookies: cookies.sort(),
    contentType: response.headers['content-type'],
    cacheControl: response.headers['cache-control'],
    wwwAuthenticate: response.headers['www-authenticate'],
  };
}

describe('the same answers through every front door', () => {
  const REQUESTS: [string, string, { headers?: Record<string, string>; body?: string; base64Body?: boolean }?][] = [
    ['GET', '/healthz'],
    ['GET', '/auth/session'],
    ['GET', '/tests'],
    ['GET', '/tests', { headers: { Authorization: 'Bearer not.a.token' } }],
    ['GET', '/nowhere?x=1'],
    ['POST', '/auth/refresh'],
    ['POST', '/auth/refresh', { headers: { 'X-CSRF': '1', Cookie: '__Secure-bff-rt=v1.garbage' } }],
    ['POST', '/auth/logout', { headers: { 'X-CSRF': '1', Origin: 'https://evil.example' } }],
    ['GET', '/auth/callback?error=access_denied&error_description=nope'],
    ['GET', '/auth/callback?code=abc&state=def'],
    ['POST', '/auth/callback', { headers: { 'Content-Type': 'application/json' }, body: '{"code":' }],
    ['POST', '/auth/callback', { headers: { 'Content-Type': 'application/json' }, body: '{"code":"x"}', base64Body: true }],
    ['POST', '/auth/callback', { headers: { 'Content-Type': 'text/plain' }, body: 'code=abc' }],
    ['GET', '/auth/%E2%9C%93?q=%E2%9C%93'],
  ];

  it.each(REQUESTS)('%s %s', async (method, url, options) => {
    const reference = comparable(harnessOf(ENTRIES[0]!), await harnessOf(ENTRIES[0]!).target.request(method, url, options));
    for (const entry of LAMBDA_ENTRIES) {
      const harness = harnessOf(entry);
      expect(comparable(harness, await harness.target.request(method, url, options)), entry.name).toEqual(reference);
    }
  });

  it('signs in to the same returnTo, query and all (encoded as sent, non-ASCII, `+`, repeated names beside it)', async () => {
    const returnTo = '/a/ü?q=1&q=2&r=%2F&s=x+y';
    const rawQuery = `returnTo=${encodeURIComponent(returnTo)}&other=1&other=2`;
    const landed: string[] = [];
    for (const entry of ENTRIES) {
      const harness = harnessOf(entry);
      const { callback } = await signIn(harness, new Browser(harness), { rawQuery });
      expect(callback.status, entry.name).toBe(302);
      landed.push(String(callback.headers.location).replace(harness.config.publicBaseUrl, '<base>'));
    }
    expect(new Set(landed).size, landed.join('\n')).toBe(1);
    expect(landed[0]).toBe('<base>/a/%C3%BC?q=1&q=2&r=%2F&s=x+y');
  });
});

describe('each door answers in its own form', () => {
  async function rawResult(
    door: LambdaFrontDoor,
    method: string,
    url: string,
    headers: Record<string, string> = {},
  ): Promise<FrontDoorResult> {
    const harness = harnessOf(LAMBDA_ENTRIES.find((entry) => entry.door === door)!);
    const event = frontDoorEvent(door, { method, url, headers, basePath: harness.config.basePath });
    return harness.handler!(event, { awsRequestId: randomUUID() } as never);
  }

  /** A sign-in's callback result, raw: several Set-Cookie headers. */
  async function callbackResult(door: LambdaFrontDoor): Promise<FrontDoorResult> {
    const harness = harnessOf(LAMBDA_ENTRIES.find((entry) => entry.door === door)!);
    const browser = new Browser(harness);
    const login = await browser.send('GET', '/auth/login');
    const authorizeUrl = String(login.headers.location);
    const code = idp.issueCode(authorizeUrl);
    const state = new URL(authorizeUrl).searchParams.get('state')!;
    return rawResult(door, 'GET', `/auth/callback?code=${code}&state=${state}`, { Cookie: browser.cookieHeader('/auth/callback') });
  }

  it('REST: every header in multiValueHeaders, several Set-Cookie in one list', async () => {
    const result = await callbackResult('rest-api');
    expect(resultHeaderFields(result)).toEqual(['multiValueHeaders']);
    expect(result.multiValueHeaders!['set-cookie']!.length).toBeGreaterThanOrEqual(4);
  });

  it.each(['http-api', 'function-url'] as const)('%s: Set-Cookie only in cookies[], one value per header name', async (door) => {
    const result = await callbackResult(door);
    expect(resultHeaderFields(result)).toEqual(['headers', 'cookies']);
    expect(Object.keys(result.headers!).map((name) => name.toLowerCase())).not.toContain('set-cookie');
    expect(result.cookies!.length).toBeGreaterThanOrEqual(4);
    for (const value of Object.values(result.headers!)) expect(typeof value).toBe('string');
  });

  it('ALB, multi-value headers on: multiValueHeaders only, and a status description', async () => {
    const result = await callbackResult('alb-multi-value');
    expect(resultHeaderFields(result)).toEqual(['multiValueHeaders']);
    expect(result.statusDescription).toBe('302 Found');
    expect(result.multiValueHeaders!['set-cookie']!.length).toBeGreaterThanOrEqual(4);
  });

  it('ALB, multi-value headers off: headers only, each Set-Cookie under its own letter-case spelling', async () => {
    const result = await callbackResult('alb');
    expect(resultHeaderFields(result)).toEqual(['headers']);
    const names = Object.keys(result.headers!).filter((name) => name.toLowerCase() === 'set-cookie');
    expect(names.length).toBeGreaterThanOrEqual(4);
    expect(new Set(names).size).toBe(names.length);
    expect(names[0]).toBe('set-cookie');
    expect((await rawResult('alb', 'GET', '/nowhere')).statusDescription).toBe('404 Not Found');
  });
});

describe('door-specific inputs', () => {
  const http = () => harnessOf(LAMBDA_ENTRIES.find((entry) => entry.door === 'http-api')!);

  it('HTTP API: the named stage leads rawPath on the execute-api domain only', async () => {
    const harness = http();
    const onExecuteApi = frontDoorEvent('http-api', { method: 'GET', url: '/healthz', basePath: '/dev' });
    expect(onExecuteApi.rawPath).toBe('/dev/healthz');
    expect((await harness.handler!(onExecuteApi, {} as never)).statusCode).toBe(200);
    // Through a custom domain the stage (and the API mapping) is not in rawPath.
    const custom = frontDoorEvent('http-api', { method: 'GET', url: '/healthz', basePath: '' });
    (custom.requestContext as Record<string, unknown>).domainName = 'api.example.com';
    (custom.requestContext as Record<string, unknown>).stage = 'dev';
    expect((await harness.handler!(custom, {} as never)).statusCode).toBe(200);
  });

  it('HTTP API: a JWT authorizer naming another user than the token is refused; the same user passes', async () => {
    const harness = http();
    const headers = { Authorization: `Bearer ${await idp.signAccessToken()}` };
    expect((await harness.target.request('GET', '/tests', { headers, authorizerClaims: { sub: idp.user.sub } })).status).toBe(200);
    const mismatch = await harness.target.request('GET', '/tests', { headers, authorizerClaims: { sub: randomUUID() } });
    expect(mismatch.status).toBe(401);
    expect(mismatch.body.error).toBe('invalid_token');
    expect(harness.logs.join('\n')).toContain('identity_mismatch');
  });

  it.each(LAMBDA_ENTRIES)('$name: a client cannot pose as the authorizer (the internal header is stripped)', async (entry) => {
    const harness = harnessOf(entry);
    const headers = { Authorization: `Bearer ${await idp.signAccessToken()}`, 'X-Cognito-Bff-Authorizer-Sub': randomUUID() };
    expect((await harness.target.request('GET', '/tests', { headers })).status).toBe(200);
  });

  it('ALB: a query arrives percent-encoded as sent and is not decoded twice', async () => {
    const harness = harnessOf(LAMBDA_ENTRIES.find((entry) => entry.door === 'alb')!);
    const event = frontDoorEvent('alb', { method: 'GET', url: '/auth/login?returnTo=%252F', basePath: '' });
    expect(event.queryStringParameters).toEqual({ returnTo: '%252F' });
    const browser = new Browser(harness);
    // `%252F` is the text `%2F`, not a slash: not a same-origin path, so the default target.
    const { callback } = await signIn(harness, browser, { rawQuery: 'returnTo=%252F' });
    expect(callback.headers.location).toBe(harness.config.postLoginUrl);
  });

  it('HTTP API and Function URL: request cookies come from cookies[] (the header is not sent)', async () => {
    for (const door of ['http-api', 'function-url'] as const) {
      const harness = harnessOf(LAMBDA_ENTRIES.find((entry) => entry.door === door)!);
      const browser = new Browser(harness);
      await signIn(harness, browser);
      const event = frontDoorEvent(door, {
        method: 'GET',
        url: '/auth/session',
        headers: { Cookie: browser.cookieHeader('/auth/session') },
      });
      expect((event.headers as Record<string, string>).cookie).toBeUndefined();
      expect((event.cookies as string[]).length).toBeGreaterThanOrEqual(2);
      const result = await harness.handler!(event, {} as never);
      expect(result.statusCode, door).toBe(200);
    }
  });

  it('serves any Express app (what createHandler(app) wraps) through every door', async () => {
    const app = express();
    app.get('/hello', (req, res) => {
      res.cookie('a', '1').cookie('b', '2').json({ query: req.query, ip: req.ip });
    });
    const handler: LambdaHandler = createFrontDoorHandler(app, createLogger({ level: 'error', write: () => {} }));
    for (const door of LAMBDA_ENTRIES.map((entry) => entry.door)) {
      const target = lambdaTarget(handler, '', door);
      const response = await target.request('GET', '/hello?x=1%202');
      expect(response.status, door).toBe(200);
      expect(response.body.query, door).toEqual({ x: '1 2' });
      expect(response.headers['set-cookie'], door).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    }
  });
});

describe('events of no known front door (issue 16.10)', () => {
  const SECRET = 'eyJsecret-cookie-value-0123456789';
  const v1 = () => frontDoorEvent('rest-api', { method: 'GET', url: '/healthz', headers: { Cookie: `__Host-bff-at=${SECRET}` } });
  const v2 = () => frontDoorEvent('http-api', { method: 'GET', url: '/healthz', headers: { Cookie: `__Host-bff-at=${SECRET}` } });
  const without = (event: Record<string, unknown>, field: string) => {
    const copy = { ...event };
    delete copy[field];
    return copy;
  };
  const ODD: [string, () => unknown][] = [
    ['undefined', () => undefined],
    ['null', () => null],
    ['a string', () => SECRET],
    ['a number', () => 42],
    ['an array', () => [v1()]],
    ['an empty object', () => ({})],
    ['an S3 event', () => ({ Records: [{ eventSource: 'aws:s3', s3: { object: { key: SECRET } } }] })],
    ['an SQS event', () => ({ Records: [{ eventSource: 'aws:sqs', body: SECRET }] })],
    ['an EventBridge event', () => ({ version: '0', id: 'x', 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} })],
    ['a v1 event without httpMethod', () => without(v1(), 'httpMethod')],
    ['a v1 event without path', () => without(v1(), 'path')],
    ['a v1 event without requestContext', () => without(v1(), 'requestContext')],
    ['a v1 event whose headers are a string', () => ({ ...v1(), headers: SECRET, multiValueHeaders: null })],
    ['a v1 event whose body is an object', () => ({ ...v1(), body: { secret: SECRET } })],
    ['a v1 event with a method of no HTTP shape', () => ({ ...v1(), httpMethod: 'GET /x HTTP/1.1\r\n' })],
    ['a v2 event without rawPath', () => without(v2(), 'rawPath')],
    ['a v2 event without requestContext.http', () => ({ ...v2(), requestContext: { stage: '$default' } })],
    ['a v2 event whose cookies are a string', () => ({ ...v2(), cookies: SECRET })],
    ['an ALB event without httpMethod', () => without(frontDoorEvent('alb', { method: 'GET', url: '/healthz' }), 'httpMethod')],
    [
      'an object with a thousand long keys',
      () => Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`${'k'.repeat(500)}${i}`, SECRET])),
    ],
  ];

  it.each(ODD)('answers %s with 400 unsupported_event and one bounded log line', async (_name, build) => {
    const harness = harnessOf(LAMBDA_ENTRIES[0]!);
    const before = harness.logs.length;
    const result = await harness.handler!(build(), {} as never);
    expect(result.statusCode).toBe(400);
    expect(result.headers?.['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(result.body)).toEqual({ error: 'unsupported_event', message: expect.any(String) });
    const lines = harness.logs.slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.length).toBeLessThan(500);
    expect(lines[0]).toContain('unsupported Lambda event');
    expect(lines[0]).not.toContain('secret');
  });

  it('still serves well-formed events with odd but harmless fields (numbers among headers, null maps)', async () => {
    const harness = harnessOf(LAMBDA_ENTRIES[0]!);
    const event = {
      ...v1(),
      headers: { 'x-number': 5, host: 'h' },
      multiValueHeaders: { 'x-list': 'not-a-list' },
      queryStringParameters: null,
    };
    const result = await harness.handler!(event, {} as never);
    expect(result.statusCode).toBe(200);
  });
});

describe("near the gateways' header limits (issue 13.4): one budget, one answer, every way in", () => {
  const BUDGET = 10_240;
  const padded = (bytes: number) => ({ 'X-Padding': 'p'.repeat(bytes) });
  const cookies = (bytes: number) => ({
    Cookie: Array.from({ length: Math.ceil(bytes / 40) }, (_, i) => `junk${i}=${'x'.repeat(32)}`)
      .join('; ')
      .slice(0, bytes),
  });

  it.each(ENTRIES)('$name: under the budget served, over it 431 request_headers_too_large in JSON', async (entry) => {
    const { target } = harnessOf(entry);
    for (const headers of [padded(BUDGET - 800), cookies(BUDGET - 800)]) {
      expect((await target.request('GET', '/healthz', { headers })).status).toBe(200);
      expect((await target.request('GET', '/auth/session', { headers })).status).toBe(401);
    }
    // Just over the budget, and well over it but under Node's own 16 KB limit: the app answers, in JSON.
    for (const headers of [padded(BUDGET + 100), cookies(BUDGET + 100), padded(15_000)]) {
      for (const path of ['/healthz', '/auth/session', '/tests']) {
        const response = await target.request('GET', path, { headers });
        expect(response.status, path).toBe(431);
        expect(response.body, path).toEqual({ error: 'request_headers_too_large', message: expect.any(String) });
      }
    }
    // Far over it: still 431 (the HTTP server's Node refuses above 16 KB before the app runs, without a body).
    const huge = await target.request('GET', '/auth/session', { headers: padded(60_000) });
    expect(huge.status).toBe(431);
    if (entry.kind === 'lambda') expect(huge.body.error).toBe('request_headers_too_large');
  });

  it('does not count what gateways add on the way (up to 256 bytes a header), so doors agree at the margin', async () => {
    const harness = harnessOf(LAMBDA_ENTRIES.find((entry) => entry.door === 'rest-api')!);
    const added = {
      Via: '2.0 a1b2c3d4e5f6.cloudfront.net (CloudFront)',
      'X-Amz-Cf-Id': 'A'.repeat(56),
      'CloudFront-Viewer-Country': 'US',
      'X-Forwarded-For': '203.0.113.7, 198.51.100.1',
    };
    const response = await harness.target.request('GET', '/healthz', { headers: { ...padded(BUDGET - 400), ...added } });
    expect(response.status).toBe(200);
    // A client sending such a header itself gains at most 256 bytes.
    const smuggled = await harness.target.request('GET', '/healthz', { headers: { 'X-Forwarded-Host': 'h'.repeat(BUDGET + 500) } });
    expect(smuggled.status).toBe(431);
  });
});
