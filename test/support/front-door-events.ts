/**
 * Events as each front door sends them to a Lambda function, shaped after the examples in the AWS documentation, and
 * their results read back as the HTTP response a client receives:
 *
 * - API Gateway HTTP API, payload format 2.0: lower-case `headers` with repeated names comma-joined, the request's
 *   cookies in `cookies[]` (no cookie header), `rawPath` (decoded by the HTTP API; a named stage leads it on the
 *   execute-api domain) and `rawQueryString` as sent, `queryStringParameters` decoded and comma-joined, a JWT
 *   authorizer's claims in `requestContext.authorizer.jwt`;
 * - Lambda Function URLs: the same format, `rawPath` as sent, the `<url-id>.lambda-url.<region>.on.aws` domain,
 *   stage `$default`, no JWT authorizer;
 * - Application Load Balancer: `requestContext.elb.targetGroupArn`, `httpMethod`, `path` and the query as sent (not
 *   decoded), and either `headers`/`queryStringParameters` (last value of a repeated name) or, with multi-value
 *   headers on in the target group, `multiValueHeaders`/`multiValueQueryStringParameters` only; `body` is `""` when
 *   there is none.
 *
 * REST API (v1) events come from api-gateway-event.ts.
 */
import { randomUUID } from 'node:crypto';
import type { FrontDoorResult } from '../../src/aws-lambda/handler';
import { restApiEvent } from './api-gateway-event';

export type LambdaFrontDoor = 'rest-api' | 'http-api' | 'function-url' | 'alb' | 'alb-multi-value';
export const LAMBDA_FRONT_DOORS: LambdaFrontDoor[] = ['rest-api', 'http-api', 'function-url', 'alb', 'alb-multi-value'];

/** The public base URL a door is reached at: execute-api with a stage, a function URL, a load balancer's domain. */
export const FRONT_DOOR_BASE_URLS: Record<LambdaFrontDoor, string> = {
  'rest-api': 'https://abc123.execute-api.us-west-2.amazonaws.com/dev',
  'http-api': 'https://abc123.execute-api.us-west-2.amazonaws.com/dev',
  'function-url': 'https://a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6.lambda-url.us-west-2.on.aws',
  alb: 'https://bff.example.com',
  'alb-multi-value': 'https://bff.example.com',
};

export interface FrontDoorRequest {
  method: string;
  /** Path and query as a browser sends them, below the base URL: `/auth/login?returnTo=%2F`. */
  url: string;
  headers?: Record<string, string>;
  /** A Buffer is sent base64-encoded, as a gateway sends a binary body. */
  body?: string | Buffer;
  base64Body?: boolean;
  /** The base URL's path (`/dev`, or empty): the stage of an API, or a prefix the load balancer passes on. */
  basePath?: string;
  /** A gateway authorizer's claims (REST: Cognito authorizer; HTTP API: JWT authorizer). */
  authorizerClaims?: Record<string, string>;
}

const SOURCE_IP = '203.0.113.7';

function splitUrl(url: string): { path: string; rawQuery: string } {
  const at = url.indexOf('?');
  return at === -1 ? { path: url, rawQuery: '' } : { path: url.slice(0, at), rawQuery: url.slice(at + 1) };
}

/** Name/value pairs of a raw query, decoded as a gateway decodes them (`+` is a space). */
function decodedPairs(rawQuery: string): [string, string][] {
  return [...new URLSearchParams(rawQuery)];
}

/** Name/value pairs of a raw query, left as sent (what a load balancer passes on). */
function rawPairs(rawQuery: string): [string, string][] {
  if (!rawQuery) return [];
  return rawQuery.split('&').map((pair) => {
    const at = pair.indexOf('=');
    return at === -1 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
  });
}

/** `decodeURIComponent` that leaves malformed escapes as they are, as a gateway that decodes paths does. */
function decodePath(path: string): string {
  return path.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

function lowerCased(headers: Record<string, string>): Record<string, string> {
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    lower[key] = lower[key] === undefined ? value : `${lower[key]},${value}`;
  }
  return lower;
}

function requestTime(now: number): string {
  // 12/Mar/2020:19:03:58 +0000, as the examples show it.
  const date = new Date(now);
  const month = date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${month}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

function payloadV2Event(input: FrontDoorRequest, door: 'http-api' | 'function-url'): Record<string, unknown> {
  const { path, rawQuery } = splitUrl(input.url);
  const basePath = input.basePath ?? '';
  const isUrl = door === 'function-url';
  const domainName = isUrl ? new URL(FRONT_DOOR_BASE_URLS['function-url']).host : 'abc123.execute-api.us-west-2.amazonaws.com';
  const stage = isUrl ? '$default' : basePath.slice(1) || '$default';
  // An HTTP API hands the path decoded; a Function URL as sent.
  const rawPath = isUrl ? basePath + path : decodePath(basePath + path);
  const headers = lowerCased({
    host: domainName,
    'x-amzn-trace-id': `Root=1-${randomUUID().slice(0, 8)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    'x-forwarded-for': SOURCE_IP,
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
    ...input.headers,
  });
  const cookieHeader = headers.cookie;
  delete headers.cookie;
  const query: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of decodedPairs(rawQuery)) query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  const now = Date.now();
  const claims = isUrl ? undefined : input.authorizerClaims;
  const event: Record<string, unknown> = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: rawQuery,
    ...(cookieHeader ? { cookies: cookieHeader.split(';').map((cookie) => cookie.trim()) } : {}),
    headers,
    ...(rawQuery ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: isUrl ? 'anonymous' : '123456789012',
      apiId: domainName.split('.')[0],
      ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
      domainName,
      domainPrefix: domainName.split('.')[0],
      http: { method: input.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: SOURCE_IP, userAgent: headers['user-agent'] ?? 'test' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage,
      time: requestTime(now),
      timeEpoch: now,
    },
    isBase64Encoded: encodedBody(input).isBase64Encoded,
  };
  if (input.body !== undefined) event.body = encodedBody(input).body;
  return event;
}

/** The body as a door carries it: base64 when asked for or when it is bytes. */
function encodedBody(input: FrontDoorRequest): { body: string | undefined; isBase64Encoded: boolean } {
  if (input.body === undefined) return { body: undefined, isBase64Encoded: false };
  const base64 = Boolean(input.base64Body) || Buffer.isBuffer(input.body);
  return { body: base64 ? Buffer.from(input.body).toString('base64') : String(input.body), isBase64Encoded: base64 };
}

function albEvent(input: FrontDoorRequest, multiValue: boolean): Record<string, unknown> {
  const { path, rawQuery } = splitUrl(input.url);
  const sent = { host: new URL(FRONT_DOOR_BASE_URLS.alb).host, ...input.headers };
  const forwarded = {
    'x-amzn-trace-id': `Root=1-${randomUUID().slice(0, 8)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    'x-forwarded-for': SOURCE_IP,
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
  };
  const pairs = rawPairs(rawQuery);
  const event: Record<string, unknown> = {
    requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/bff/6d0ecf831eec9f09' } },
    httpMethod: input.method,
    path: (input.basePath ?? '') + path,
  };
  if (multiValue) {
    const query: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
    for (const [name, value] of pairs) (query[name] ??= []).push(value);
    const headers: Record<string, string[]> = {};
    for (const [name, value] of Object.entries({ ...sent, ...forwarded })) (headers[name.toLowerCase()] ??= []).push(value);
    event.multiValueQueryStringParameters = query;
    event.multiValueHeaders = headers;
  } else {
    const query: Record<string, string> = Object.create(null) as Record<string, string>;
    // The last value of a repeated name.
    for (const [name, value] of pairs) query[name] = value;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries({ ...sent, ...forwarded })) headers[name.toLowerCase()] = value;
    event.queryStringParameters = query;
    event.headers = headers;
  }
  event.body = encodedBody(input).body ?? '';
  event.isBase64Encoded = encodedBody(input).isBase64Encoded;
  return event;
}

/** The event `door` sends the function for a request. */
export function frontDoorEvent(door: LambdaFrontDoor, input: FrontDoorRequest): Record<string, unknown> {
  switch (door) {
    case 'rest-api':
      return restApiEvent({ ...input, stage: (input.basePath ?? '').slice(1) || 'dev' }) as unknown as Record<string, unknown>;
    case 'http-api':
    case 'function-url':
      return payloadV2Event(input, door);
    case 'alb':
      return albEvent(input, false);
    case 'alb-multi-value':
      return albEvent(input, true);
  }
}

/** The request id a door's event carries (for the Lambda context). */
export function requestIdOf(event: Record<string, unknown>): string {
  const context = event.requestContext as { requestId?: unknown } | undefined;
  return typeof context?.requestId === 'string' ? context.requestId : randomUUID();
}

/**
 * The response headers a client receives for a result: lower-case names; set-cookie always a list, gathered from
 * `cookies[]` (payload 2.0), `multiValueHeaders`, and every letter-case spelling of the name in `headers`.
 */
export function frontDoorResultHeaders(result: FrontDoorResult): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    const key = name.toLowerCase();
    if (key === 'set-cookie') cookies.push(String(value));
    else headers[key] = String(value);
  }
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    const key = name.toLowerCase();
    if (key === 'set-cookie') cookies.push(...values.map(String));
    else headers[key] = values.map(String).join(', ');
  }
  cookies.push(...(result.cookies ?? []));
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  return headers;
}

/** Which header fields a result uses: a load balancer reads only the field of the form its event had. */
export function resultHeaderFields(result: FrontDoorResult): string[] {
  return (['headers', 'multiValueHeaders', 'cookies'] as const).filter((field) => result[field] !== undefined);
}
