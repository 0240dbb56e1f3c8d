/**
 * The local stack behind `npm start` without an IdP: cognito-local on loopback behind a small front that serves the
 * endpoints it lacks (`/logout`, `/oauth2/revoke`; see cognito-front.ts), the bootstrapped pool, and the settings the
 * BFF's configuration is parsed from, all derived here rather than typed by the user.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { localClientFields } from './app-client';
import { bootstrapLocalPool, type LocalPool } from './bootstrap';
import { startCognitoFront, type CognitoFront } from './cognito-front';
import { loadOrCreateLocalCookieKey } from './cookie-keys';
import { generateDemoPassword } from './demo-password';
import { startLocalSessionStore, type LocalSessionStore } from './dynalite';
import { writeSettingsFile } from './env-file';
import { freeLoopbackPort, startEmulator, type RunningEmulator } from './emulator';
import { DEFAULT_EMULATOR_PORT } from './settings';

export { DEFAULT_EMULATOR_PORT } from './settings';
/** Loopback on purpose: the emulator checks no credentials. It is also the host part of the token issuer. */
const EMULATOR_HOST = '127.0.0.1';

export interface LocalStackOptions {
  /** Where the local state lives (`<repo>/.local`): the emulator's data and the cookie key. */
  rootDir: string;
  /** Where the emulator is reached (its front): OAuth endpoints, sign-in form, token issuer. @default 9229 */
  emulatorPort?: number;
  /** The BFF's public base URL (callback and logout URLs of the app client). */
  publicBaseUrl: string;
  /** The demo user's password; generated when absent. Either way it is in `pool.demoPassword` for printing. */
  demoPassword?: string;
  /** The emulator's log lines. @default discard */
  onLog?: (line: string) => void;
  /** Server-side sessions: dynalite on this 127.0.0.1 port (data in `<rootDir>/dynalite`). @default none (cookie sessions) */
  dynalitePort?: number;
}

export interface LocalStack {
  /** cognito-local itself, on a private loopback port: reach it through `front`. */
  emulator: RunningEmulator;
  /** What the BFF and the browser talk to: cognito-local plus `/logout` and `/oauth2/revoke`. */
  front: CognitoFront;
  pool: LocalPool;
  /** Environment-style overlay for the BFF's configuration (`COGNITO_*`, `REQUIRE_NONCE`, `COOKIE_KEYS`, `SERVE_DEMO_SPA`). */
  settings: Record<string, string>;
  /** One line for the start-up log: what the local stack emulates beyond cognito-local, and what it does not. */
  notice: string;
  /** Where `settings` were written for a second BFF process (`<rootDir>/stack.env`). */
  envFile: string;
  stop(): Promise<void>;
}

const STACK_ENV_HEADER = [
  '# Every setting the local stack derived (npm start), for a second BFF process against the same emulators and',
  '# sessions: PORT=3001 PUBLIC_BASE_URL=<the first one> node --env-file=.local/stack.env ... Keep it private.',
];

/** What differs from Cognito locally (README "The local stack's Cognito"); said at every start. */
export function emulationNotice(frontUrl: string): string {
  return (
    `local stack: cognito-local behind a front on ${frontUrl} that adds Cognito's /logout (redirects only to the app ` +
    "client's sign-out URLs) and /oauth2/revoke (a revoked refresh token then gets invalid_grant); " +
    'not emulated: refresh-token rotation, the nonce in ID tokens, /oauth2/userInfo, the hosted UI session'
  );
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  // Owner-only: the emulator keeps passwords and refresh tokens in plain JSON below it, next to the cookie key.
  mkdirSync(options.rootDir, { recursive: true });
  chmodSync(options.rootDir, 0o700);
  // The front first: it takes the port the user chose (a clear error when busy) and is the tokens' issuer.
  const front = await startCognitoFront({
    host: EMULATOR_HOST,
    port: options.emulatorPort ?? DEFAULT_EMULATOR_PORT,
    // Next to the emulator's data: a revoked refresh token stays refused after a restart, as at Cognito.
    revokedFile: path.join(options.rootDir, 'revoked-refresh-tokens'),
  });
  let emulator: RunningEmulator | undefined;
  let sessions: LocalSessionStore | undefined;
  try {
    if (options.dynalitePort !== undefined) {
      sessions = await startLocalSessionStore({
        port: options.dynalitePort,
        dataDir: path.join(options.rootDir, 'dynalite'),
        onLog: options.onLog,
      });
    }
    emulator = await startEmulator({
      port: await freeLoopbackPort(EMULATOR_HOST),
      host: EMULATOR_HOST,
      dataDir: path.join(options.rootDir, 'cognito-local'),
      issuerDomain: front.url,
      onLog: options.onLog,
    });
    front.setUpstream(emulator.url);
    const pool = await bootstrapLocalPool({
      endpoint: front.url,
      publicBaseUrl: options.publicBaseUrl,
      demoPassword: options.demoPassword ?? generateDemoPassword(),
    });
    front.registerClient({
      clientId: pool.clientId,
      clientSecret: pool.clientSecret,
      logoutUrls: localClientFields(options.publicBaseUrl).LogoutURLs ?? [],
    });
    const cookieKey = loadOrCreateLocalCookieKey(options.rootDir);
    const running = emulator;
    const settings = { ...localStackSettings(front, pool, cookieKey), ...sessions?.settings };
    const envFile = path.join(options.rootDir, 'stack.env');
    writeSettingsFile(envFile, settings, STACK_ENV_HEADER);
    const store = sessions;
    return {
      emulator: running,
      front,
      pool,
      settings,
      notice: emulationNotice(front.url),
      envFile,
      stop: async () => {
        await front.close();
        await running.stop();
        await store?.dynalite.stop();
      },
    };
  } catch (error) {
    await front.close();
    await emulator?.stop();
    await sessions?.dynalite.stop();
    throw error;
  }
}

/** The settings the BFF needs to talk to the emulator. No demo password: it is not configuration of the BFF. */
export function localStackSettings(emulator: { url: string }, pool: LocalPool, cookieKey: string): Record<string, string> {
  return {
    COGNITO_USER_POOL_ID: pool.userPoolId,
    COGNITO_CLIENT_ID: pool.clientId,
    COGNITO_CLIENT_SECRET: pool.clientSecret,
    // The emulator (through its front) serves the OAuth endpoints at its root, next to the admin API.
    COGNITO_DOMAIN: emulator.url,
    // cognito-local signs with `iss = ${IssuerDomain}/<poolId>`, the issuer domain pinned to this very URL (or, for an
    // emulator run alone, its own HOST and PORT), and serves its JWKS at `${issuer}/.well-known/jwks.json`.
    COGNITO_ISSUER: `${emulator.url}/${pool.userPoolId}`,
    // cognito-local does not echo the nonce in ID tokens.
    REQUIRE_NONCE: 'false',
    COOKIE_KEYS: cookieKey,
    // The demo SPA is the local stack's front end (the user's own SERVE_DEMO_SPA still wins: see standalone.ts).
    SERVE_DEMO_SPA: 'true',
  };
}
