/**
 * The relay ceiling: Express with bare http-proxy-middleware in front of the upstream (BENCH_UPSTREAM), no
 * authentication, no header filtering, and a keep-alive agent to the upstream as any production setup would have.
 */
import http from 'node:http';
import express from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { failStartup, serveBenchmark } from './ipc';

try {
  // No app settings matter here: the upstream's answer is piped through untouched.
  const app = express();
  app.use(
    '/api/tests',
    createProxyMiddleware({
      target: process.env.BENCH_UPSTREAM,
      agent: new http.Agent({ keepAlive: true }),
    }),
  );
  serveBenchmark(http.createServer(app));
} catch (error) {
  failStartup(error);
}
