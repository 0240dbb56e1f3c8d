/**
 * Runs dynalite (DynamoDB's API on LevelDB, npm) as a child process on loopback, its data in a folder, for the local
 * stack's server-side sessions and for the tests. A child rather than in-process: its LevelDB lock and its event loop
 * stay apart from the BFF's, and tests can kill it to see the BFF ride out a store outage.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { createDocumentClient } from '../sessions/dynamodb-client';
import { ensureSessionTable } from '../sessions/table';
import { LocalStackError } from './errors';

/** The sessions table of the local stack (and of `docker compose up`). */
export const LOCAL_SESSION_TABLE = 'cognito-bff-sessions';
const HOST = '127.0.0.1';
const DEFAULT_READY_TIMEOUT_MS = 15_000;
const KILL_GRACE_MS = 3_000;

/** dynalite's CLI, resolved from its package (its bin is `cli.js` beside `main`). */
const DYNALITE_CLI = path.join(path.dirname(require.resolve('dynalite')), 'cli.js');
/** The child exits when the parent's IPC channel closes, however the parent died (SIGKILL included). */
const CHILD_PRELUDE = "process.on('disconnect', () => process.exit(0)); require(process.argv[1]);";

export interface DynaliteOptions {
  port: number;
  /** LevelDB folder (created when missing); the data survives restarts. */
  dataDir: string;
  /** The child's output, line by line. @default discard */
  onLog?: (line: string) => void;
  readyTimeoutMs?: number;
}

export interface RunningDynalite {
  /** `http://127.0.0.1:<port>`: the DYNAMODB_ENDPOINT. */
  url: string;
  port: number;
  pid: number;
  /** Stops the child (SIGTERM, then SIGKILL) and resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
}

export async function startDynalite(options: DynaliteOptions): Promise<RunningDynalite> {
  const { port } = options;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new LocalStackError(`DYNALITE_PORT must be a port number, got ${port}`);
  if (await answersOn(port)) throw new LocalStackError(`port ${port} is already in use (is another dynalite running? set DYNALITE_PORT)`);
  mkdirSync(options.dataDir, { recursive: true });
  const child = spawn(
    process.execPath,
    ['-e', CHILD_PRELUDE, '--', DYNALITE_CLI, '--host', HOST, '--port', String(port), '--path', options.dataDir, '--createTableMs', '0'],
    { env: {}, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `exit code ${code}`)));
  child.on('error', () => undefined);
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      lines.push(line);
      if (lines.length > 10) lines.shift();
      options.onLog?.(line);
    });
  }
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const escalate = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      await exited;
      clearTimeout(escalate);
    })());

  const deadline = Date.now() + (options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
  let gone: string | undefined;
  void exited.then((how) => (gone = how));
  while (!(await answersOn(port))) {
    if (gone !== undefined || Date.now() > deadline) {
      await stop();
      const why = gone !== undefined ? `exited (${gone})` : 'did not answer in time';
      throw new LocalStackError(
        `dynalite on ${HOST}:${port} ${why}; if its data in ${options.dataDir} is damaged, delete that folder` +
          (lines.length ? `; its last output:\n  ${lines.join('\n  ')}` : ''),
      );
    }
    await delay(50);
  }
  if (child.pid === undefined) throw new LocalStackError('dynalite started without a process id');
  return { url: `http://${HOST}:${port}`, port, pid: child.pid, stop };
}

/** True when something accepts connections on the port (dynalite answers HTTP once it listens). */
function answersOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface LocalSessionStore {
  dynalite: RunningDynalite;
  /** `SESSION_STORE`, `SESSION_TABLE`, `DYNAMODB_ENDPOINT` for the BFF. */
  settings: Record<string, string>;
}

/** dynalite with the sessions table created (idempotently): the local stack's `SESSION_STORE=dynamodb`. */
export async function startLocalSessionStore(options: DynaliteOptions): Promise<LocalSessionStore> {
  const dynalite = await startDynalite(options);
  try {
    await createSessionTable(dynalite.url);
  } catch (error) {
    await dynalite.stop();
    throw new LocalStackError(`could not create the sessions table in dynalite: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    dynalite,
    settings: { SESSION_STORE: 'dynamodb', SESSION_TABLE: LOCAL_SESSION_TABLE, DYNAMODB_ENDPOINT: dynalite.url },
  };
}

/** Creates the local sessions table at `endpoint` unless it exists (the bootstrap of `docker compose up` too). */
export async function createSessionTable(endpoint: string): Promise<void> {
  const client = createDocumentClient({ endpoint });
  try {
    await ensureSessionTable(client, LOCAL_SESSION_TABLE);
  } finally {
    client.destroy();
  }
}
