/**
 * Node entry: `npm start` (tsx) and `node dist/server.js` (containers). With no IdP configured the local stack starts
 * first (src/local/standalone.ts); with COGNITO_* set it serves against that IdP.
 */
import path from 'node:path';
import { createApp } from './app';
import { parseConfig, readProcessEnv } from './config';
import { listen, stopOnSignals } from './http-server';
import { demoSpaDir } from './local/demo-spa';
import { servedSettings } from './local/standalone';
import { createLogger } from './logger';
import { metricsFor } from './metrics/sink';
import { announceDegradations, createRuntime, hydrate } from './runtime';

async function main(): Promise<void> {
  const local = await servedSettings(readProcessEnv());
  try {
    const config = parseConfig(local.settings);
    const logger = createLogger({ level: config.logLevel });
    announceDegradations(config, logger);
    local.announce(logger);
    // Metrics through the OpenTelemetry API by default (METRICS; src/metrics/sink.ts), spans likewise (src/tracing).
    const metrics = metricsFor(config);
    const runtime = createRuntime(config, { metrics });
    await hydrate(runtime, logger);
    // The demo SPA with the browser client beside it (built on the fly when run from sources).
    const spa = config.serveDemoSpa ? { demoSpaDir: await demoSpaDir(path.resolve(process.cwd(), '.local')) } : {};
    const app = createApp({ config, ...runtime, logger, ...spa, metrics });
    const server = await listen(local.serve(app, config.publicBaseUrl), config.port, config.serverLimits);
    const banner = [
      `\ncognito-bff is listening on ${config.publicBaseUrl}`,
      ...local.banner(config.publicBaseUrl),
      'Press Ctrl-C to stop.\n\n',
    ];
    process.stdout.write(banner.join('\n'));
    stopOnSignals(server, local.stop);
  } catch (error) {
    await local.stop();
    throw error;
  }
}

main().catch((error: unknown) => {
  // A clear message, never a stack trace: the user fixes a setting or frees a port.
  process.stderr.write(`cognito-bff: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
