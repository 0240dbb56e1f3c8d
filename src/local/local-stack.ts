/**
 * The local stack behind `npm start` without an IdP: cognito-local on loopback, the bootstrapped pool, and the
 * settings the BFF's configuration is parsed from, all derived here rather than typed by the user.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { bootstrapLocalPool, type LocalPool } from './bootstrap';
import { loadOrCreateLocalCookieKey } from './cookie-keys';
import { generateDemoPassword } from './demo-password';
import { startEmulator, type RunningEmulator } from './emulator';

export const DEFAULT_EMULATOR_PORT = 9229;
/** Loopback on purpose: the emulator checks no credentials. It is also the host part of the token issuer. */
const EMULATOR_HOST = '127.0.0.1';

export interface LocalStackOptions {
  /** Where the local state lives (`<repo>/.local`): the emulator's data and the cookie key. */
  rootDir: string;
  /** @default 9229 */
  emulatorPort?: number;
  /** The BFF's public base URL (callback and logout URLs of the app client). */
  publicBaseUrl: string;
  /** The demo user's password; generated when absent. Either way it is in `pool.demoPassword` for printing. */
  demoPassword?: string;
  /** The emulator's log lines. @default discard */
  onLog?: (line: string) => void;
}

export interface LocalStack {
  emulator: RunningEmulator;
  pool: LocalPool;
  /** Environment-style overlay for the BFF's configuration (`COGNITO_*`, `REQUIRE_NONCE`, `COOKIE_KEYS`). */
  settings: Record<string, string>;
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  // Owner-only: the emulator keeps passwords and refresh tokens in plain JSON below it, next to the cookie key.
  mkdirSync(options.rootDir, { recursive: true });
  chmodSync(options.rootDir, 0o700);
  const emulator = await startEmulator({
    port: options.emulatorPort ?? DEFAULT_EMULATOR_PORT,
    host: EMULATOR_HOST,
    dataDir: path.join(options.rootDir, 'cognito-local'),
    onLog: options.onLog,
  });
  try {
    const pool = await bootstrapLocalPool({
      endpoint: emulator.url,
      publicBaseUrl: options.publicBaseUrl,
      demoPassword: options.demoPassword ?? generateDemoPassword(),
    });
    const cookieKey = loadOrCreateLocalCookieKey(options.rootDir);
    return { emulator, pool, settings: localStackSettings(emulator, pool, cookieKey), stop: () => emulator.stop() };
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}

/** The settings the BFF needs to talk to the emulator. No demo password: it is not configuration of the BFF. */
export function localStackSettings(emulator: Pick<RunningEmulator, 'url'>, pool: LocalPool, cookieKey: string): Record<string, string> {
  return {
    COGNITO_USER_POOL_ID: pool.userPoolId,
    COGNITO_CLIENT_ID: pool.clientId,
    COGNITO_CLIENT_SECRET: pool.clientSecret,
    // The emulator serves the OAuth endpoints at its root, next to the admin API.
    COGNITO_DOMAIN: emulator.url,
    // cognito-local signs with `iss = http://${HOST}:${PORT}/<poolId>`; the emulator URL is built from the same HOST
    // and PORT, so this is exactly the `iss` of its tokens (and its JWKS is at `${issuer}/.well-known/jwks.json`).
    COGNITO_ISSUER: `${emulator.url}/${pool.userPoolId}`,
    // cognito-local does not echo the nonce in ID tokens.
    REQUIRE_NONCE: 'false',
    COOKIE_KEYS: cookieKey,
  };
}
