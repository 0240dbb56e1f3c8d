/**
 * An SPA's development server on another port (as Vite's would be, on http://localhost:<port>): one page whose module
 * creates the browser client with the BFF's URL as `baseUrl`, and the client module itself (fetched once from the BFF,
 * standing in for the copy an app bundles from `cognito-bff/client`). Loopback only; stopped by the test.
 */
import { createServer, type Server } from 'node:http';

export interface DevServer {
  origin: string;
  stop(): Promise<void>;
}

export async function startDevServer(options: { port: number; bffBaseUrl: string }): Promise<DevServer> {
  const clientModule = await (await fetch(`${options.bffBaseUrl}/bff-client.js`)).text();
  const files: Record<string, { type: string; body: string }> = {
    '/': {
      type: 'text/html; charset=utf-8',
      body: '<!doctype html><html><head><title>dev SPA</title><script type="module" src="/app.js"></script></head><body>dev</body></html>',
    },
    '/app.js': {
      type: 'text/javascript; charset=utf-8',
      body: `import { createBffClient } from './bff-client.js';\nwindow.bff = createBffClient({ baseUrl: ${JSON.stringify(options.bffBaseUrl)} });\n`,
    },
    '/bff-client.js': { type: 'text/javascript; charset=utf-8', body: clientModule },
  };
  const server: Server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname === '/favicon.ico') return void res.writeHead(204).end(); // asked by the browser itself
    const file = files[pathname];
    res.writeHead(file ? 200 : 404, { 'content-type': file?.type ?? 'text/plain' }).end(file?.body ?? 'not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: options.port }, () => resolve());
  });
  return {
    origin: `http://localhost:${options.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // the browser keeps its connections open
      }),
  };
}
