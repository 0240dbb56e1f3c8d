/**
 * The standalone app's Lambda entry (`dist/lambda/index.js`, `handler`). Module scope runs once per container: secrets
 * read, configuration parsed, the app built, JWKS loaded. Nothing request-specific lives here.
 */
import { createApp } from './app';
import { parseConfig, readProcessEnv } from './config';
import { createHandler, type FrontDoorResult, type LambdaHandler } from './create-handler';
import { resolveSecretReferences, secretsManagerFetcher } from './aws-lambda/secrets';
import { createLogger } from './logger';
import { metricsFor } from './metrics/sink';
import { announceDegradations, createRuntime, hydrate } from './runtime';

async function initialise(): Promise<LambdaHandler> {
  const env = await resolveSecretReferences(readProcessEnv(), secretsManagerFetcher());
  // The Lambda entry writes EMF lines unless METRICS says otherwise.
  const config = parseConfig({ METRICS: 'emf', ...env });
  const logger = createLogger({ level: config.logLevel });
  announceDegradations(config, logger);
  // Metrics as Embedded Metric Format lines on stdout, under the namespace and service Powertools' variables name (the
  // CDK construct sets them; its alarms read the same). createHandler writes them once per invocation.
  const metrics = metricsFor(config);
  const runtime = createRuntime(config, { metrics });
  await hydrate(runtime, logger);
  return createHandler(createApp({ config, ...runtime, logger, metrics }), { logger });
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
