/** Wraps the Express app for API Gateway REST (v1) proxy events. */
import serverlessExpress from '@vendia/serverless-express';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createApp, type AppDeps } from '../app';
import type { Logger } from '../logger';
import { AUTHORIZER_SUB_HEADER, restApiV1EventSource } from './event-source';

export type LambdaHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** serverless-express's own logger, kept quiet: it would print whole events (cookies, codes) at debug level. */
function quietLog(logger: Logger) {
  return {
    debug() {},
    info() {},
    warn() {},
    verbose() {},
    error(message: unknown) {
      logger.error('serverless-express error', { detail: typeof message === 'string' ? message : 'see stack' });
    },
  };
}

export function createLambdaHandler(deps: Omit<AppDeps, 'gatewayClaims' | 'staticDir'>): LambdaHandler {
  const app = createApp({
    ...deps,
    gatewayClaims: (req) => {
      const sub = req.headers[AUTHORIZER_SUB_HEADER];
      return typeof sub === 'string' ? { sub } : undefined;
    },
  });
  const handler = serverlessExpress({
    app,
    eventSource: restApiV1EventSource,
    log: quietLog(deps.logger),
    // Never a stack trace in a response, whatever NODE_ENV says.
    respondWithErrors: false,
    resolutionMode: 'PROMISE',
  });
  return (event, context) => handler(event, context, () => undefined) as Promise<APIGatewayProxyResult>;
}
