/**
 * Runs cognito-local (the npm package) as a child process and tells when it answers HTTP.
 *
 * A child process rather than cognito-local's in-process API: it keeps its module-level configuration (read from
 * `PORT`/`HOST` at import time) and its data directory (`./.cognito`, relative to its working directory) apart from
 * the BFF, and it can be killed cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { writeEmulatorConfig } from './emulator-config';
import { LocalStackError } from './errors';

export interface EmulatorOptions {
  port: number;
  /** Interface to listen on; it is also the host part of the token issuer. @default '127.0.0.1' */
  host?: string;
  /** cognito-local's working directory; its data lands in `<dataDir>/.cognito/`. Created when missing. */
  dataDir: string;
  /** Receives the child's stdout and stderr, line by line, colour codes removed. @default discard */
  onLog?: (line: string) => void;
  /** How long to wait for the first HTTP answer. @default 20_000 */
  readyTimeoutMs?: number;
  /**
   * The origin the emulator puts in its tokens' `iss` (`TokenConfig.IssuerDomain`), when it is not the emulator's own
   * URL: the local stack pins it to the front that serves the emulator's missing endpoints (see cognito-front.ts).
   * @default `http://${host}:${port}`
   */
  issuerDomain?: string;
  /** cognito-local's debug logging. Its debug lines contain passwords and tokens: for troubleshooting only. */
  debug?: boolean;
}

export interface RunningEmulator {
  /** Base URL of the admin API and the OAuth endpoints, e.g. `http://127.0.0.1:9229`. */
  url: string;
  port: number;
  /** Process id of the child (tests check it is gone after `stop()`). */
  pid: number;
  /** Terminates the child (SIGTERM, SIGKILL after a bound) and resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_READY_TIMEOUT_MS = 20_000;
const POLL_INTERVAL_MS = 100;
const HEALTH_REQUEST_TIMEOUT_MS = 1_000;
const KILL_GRACE_MS = 5_000;
const LOG_LINES_KEPT_FOR_ERRORS = 15;

/** cognito-local's CLI entry. Resolved from its `main` because the package has no `exports` map for the bin. */
const COGNITO_LOCAL_START = path.join(path.dirname(require.resolve('cognito-local')), 'bin', 'start.js');

/**
 * Code the child runs before cognito-local: it exits when the IPC channel to the parent closes. That happens however
 * the parent dies (even SIGKILL, where no `exit` handler runs), so an emulator never outlives the BFF that started it.
 */
const CHILD_PRELUDE = "process.on('disconnect', () => process.exit(0)); require(process.argv[1]);";

type ExitStatus = { code: number | null; signal: NodeJS.Signals | null };

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const host = options.host ?? DEFAULT_HOST;
  const { port } = options;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new LocalStackError(`cognito-local port must be an integer from 1 to 65535, got ${port}`);
  }
  // Checked before spawning: a clear message instead of a child that dies with EADDRINUSE in its log.
  await assertPortFree(host, port);
  mkdirSync(options.dataDir, { recursive: true });
  if (options.issuerDomain !== undefined) writeEmulatorConfig(options.dataDir, options.issuerDomain);

  const url = `http://${urlHost(host)}:${port}`;
  const recentLines: string[] = [];
  const onLog = options.onLog ?? (() => undefined);
  const child = spawn(process.execPath, ['-e', CHILD_PRELUDE, COGNITO_LOCAL_START], {
    cwd: options.dataDir,
    env: childEnvironment(host, port, options.debug === true),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  // A failed spawn emits `error` rather than `exit`. A lasting listener (not `once`): an unhandled `error` event,
  // e.g. from a failed kill later, would crash the parent.
  const spawnFailed = new Promise<Error>((resolve) => child.on('error', resolve));

  const forward = (line: string): void => {
    const clean = stripAnsi(line);
    recentLines.push(clean);
    if (recentLines.length > LOG_LINES_KEPT_FOR_ERRORS) recentLines.shift();
    onLog(clean);
  };
  forwardLines(child.stdout, forward);
  forwardLines(child.stderr, forward);

  // The sibling of the IPC watchdog for an orderly exit of the parent: `exit` handlers must be synchronous.
  const killOnParentExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnParentExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= terminate(child, exited).finally(() => process.off('exit', killOnParentExit));
    return stopping;
  };

  try {
    await waitUntilReady({
      url,
      port,
      dataDir: options.dataDir,
      exited,
      spawnFailed,
      recentLines,
      timeoutMs: options.readyTimeoutMs,
    });
  } catch (error) {
    await stop();
    throw error;
  }

  void exited.then((status) => {
    if (!stopping) onLog(`cognito-local exited unexpectedly (${describeExit(status)})`);
  });

  const { pid } = child;
  if (pid === undefined) {
    await stop();
    throw new LocalStackError('cognito-local started without a process id');
  }
  return { url, port, pid, stop };
}

/** A loopback port free right now, for a process that must be told its port (the OS picks; the race is accepted). */
export async function freeLoopbackPort(host: string = DEFAULT_HOST): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error: Error) => reject(new LocalStackError(`cannot find a free port on ${host}: ${error.message}`)));
    probe.listen({ host, port: 0, exclusive: true }, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Binds the port briefly, the way the emulator will, to turn "in use" into a clear error. */
async function assertPortFree(host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(portInUse(port));
      else if (error.code === 'EACCES') reject(new LocalStackError(`not permitted to listen on ${host}:${port}`));
      else if (error.code === 'EADDRNOTAVAIL') reject(new LocalStackError(`address ${host} is not available here`));
      else reject(new LocalStackError(`cannot listen on ${host}:${port}: ${error.message}`, { cause: error }));
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

function portInUse(port: number): LocalStackError {
  return new LocalStackError(`port ${port} is already in use (is another cognito-local running?)`);
}

/**
 * The child's whole environment. Nothing is inherited: the parent's `COGNITO_*`, `DEMO_PASSWORD`, AWS credentials and
 * cognito-local's own knobs (e.g. `CODE`, the fixed temporary password) must not leak in. `PATH` is not needed either:
 * the child is started by absolute path and cognito-local spawns nothing.
 */
function childEnvironment(host: string, port: number, debug: boolean): NodeJS.ProcessEnv {
  return {
    PORT: String(port),
    HOST: host,
    // cognito-local loads aws-sdk v2 (for Lambda triggers we do not use), which warns about its end of support.
    AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
    ...(debug ? { DEBUG: '1' } : {}),
  };
}

interface ReadinessCheck {
  url: string;
  port: number;
  dataDir: string;
  exited: Promise<ExitStatus>;
  spawnFailed: Promise<Error>;
  recentLines: string[];
  timeoutMs: number | undefined;
}

/** Polls `GET /health` until it answers, the child exits, or the deadline passes, whichever comes first. */
async function waitUntilReady(check: ReadinessCheck): Promise<void> {
  const timeoutMs = check.timeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const giveUp = new AbortController();
  const answered = pollHealth(check.url, Date.now() + timeoutMs, giveUp.signal).then((ok) => {
    if (!ok) {
      throw new LocalStackError(
        `cognito-local did not answer on ${check.url} within ${Math.round(timeoutMs / 1000)} s${logExcerpt(check.recentLines)}`,
      );
    }
  });
  const died = check.exited.then((status): never => {
    // The port was free a moment ago, but another process may have taken it since.
    if (check.recentLines.some((line) => line.includes('EADDRINUSE'))) throw portInUse(check.port);
    throw new LocalStackError(
      `cognito-local exited (${describeExit(status)}) before it was ready; if its data in ` +
        `${path.join(check.dataDir, '.cognito')} is damaged, delete that folder to start afresh` +
        logExcerpt(check.recentLines),
    );
  });
  const failed = check.spawnFailed.then((error): never => {
    throw new LocalStackError(`cannot start cognito-local: ${error.message}`, { cause: error });
  });
  try {
    await Promise.race([answered, died, failed]);
  } finally {
    giveUp.abort();
  }
}

async function pollHealth(url: string, deadline: number, signal: AbortSignal): Promise<boolean> {
  while (!signal.aborted && Date.now() < deadline) {
    if (await answersHealth(url, signal)) return true;
    try {
      await delay(POLL_INTERVAL_MS, undefined, { signal });
    } catch {
      return false; // aborted: someone else settled the race
    }
  }
  return false;
}

async function answersHealth(url: string, signal: AbortSignal): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, {
      signal: AbortSignal.any([signal, AbortSignal.timeout(HEALTH_REQUEST_TIMEOUT_MS)]),
    });
    const body: unknown = await response.json();
    // cognito-local answers `{"ok":true}`; anything else on this port is not our emulator.
    return response.ok && typeof body === 'object' && body !== null && (body as { ok?: unknown }).ok === true;
  } catch {
    return false; // not listening yet, or not JSON
  }
}

async function terminate(child: ChildProcess, exited: Promise<ExitStatus>): Promise<void> {
  // No pid: it never started. An exit code or signal: it has already exited.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const escalate = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
  try {
    await exited;
  } finally {
    clearTimeout(escalate);
  }
}

function forwardLines(stream: Readable | null, onLine: (line: string) => void): void {
  if (!stream) return;
  readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
}

// cognito-local forces colours in its log (pino-pretty with `colorize: true`) even when piped.
// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\u001b\[[0-9;]*[A-Za-z]/g;

function stripAnsi(line: string): string {
  return line.replace(ANSI_ESCAPE, '');
}

function describeExit(status: ExitStatus): string {
  return status.signal ? `signal ${status.signal}` : `exit code ${status.code ?? 'unknown'}`;
}

function logExcerpt(lines: string[]): string {
  return lines.length === 0 ? '' : `; its last output:\n  ${lines.join('\n  ')}`;
}

/** The host as it appears in a URL: wildcard binds are reached on loopback, IPv6 literals need brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
