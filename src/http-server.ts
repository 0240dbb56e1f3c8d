/** The standalone app's HTTP server: listen with a clear message for a busy port, stop cleanly on SIGINT/SIGTERM. */
import type { RequestListener, Server } from 'node:http';
import { createLimitedServer, DEFAULT_SERVER_LIMITS, type ServerLimits } from './http/server-limits';

export function listen(handler: RequestListener, port: number, limits: ServerLimits = DEFAULT_SERVER_LIMITS): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createLimitedServer(handler, limits).listen(port);
    server.once('listening', () => resolve(server));
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} is already in use: stop what runs there or set PORT`) : error);
    });
  });
}

/** On SIGINT or SIGTERM: close the server (and its connections), run `cleanup`, exit 0. */
export function stopOnSignals(server: Server, cleanup: () => Promise<void>): void {
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await cleanup();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}
