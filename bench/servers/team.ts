/**
 * A team's own Express app using the library as its README says: `createBff(optionsFromEnv(env))` from the package's
 * main entry, the router mounted first, and the team's route twice: `/open` unguarded and `/guarded` behind
 * `requireAuth()`. Both answer the same JSON the same way, so the difference between them is the guard alone.
 */
import http from 'node:http';
import express from 'express';
import { createBff, optionsFromEnv } from '../../src/index';
import { failStartup, serveBenchmark } from './ipc';

async function main(): Promise<void> {
  const body = JSON.parse(process.env.BENCH_BODY ?? '{}') as unknown;
  const bff = createBff(optionsFromEnv(JSON.parse(process.env.BENCH_ENV ?? '{}') as Record<string, string>));
  await bff.ready();
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use(bff.router);
  app.get('/open', (_req, res) => {
    res.json(body);
  });
  app.get('/guarded', bff.requireAuth(), (_req, res) => {
    res.json(body);
  });
  serveBenchmark(http.createServer(app));
}

main().catch(failStartup);
