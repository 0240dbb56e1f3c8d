/**
 * The package's `cognito-bff/lambda` entry: `createHandler(app)`, the Lambda handler for a team's Express app that uses
 * createBff, for every front door (API Gateway REST and HTTP APIs, Function URLs, ALB). The authorizer cross-check is
 * kept: when a gateway authorizer passed claims, a request whose verified token names another `sub` is refused.
 */
import type { RequestListener } from 'node:http';
import { createFrontDoorHandler, flushingMetrics, type LambdaHandler } from './aws-lambda/handler';
import { createLogger, type Logger } from './logger';
import { flushRegistered } from './metrics/emf';

export type { FrontDoorResult, LambdaHandler } from './aws-lambda/handler';

export interface HandlerOptions {
  /** Where the adapter's own errors go. @default JSON lines on stdout, errors only */
  logger?: Logger;
}

/**
 * Also writes, once each invocation is answered, the metrics of every `createBff({ metrics: 'emf' })` in the process
 * (src/metrics/emf.ts): the app and its handler are built apart, and this is where an invocation ends.
 */
export function createHandler(app: RequestListener, options: HandlerOptions = {}): LambdaHandler {
  if (typeof app !== 'function') throw new TypeError('createHandler(app): app must be an Express app');
  return flushingMetrics(createFrontDoorHandler(app, options.logger ?? createLogger({ level: 'error' })), { flush: flushRegistered });
}
