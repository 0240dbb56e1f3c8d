/**
 * The standalone app's Lambda entry (`dist/lambda/index.js`, `handler`). Module scope runs once per container: secrets
 * read, configuration parsed, the app built, JWKS loaded. Nothing request-specific lives here.
 */
import { createApp } from './app';
import { parseConfig, readProcessEnv } from './config';
import { createHandler, type FrontDoorResult, type LambdaHandler } from './create-handler';
import { resolveSecretReferences, secretsManagerFetcher } from './aws-lambda/secrets';
import { flushingMetrics } from './aws-lambda/handler';
import { createLogger } from './logger';
import { createEmfRecorder, emfSettings, writeToStdout } from './metrics/emf';
import { announceDegradations, createRuntime, hydrate } from './runtime';

async function initialise(): Promise<LambdaHandler> {
  const env = await resolveSecretReferences(readProcessEnv(), secretsManagerFetcher());
  const config = parseConfig(env);
  const logger = createLogger({ level: config.logLevel });
  announceDegradations(config, logger);
  const runtime = createRuntime(config);
  await hydrate(runtime, logger);
  // Metrics as Embedded Metric Format lines on stdout, written once per invocation (src/metrics/emf.ts), under the
  // namespace and service Powertools' variables name (the CDK construct sets them; its alarms read the same).
  const metrics = createEmfRecorder({ ...emfSettings(env), write: writeToStdout });
  return flushingMetrics(createHandler(createApp({ config, ...runtime, logger, metrics }), { logger }), metrics);
}

const ready = initialise();
// A container that cannot start says why once, in the function's log, and answers every request with a clean 500.
ready.catch((error: unknown) => {
  process.stderr.write(`cognito-bff: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
});

const MISCONFIGURED: FrontDoorResult = {
  statusCode: 500,
  multiValueHeaders: { 'content-type': ['application/json'], 'cache-control': ['no-store'] },
  body: JSON.stringify({ error: 'misconfigured', message: 'The service is not configured correctly.' }),
};

export const handler: LambdaHandler = async (event, context) => {
  let serve: LambdaHandler;
  try {
    serve = await ready;
  } catch {
    return MISCONFIGURED;
  }
  return serve(event, context);
};
