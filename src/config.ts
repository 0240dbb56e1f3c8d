/**
 * Configuration: environment variables -> a typed, validated Config.
 *
 * This is the only module that reads `process.env` (see `readProcessEnv`). Everything else receives a Config.
 * Validation fails fast with a message that names the variable and what is wrong; there are no secret fallbacks.
 */
// Named imports, not the `z` namespace: a namespace object defeats tree shaking and drags every locale along.
import { _default, enum as oneOf, object, optional, regex, string } from 'zod/mini';
import { isLoopbackHost } from './net/loopback';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type EnvRecord = Record<string, string | undefined>;

export interface CognitoSettings {
  userPoolId: string;
  clientId: string;
  clientSecret: string | undefined;
  /** Base URL of the OAuth endpoints, no trailing slash. */
  domain: string;
  /** Expected `iss` of every token. */
  issuer: string;
  jwksUri: string;
  /** True when the issuer is not Cognito's own (`COGNITO_ISSUER` given): an emulator or a custom issuer. */
  customIssuer: boolean;
}

export interface Config {
  port: number;
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
}

/** A setting that stops startup. The message names the variable; there is never a stack trace for the user. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The one read of the process environment. */
export function readProcessEnv(): EnvRecord {
  return { ...process.env };
}

const IDP_VARIABLES = ['COGNITO_USER_POOL_ID', 'COGNITO_CLIENT_ID', 'COGNITO_DOMAIN'] as const;

/** No IdP configured at all: `npm start` runs the local stack (emulator + bootstrap). */
export function wantsLocalStack(env: EnvRecord): boolean {
  return IDP_VARIABLES.every((name) => !nonEmpty(env[name]));
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

const KEY_BYTES = 32;
const USER_POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d)_[0-9A-Za-z]+$/;
const ANY_POOL_ID = /^[\w-]+_[0-9A-Za-z]+$/;
const CLIENT_ID = /^[\w+]+$/;

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

// zod/mini: the same validation as zod's classic API at a fraction of the Lambda bundle's size.
const digits = (message: string) => optional(string().check(regex(/^\d{1,6}$/, message)));
const envSchema = object({
  PORT: digits('must be a port number'),
  PUBLIC_BASE_URL: optional(string()),
  COGNITO_USER_POOL_ID: optional(string()),
  COGNITO_CLIENT_ID: optional(string()),
  COGNITO_CLIENT_SECRET: optional(string()),
  COGNITO_DOMAIN: optional(string()),
  COGNITO_ISSUER: optional(string()),
  ALLOWED_ORIGINS: optional(string()),
  POST_LOGIN_PATH: _default(string(), '/'),
  COOKIE_KEYS: optional(string()),
  OAUTH_SCOPES: _default(string(), 'openid email profile'),
  LOG_LEVEL: _default(oneOf(['debug', 'info', 'warn', 'error'], { error: 'must be one of debug, info, warn, error' }), 'info'),
  REQUIRE_NONCE: _default(oneOf(['true', 'false'], { error: 'must be true or false' }), 'true'),
  IDP_TIMEOUT_MS: digits('must be a number of milliseconds'),
  REFRESH_COOKIE_MAX_AGE_DAYS: digits('must be a whole number of days'),
});

/** A whole number within bounds, or the default when unset; a problem otherwise. */
function boundedNumber(
  name: string,
  text: string | undefined,
  fallback: number,
  [min, max]: [number, number],
  problem: (name: string, text: string) => void,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (value < min || value > max) problem(name, `must be between ${min} and ${max}`);
  return value;
}

/**
 * Parses and validates a configuration from an environment record. Pure: tests and the local stack call it with
 * records of their own. Throws ConfigError listing every problem found.
 */
export function parseConfig(env: EnvRecord): Config {
  // Blank values count as unset: `FOO=` in a .env file means "not given", not "empty string".
  const cleaned: EnvRecord = {};
  for (const [name, value] of Object.entries(env)) if (nonEmpty(value)) cleaned[name] = value.trim();

  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const values = parsed.data;
  const problems: string[] = [];
  const problem = (name: string, text: string): void => void problems.push(`${name}: ${text}`);

  const port = boundedNumber('PORT', values.PORT, 3000, [1, 65535], problem);
  const idpTimeoutMs = boundedNumber('IDP_TIMEOUT_MS', values.IDP_TIMEOUT_MS, 5000, [100, 25_000], problem);
  const refreshDays = boundedNumber('REFRESH_COOKIE_MAX_AGE_DAYS', values.REFRESH_COOKIE_MAX_AGE_DAYS, 30, [1, 3650], problem);

  // Base URL.
  // Unset: this machine on the listen port (http://localhost:3000 with the default port).
  const base = parseServiceUrl(values.PUBLIC_BASE_URL ?? `http://localhost:${port}`, true);
  // A default derived from a bad PORT fails too: that is PORT's problem (reported above), not the unset PUBLIC_BASE_URL's.
  if (typeof base === 'string' && values.PUBLIC_BASE_URL !== undefined) problem('PUBLIC_BASE_URL', base);
  const publicBaseUrl = typeof base === 'string' ? '' : withoutTrailingSlash(base.href);
  const publicOrigin = typeof base === 'string' ? '' : base.origin;
  const basePath = typeof base === 'string' ? '' : withoutTrailingSlash(base.pathname);

  // IdP: all three or none (none is the local stack's business, not a valid served configuration).
  for (const name of IDP_VARIABLES) if (values[name] === undefined) problem(name, 'is required');
  const userPoolId = values.COGNITO_USER_POOL_ID ?? '';
  const poolMatch = USER_POOL_ID.exec(userPoolId);
  if (userPoolId && !ANY_POOL_ID.test(userPoolId)) problem('COGNITO_USER_POOL_ID', 'must look like us-west-2_AbC123');
  const clientId = values.COGNITO_CLIENT_ID ?? '';
  if (clientId && !CLIENT_ID.test(clientId)) problem('COGNITO_CLIENT_ID', 'must be an app client id (letters and digits)');

  let domain = '';
  if (values.COGNITO_DOMAIN !== undefined) {
    const url = parseServiceUrl(values.COGNITO_DOMAIN, false);
    if (typeof url === 'string') problem('COGNITO_DOMAIN', url);
    else domain = url.origin;
  }

  let issuer = '';
  let customIssuer = false;
  if (values.COGNITO_ISSUER !== undefined) {
    const url = parseServiceUrl(values.COGNITO_ISSUER, true);
    if (typeof url === 'string') problem('COGNITO_ISSUER', url);
    else {
      issuer = withoutTrailingSlash(url.href);
      customIssuer = true;
    }
  } else if (userPoolId) {
    if (poolMatch?.[1]) issuer = `https://cognito-idp.${poolMatch[1]}.amazonaws.com/${userPoolId}`;
    else problem('COGNITO_USER_POOL_ID', 'has no AWS region prefix; set COGNITO_ISSUER for an emulator pool');
  }

  // Allowed origins: origins only, no paths.
  const allowedOrigins = publicOrigin ? [publicOrigin] : [];
  for (const raw of (values.ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      problem('ALLOWED_ORIGINS', `"${raw}" is not an origin (scheme://host[:port])`);
      continue;
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== withoutTrailingSlash(raw)) {
      problem('ALLOWED_ORIGINS', `"${raw}" is not an origin (scheme://host[:port], no path)`);
      continue;
    }
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
      problem('ALLOWED_ORIGINS', `"${raw}" must use https (plain http only for loopback hosts)`);
      continue;
    }
    if (!allowedOrigins.includes(url.origin)) allowedOrigins.push(url.origin);
  }

  // Where to land after login by default: a path below the base URL, or an absolute URL on an allowed origin.
  let postLoginUrl = publicBaseUrl + '/';
  const postLogin = values.POST_LOGIN_PATH;
  if (/^\/(?![/\\])[^\s\\]*$/.test(postLogin)) {
    postLoginUrl = publicBaseUrl + postLogin;
  } else {
    try {
      const url = new URL(postLogin);
      if (!allowedOrigins.includes(url.origin)) problem('POST_LOGIN_PATH', 'must be a path or a URL on an allowed origin');
      else postLoginUrl = url.href;
    } catch {
      problem('POST_LOGIN_PATH', 'must be a path starting with / or a URL on an allowed origin');
    }
  }

  // Cookie keys: exactly 32 bytes each, base64url.
  const cookieKeys: Buffer[] = [];
  if (values.COOKIE_KEYS === undefined) {
    problem(
      'COOKIE_KEYS',
      "is required (comma-separated 32-byte keys, base64url); generate one with: node -e \"console.log(require('crypto').randomBytes(32).toString('base64url'))\"",
    );
  } else {
    values.COOKIE_KEYS.split(',')
      .map((s) => s.trim())
      .forEach((text, index) => {
        const key = /^[A-Za-z0-9_-]+$/.test(text) ? Buffer.from(text, 'base64url') : Buffer.alloc(0);
        if (key.length !== KEY_BYTES) problem('COOKIE_KEYS', `key #${index + 1} is not ${KEY_BYTES} bytes of base64url`);
        else cookieKeys.push(key);
      });
  }

  const scopes = values.OAUTH_SCOPES.split(/\s+/).filter(Boolean);
  if (!scopes.includes('openid')) problem('OAUTH_SCOPES', 'must include openid (the BFF needs the ID token)');
  if (scopes.some((scope) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope))) problem('OAUTH_SCOPES', 'contains an invalid scope');

  if (problems.length > 0) throw new ConfigError(problems);

  // Cognito and cognito-local alike publish the key set below the issuer.
  const jwksUri = `${issuer}/.well-known/jwks.json`;
  return {
    port,
    publicBaseUrl,
    publicOrigin,
    basePath,
    redirectUri: `${publicBaseUrl}/auth/callback`,
    cognito: {
      userPoolId,
      clientId,
      clientSecret: values.COGNITO_CLIENT_SECRET,
      domain,
      issuer,
      jwksUri,
      customIssuer,
    },
    allowedOrigins,
    postLoginUrl,
    cookieKeys,
    scopes: scopes.join(' '),
    logLevel: values.LOG_LEVEL,
    requireNonce: values.REQUIRE_NONCE === 'true',
    idpTimeoutMs,
    refreshCookieMaxAgeSeconds: refreshDays * 86_400,
  };
}
