/**
 * The library's options: what `createBff(options)` accepts, the one schema that checks them, and the resolved,
 * internal Config every module below receives.
 *
 * One schema for both doors: `optionsFromEnv` (src/config.ts) renames the environment variables to options and runs
 * the same checks, so a problem names the VARIABLE when it came from the environment and the OPTION when it came from
 * code. Each option accepts its typed form (a number, a boolean, an array) and also the environment variable's string
 * form (`'5000'`, `'true'`, `'a,b'`), so both doors really share one parser. Every problem is reported at once.
 */
import { proxyRoutesOf, type ApiProxyOption, type ProxyRoute } from './proxy/routes';
import { isLoopbackHost } from './net/loopback';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type SessionStore = 'cookie' | 'dynamodb';
/** Where the BFF's metrics go (README, "Operating it"). */
export type MetricsSink = 'opentelemetry' | 'emf' | 'none';

/** Fields of one log line: only what is safe to log. */
export type LogFields = Record<string, string | number | boolean | undefined | null>;

/** Where the BFF writes its log lines (one call a line). Never handed a token, code, secret or cookie value. */
export interface BffLogger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Whether lines of this level are written (lets the BFF skip work for dropped lines). @default every level */
  enabled?(level: LogLevel): boolean;
}

/** Options of `createBff`: the configuration variables in camelCase (README, "Use it in your own app"). */
export interface BffOptions {
  /** The BFF's external base URL, stage path included; `redirect_uri` is this + `/auth/callback`. @default 'http://localhost:3000' */
  publicBaseUrl?: string;
  /** The user pool id, `us-west-2_AbC123`. Required. */
  userPoolId: string;
  /** The app client id. Required. */
  clientId: string;
  /** The app client secret; when given, the BFF authenticates with `client_secret_basic`. @default none */
  clientSecret?: string;
  /** Base URL of the OAuth endpoints (`https://auth.example.com`). Required. */
  cognitoDomain: string;
  /** Token issuer override (emulators); JWKS at `${issuer}/.well-known/jwks.json`. @default derived from the pool id */
  issuer?: string;
  /** SPA origins: CORS with credentials and post-login/logout redirect targets. Own origin always allowed. @default [] */
  allowedOrigins?: readonly string[] | string;
  /** Where the callback lands without a `returnTo`: a path, or a URL on an allowed origin. @default '/' */
  postLoginPath?: string;
  /** 32-byte cookie-sealing keys (base64url strings or bytes); the first seals, all open. Required. */
  cookieKeys: ReadonlyArray<string | Uint8Array> | string;
  /** OAuth scopes to ask for; must include `openid`. @default ['openid', 'email', 'profile'] */
  scopes?: readonly string[] | string;
  /** Level of the built-in logger (ignored when `logger` is given). @default 'info' */
  logLevel?: LogLevel;
  /** `false` only for an emulator that does not echo the nonce (cognito-local). @default true */
  requireNonce?: boolean;
  /** Bound on one whole call to the IdP's token or revoke endpoint, 100-25000. @default 5000 */
  idpTimeoutMs?: number;
  /** Lifetime of the refresh cookie in days, 1-3650. @default 30 */
  refreshCookieMaxAgeDays?: number;
  /** `cookie` (everything in sealed cookies) or `dynamodb` (server-side sessions). @default 'cookie' */
  sessionStore?: SessionStore;
  /** DynamoDB table for `sessionStore: 'dynamodb'`. @default none (required with it) */
  sessionTable?: string;
  /** DynamoDB endpoint override (`http:` only on loopback). @default the AWS SDK's default */
  dynamodbEndpoint?: string;
  /** How long an instance may answer from its cache that a session is live, 0-3600. @default 5 */
  revocationCheckSeconds?: number;
  /**
   * With `sessionStore: 'dynamodb'`: logout with `{"everywhere":true}` also signs the user out at Cognito
   * (`AdminUserGlobalSignOut`, best effort; needs `cognito-idp:AdminUserGlobalSignOut` on the pool). @default true
   */
  cognitoGlobalSignOut?: boolean;
  /**
   * Token-relay routes: `[{ prefix: '/api/orders', upstream: 'https://orders.internal/v1', scopes?, groups? }]`,
   * `{ '/api/orders': 'https://orders.internal/v1' }` or `'/api/orders=https://…,…'` (README, "Calling your APIs").
   * @default none
   */
  apiProxy?: ApiProxyOption;
  /** Bound on one proxied call, body included, 100-600000. @default 30000 */
  apiProxyTimeoutMs?: number;
  /** Serve the demo SPA at `/` from the router. @default false */
  serveDemoSpa?: boolean;
  /**
   * Where the metrics go: `opentelemetry` (the OpenTelemetry API's global meter provider; nothing is recorded unless
   * the app has `@opentelemetry/api`, nothing exported unless it registers an SDK), `emf` (CloudWatch Embedded Metric
   * Format lines on stdout, written once per Lambda invocation by `createHandler`), or `none`.
   * @default 'opentelemetry' (`optionsFromEnv`: 'emf' inside AWS Lambda)
   */
  metrics?: MetricsSink;
  /** CloudWatch namespace of the `emf` metrics. @default 'CognitoBff' */
  metricsNamespace?: string;
  /** The `service` dimension of the `emf` metrics. @default 'cognito-bff' */
  serviceName?: string;
  /** Where log lines go. @default JSON lines on stdout at `logLevel` */
  logger?: BffLogger;
}

export type { ApiProxyOption, ProxyRoute, ProxyRouteOptions } from './proxy/routes';

export interface CognitoSettings {
  userPoolId: string;
  clientId: string;
  clientSecret: string | undefined;
  /** Base URL of the OAuth endpoints, no trailing slash. */
  domain: string;
  /** Expected `iss` of every token. */
  issuer: string;
  jwksUri: string;
  /** True when the issuer is not Cognito's own (`issuer` given): an emulator or a custom issuer. */
  customIssuer: boolean;
}

/** The options resolved: defaults applied, URLs parsed, keys decoded. Internal; modules receive this. */
export interface Config {
  /** The BFF's external base URL, stage path included, no trailing slash. */
  publicBaseUrl: string;
  /** Origin of `publicBaseUrl`. */
  publicOrigin: string;
  /** Path part of `publicBaseUrl` (`''` or e.g. `/dev`), where the BFF's routes live as the browser sees them. */
  basePath: string;
  /** `publicBaseUrl` + `/auth/callback`. */
  redirectUri: string;
  cognito: CognitoSettings;
  /** Origins allowed for CORS and as redirect targets; always includes `publicOrigin`. */
  allowedOrigins: string[];
  /** Where the callback sends the browser when no returnTo was given: an absolute URL. */
  postLoginUrl: string;
  /** Cookie-sealing keys; the first seals, all open. */
  cookieKeys: Buffer[];
  scopes: string;
  logLevel: LogLevel;
  requireNonce: boolean;
  /** Upper bound for one call to the IdP's token or revoke endpoint. */
  idpTimeoutMs: number;
  /** Refresh-cookie lifetime; Cognito does not say how long a refresh token lives, the app client does. */
  refreshCookieMaxAgeSeconds: number;
  sessionStore: SessionStore;
  /** Set when `sessionStore` is `dynamodb`. */
  sessionTable: string | undefined;
  dynamodbEndpoint: string | undefined;
  revocationCheckSeconds: number;
  /** Sign the user out at Cognito on logout everywhere (dynamodb mode only). */
  cognitoGlobalSignOut: boolean;
  /** Longest prefix first. */
  apiProxy: ProxyRoute[];
  apiProxyTimeoutMs: number;
  serveDemoSpa: boolean;
  metrics: MetricsSink;
  metricsNamespace: string;
  serviceName: string;
}

/** Each option and the environment variable that sets it: the names problems are reported under. */
export const OPTION_VARIABLES = {
  publicBaseUrl: 'PUBLIC_BASE_URL',
  userPoolId: 'COGNITO_USER_POOL_ID',
  clientId: 'COGNITO_CLIENT_ID',
  clientSecret: 'COGNITO_CLIENT_SECRET',
  cognitoDomain: 'COGNITO_DOMAIN',
  issuer: 'COGNITO_ISSUER',
  allowedOrigins: 'ALLOWED_ORIGINS',
  postLoginPath: 'POST_LOGIN_PATH',
  cookieKeys: 'COOKIE_KEYS',
  scopes: 'OAUTH_SCOPES',
  logLevel: 'LOG_LEVEL',
  requireNonce: 'REQUIRE_NONCE',
  idpTimeoutMs: 'IDP_TIMEOUT_MS',
  refreshCookieMaxAgeDays: 'REFRESH_COOKIE_MAX_AGE_DAYS',
  sessionStore: 'SESSION_STORE',
  sessionTable: 'SESSION_TABLE',
  dynamodbEndpoint: 'DYNAMODB_ENDPOINT',
  revocationCheckSeconds: 'REVOCATION_CHECK_SECONDS',
  cognitoGlobalSignOut: 'COGNITO_GLOBAL_SIGN_OUT',
  apiProxy: 'API_PROXY',
  apiProxyTimeoutMs: 'API_PROXY_TIMEOUT_MS',
  serveDemoSpa: 'SERVE_DEMO_SPA',
  metrics: 'METRICS',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  logger: undefined,
} as const satisfies Record<keyof BffOptions, string | undefined>;

export type OptionName = keyof BffOptions;

/** One thing wrong with the configuration. */
export interface BffConfigProblem {
  /** The option's name (`cookieKeys`). */
  option: string;
  /** The environment variable's name (`COOKIE_KEYS`), when the option has one. */
  variable: string | undefined;
  /** What is wrong, without the name: `is required`. */
  message: string;
}

/**
 * The configuration is wrong. `code` is stable (`BFF_CONFIG_INVALID`): match on it rather than on `instanceof`, since
 * two copies of the class can load. `problems` lists every problem found; the message names each one by the option,
 * or by the environment variable when the settings came from `optionsFromEnv`.
 */
export class BffConfigError extends Error {
  readonly code = 'BFF_CONFIG_INVALID';
  constructor(
    readonly problems: readonly BffConfigProblem[],
    /** Which names the message uses. */
    readonly source: 'options' | 'env' = 'options',
  ) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problemName(problem, source)}: ${problem.message}`).join('\n')}`);
    this.name = 'BffConfigError';
  }
}

/** The name a problem is reported under: the variable for the environment (when there is one), else the option. */
export function problemName(problem: BffConfigProblem, source: 'options' | 'env'): string {
  return source === 'env' && problem.variable !== undefined ? problem.variable : problem.option;
}

type Problem = (option: string, message: string) => void;

const KEY_BYTES = 32;
const USER_POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d)_[0-9A-Za-z]+$/;
const ANY_POOL_ID = /^[\w-]+_[0-9A-Za-z]+$/;
const CLIENT_ID = /^[\w+]+$/;
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const SESSION_STORES: readonly SessionStore[] = ['cookie', 'dynamodb'];
const METRICS_SINKS: readonly MetricsSink[] = ['opentelemetry', 'emf', 'none'];
/** A CloudWatch namespace or dimension value we write: printable, no `:` at the start, bounded (CloudWatch allows 255). */
const METRIC_NAME_TEXT = /^[A-Za-z0-9._#/ -]{1,255}$/;

/** Unset: `undefined`, `null` and blank strings (`FOO=` in a .env file means "not given"). */
function isUnset(value: unknown): value is undefined | null | '' {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function text(option: string, value: unknown, problem: Problem): string | undefined {
  if (isUnset(value)) return undefined;
  if (typeof value !== 'string') {
    problem(option, 'must be a string');
    return undefined;
  }
  return value.trim();
}

/** A list: an array of strings, or the variable's form split on `separator`. Blank items are dropped. */
function list(option: string, value: unknown, separator: RegExp, problem: Problem): string[] | undefined {
  if (isUnset(value)) return undefined;
  const items = typeof value === 'string' ? value.split(separator) : value;
  if (!Array.isArray(items) || items.some((item) => typeof item !== 'string')) {
    problem(option, 'must be an array of strings');
    return undefined;
  }
  return (items as string[]).map((item) => item.trim()).filter(Boolean);
}

function wholeNumber(
  option: string,
  value: unknown,
  fallback: number,
  [min, max]: [number, number],
  unit: string,
  problem: Problem,
): number {
  if (isUnset(value)) return fallback;
  const number = typeof value === 'string' && /^\s*\d{1,9}\s*$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number)) {
    problem(option, `must be a whole number of ${unit}`);
    return fallback;
  }
  if (number < min || number > max) {
    problem(option, `must be between ${min} and ${max}`);
    return fallback;
  }
  return number;
}

function flag(option: string, value: unknown, fallback: boolean, problem: Problem): boolean {
  if (isUnset(value)) return fallback;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  if (typeof value === 'string' && (value.trim() === 'true' || value.trim() === 'false')) return value.trim() === 'true';
  problem(option, 'must be true or false');
  return fallback;
}

function oneOf<T extends string>(option: string, value: unknown, choices: readonly T[], fallback: T, problem: Problem): T {
  if (isUnset(value)) return fallback;
  const choice = typeof value === 'string' ? value.trim() : value;
  if (!choices.includes(choice as T)) {
    problem(option, `must be one of ${choices.join(', ')}`);
    return fallback;
  }
  return choice as T;
}

/** An http(s) URL; plain http only on loopback hosts. Returns the URL or a problem. */
function parseServiceUrl(value: string, allowPath: boolean): URL | string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an https URL';
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return 'must use https (plain http is accepted only for loopback hosts)';
  }
  if (url.username || url.password) return 'must not contain credentials';
  if (url.search || url.hash) return 'must not contain a query or fragment';
  if (!allowPath && url.pathname !== '/') return 'must be a base URL without a path';
  return url;
}

function withoutTrailingSlash(value: string): string {
  return value.replace(/\/+$/, '');
}

function cookieKeysOf(value: unknown, problem: Problem): Buffer[] {
  if (isUnset(value) || (Array.isArray(value) && value.length === 0)) {
    problem(
      'cookieKeys',
      "is required (comma-separated 32-byte keys, base64url); generate one with: node -e \"console.log(require('crypto').randomBytes(32).toString('base64url'))\"",
    );
    return [];
  }
  const items: unknown[] = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : [value];
  const keys: Buffer[] = [];
  items.forEach((item, index) => {
    let key = Buffer.alloc(0);
    if (typeof item === 'string') {
      const trimmed = item.trim();
      if (/^[A-Za-z0-9_-]+$/.test(trimmed)) key = Buffer.from(trimmed, 'base64url');
    } else if (item instanceof Uint8Array) {
      key = Buffer.from(item); // a copy: the caller's buffer may change later
    }
    if (key.length !== KEY_BYTES) problem('cookieKeys', `key #${index + 1} is not ${KEY_BYTES} bytes (base64url or bytes)`);
    else keys.push(key);
  });
  return keys;
}

function checkLogger(value: unknown, problem: Problem): void {
  if (value === undefined) return;
  const logger = value as Record<string, unknown> | null;
  if (typeof logger !== 'object' || logger === null || !['debug', 'info', 'warn', 'error'].every((m) => typeof logger[m] === 'function')) {
    problem('logger', 'must have debug, info, warn and error methods');
  }
}

/**
 * Checks and resolves options (typed or in their variables' string form). Returns the Config and the problems found;
 * the Config is only meaningful when there are none. Pure: no I/O.
 */
export function checkOptions(options: Record<string, unknown>): { config: Config; problems: BffConfigProblem[] } {
  const problems: BffConfigProblem[] = [];
  const problem: Problem = (option, message) => {
    problems.push({ option, variable: (OPTION_VARIABLES as Record<string, string | undefined>)[option], message });
  };
  if (typeof options !== 'object' || options === null) {
    problem('options', 'must be an object');
    options = {};
  }
  for (const name of Object.keys(options)) {
    if (!(name in OPTION_VARIABLES)) problem(name, 'is not an option of createBff (see the README for the list)');
  }

  const idpTimeoutMs = wholeNumber('idpTimeoutMs', options.idpTimeoutMs, 5000, [100, 25_000], 'milliseconds', problem);
  const refreshDays = wholeNumber('refreshCookieMaxAgeDays', options.refreshCookieMaxAgeDays, 30, [1, 3650], 'days', problem);

  // Base URL.
  const base = parseServiceUrl(text('publicBaseUrl', options.publicBaseUrl, problem) ?? 'http://localhost:3000', true);
  if (typeof base === 'string') problem('publicBaseUrl', base);
  const publicBaseUrl = typeof base === 'string' ? '' : withoutTrailingSlash(base.href);
  const publicOrigin = typeof base === 'string' ? '' : base.origin;
  const basePath = typeof base === 'string' ? '' : withoutTrailingSlash(base.pathname);

  // IdP.
  const userPoolId = text('userPoolId', options.userPoolId, problem) ?? '';
  const clientId = text('clientId', options.clientId, problem) ?? '';
  const clientSecret = text('clientSecret', options.clientSecret, problem);
  const domainText = text('cognitoDomain', options.cognitoDomain, problem);
  const issuerText = text('issuer', options.issuer, problem);
  if (!userPoolId) problem('userPoolId', 'is required');
  else if (!ANY_POOL_ID.test(userPoolId)) problem('userPoolId', 'must look like us-west-2_AbC123');
  if (!clientId) problem('clientId', 'is required');
  else if (!CLIENT_ID.test(clientId)) problem('clientId', 'must be an app client id (letters and digits)');

  let domain = '';
  if (domainText === undefined) problem('cognitoDomain', 'is required');
  else {
    const url = parseServiceUrl(domainText, false);
    if (typeof url === 'string') problem('cognitoDomain', url);
    else domain = url.origin;
  }

  let issuer = '';
  let customIssuer = false;
  if (issuerText !== undefined) {
    const url = parseServiceUrl(issuerText, true);
    if (typeof url === 'string') problem('issuer', url);
    else {
      issuer = withoutTrailingSlash(url.href);
      customIssuer = true;
    }
  } else if (userPoolId && ANY_POOL_ID.test(userPoolId)) {
    const region = USER_POOL_ID.exec(userPoolId)?.[1];
    if (region) issuer = `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
    else problem('userPoolId', 'has no AWS region prefix; set issuer (COGNITO_ISSUER) for an emulator pool');
  }

  // Allowed origins: origins only, no paths.
  const allowedOrigins = publicOrigin ? [publicOrigin] : [];
  for (const raw of list('allowedOrigins', options.allowedOrigins, /,/, problem) ?? []) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      problem('allowedOrigins', `"${raw.slice(0, 100)}" is not an origin (scheme://host[:port])`);
      continue;
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== withoutTrailingSlash(raw)) {
      problem('allowedOrigins', `"${raw.slice(0, 100)}" is not an origin (scheme://host[:port], no path)`);
      continue;
    }
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
      problem('allowedOrigins', `"${raw.slice(0, 100)}" must use https (plain http only for loopback hosts)`);
      continue;
    }
    if (!allowedOrigins.includes(url.origin)) allowedOrigins.push(url.origin);
  }

  // Where to land after login by default: a path below the base URL, or an absolute URL on an allowed origin.
  let postLoginUrl = publicBaseUrl + '/';
  const postLogin = text('postLoginPath', options.postLoginPath, problem) ?? '/';
  if (/^\/(?![/\\])[^\s\\]*$/.test(postLogin)) {
    postLoginUrl = publicBaseUrl + postLogin;
  } else {
    try {
      const url = new URL(postLogin);
      if (!allowedOrigins.includes(url.origin)) problem('postLoginPath', 'must be a path or a URL on an allowed origin');
      else postLoginUrl = url.href;
    } catch {
      problem('postLoginPath', 'must be a path starting with / or a URL on an allowed origin');
    }
  }

  const cookieKeys = cookieKeysOf(options.cookieKeys, problem);

  const scopes = list('scopes', options.scopes, /\s+/, problem) ?? ['openid', 'email', 'profile'];
  if (!scopes.includes('openid')) problem('scopes', 'must include openid (the BFF needs the ID token)');
  if (scopes.some((scope) => !SCOPE.test(scope))) problem('scopes', 'contains an invalid scope');

  const logLevel = oneOf('logLevel', options.logLevel, LOG_LEVELS, 'info', problem);
  const requireNonce = flag('requireNonce', options.requireNonce, true, problem);

  // Sessions (src/sessions/ implements them; only their shape is checked here).
  const sessionStore = oneOf('sessionStore', options.sessionStore, SESSION_STORES, 'cookie', problem);
  const sessionTableText = text('sessionTable', options.sessionTable, problem);
  if (sessionStore === 'dynamodb' && sessionTableText === undefined) problem('sessionTable', 'is required with sessionStore dynamodb');
  if (sessionTableText !== undefined && !TABLE_NAME.test(sessionTableText)) {
    problem('sessionTable', 'must be a DynamoDB table name (3-255 letters, digits, _ . -)');
  }
  let dynamodbEndpoint: string | undefined;
  const endpointText = text('dynamodbEndpoint', options.dynamodbEndpoint, problem);
  if (endpointText !== undefined) {
    const url = parseServiceUrl(endpointText, false);
    if (typeof url === 'string') problem('dynamodbEndpoint', url);
    else dynamodbEndpoint = url.origin;
  }
  const revocationCheckSeconds = wholeNumber('revocationCheckSeconds', options.revocationCheckSeconds, 5, [0, 3600], 'seconds', problem);
  const cognitoGlobalSignOut = flag('cognitoGlobalSignOut', options.cognitoGlobalSignOut, true, problem);

  // Token relay (src/proxy/ implements it).
  const apiProxy = proxyRoutesOf(options.apiProxy, (message) => problem('apiProxy', message));
  const apiProxyTimeoutMs = wholeNumber('apiProxyTimeoutMs', options.apiProxyTimeoutMs, 30_000, [100, 600_000], 'milliseconds', problem);

  const serveDemoSpa = flag('serveDemoSpa', options.serveDemoSpa, false, problem);

  // Observability (src/metrics, src/tracing).
  const metrics = oneOf('metrics', options.metrics, METRICS_SINKS, 'opentelemetry', problem);
  const metricsNamespace = text('metricsNamespace', options.metricsNamespace, problem) ?? 'CognitoBff';
  if (!METRIC_NAME_TEXT.test(metricsNamespace)) problem('metricsNamespace', 'must be 1-255 letters, digits, spaces or . _ # / -');
  const serviceName = text('serviceName', options.serviceName, problem) ?? 'cognito-bff';
  if (!METRIC_NAME_TEXT.test(serviceName)) problem('serviceName', 'must be 1-255 letters, digits, spaces or . _ # / -');
  checkLogger(options.logger, problem);

  const config: Config = {
    publicBaseUrl,
    publicOrigin,
    basePath,
    redirectUri: `${publicBaseUrl}/auth/callback`,
    cognito: {
      userPoolId,
      clientId,
      clientSecret,
      domain,
      issuer,
      // Cognito and cognito-local alike publish the key set below the issuer.
      jwksUri: `${issuer}/.well-known/jwks.json`,
      customIssuer,
    },
    allowedOrigins,
    postLoginUrl,
    cookieKeys,
    scopes: scopes.join(' '),
    logLevel,
    requireNonce,
    idpTimeoutMs,
    refreshCookieMaxAgeSeconds: refreshDays * 86_400,
    sessionStore,
    sessionTable: sessionStore === 'dynamodb' ? sessionTableText : undefined,
    dynamodbEndpoint,
    revocationCheckSeconds,
    cognitoGlobalSignOut,
    apiProxy,
    apiProxyTimeoutMs,
    serveDemoSpa,
    metrics,
    metricsNamespace,
    serviceName,
  };
  return { config, problems };
}

/** Resolves options or throws a BffConfigError naming every bad option. */
export function resolveOptions(options: BffOptions): Config {
  const { config, problems } = checkOptions(options as unknown as Record<string, unknown>);
  if (problems.length > 0) throw new BffConfigError(problems, 'options');
  return config;
}
