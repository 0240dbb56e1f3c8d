/**
 * One Lambda handler for every front door: API Gateway REST (v1), API Gateway HTTP API (payload 2.0), Lambda
 * Function URLs and Application Load Balancers (multi-value headers on or off). Each event's door is told from the
 * event itself (front-door.ts); its event source turns it into a request for the Express app and the app's response
 * into the result that door expects. An event of no known door is answered without running the app.
 */
import serverlessExpress from '@vendia/serverless-express';
import type { RequestListener } from 'node:http';
import type { Context } from 'aws-lambda';
import { createApp, type AppDeps } from '../app';
import { attachGatewayClaims } from '../auth/gateway-claims';
import { requestIdOr, serveInvocation } from '../http/request-context';
import type { Logger } from '../logger';
import { createEmfRecorder, METRICS_SERVICE, writeToStdout, type EmfRecorder } from '../metrics/emf';
import { albEventSource } from './alb';
import { isBinaryBody } from './binary-body';
import { detectFrontDoor, type FrontDoor } from './front-door';
import { payloadV2EventSource } from './payload-v2';
import { AUTHORIZER_SUB_HEADER, type FrontDoorResult } from './request-values';
import { restApiEventSource } from './rest-api';
import { answerUnsupportedEvent } from './unsupported-event';

export type { FrontDoorResult } from './request-values';

/** Takes any event: what is not an HTTP request from a known front door gets a clean 400, never a throw. */
export type LambdaHandler = (event: unknown, context: Context) => Promise<FrontDoorResult>;

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

/**
 * The event-source name serverless-express is told for each door: it decides only that an error inside the app is
 * answered (a 500 in the door's shape, through the same event source) rather than thrown.
 */
const SOURCES: Record<FrontDoor, { name: string; eventSource: object }> = {
  'rest-api': { name: 'AWS_API_GATEWAY_V1', eventSource: restApiEventSource },
  'http-api': { name: 'AWS_API_GATEWAY_V2', eventSource: payloadV2EventSource },
  'function-url': { name: 'AWS_API_GATEWAY_V2', eventSource: payloadV2EventSource },
  alb: { name: 'AWS_ALB', eventSource: albEventSource },
};

/**
 * The authorizer's `sub` arrives in an internal header the event sources always strip from what the client sent; it
 * moves onto the request object (src/auth/gateway-claims.ts), where only this adapter can put it, before the app
 * sees the request. Over plain HTTP the header means nothing.
 */
function withGatewayClaims(app: RequestListener): RequestListener {
  return (req, res) => {
    const sub = req.headers[AUTHORIZER_SUB_HEADER];
    delete req.headers[AUTHORIZER_SUB_HEADER];
    if (typeof sub === 'string') attachGatewayClaims(req, { sub });
    app(req, res);
  };
}

/** The handler for an Express app: what `cognito-bff/lambda`'s `createHandler(app)` wraps. */
export function createFrontDoorHandler(express: RequestListener, logger: Logger): LambdaHandler {
  // A plain function: serverless-express calls it as it is.
  const app = withGatewayClaims(express);
  const handlers = new Map<FrontDoor, (event: unknown, context: Context, callback: () => void) => unknown>();
  for (const [door, { name, eventSource }] of Object.entries(SOURCES) as [FrontDoor, (typeof SOURCES)[FrontDoor]][]) {
    handlers.set(
      door,
      serverlessExpress({
        app,
        eventSource,
        eventSourceName: name,
        log: quietLog(logger),
        // Never a stack trace in a response, whatever NODE_ENV says.
        respondWithErrors: false,
        resolutionMode: 'PROMISE',
        // Relayed answers can be any type: everything that is not text travels base64-encoded (see binary-body.ts).
        binarySettings: { isBinary: ({ headers }: { headers: Record<string, string | string[] | number> }) => isBinaryBody(headers) },
      }),
    );
  }
  // The invocation's id is the request's id (src/http/request-context.ts): Lambda's own log lines carry it too.
  return (event, context) =>
    serveInvocation({ requestId: requestIdOr((context as Partial<Context> | undefined)?.awsRequestId) }, async () => {
      const door = detectFrontDoor(event);
      if (!door) return answerUnsupportedEvent(event, logger);
      return (await handlers.get(door)!(event, context, () => undefined)) as FrontDoorResult;
    });
}

/** Writes the metrics an invocation recorded once it is answered: one flush per invocation, whatever happened. */
export function flushingMetrics(handler: LambdaHandler, metrics: Pick<EmfRecorder, 'flush'>): LambdaHandler {
  return async (event, context) => {
    try {
      return await handler(event, context);
    } finally {
      metrics.flush();
    }
  };
}

/** The standalone app's handler from injected parts (the tests, the benchmark), its metrics as EMF lines. */
export function createLambdaHandler(
  deps: Omit<AppDeps, 'metrics'>,
  options: { writeMetrics?: (line: string) => void } = {},
): LambdaHandler {
  const metrics = createEmfRecorder({ service: METRICS_SERVICE, write: options.writeMetrics ?? writeToStdout, now: deps.clock });
  return flushingMetrics(createFrontDoorHandler(createApp({ ...deps, metrics }), deps.logger), metrics);
}
