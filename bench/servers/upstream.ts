/**
 * The API behind the relay: plain Node HTTP answering every GET with the same JSON (BENCH_BODY), as a team's small
 * service would. The same process serves both relays under comparison (the BFF and bare http-proxy-middleware).
 */
import http from 'node:http';
import { failStartup, serveBenchmark } from './ipc';

try {
  const body = Buffer.from(process.env.BENCH_BODY ?? '{}');
  serveBenchmark(
    http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
      res.end(body);
    }),
  );
} catch (error) {
  failStartup(error);
}
