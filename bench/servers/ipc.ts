/**
 * The benchmark's server processes talk to the orchestrator over the fork IPC channel: they announce their port,
 * and answer `stats` (RSS, heap, CPU time) so the orchestrator can measure memory and CPU inside the server process.
 */
import type { Server } from 'node:http';

export interface ServerStats {
  rss: number;
  heapUsed: number;
  /** Process CPU time, microseconds (user + system). */
  cpuMicros: number;
}

export type ParentMessage = { type: 'stats'; gc?: boolean } | { type: 'stop' };
export type ChildMessage = { type: 'ready'; port: number } | ({ type: 'stats' } & ServerStats) | { type: 'error'; message: string };

function send(message: ChildMessage): void {
  process.send?.(message);
}

export function serveBenchmark(server: Server): void {
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    send({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0 });
  });
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stats') {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (message.gc && gc) {
        gc();
        gc();
      }
      const memory = process.memoryUsage();
      const cpu = process.cpuUsage();
      send({ type: 'stats', rss: memory.rss, heapUsed: memory.heapUsed, cpuMicros: cpu.user + cpu.system });
    } else if (message.type === 'stop') {
      server.closeAllConnections();
      server.close(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
}

export function failStartup(error: unknown): never {
  send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
