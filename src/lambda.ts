/**
 * Lambda entry (`dist/lambda/index.js`, `handler`). Module scope runs once per container: configuration parsed,
 * IdP client (keep-alive agent) and verifiers built, JWKS hydration started. Nothing request-specific lives here.
 */
import { parseConfig, readProcessEnv } from './config';
import { createLambdaHandler, type LambdaHandler } from './lambda/handler';
import { createLogger } from './logger';
import { announceDegradations, createRuntime, hydrate } from './runtime';

const config = parseConfig(readProcessEnv());
const logger = createLogger({ level: config.logLevel });
announceDegradations(config, logger);
const runtime = createRuntime(config);
const ready = hydrate(runtime, logger);
const serve = createLambdaHandler({ config, ...runtime, logger });

export const handler: LambdaHandler = async (event, context) => {
  await ready;
  return serve(event, context);
};
