/**
 * The package's main entry, `cognito-bff`: createBff for a team's Express app, optionsFromEnv, BffConfigError and
 * the types. Loading it does nothing but define these.
 */
import { assembleBff, type Bff } from './bff';
import { createLogger, withRequestId } from './logger';
import { metricsFor } from './metrics/sink';
import { resolveOptions, type BffOptions } from './options';
import { createRuntime } from './runtime';

export type { AuthenticatedRequest, AuthInfo } from './auth/auth-info';
export type { RequireAuthOptions } from './auth/require-auth';
export type { Bff } from './bff';
export { optionsFromEnv, type EnvRecord } from './config';
export {
  BffConfigError,
  type BffConfigProblem,
  type BffLogger,
  type BffOptions,
  type LogFields,
  type LogLevel,
  type MetricsSink,
  type SessionStore,
} from './options';

/**
 * The BFF for a team's Express app: `{ router, requireAuth, ready }`. Checks every option first and throws a
 * BffConfigError (code `BFF_CONFIG_INVALID`) naming each bad one. Does no I/O: `ready()` loads the token keys.
 */
export function createBff(options: BffOptions): Bff {
  const config = resolveOptions(options);
  // The built-in logger adds the request id itself; an application's own gets it added.
  const logger = options.logger ? withRequestId(options.logger) : createLogger({ level: config.logLevel });
  const metrics = metricsFor(config);
  const { router, requireAuth, ready } = assembleBff(config, { logger, metrics, ...createRuntime(config, { metrics }) });
  return { router, requireAuth, ready };
}
