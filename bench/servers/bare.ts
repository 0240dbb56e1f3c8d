/**
 * The ceiling: a bare Express 5 route serving the same JSON the BFF's /tests serves for the benchmark's user, with
 * the same app settings (no ETag, no X-Powered-By, simple query parser) and no authentication at all.
 *
 * With BENCH_RESPONSE_HEADERS=1 it also sends the BFF's response headers, from the BFF's own modules (security
 * headers, CORS `Vary`, `Cache-Control: no-store`): the ceiling for an app that must send them, so that the only
 * difference left to the BFF is authentication.
 */
import http from 'node:http';
import express from 'express';
import { cors } from '../../src/http/cors';
import { securityHeaders } from '../../src/http/security-headers';
import { failStartup, serveBenchmark } from './ipc';

try {
  const body = JSON.parse(process.env.BENCH_BODY ?? '{}') as unknown;
  const withHeaders = process.env.BENCH_RESPONSE_HEADERS === '1';
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('trust proxy', true);
  app.set('query parser', 'simple');
  if (withHeaders) {
    app.use(securityHeaders({ https: false }));
    app.use(cors(['http://localhost:3000']));
  }
  app.get('/tests', (_req, res) => {
    if (withHeaders) res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  });
  serveBenchmark(http.createServer(app));
} catch (error) {
  failStartup(error);
}
