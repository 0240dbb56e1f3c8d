/**
 * Configuration from the environment: variables -> BffOptions (`optionsFromEnv`) -> the resolved Config.
 *
 * This is the only module that reads `process.env` (see `readProcessEnv`). The checks are the options' own
 * (src/options.ts): a variable's problem names the variable. The standalone server's own settings (`PORT`) live here
 * too, since they are not options of the library.
 */
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from './http/server-limits';
import { BffConfigError, checkOptions, OPTION_VARIABLES, type BffConfigProblem, type BffOptions, type Config } from './options';

export { BffConfigError, type BffConfigProblem, type CognitoSettings, type Config, type LogLevel } from './options';
export type EnvRecord = Record<string, string | undefined>;

/** The standalone server's configuration: the library's plus where to listen, and its bounds on slow clients. */
export interface ServerConfig extends Config {
  port: number;
  serverLimits: ServerLimits;
}

/** @deprecated the name before the library: use BffConfigError (match on `code`). */
export const ConfigError = BffConfigError;
export type ConfigError = BffConfigError;

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

/** The variables renamed to options (only those set); values stay strings, which every option accepts. */
function envAsOptions(env: EnvRecord): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [option, variable] of Object.entries(OPTION_VARIABLES)) {
    if (variable !== undefined && nonEmpty(env[variable])) options[option] = env[variable].trim();
  }
  // Inside AWS Lambda (which sets AWS_LAMBDA_FUNCTION_NAME) metrics are EMF lines unless METRICS says otherwise.
  if (options.metrics === undefined && nonEmpty(env.AWS_LAMBDA_FUNCTION_NAME)) options.metrics = 'emf';
  return options;
}

/** PORT: where the standalone server listens. Not an option of the library. */
function portOf(env: EnvRecord, problems: BffConfigProblem[]): number | undefined {
  const text = env.PORT?.trim();
  if (!text) return 3000;
  const port = /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isNaN(port)) problems.push({ option: 'port', variable: 'PORT', message: 'must be a port number' });
  else if (port < 1 || port > 65535) problems.push({ option: 'port', variable: 'PORT', message: 'must be between 1 and 65535' });
  else return port;
  return undefined;
}

/** The HTTP server's bounds on slow and idle clients (src/http/server-limits.ts): variable, option name, range. */
const SERVER_LIMIT_SETTINGS: [keyof ServerLimits, string, string, [number, number]][] = [
  ['headersTimeoutMs', 'HTTP_HEADERS_TIMEOUT_MS', 'httpHeadersTimeoutMs', [100, 600_000]],
  ['requestTimeoutMs', 'HTTP_REQUEST_TIMEOUT_MS', 'httpRequestTimeoutMs', [100, 3_600_000]],
  ['keepAliveTimeoutMs', 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 'httpKeepAliveTimeoutMs', [100, 600_000]],
  ['maxConnections', 'HTTP_MAX_CONNECTIONS', 'httpMaxConnections', [1, 100_000]],
];

/** HTTP_* settings of the standalone server (not options of the library: Lambda and a team's own server have none). */
function serverLimitsOf(env: EnvRecord, problems: BffConfigProblem[]): ServerLimits {
  const limits = { ...DEFAULT_SERVER_LIMITS };
  for (const [key, variable, option, [min, max]] of SERVER_LIMIT_SETTINGS) {
    const text = env[variable]?.trim();
    if (!text) continue;
    const value = /^\d{1,7}$/.test(text) ? Number(text) : Number.NaN;
    if (Number.isNaN(value) || value < min || value > max)
      problems.push({ option, variable, message: `must be a whole number from ${min} to ${max}` });
    else limits[key] = value;
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    problems.push({
      option: 'httpHeadersTimeoutMs',
      variable: 'HTTP_HEADERS_TIMEOUT_MS',
      message: `must not be longer than HTTP_REQUEST_TIMEOUT_MS (${limits.requestTimeoutMs})`,
    });
  }
  return limits;
}

function checkEnv(env: EnvRecord): { config: ServerConfig; options: Record<string, unknown>; problems: BffConfigProblem[] } {
  const options = envAsOptions(env);
  const portProblems: BffConfigProblem[] = [];
  const port = portOf(env, portProblems);
  const serverLimits = serverLimitsOf(env, portProblems);
  // Unset: this machine on the listen port (a bad PORT is PORT's problem, not PUBLIC_BASE_URL's).
  const withBase = options.publicBaseUrl === undefined ? { ...options, publicBaseUrl: `http://localhost:${port ?? 3000}` } : options;
  const { config, problems } = checkOptions(withBase);
  return { config: { ...config, port: port ?? 3000, serverLimits }, options: withBase, problems: [...portProblems, ...problems] };
}

/** How a variable's text becomes the option's typed value (after the checks passed). */
const LISTS: Partial<Record<keyof BffOptions, RegExp>> = { allowedOrigins: /,/, cookieKeys: /,/, scopes: /\s+/ };
const NUMBERS = new Set<keyof BffOptions>(['idpTimeoutMs', 'refreshCookieMaxAgeDays', 'revocationCheckSeconds', 'apiProxyTimeoutMs']);
const FLAGS = new Set<keyof BffOptions>(['requireNonce', 'serveDemoSpa', 'cognitoGlobalSignOut']);

/**
 * Options from environment variables (`COGNITO_USER_POOL_ID` -> `userPoolId`, … as in the README), checked and typed:
 * throws a BffConfigError naming every bad VARIABLE at once. Only variables that are set become options, so
 * `createBff` applies its own defaults to the rest. Pure: reads only `env`.
 */
export function optionsFromEnv(env: EnvRecord): BffOptions {
  const { config, options, problems } = checkEnv(env);
  if (problems.length > 0) throw new BffConfigError(problems, 'env');
  const typed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options) as [keyof BffOptions, string][]) {
    const separator = LISTS[name];
    if (separator)
      typed[name] = value
        .split(separator)
        .map((item) => item.trim())
        .filter(Boolean);
    else if (NUMBERS.has(name)) typed[name] = Number(value);
    else if (FLAGS.has(name)) typed[name] = value === 'true';
    else if (name === 'apiProxy') typed[name] = Object.fromEntries(config.apiProxy.map((route) => [route.prefix, route.upstream]));
    else typed[name] = value;
  }
  return typed as unknown as BffOptions;
}

/**
 * The standalone server's configuration from an environment record. Pure: tests and the local stack call it with
 * records of their own. Throws a BffConfigError listing every problem found, by variable.
 */
export function parseConfig(env: EnvRecord): ServerConfig {
  const { config, problems } = checkEnv(env);
  if (problems.length > 0) throw new BffConfigError(problems, 'env');
  return config;
}
