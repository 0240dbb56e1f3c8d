/**
 * What the attack suite shares: a harness wired to the fake IdP (either issuer form: a custom issuer as with an
 * emulator, or a real pool id so the production verifier, CognitoJwtVerifier, is the one under attack), a browser with
 * a cookie jar, a sign-in through the fake IdP, and the checks every case makes: no session cookie, no leak.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache, SimplePenaltyBox, type JwksCache } from 'aws-jwt-verify/jwk';
import type { Express } from 'express';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { createApp } from '../../src/app';
import { createJwksFetcher } from '../../src/auth/jwks-fetcher';
import { createTokenVerifiers } from '../../src/auth/verifiers';
import { parseConfig } from '../../src/config';
import { createLambdaHandler, type LambdaHandler } from '../../src/aws-lambda/handler';
import { createLogger } from '../../src/logger';
import type { MetricsRecorder } from '../../src/metrics/recorder';
import { createRuntime } from '../../src/runtime';
import { CookieJar, parseSetCookie, setCookieHeaders } from '../support/cookie-jar';
import { FakeIdp, type FakeUser } from '../support/fake-idp';
import type { LambdaFrontDoor } from '../support/front-door-events';
import { baseUrlOf, pathBelowBase, type Harness, type RuntimeKind } from '../support/harness';
import { httpTarget, lambdaTarget, type RequestOptions, type TargetResponse } from '../support/targets';

/**
 * `custom`: COGNITO_ISSUER set (how the emulator runs), JwtVerifier plus Cognito's claim checks.
 * `cognito`: issuer derived from the pool id, CognitoJwtVerifier: what runs against real Cognito.
 */
export type IssuerMode = 'custom' | 'cognito';
export const ISSUER_MODES: IssuerMode[] = ['custom', 'cognito'];

const COGNITO_HOST = 'https://cognito-idp.us-west-2.amazonaws.com';

/** A fake IdP whose tokens carry the issuer the given mode expects. */
export async function startFakeIdp(mode: IssuerMode = 'custom'): Promise<FakeIdp> {
  const idp = await FakeIdp.start();
  if (mode === 'cognito') idp.issuer = `${COGNITO_HOST}/${idp.poolId}`;
  return idp;
}

export interface AttackHarness extends Harness {
  kind: RuntimeKind;
  idp: FakeIdp;
  /** What the target wraps: the Express app (http) or the Lambda handler (lambda), for raw requests and events. */
  app?: Express;
  handler?: LambdaHandler;
  /** The JWKS cache's penalty box: release it to end aws-jwt-verify's wait after an unknown kid. */
  penaltyBox: SimplePenaltyBox;
  /** Every cookie value this harness set (through a Browser): never to be found in a log line. */
  cookieValues: Set<string>;
}

/** Every harness built, by IdP: expectCleanLogs checks them all, the fresh ones a case built for itself included. */
const built = new Map<FakeIdp, AttackHarness[]>();

export interface AttackHarnessOptions {
  env?: Record<string, string>;
  mode?: IssuerMode;
  /** Where log lines go besides `logs` (the fuzz run keeps none). */
  keepLogs?: boolean;
  onLog?: (line: string) => void;
  /** Where the HTTP runtime's metrics go (the Lambda handler writes EMF lines to `metrics`). */
  metricsRecorder?: MetricsRecorder;
  /** The front door a Lambda harness's events come through (REST API v1 unless given). */
  door?: LambdaFrontDoor;
  /** Wraps the JWKS cache the verifiers use (to count the key look-ups, i.e. the verifications that really run). */
  wrapJwksCache?: (cache: JwksCache) => JwksCache;
}

/** The product against the fake IdP, as buildHarness builds it, with the JWKS cache's penalty box at hand. */
export function buildAttackHarness(kind: RuntimeKind, idp: FakeIdp, options: AttackHarnessOptions = {}): AttackHarness {
  const mode = options.mode ?? 'custom';
  const env: Record<string, string> = { ...idp.env(), PUBLIC_BASE_URL: baseUrlOf({ kind, door: options.door }), ...options.env };
  if (mode === 'cognito') delete env.COGNITO_ISSUER;
  const config = parseConfig(env);
  const logs: string[] = [];
  const keep = options.keepLogs ?? true;
  const logger = createLogger({
    level: 'debug',
    write: (line) => {
      if (keep) logs.push(line);
      options.onLog?.(line);
    },
  });
  // The real fetcher (plain http only on loopback); in `cognito` mode Cognito's JWKS host is answered by the fake IdP.
  const loopback = createJwksFetcher();
  const fetcher: Fetcher = {
    fetch: (uri, requestOptions, data) =>
      loopback.fetch(uri.startsWith(COGNITO_HOST) ? idp.url + uri.slice(COGNITO_HOST.length) : uri, requestOptions, data),
  };
  const penaltyBox = new SimplePenaltyBox();
  const wrap = options.wrapJwksCache ?? ((cache: JwksCache) => cache);
  const runtime = {
    idp: createRuntime(config).idp,
    verifiers: createTokenVerifiers(config.cognito, { jwksCache: wrap(new SimpleJwksCache({ fetcher, penaltyBox })) }),
  };
  const deps = { config, ...runtime, logger };
  const metrics: string[] = [];
  const base = { kind, idp, config, logs, metrics, penaltyBox, cookieValues: new Set<string>() };
  let harness: AttackHarness;
  if (kind === 'http') {
    const app = createApp({ ...deps, metrics: options.metricsRecorder });
    harness = { ...base, target: httpTarget(app), app };
  } else {
    const handler = createLambdaHandler(deps, { writeMetrics: (line) => metrics.push(line) });
    harness = { ...base, target: lambdaTarget(handler, config.basePath, options.door), handler };
  }
  if (keep) built.set(idp, [...(built.get(idp) ?? []), harness]);
  return harness;
}

/** A browser: a cookie jar that sends what a browser sends for the path (stage path included) and keeps what comes back. */
export class Browser {
  /** `jar`: another browser's, to go on with its cookies against another harness of the same configuration. */
  constructor(
    private readonly harness: AttackHarness,
    readonly jar = new CookieJar(),
  ) {}

  async send(method: string, path: string, options: RequestOptions = {}): Promise<TargetResponse> {
    const cookie = this.jar.header(this.harness.config.basePath + path.split('?')[0]);
    const headers = { ...(cookie ? { Cookie: cookie } : {}), ...options.headers };
    const response = await this.harness.target.request(method, path, { ...options, headers });
    for (const applied of this.jar.apply(response.headers)) if (applied.value !== '') this.harness.cookieValues.add(applied.value);
    return response;
  }

  /** The Cookie header this browser sends to `path`. */
  cookieHeader(path: string): string {
    return this.jar.header(this.harness.config.basePath + path);
  }
}

export interface StartedLogin {
  login: TargetResponse;
  authorizeUrl: string;
  state: string;
}

/** GET /auth/login (with a raw query string, sent as is) and where it sends the browser. */
export async function startLogin(browser: Browser, rawQuery = ''): Promise<StartedLogin> {
  const login = await browser.send('GET', `/auth/login${rawQuery ? `?${rawQuery}` : ''}`);
  expect(login.status).toBe(302);
  const authorizeUrl = String(login.headers.location);
  const state = new URL(authorizeUrl).searchParams.get('state');
  expect(state).toBeTruthy();
  return { login, authorizeUrl, state: state! };
}

/** The callback request the hosted UI would send the browser to, below the base URL. */
export function callbackPath(harness: Harness, query: Record<string, string>): string {
  const url = new URL(harness.config.redirectUri);
  for (const [name, value] of Object.entries(query)) url.searchParams.append(name, value);
  return pathBelowBase(harness.config, url.href);
}

export interface SignIn extends StartedLogin {
  code: string;
  callback: TargetResponse;
}

/** A whole sign-in through the fake IdP: login, the hosted UI's code, the callback. */
export async function signIn(
  harness: AttackHarness,
  browser: Browser,
  options: { rawQuery?: string; user?: FakeUser } = {},
): Promise<SignIn> {
  const started = await startLogin(browser, options.rawQuery);
  const code = harness.idp.issueCode(started.authorizeUrl, options.user);
  const callback = await browser.send('GET', callbackPath(harness, { code, state: started.state }));
  return { ...started, code, callback };
}

export const SESSION_COOKIE_NAMES = ['__Host-bff-at', '__Host-bff-session', '__Secure-bff-rt'];

function isSessionCookie(name: string): boolean {
  return SESSION_COOKIE_NAMES.some((base) => name === base || name.startsWith(`${base}.`));
}

/** Set-Cookie headers of a response that set (not clear) a session cookie or one of its chunks. */
export function sessionCookiesSet(response: TargetResponse): string[] {
  return setCookieHeaders(response.headers)
    .map(parseSetCookie)
    .filter((cookie) => isSessionCookie(cookie.name) && cookie.value !== '' && cookie.attributes['max-age'] !== '0')
    .map((cookie) => cookie.name);
}

/** Set-Cookie headers of a response that clear a session cookie or one of its chunks. */
export function sessionCookiesCleared(response: TargetResponse): string[] {
  return setCookieHeaders(response.headers)
    .map(parseSetCookie)
    .filter((cookie) => isSessionCookie(cookie.name) && (cookie.value === '' || cookie.attributes['max-age'] === '0'))
    .map((cookie) => cookie.name);
}

/** A failed sign-in: a redirect to the default app URL carrying `auth_error=<code>`, and no session cookie set. */
export function expectRefusedSignIn(harness: Harness, response: TargetResponse, code?: string | RegExp): void {
  expect(response.status, response.text).toBe(302);
  const location = new URL(String(response.headers.location));
  expect(location.origin + location.pathname).toBe(
    new URL(harness.config.postLoginUrl).origin + new URL(harness.config.postLoginUrl).pathname,
  );
  const authError = location.searchParams.get('auth_error');
  expect(authError).toMatch(/^[a-z_]+$/);
  if (typeof code === 'string') expect(authError).toBe(code);
  else if (code) expect(authError).toMatch(code);
  expect(sessionCookiesSet(response)).toEqual([]);
}

/** A JSON error of the contract's shape with the given status (and code), and no session cookie set. */
export function expectJsonError(response: TargetResponse, status: number, code?: string): void {
  expect(response.status, response.text).toBe(status);
  expect(String(response.headers['content-type'])).toMatch(/^application\/json/);
  expect(Object.keys(response.body ?? {}).sort()).toEqual(['error', 'message']);
  expect(response.body.error).toMatch(/^[a-z_]+$/);
  if (code) expect(response.body.error).toBe(code);
  expect(response.text).not.toMatch(/\bat \S+ \(|node_modules|\.ts:\d+/);
  expect(sessionCookiesSet(response)).toEqual([]);
}

/** Everything a response shows: status line stand-in, headers (Set-Cookie included) and body. */
function exposed(response: TargetResponse): string {
  return `${response.status}\n${JSON.stringify(response.headers)}\n${response.text}`;
}

/**
 * No secret in the given responses or anywhere in the harness's log. Secrets always include the client secret and
 * the cookie keys; pass tokens, codes and cookie values a case handled. Fragments shorter than 12 characters are not
 * meaningful secrets and are skipped.
 */
export function expectNoLeak(harness: AttackHarness, responses: TargetResponse[], secrets: readonly string[] = []): void {
  const always = [harness.idp.clientSecret, ...harness.config.cookieKeys.map((key) => key.toString('base64url'))];
  const text = [...responses.map(exposed), ...harness.logs].join('\n');
  for (const secret of [...always, ...secrets]) {
    if (secret.length < 12) continue;
    expect(text.includes(secret), `leaked a secret (${secret.slice(0, 8)}…)`).toBe(false);
    // A JWT's signature alone identifies it too.
    const signature = secret.split('.')[2];
    if (signature && signature.length >= 12) expect(text.includes(signature), `leaked a token signature`).toBe(false);
  }
}

/**
 * The end-of-file check: no log line of any harness built on `idp` holds a code, token or refresh token the IdP issued,
 * a cookie value the BFF set, the client secret or a cookie key, whatever the cases in between did.
 */
export function expectCleanLogs(idp: FakeIdp): void {
  const harnesses = built.get(idp) ?? [];
  expect(harnesses.length).toBeGreaterThan(0);
  const secrets = [...idp.issued];
  for (const harness of harnesses) {
    const log = harness.logs.join('\n');
    for (const secret of [
      idp.clientSecret,
      ...harness.config.cookieKeys.map((key) => key.toString('base64url')),
      ...secrets,
      ...harness.cookieValues,
    ]) {
      if (secret.length >= 12 && log.includes(secret)) expect.fail(`a log line holds a secret (${secret.slice(0, 8)}…)`);
    }
  }
  built.delete(idp);
}

/** The body and headers other than Set-Cookie (where tokens legitimately travel after a sign-in). */
export function withoutSetCookie(response: TargetResponse): TargetResponse {
  const headers = { ...response.headers };
  delete headers['set-cookie'];
  return { ...response, headers };
}

/** A loopback server that counts the requests it gets: where a `jku` or `x5u` header points. */
export async function startCountingServer(): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits += 1;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"keys":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => hits,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The lifecycle every attack block shares: before it, a fake IdP and a harness for `kind` (handed to `started`);
 * after each case, the IdP back to well-behaved; after the block, the logs checked for leaks and the IdP closed.
 */
export function useAttackTarget(
  kind: RuntimeKind,
  started: (target: { idp: FakeIdp; harness: AttackHarness }) => void,
  options: AttackHarnessOptions & { resetAfterEach?: boolean } = {},
): void {
  let idp: FakeIdp | undefined;
  beforeAll(async () => {
    idp = await startFakeIdp(options.mode);
    started({ idp, harness: buildAttackHarness(kind, idp, options) });
  });
  if (options.resetAfterEach ?? true) afterEach(() => idp?.reset());
  afterAll(async () => {
    if (idp) expectCleanLogs(idp);
    await idp?.close();
  });
}
