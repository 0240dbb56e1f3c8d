/**
 * The product as a user starts it (`npx tsx src/server.ts`, i.e. `npm start`), as a child process of the browser
 * test: the local stack (cognito-local on the fixed port 9229, bootstrap) and the BFF on a free port.
 *
 * It runs in a fresh temporary working directory, so its `.local/` state is new (a first run, as after a fresh
 * clone) and the developer's own `.local/` is left alone. The child gets its own process group and the whole group
 * is killed on stop, on test failure and on exit of the test process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Fixed by the contract: the emulator listens on 127.0.0.1:9229. */
export const EMULATOR_PORT = 9229;
export const DEMO_USERNAME = 'demo@example.com';
/** Meets Cognito's default password policy. */
export const DEMO_PASSWORD = 'E2e-Browser.Passw0rd';

export interface RunningProduct {
  baseUrl: string;
  /** The demo user's password. */
  demoPassword: string;
  /** Everything the product printed so far (stdout and stderr); undefined for a product started elsewhere. */
  output(): string | undefined;
  stop(): Promise<void>;
}

/**
 * A product someone else started, e.g. `docker compose up`: E2E_BASE_URL=http://localhost:3000 and the printed
 * password in E2E_DEMO_PASSWORD. Undefined when E2E_BASE_URL is unset (the test then starts `npm start` itself).
 */
export function externalProduct(env: NodeJS.ProcessEnv = process.env): RunningProduct | undefined {
  const baseUrl = env.E2E_BASE_URL?.trim().replace(/\/+$/, '');
  if (!baseUrl) return undefined;
  const demoPassword = env.E2E_DEMO_PASSWORD?.trim();
  if (!demoPassword) throw new Error('E2E_BASE_URL is set: set E2E_DEMO_PASSWORD to the demo password it printed too');
  return { baseUrl, demoPassword, output: () => undefined, stop: async () => undefined };
}

export interface StartOptions {
  port: number;
  /** The product's stdout and stderr are also written here. */
  logFile: string;
  readyTimeoutMs?: number;
  /** More settings, as a user would type them (e.g. ALLOWED_ORIGINS). */
  env?: Record<string, string>;
}

/** Fails with a clear message when something already listens on the port (a running `npm start`, another test). */
export async function assertPortFree(port: number, host = '127.0.0.1'): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `port ${port} is in use on ${host}: stop what runs there (npm start? docker compose?) before the browser test`
            : `cannot probe port ${port}: ${error.message}`,
        ),
      ),
    );
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

export async function startProduct(options: StartOptions): Promise<RunningProduct> {
  const { port } = options;
  await assertPortFree(EMULATOR_PORT);
  await assertPortFree(port);

  const workDir = mkdtempSync(path.join(os.tmpdir(), 'cognito-bff-e2e-'));
  const tsxCli = require.resolve('tsx/cli', { paths: [REPO_ROOT] });
  const log = createWriteStream(options.logFile);
  let output = '';
  const env: NodeJS.ProcessEnv = {
    // Only what a shell would have plus what the user types: no COGNITO_* (that is what selects the local stack).
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PORT: String(port),
    DEMO_PASSWORD,
    // debug: one line per request (method, path, status), which the browser test counts requests by, server-side.
    LOG_LEVEL: 'debug',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...options.env,
  };
  const child = spawn(process.execPath, [tsxCli, path.join(REPO_ROOT, 'src', 'server.ts')], {
    cwd: workDir,
    env,
    detached: true, // its own process group: stop() kills tsx, the server and the emulator together
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const record = (chunk: Buffer): void => {
    output += chunk.toString();
    log.write(chunk);
  };
  child.stdout?.on('data', record);
  child.stderr?.on('data', record);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.once('error', (error) => record(Buffer.from(`spawn failed: ${error.message}\n`)));

  const killGroupNow = (): void => killGroup(child, 'SIGKILL');
  process.once('exit', killGroupNow);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        killGroup(child, 'SIGTERM');
        const gone = await Promise.race([exited.then(() => true), delay(8_000).then(() => false)]);
        if (!gone) killGroup(child, 'SIGKILL');
      }
      // The emulator may outlive tsx by a moment (its IPC watchdog): make sure the whole group is gone.
      killGroup(child, 'SIGKILL');
      process.off('exit', killGroupNow);
      await new Promise<void>((resolve) => log.end(() => resolve()));
      rmSync(workDir, { recursive: true, force: true });
    })();
    return stopped;
  };

  const baseUrl = `http://localhost:${port}`;
  try {
    await waitForHealth(baseUrl, exited, options.readyTimeoutMs ?? 90_000, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, demoPassword: DEMO_PASSWORD, output: () => output, stop };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function waitForHealth(baseUrl: string, exited: Promise<number | null>, timeoutMs: number, output: () => string): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`the product exited (code ${exitCode}) before it was ready:\n${output()}`);
    try {
      const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await delay(250);
  }
  throw new Error(`the product did not answer ${baseUrl}/healthz within ${timeoutMs / 1000} s:\n${output()}`);
}
