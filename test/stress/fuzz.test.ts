/**
 * A seeded fuzz run on both runtimes: 10,000 random requests across the routes (methods, paths, headers, cookies,
 * bodies, query strings; some built from real session cookies and tokens so the deep paths run too), a sprinkle of
 * malformed HTTP on the server and of odd API Gateway events on the handler.
 *
 * Invariants: no 5xx, errors in the contract's JSON shape, never `*` CORS, no Set-Cookie over 4096 bytes, no session
 * cookie from a request that could not have earned one, no secret echoed in a response or written to the log, and a
 * flat heap (measured after a forced GC; the worker runs with --expose-gc).
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restApiEvent, resultHeaders } from '../support/api-gateway-event';
import { parseSetCookie } from '../support/cookie-jar';
import type { FakeIdp } from '../support/fake-idp';
import { RUNTIMES } from '../support/harness';
import { Browser, buildAttackHarness, signIn, startFakeIdp, type AttackHarness } from '../attack/support';

const REQUESTS = 10_000;
const WARM_UP = 1_000;
const CONCURRENCY = 8;
const SEED = 0x5eed_b0ff;
/** Heap growth allowed between the warmed-up baseline and the end, after GC. */
const MAX_HEAP_GROWTH_MB = 20;

/** mulberry32: a small seeded PRNG, so a failure can be replayed exactly. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number): number => Math.floor(next() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const chance = (p: number): boolean => next() < p;
  return { next, int, pick, chance };
}
type Random = ReturnType<typeof prng>;

interface FuzzRequest {
  method: string;
  /** Path and query as sent on the wire (already percent-encoded). */
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

interface Ingredients {
  validTokens: string[];
  expiredToken: string;
  /** Cookie headers of real sessions. */
  sessionCookies: string[];
  sealedValues: string[];
  secrets: string[];
}

const ROUTES = [
  '/healthz',
  '/auth/login',
  '/auth/callback',
  '/auth/session',
  '/auth/refresh',
  '/auth/logout',
  '/tests',
  '/',
  '/auth',
  '/auth/',
  '/auth/unknown',
  '/favicon.ico',
];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const ORIGINS = [
  'http://localhost:3000',
  'https://abc123.execute-api.us-west-2.amazonaws.com',
  'https://evil.example',
  'null',
  'http://localhost:3000.evil.example',
  '',
];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  'application/vnd.api+json',
  '',
];
const COOKIE_NAMES = [
  '__Host-bff-at',
  '__Host-bff-session',
  '__Secure-bff-rt',
  '__Host-bff-at.0',
  '__Host-bff-at.1',
  '__Host-bff-at.7',
  '__Host-bff-at.8',
  '__Host-bff-session.0',
  '__Host-bff-tx-AAAAAAAAAAAAAAAAAAAAAA',
  'other',
  '__proto__',
  'constructor',
];
const PARAM_NAMES = ['code', 'state', 'returnTo', 'error', 'error_description', 'code[]', 'state[x]', '__proto__', 'redirect_uri'];
const SCARY = [
  '',
  ' ',
  '%',
  '%00',
  '%0d%0a',
  '%E0%A4%A',
  '..',
  '../..',
  '//evil.com',
  '/\\evil.com',
  'javascript:alert(1)',
  '<script>x</script>',
  '😀',
  'ש',
  '\u2028',
  'j:{"a":1}',
  'j:1',
  's:x',
  'v1.',
  'v1.AAAA',
  'eyJ.eyJ.x',
  'null',
  'undefined',
  '{}',
  '[]',
  'true',
  '0',
  '-1',
  '1e309',
];

function randomText(r: Random, max = 40): string {
  const alphabet = 'abcXYZ019-_.~!*$&+,;=:@/?#[]%\'"() <>\\^`{|}';
  let text = '';
  const length = r.int(max);
  for (let i = 0; i < length; i += 1) text += alphabet[r.int(alphabet.length)];
  return text;
}

/** A value a cookie header can carry (no `;`, `,`, whitespace or quotes so the header stays one cookie per pair). */
function cookieSafe(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what a cookie cannot carry
  return value.replace(/[;,\s"\\\u0000-\u001f\u007f-\uffff]/g, 'x');
}

function randomValue(r: Random, ingredients: Ingredients): string {
  switch (r.int(7)) {
    case 0:
      return r.pick(SCARY);
    case 1:
      return r.pick(ingredients.validTokens);
    case 2:
      return ingredients.expiredToken;
    case 3:
      return r.pick(ingredients.sealedValues);
    case 4: {
      // A real value, damaged.
      const base = r.pick([...ingredients.validTokens, ...ingredients.sealedValues]);
      const at = r.int(base.length);
      return base.slice(0, at) + randomText(r, 4) + base.slice(at + r.int(5));
    }
    case 5:
      return 'x'.repeat(r.pick([1, 100, 1000, 4000, 9000]));
    default:
      return randomText(r);
  }
}

function randomQuery(r: Random, ingredients: Ingredients): string {
  const parts: string[] = [];
  const count = r.int(5);
  for (let i = 0; i < count; i += 1) {
    const name = r.chance(0.8) ? r.pick(PARAM_NAMES) : randomText(r, 8);
    const value = randomValue(r, ingredients);
    parts.push(
      r.chance(0.7)
        ? `${encodeURIComponent(name)}=${encodeURIComponent(value)}`
        : `${encodeURIComponent(name)}=${value.replace(/[^\x21-\x7e]/g, '').replace(/#/g, '%23')}`,
    );
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function randomPath(r: Random): string {
  let path = r.pick(ROUTES);
  if (r.chance(0.1)) path = `/dev${path}`;
  if (r.chance(0.05)) path = path.replace(/\//g, '//');
  if (r.chance(0.05)) path += '/';
  if (r.chance(0.05)) path += `/${encodeURIComponent(randomText(r, 10))}`;
  if (r.chance(0.03)) path = path.replace('auth', '%61uth');
  if (r.chance(0.03)) path += '/%2e%2e/tests';
  return path;
}

function randomBody(r: Random, ingredients: Ingredients): string | undefined {
  switch (r.int(6)) {
    case 0:
      return undefined;
    case 1: {
      const body: Record<string, unknown> = {};
      for (const name of ['code', 'redirectUri', 'state', 'codeVerifier', 'nonce']) {
        if (r.chance(0.6)) body[name] = r.chance(0.8) ? randomValue(r, ingredients) : r.pick([null, 1, true, ['a'], { a: 1 }]);
      }
      if (r.chance(0.3))
        body.redirectUri = r.pick([
          'http://localhost:3000/auth/callback',
          'https://abc123.execute-api.us-west-2.amazonaws.com/dev/auth/callback',
          'https://evil.example/cb',
        ]);
      return JSON.stringify(body);
    }
    case 2:
      return randomText(r, 200);
    case 3:
      return r.pick(['null', '[]', '"x"', '{"__proto__":{"x":1}}', '{', '{"code":', '\u0000', '{}']);
    case 4:
      return JSON.stringify({ code: 'c'.repeat(r.pick([10, 5000, 20_000])) });
    default:
      return JSON.stringify({ code: randomText(r, 30), redirectUri: randomText(r, 30) });
  }
}

/** A header value an HTTP client can send at all: Latin-1 without control characters. */
function headerSafe(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what a header cannot carry
  return value.replace(/[\u0000-\u0008\u000a-\u001f\u007f\u0100-\uffff]/g, '?');
}

function randomRequest(r: Random, ingredients: Ingredients): FuzzRequest {
  const headers: Record<string, string> = {};
  if (r.chance(0.4)) {
    const origin = r.pick(ORIGINS);
    if (origin) headers.Origin = origin;
  }
  if (r.chance(0.4)) headers['X-CSRF'] = r.pick(['1', '1', '0', 'true', '']);
  if (r.chance(0.3))
    headers.Authorization = headerSafe(r.pick(['Bearer ', 'bearer ', 'Basic ', 'Bearer  ', '']) + randomValue(r, ingredients));
  if (r.chance(0.3)) {
    const type = r.pick(CONTENT_TYPES);
    if (type) headers['Content-Type'] = type;
  }
  if (r.chance(0.6)) {
    if (r.chance(0.4)) headers.Cookie = r.pick(ingredients.sessionCookies);
    else {
      const pairs: string[] = [];
      const count = 1 + r.int(6);
      for (let i = 0; i < count; i += 1) pairs.push(`${r.pick(COOKIE_NAMES)}=${cookieSafe(randomValue(r, ingredients))}`);
      headers.Cookie = pairs.join('; ');
    }
  }
  if (r.chance(0.1)) headers['Access-Control-Request-Method'] = r.pick(['POST', 'GET', 'DELETE']);
  if (r.chance(0.1)) headers['X-Forwarded-Host'] = 'evil.example';
  if (r.chance(0.05)) headers['X-Cognito-Bff-Authorizer-Sub'] = 'forged';
  if (r.chance(0.05)) headers[`X-${randomText(r, 6).replace(/[^A-Za-z0-9]/g, 'a') || 'a'}`] = cookieSafe(randomText(r, 20));
  return {
    method: r.pick(METHODS),
    url: randomPath(r) + randomQuery(r, ingredients),
    headers,
    body: r.chance(0.5) ? randomBody(r, ingredients) : undefined,
  };
}

/** The path of a request URL as the router sees it (percent-decoded where that is possible). */
function decodedPath(url: string): string {
  const path = url.split('?')[0] ?? '';
  try {
    return decodeURIComponent(path).replace(/\/+$/, '');
  } catch {
    return path;
  }
}

interface FuzzResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One request to the HTTP server over a keep-alive agent. A request that went out on a reused socket the server had
 * just closed (after a 431, or a body it did not read) is retried once on a fresh one, as Node's documentation advises
 * (`request.reusedSocket`); a hang-up on a fresh socket is a real failure.
 */
function httpSend(base: string, agent: http.Agent, request: FuzzRequest, retried = false): Promise<FuzzResponse> {
  return new Promise((resolve, reject) => {
    const sendsBody = request.body !== undefined && request.method !== 'GET' && request.method !== 'HEAD';
    // Node's client frames a DELETE or OPTIONS body with neither Content-Length nor chunking: say the length.
    const headers = sendsBody ? { ...request.headers, 'Content-Length': String(Buffer.byteLength(request.body!)) } : request.headers;
    const call = http.request(`${base}${request.url}`, { method: request.method, headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    call.on('error', (error: NodeJS.ErrnoException) => {
      if (call.reusedSocket && !retried && error.code === 'ECONNRESET') resolve(httpSend(base, agent, request, true));
      else reject(new Error(`${error.message} code=${error.code} reused=${call.reusedSocket} retried=${retried}`));
    });
    if (sendsBody) call.end(request.body);
    else call.end();
  });
}

/** Bytes that are not quite HTTP, straight onto a socket: the status line of whatever comes back. */
function rawSend(port: number, bytes: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(bytes));
    let head = '';
    socket.setTimeout(2000, () => socket.destroy());
    socket.on('data', (chunk) => (head += chunk.toString('latin1')));
    socket.on('close', () => resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0)));
    socket.on('error', () => undefined);
  });
}

const RAW_REQUESTS = [
  'GET / HTTP/1.1\r\n\r\n',
  'GARBAGE\r\n\r\n',
  'GET /auth/session HTTP/1.1\r\nHost: x\r\nCookie: \u0000\r\n\r\n',
  'POST /auth/callback HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  'POST /auth/callback HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n',
  'GET /tests HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\r\n b\r\n\r\n',
  `GET /auth/login?${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
  'GET /auth/session HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n',
  'GET http://evil.example/auth/login HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /auth/login HTTP/1.0\r\n\r\n',
];

/** Odd API Gateway events: the shapes a misconfigured integration or a hand-written test event could have. */
function oddEvent(r: Random, ingredients: Ingredients): APIGatewayProxyEvent {
  const base = restApiEvent({
    method: r.pick(METHODS),
    url: r.pick(ROUTES) + randomQuery(r, ingredients),
    headers: { Cookie: r.pick(ingredients.sessionCookies) },
  });
  const event = { ...base } as unknown as Record<string, unknown>;
  switch (r.int(8)) {
    case 0:
      event.headers = null;
      event.multiValueHeaders = null;
      break;
    case 1:
      event.multiValueHeaders = null;
      break;
    case 2:
      event.queryStringParameters = null;
      event.multiValueQueryStringParameters = { state: ['a', 'b'], code: [] };
      break;
    case 3:
      event.body = Buffer.from(randomText(r, 100)).toString('base64');
      event.isBase64Encoded = true;
      break;
    case 4:
      event.body = '!!!not base64!!!';
      event.isBase64Encoded = true;
      break;
    case 5:
      event.path = `/auth/${encodeURIComponent(randomText(r, 10))}%`;
      break;
    case 6:
      event.requestContext = { ...(event.requestContext as object), authorizer: { claims: { sub: r.chance(0.5) ? 'someone' : 42 } } };
      break;
    default:
      event.multiValueHeaders = { Cookie: [r.pick(ingredients.sessionCookies), 'a=b'], 'X-CSRF': ['1', '1'] };
      event.httpMethod = r.pick(['POST', 'GET']);
  }
  return event as unknown as APIGatewayProxyEvent;
}

describe.each(RUNTIMES)('fuzz (%s)', (kind) => {
  let idp: FakeIdp;
  let harness: AttackHarness;
  let ingredients: Ingredients;
  const logViolations: string[] = [];
  let logLines = 0;

  beforeAll(async () => {
    idp = await startFakeIdp();
    harness = buildAttackHarness(kind, idp, {
      // The fake IdP shares this process, and the Lambda run keeps the event loop busy back to back (in-process
      // events, no network in between): its answers can wait behind that work, which is not the IdP being slow.
      env: { IDP_TIMEOUT_MS: '10000' },
      keepLogs: false,
      onLog: (line) => {
        logLines += 1;
        // Checked as written, kept nowhere: the run must not grow a log array while memory is measured.
        if (ingredients && ingredients.secrets.some((secret) => line.includes(secret))) logViolations.push(line.slice(0, 300));
      },
    });
    const sessionCookies: string[] = [];
    const sealedValues: string[] = [];
    const validTokens: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const browser = new Browser(harness);
      const { callback } = await signIn(harness, browser);
      expect(callback.status).toBe(302);
      sessionCookies.push(browser.cookieHeader('/auth/refresh'));
      sealedValues.push(browser.jar.get('__Host-bff-session')!.value, browser.jar.get('__Secure-bff-rt')!.value);
      validTokens.push(browser.jar.get('__Host-bff-at')!.value);
    }
    const now = Math.floor(Date.now() / 1000);
    const expiredToken = await idp.signAccessToken({ exp: now - 60, iat: now - 1000 });
    validTokens.push(await idp.signIdToken());
    ingredients = {
      validTokens,
      expiredToken,
      sessionCookies,
      sealedValues,
      secrets: [
        idp.clientSecret,
        ...harness.config.cookieKeys.map((k) => k.toString('base64url')),
        ...validTokens,
        expiredToken,
        ...sealedValues,
      ],
    };
  });
  afterAll(async () => {
    await idp?.close();
  });

  it(`answers ${REQUESTS.toLocaleString('en')} random requests with no 5xx, no leak and a flat heap`, async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'run with --expose-gc (npm run test:stress)').toBeTypeOf('function');
    const r = prng(SEED);
    const problems: string[] = [];
    const statuses = new Map<number, number>();

    let send: (request: FuzzRequest) => Promise<FuzzResponse>;
    let server: http.Server | undefined;
    let agent: http.Agent | undefined;
    let port = 0;
    if (kind === 'http') {
      server = harness.app!.listen(0, '127.0.0.1');
      await new Promise((resolve) => server!.once('listening', resolve));
      port = (server.address() as AddressInfo).port;
      agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
      send = (request) => httpSend(`http://127.0.0.1:${port}`, agent!, request);
    } else {
      send = async (request) => {
        // Absolute, so that a path starting with `//` stays a path.
        const event = restApiEvent({
          method: request.method,
          url: `https://api.example.com${request.url}`,
          headers: request.headers,
          ...(request.body === undefined ? {} : { body: request.body }),
        });
        const result = await harness.handler!(event, { awsRequestId: event.requestContext.requestId } as never);
        return { status: result.statusCode, headers: resultHeaders(result), body: result.body };
      };
    }

    const check = (request: FuzzRequest, response: FuzzResponse): void => {
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const where = `${request.method} ${request.url.slice(0, 120)}`;
      if (response.status >= 500) problems.push(`${response.status} for ${where}: ${response.body.slice(0, 200)}`);
      if (response.headers['access-control-allow-origin'] === '*') problems.push(`* CORS for ${where}`);
      const type = String(response.headers['content-type'] ?? '');
      if (response.status >= 400 && type.startsWith('application/json') && request.method !== 'HEAD') {
        const body = JSON.parse(response.body) as Record<string, unknown>;
        const shaped = (typeof body.error === 'string' && typeof body.message === 'string') || body.authenticated === false;
        if (!shaped) problems.push(`error body of another shape for ${where}: ${response.body.slice(0, 200)}`);
      }
      for (const secret of ingredients.secrets) if (response.body.includes(secret)) problems.push(`secret in the body for ${where}`);
      const setCookies = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
      for (const header of setCookies) {
        if (Buffer.byteLength(header) > 4096) problems.push(`Set-Cookie over 4096 bytes for ${where}`);
        const cookie = parseSetCookie(header);
        const setsSession =
          /^__(Host|Secure)-bff-(at|session|rt)/.test(cookie.name) && cookie.value !== '' && cookie.attributes['max-age'] !== '0';
        // Only a refresh with a real session can earn session cookies here (every fuzzed code is unknown to the IdP).
        if (setsSession && !(decodedPath(request.url).endsWith('/auth/refresh') && response.status === 200))
          problems.push(`session cookie set for ${where}`);
        if (!cookie.attributes.httponly || !cookie.attributes.secure) problems.push(`cookie without HttpOnly/Secure for ${where}`);
      }
    };

    let heapBaseline = 0;
    let rssBaseline = 0;
    let done = 0;
    const started = performance.now();
    /**
     * The i-th request, drawn when a worker asks for it: the sequence depends on the seed alone (which worker sends a
     * request does not change what it is), and no pre-built queue sits in the heap being measured.
     */
    const draw = () => {
      const request = randomRequest(r, ingredients);
      const raw = kind === 'http' && r.chance(0.01) ? r.pick(RAW_REQUESTS) : undefined;
      const event = kind === 'lambda' && r.chance(0.02) ? oddEvent(r, ingredients) : undefined;
      return { request, raw, event };
    };
    let next = 0;
    const slowest = { ms: 0, what: '' };

    /** Runs the queue up to `count` requests, CONCURRENCY at a time. */
    const phase = async (count: number): Promise<void> => {
      const limit = Math.min(count, REQUESTS);
      const one = async (): Promise<void> => {
        while (next < limit) {
          next += 1;
          const { request, raw, event } = draw();
          try {
            if (raw !== undefined) {
              const status = await rawSend(port, raw);
              statuses.set(status, (statuses.get(status) ?? 0) + 1);
              if (status >= 500) problems.push(`${status} for raw ${JSON.stringify(raw.slice(0, 60))}`);
            } else if (event !== undefined) {
              const result = await harness.handler!(event, { awsRequestId: 'fuzz' } as never);
              statuses.set(result.statusCode, (statuses.get(result.statusCode) ?? 0) + 1);
              if (result.statusCode >= 500)
                problems.push(`${result.statusCode} for an odd event ${JSON.stringify(event).slice(0, 300)}: ${result.body.slice(0, 200)}`);
            } else {
              const t0 = performance.now();
              const response = await send(request);
              const took = performance.now() - t0;
              if (took > slowest.ms)
                Object.assign(slowest, { ms: took, what: `${request.method} ${request.url.slice(0, 80)} -> ${response.status}` });
              check(request, response);
            }
          } catch (error) {
            problems.push(
              `transport error ${JSON.stringify({ ...request, url: request.url.slice(0, 300) }).slice(0, 600)}: ${String(error)}`,
            );
          }
          done += 1;
          if (done % 500 === 0) {
            idp.requests.length = 0;
            idp.issued.clear();
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, one));
    };

    await phase(WARM_UP);
    idp.requests.length = 0;
    for (let i = 0; i < 3; i += 1) gc!();
    heapBaseline = process.memoryUsage().heapUsed;
    rssBaseline = process.memoryUsage().rss;
    await phase(REQUESTS);
    const seconds = (performance.now() - started) / 1000;
    idp.requests.length = 0;
    agent?.destroy();
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server!.close(resolve));
    }
    for (let i = 0; i < 3; i += 1) gc!();
    const heapGrowthMb = (process.memoryUsage().heapUsed - heapBaseline) / 2 ** 20;
    const rssGrowthMb = (process.memoryUsage().rss - rssBaseline) / 2 ** 20;

    const byStatus = [...statuses.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, count]) => `${status}:${count}`)
      .join(' ');
    console.log(
      `[fuzz ${kind}] ${done} requests in ${seconds.toFixed(1)} s (${Math.round(done / seconds)}/s), seed 0x${SEED.toString(16)}; ` +
        `heap growth after GC ${heapGrowthMb.toFixed(2)} MB (bound ${MAX_HEAP_GROWTH_MB} MB), RSS growth ${rssGrowthMb.toFixed(1)} MB; ` +
        `${logLines} log lines; slowest ${Math.round(slowest.ms)} ms (${slowest.what}); statuses ${byStatus}`,
    );
    expect(done).toBe(REQUESTS);
    expect(problems.slice(0, 20)).toEqual([]);
    expect(logViolations.slice(0, 5)).toEqual([]);
    expect(heapGrowthMb).toBeLessThan(MAX_HEAP_GROWTH_MB);
  });
});
