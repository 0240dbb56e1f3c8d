/**
 * The local stack in pieces, for containers (docker-compose.yml): the emulator, the bootstrap and the BFF run in
 * separate containers there, where `npm start` runs them in one process. See docs/containers.md.
 *
 *   node dist/local/bootstrap-cli.js emulator --issuer-domain http://127.0.0.1:9229
 *     Runs cognito-local in this process (it reads HOST and PORT from the environment and keeps its data in
 *     ./.cognito), after writing `TokenConfig.IssuerDomain` into ./.cognito/config.json. cognito-local derives both
 *     its listen address and its token issuer from HOST; with the issuer pinned here it can listen on 0.0.0.0 (so a
 *     published port reaches it) and still sign tokens with a loopback issuer, the only plain-http kind the BFF takes.
 *
 *   node dist/local/bootstrap-cli.js bootstrap --endpoint http://127.0.0.1:9229 --out /data/local-stack/local-stack.env
 *     The idempotent bootstrap of `npm start` (pool, app client, demo user) against a running emulator. It checks that
 *     the emulator signs tokens with the issuer the BFF will expect, then writes the BFF's settings, the same ones
 *     `npm start` derives (COGNITO_*, REQUIRE_NONCE=false, COOKIE_KEYS, PUBLIC_BASE_URL), as an env file for
 *     `node --env-file`. The cookie key is kept next to that file, so sessions survive restarts.
 *     Environment: PUBLIC_BASE_URL (default http://localhost:3000), DEMO_PASSWORD (generated and printed when unset).
 */
import { AdminInitiateAuthCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { ConfigError, parseConfig, readProcessEnv, type EnvRecord } from '../config';
import { isLoopbackHost } from '../net/loopback';
import { bootstrapLocalPool, type LocalPool } from './bootstrap';
import { writeEmulatorConfig } from './emulator-config';
import { loadOrCreateLocalCookieKey } from './cookie-keys';
import { generateDemoPassword } from './demo-password';
import { createSessionTable, LOCAL_SESSION_TABLE } from './dynalite';
import { renderSettings, writeSettingsFile } from './env-file';
import { LocalStackError } from './errors';
import { localStackSettings } from './local-stack';

// Kept importable from here: the container tests and docs name it as part of this CLI.
export { EMULATOR_CONFIG_FILE, writeEmulatorConfig } from './emulator-config';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:9229';
export const DEFAULT_PUBLIC_BASE_URL = 'http://localhost:3000';

const USAGE = `usage:
  bootstrap-cli emulator --issuer-domain <url>
  bootstrap-cli bootstrap --out <env file> [--endpoint <url>] [--issuer-domain <url>] [--key-dir <dir>] [--dynamodb-endpoint <url>]`;

export type CliCommand =
  | { command: 'emulator'; issuerDomain: string }
  | {
      command: 'bootstrap';
      endpoint: string;
      issuerDomain: string;
      out: string;
      keyDir: string;
      /** dynalite (or DynamoDB) for server-side sessions: the table is created there and SESSION_* settings written. */
      dynamodbEndpoint?: string;
    };

/** Parses the command line (without `node` and the script). Throws LocalStackError with the usage on a mistake. */
export function parseCliArgs(argv: string[]): CliCommand {
  let parsed: ReturnType<typeof parseWithOptions>;
  try {
    parsed = parseWithOptions(argv);
  } catch (error) {
    throw new LocalStackError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const [command, ...extra] = parsed.positionals;
  if (extra.length > 0) throw new LocalStackError(`unexpected arguments: ${extra.join(' ')}\n${USAGE}`);
  const { values } = parsed;
  if (command === 'emulator') {
    if (!values['issuer-domain']) throw new LocalStackError(`emulator needs --issuer-domain\n${USAGE}`);
    return { command, issuerDomain: loopbackOrigin('--issuer-domain', values['issuer-domain']) };
  }
  if (command === 'bootstrap') {
    if (!values.out) throw new LocalStackError(`bootstrap needs --out <env file>\n${USAGE}`);
    const endpoint = loopbackOrigin('--endpoint', values.endpoint ?? DEFAULT_ENDPOINT);
    const out = path.resolve(values.out);
    return {
      command,
      endpoint,
      issuerDomain: loopbackOrigin('--issuer-domain', values['issuer-domain'] ?? endpoint),
      out,
      keyDir: path.resolve(values['key-dir'] ?? path.dirname(out)),
      ...(values['dynamodb-endpoint'] ? { dynamodbEndpoint: loopbackOrigin('--dynamodb-endpoint', values['dynamodb-endpoint']) } : {}),
    };
  }
  throw new LocalStackError(`${command ? `unknown command ${command}` : 'no command given'}\n${USAGE}`);
}

function parseWithOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      endpoint: { type: 'string' },
      'issuer-domain': { type: 'string' },
      out: { type: 'string' },
      'key-dir': { type: 'string' },
      'dynamodb-endpoint': { type: 'string' },
    },
  });
}

/** An origin the BFF accepts over plain http: https anywhere, http on loopback hosts only (as the config module). */
function loopbackOrigin(flag: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new LocalStackError(`${flag}: "${value}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new LocalStackError(`${flag}: must be an http(s) URL`);
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new LocalStackError(`${flag}: plain http is accepted only for loopback hosts (the BFF refuses it otherwise)`);
  }
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
    throw new LocalStackError(`${flag}: must be an origin (scheme://host:port), without path, query or credentials`);
  }
  return url.origin;
}

/** Runs cognito-local's own start script in this process, after pinning the issuer. Never returns while it runs. */
function runEmulator(issuerDomain: string, env: EnvRecord): void {
  // The BFF shares the emulator's network namespace and reaches the issuer on the port the emulator listens on.
  const listenPort = env.PORT?.trim() || '9229';
  const issuer = new URL(issuerDomain);
  const issuerPort = issuer.port || (issuer.protocol === 'https:' ? '443' : '80');
  if (issuerPort !== listenPort) {
    process.stderr.write(`bootstrap-cli: warning: --issuer-domain ${issuerDomain} is not on the listen port ${listenPort}\n`);
  }
  const file = writeEmulatorConfig(process.cwd(), issuerDomain);
  process.stdout.write(`cognito-local: token issuer pinned to ${issuerDomain}/<poolId> in ${file}\n`);
  // PID 1 in a container ignores signals it has no handler for: make `docker stop` quick.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
  // cognito-local's package has no `exports` map for its bin; resolve it from its `main`, as src/local/emulator.ts does.
  const start = path.join(path.dirname(require.resolve('cognito-local')), 'bin', 'start.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(start);
}

export interface BootstrapResult {
  pool: LocalPool;
  /** The BFF's settings as written to the env file. */
  settings: Record<string, string>;
  envFile: string;
}

export interface BootstrapCliOptions {
  endpoint: string;
  issuerDomain: string;
  out: string;
  keyDir: string;
  /** Server-side sessions in this dynalite: the table is created (idempotently) and SESSION_* written. */
  dynamodbEndpoint?: string;
  publicBaseUrl: string;
  demoPassword: string;
  /** How long to wait for the emulator's /health. @default 30_000 */
  readyTimeoutMs?: number;
}

/** The `bootstrap` command without the printing: bootstrap, check the issuer, write the env file. */
export async function runBootstrap(options: BootstrapCliOptions): Promise<BootstrapResult> {
  await waitForEmulator(options.endpoint, options.readyTimeoutMs ?? 30_000);
  const pool = await bootstrapLocalPool({
    endpoint: options.endpoint,
    publicBaseUrl: options.publicBaseUrl,
    demoPassword: options.demoPassword,
  });
  const settings = bffSettings(options, pool, loadOrCreateLocalCookieKey(options.keyDir));
  if (options.dynamodbEndpoint) await createSessionTable(options.dynamodbEndpoint);
  await assertIssuer(options.endpoint, pool, settings.COGNITO_ISSUER as string);
  try {
    parseConfig(settings);
  } catch (error) {
    if (error instanceof ConfigError) throw new LocalStackError(`the BFF would refuse these settings: ${error.message}`);
    throw error;
  }
  writeEnvFile(options.out, settings);
  return { pool, settings, envFile: options.out };
}

/**
 * The BFF's settings for a bootstrapped pool: exactly what `npm start` hands the BFF (COGNITO_*, REQUIRE_NONCE=false,
 * COOKIE_KEYS), with the issuer the emulator was pinned to and the public base URL the client was registered for.
 */
export function bffSettings(
  where: { endpoint: string; issuerDomain: string; publicBaseUrl: string; dynamodbEndpoint?: string },
  pool: LocalPool,
  cookieKey: string,
): Record<string, string> {
  return {
    ...localStackSettings({ url: where.endpoint }, pool, cookieKey),
    COGNITO_ISSUER: `${where.issuerDomain}/${pool.userPoolId}`,
    PUBLIC_BASE_URL: where.publicBaseUrl,
    ...(where.dynamodbEndpoint
      ? { SESSION_STORE: 'dynamodb', SESSION_TABLE: LOCAL_SESSION_TABLE, DYNAMODB_ENDPOINT: where.dynamodbEndpoint }
      : {}),
  };
}

async function waitForEmulator(endpoint: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() >= deadline) throw new LocalStackError(`cognito-local did not answer on ${endpoint}/health`);
    await delay(250);
  }
}

/**
 * Signs the demo user in through the admin API and compares the `iss` of the ID token with the issuer the BFF will
 * expect, then fetches the key set below that issuer as the BFF will. A mismatch otherwise only shows at the first
 * sign-in, as a refused token.
 */
async function assertIssuer(endpoint: string, pool: LocalPool, expectedIssuer: string): Promise<void> {
  const cognito = new CognitoIdentityProviderClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let issuer: unknown;
  try {
    const result = await cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: pool.userPoolId,
        ClientId: pool.clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: pool.demoUsername, PASSWORD: pool.demoPassword },
      }),
    );
    const idToken = result.AuthenticationResult?.IdToken ?? '';
    const payload = idToken.split('.')[1] ?? '';
    issuer = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: unknown }).iss;
  } catch (error) {
    throw new LocalStackError(
      `could not sign the demo user in to check the token issuer: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    cognito.destroy();
  }
  if (issuer !== expectedIssuer) {
    throw new LocalStackError(
      `cognito-local signs tokens with issuer ${JSON.stringify(issuer)}, but the BFF would expect "${expectedIssuer}": ` +
        `start the emulator with \`bootstrap-cli emulator --issuer-domain ${new URL(expectedIssuer).origin}\``,
    );
  }
  const jwks = await fetch(`${expectedIssuer}/.well-known/jwks.json`, { signal: AbortSignal.timeout(5_000) }).catch(
    (error: unknown) => error as Error,
  );
  if (jwks instanceof Error || !jwks.ok) {
    const reason = jwks instanceof Error ? jwks.message : `status ${jwks.status}`;
    throw new LocalStackError(`the key set at ${expectedIssuer}/.well-known/jwks.json is not reachable from here (${reason})`);
  }
}

const BOOTSTRAP_HEADER = [
  '# Written by `bootstrap-cli bootstrap` (src/local/bootstrap-cli.ts) for the BFF: node --env-file=<this file>.',
  '# It holds the app client secret and the cookie-sealing key: keep it private. Rewritten at every bootstrap.',
];

export function renderEnvFile(settings: Record<string, string>): string {
  return renderSettings(settings, BOOTSTRAP_HEADER);
}

function writeEnvFile(file: string, settings: Record<string, string>): void {
  writeSettingsFile(file, settings, BOOTSTRAP_HEADER);
}

/** The CLI. Returns the exit code for `bootstrap`; `emulator` keeps the process running cognito-local. */
export async function main(argv: string[], env: EnvRecord = readProcessEnv()): Promise<number> {
  const cli = parseCliArgs(argv);
  if (cli.command === 'emulator') {
    runEmulator(cli.issuerDomain, env);
    return 0;
  }
  const publicBaseUrl = env.PUBLIC_BASE_URL?.trim() || DEFAULT_PUBLIC_BASE_URL;
  const demoPassword = env.DEMO_PASSWORD?.trim() || generateDemoPassword();
  const result = await runBootstrap({ ...cli, publicBaseUrl, demoPassword });
  process.stdout.write(
    `Local stack bootstrapped: user pool ${result.pool.userPoolId}, app client ${result.pool.clientId}\n` +
      `  BFF settings written to ${result.envFile}\n` +
      `  open ${publicBaseUrl}/ and sign in as ${result.pool.demoUsername} with password ${result.pool.demoPassword}\n`,
  );
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== 0) process.exit(code);
    },
    (error: unknown) => {
      // A message for the person running compose, never a stack trace.
      process.stderr.write(`bootstrap-cli: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
