/**
 * Node entry: `npm start` (tsx) and `node dist/server.js` (containers).
 *
 * With no IdP configured it runs the local stack first: cognito-local on 127.0.0.1:9229, an idempotent bootstrap of
 * pool, client and demo user, and then the BFF against it. With COGNITO_* set it serves against that IdP.
 */
import path from 'node:path';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createApp } from './app';
import { ConfigError, parseConfig, readProcessEnv, wantsLocalStack, type EnvRecord } from './config';
import { checkLocalStackSettings, localStackEnvironment } from './local/settings';
import { loopbackRedirect } from './local/loopback-redirect';
import { demoSpaDir } from './local/demo-spa';
import { createLogger } from './logger';
import { announceDegradations, createRuntime, hydrate } from './runtime';

interface LocalStackHandle {
  stop(): Promise<void>;
}

function listen(handler: RequestListener, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(handler).listen(port);
    server.once('listening', () => resolve(server));
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} is already in use: stop what runs there or set PORT`) : error);
    });
  });
}

async function main(): Promise<void> {
  const env: EnvRecord = readProcessEnv();
  let settings = env;
  let localStack: (LocalStackHandle & { notice: string }) | undefined;
  let demoCredentials: { username: string; password: string } | undefined;

  if (wantsLocalStack(env)) {
    // The user's own settings first, by the BFF's rules: a typo stops here, before any emulator starts.
    const local = checkLocalStackSettings(env);
    // Loaded only here: the emulator and the AWS SDK are development tools, absent from a production image.
    const { startLocalStack } = await import('./local/local-stack.js').catch((error: unknown) => {
      // A production install (the container image) has no emulator: say what to set rather than which module is missing.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') throw error;
      throw new Error(
        'no IdP configured: set COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID, COGNITO_DOMAIN and COOKIE_KEYS. The local stack ' +
          '(cognito-local) needs the development dependencies: run it with `npm start` or `docker compose up`.',
      );
    });
    const port = env.PORT?.trim() || '3000';
    const publicBaseUrl = env.PUBLIC_BASE_URL?.trim() || `http://localhost:${port}`;
    process.stdout.write(`Starting the local stack (cognito-local on 127.0.0.1:${local.emulatorPort})…\n`);
    const stack = await startLocalStack({
      rootDir: path.resolve(process.cwd(), '.local'),
      publicBaseUrl,
      emulatorPort: local.emulatorPort,
      demoPassword: local.demoPassword,
    });
    localStack = stack;
    settings = localStackEnvironment(env, stack.settings);
    demoCredentials = { username: stack.pool.demoUsername, password: stack.pool.demoPassword };
  }

  const config = parseConfig(settings);
  const logger = createLogger({ level: config.logLevel });
  announceDegradations(config, logger);
  if (localStack) {
    logger.warn(localStack.notice);
  }
  const runtime = createRuntime(config);
  await hydrate(runtime, logger);

  // The demo SPA with the browser client beside it (built on the fly when run from sources).
  const staticDir = await demoSpaDir(path.resolve(process.cwd(), '.local'));
  const app = createApp({ config, ...runtime, logger, staticDir });
  let server: Server;
  try {
    // Local stack: one loopback spelling for the browser (127.0.0.1 -> localhost, or the other way round).
    const redirect = localStack ? loopbackRedirect(config.publicBaseUrl) : () => false;
    server = await listen((req, res) => void (redirect(req, res) || app(req, res)), config.port);
  } catch (error) {
    await localStack?.stop();
    throw error;
  }

  process.stdout.write(`\ncognito-bff is listening on ${config.publicBaseUrl}\n`);
  if (demoCredentials) {
    process.stdout.write(`  demo SPA:  ${config.publicBaseUrl}/\n`);
    process.stdout.write(`  sign in as ${demoCredentials.username} with password ${demoCredentials.password}\n`);
  }
  process.stdout.write('Press Ctrl-C to stop.\n\n');

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await localStack?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  // A clear message, never a stack trace: the user fixes a setting or frees a port.
  const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`cognito-bff: ${message}\n`);
  process.exit(1);
});
