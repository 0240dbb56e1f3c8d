/**
 * Server processes for the benchmark: each target runs in its own child process (node + tsx), so the load
 * generator in the orchestrator never shares an event loop with the server it measures.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type { ChildMessage, ServerStats } from '../servers/ipc';

export interface ServerChild {
  name: string;
  port: number;
  url: string;
  stats(options?: { gc?: boolean }): Promise<ServerStats>;
  stop(): Promise<void>;
}

const SERVERS_DIR = path.join(__dirname, '..', 'servers');

/**
 * With two or more cores and `taskset` at hand: the load generator (this process, all its threads) on the first core
 * and every server on the last, so a server never competes with autocannon for a core and never migrates between
 * cores mid-run. Elsewhere it does nothing. Returns a description for the report.
 */
export function pinToCores(): string {
  // Counted before pinning: once pinned, this process sees one core.
  const cores = os.availableParallelism();
  if (cores < 2 || spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' }).status !== 0) {
    return 'not pinned';
  }
  serverCore = String(cores - 1);
  return `load generator pinned to core 0, servers to core ${serverCore} (taskset)`;
}

let serverCore: string | undefined;

export async function startServer(
  name: string,
  script: 'bff' | 'bare' | 'eoc' | 'team' | 'upstream' | 'hpm',
  env: Record<string, string>,
  options: { exposeGc?: boolean; cpuProfileDir?: string } = {},
): Promise<ServerChild> {
  const execArgv = ['--import', 'tsx'];
  if (options.exposeGc) execArgv.push('--expose-gc');
  if (options.cpuProfileDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`);
  const child: ChildProcess = fork(path.join(SERVERS_DIR, `${script}.ts`), [], {
    execArgv,
    env: { ...process.env, NODE_ENV: 'production', ...env },
    // Log lines (the BFF logs at info) go nowhere, as they would to a log shipper's pipe; errors stay visible.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  if (serverCore !== undefined && child.pid !== undefined)
    spawnSync('taskset', ['-a', '-p', '-c', serverCore, String(child.pid)], { stdio: 'ignore' });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: no ready message within 30 s`)), 30_000);
    child.once('exit', (code) => reject(new Error(`${name}: exited with ${code} before it was ready`)));
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message.port);
      } else if (message.type === 'error') {
        clearTimeout(timer);
        reject(new Error(`${name}: ${message.message}`));
      }
    });
  });
  child.removeAllListeners('exit');

  const stats = (statsOptions: { gc?: boolean } = {}) =>
    new Promise<ServerStats>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}: no stats answer`)), 10_000);
      const onMessage = (message: ChildMessage) => {
        if (message.type !== 'stats') return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve({ rss: message.rss, heapUsed: message.heapUsed, cpuMicros: message.cpuMicros });
      };
      child.on('message', onMessage);
      child.send({ type: 'stats', gc: statsOptions.gc ?? false });
    });

  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.send({ type: 'stop' });
    });

  return { name, port, url: `http://127.0.0.1:${port}`, stats, stop };
}
