/**
 * The BFF as it runs on a laptop or in a container (src/server.ts minus the local stack): configuration parsed
 * from BENCH_ENV, the real runtime (aws-jwt-verify verifiers against the fake IdP's JWKS, axios IdP client), the
 * production logger at the configured level, `createApp` unchanged.
 */
import http from 'node:http';
import { createApp } from '../../src/app';
import { parseConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createRuntime, hydrate } from '../../src/runtime';
import { failStartup, serveBenchmark } from './ipc';

async function main(): Promise<void> {
  const config = parseConfig(JSON.parse(process.env.BENCH_ENV ?? '{}') as Record<string, string>);
  const logger = createLogger({ level: config.logLevel });
  const runtime = createRuntime(config);
  await hydrate(runtime, logger);
  serveBenchmark(http.createServer(createApp({ config, ...runtime, logger })));
}

main().catch(failStartup);
