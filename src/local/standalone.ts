/**
 * What `npm start` does around serving when no IdP is configured: check the user's own settings, start the local
 * stack (cognito-local behind its front, the bootstrap), overlay the settings it derived, and send browsers on the
 * other loopback spelling to PUBLIC_BASE_URL's origin. Moved here from src/server.ts so the entry only wires.
 */
import type { RequestListener } from 'node:http';
import path from 'node:path';
import { wantsLocalStack, type EnvRecord } from '../config';
import type { Logger } from '../logger';
import { loopbackRedirect } from './loopback-redirect';
import { checkLocalStackSettings, localStackEnvironment } from './settings';

export interface ServedSettings {
  /** The environment the BFF's configuration is parsed from. */
  settings: EnvRecord;
  /** Lines for the console once the server listens (the demo URL and credentials); none without the local stack. */
  banner(publicBaseUrl: string): string[];
  /** Said once the logger exists: what the local stack emulates and what not. */
  announce(logger: Logger): void;
  /** The app as the HTTP server should serve it (local stack: one loopback spelling for the browser). */
  serve(app: RequestListener, publicBaseUrl: string): RequestListener;
  /** Stops the local stack, if one runs. */
  stop(): Promise<void>;
}

/** The user's settings, with the local stack started and its settings overlaid when no IdP is configured. */
export async function servedSettings(env: EnvRecord): Promise<ServedSettings> {
  if (!wantsLocalStack(env)) {
    return { settings: env, banner: () => [], announce: () => undefined, serve: (app) => app, stop: async () => undefined };
  }
  // The user's own settings first, by the BFF's rules: a typo stops here, before any emulator starts.
  const local = checkLocalStackSettings(env);
  // Loaded only here: the emulator and the AWS SDK are development tools, absent from a production image.
  const { startLocalStack } = await import('./local-stack.js').catch((error: unknown) => {
    // A production install (the container image) has no emulator: say what to set rather than which module is missing.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error(
      'no IdP configured: set COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID, COGNITO_DOMAIN and COOKIE_KEYS. The local stack ' +
        '(cognito-local) needs the development dependencies: run it with `npm start` or `docker compose up`.',
    );
  });
  const port = env.PORT?.trim() || '3000';
  const sessions = env.SESSION_STORE?.trim() === 'cookie' ? '' : `, dynalite on 127.0.0.1:${local.dynalitePort}`;
  process.stdout.write(`Starting the local stack (cognito-local on 127.0.0.1:${local.emulatorPort}${sessions})…\n`);
  const stack = await startLocalStack({
    rootDir: path.resolve(process.cwd(), '.local'),
    publicBaseUrl: env.PUBLIC_BASE_URL?.trim() || `http://localhost:${port}`,
    emulatorPort: local.emulatorPort,
    demoPassword: local.demoPassword,
    // Server-side sessions in the embedded dynalite, unless the user asked for cookie sessions.
    ...(env.SESSION_STORE?.trim() === 'cookie' ? {} : { dynalitePort: local.dynalitePort }),
  });
  const settings = localStackEnvironment(env, stack.settings);
  // SERVE_DEMO_SPA is on by default in the local stack only: the user's own value wins.
  if (env.SERVE_DEMO_SPA?.trim()) settings.SERVE_DEMO_SPA = env.SERVE_DEMO_SPA;
  return {
    settings,
    banner: (base) => [`  demo SPA:  ${base}/`, `  sign in as ${stack.pool.demoUsername} with password ${stack.pool.demoPassword}`],
    announce: (logger) => logger.warn(stack.notice),
    serve: (app, base) => {
      const redirect = loopbackRedirect(base);
      return (req, res) => void (redirect(req, res) || app(req, res));
    },
    stop: () => stack.stop(),
  };
}
