/**
 * Builds the product for a test: configuration parsed from an env record, the real runtime (axios IdP client,
 * aws-jwt-verify verifiers), a logger whose lines are kept for leak checks, and a Target for either runtime.
 */
import { createApp } from '../../src/app';
import { parseConfig, type Config } from '../../src/config';
import { createLambdaHandler } from '../../src/apigateway/handler';
import { createLogger } from '../../src/logger';
import { createRuntime } from '../../src/runtime';
import { httpTarget, lambdaTarget, type Target } from './targets';

export type RuntimeKind = 'http' | 'lambda';
export const RUNTIMES: RuntimeKind[] = ['http', 'lambda'];

/** The public base URL each runtime is reached at: a laptop, or an execute-api URL with its stage. */
export const BASE_URLS: Record<RuntimeKind, string> = {
  http: 'http://localhost:3000',
  lambda: 'https://abc123.execute-api.us-west-2.amazonaws.com/dev',
};

export interface Harness {
  target: Target;
  config: Config;
  logs: string[];
}

export function buildHarness(kind: RuntimeKind, env: Record<string, string>, options: { clock?: () => number } = {}): Harness {
  const config = parseConfig(env);
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(line) });
  const runtime = createRuntime(config);
  const deps = { config, ...runtime, logger, ...(options.clock ? { clock: options.clock } : {}) };
  const target =
    kind === 'http'
      ? httpTarget(createApp(deps))
      : lambdaTarget(createLambdaHandler(deps), new URL(config.publicBaseUrl).pathname.slice(1) || 'dev');
  return { target, config, logs };
}

/** The path part of an absolute URL below the base URL, as the target is addressed (stage excluded). */
export function pathBelowBase(config: Config, url: string): string {
  const parsed = new URL(url);
  const path = parsed.pathname.startsWith(config.basePath) ? parsed.pathname.slice(config.basePath.length) : parsed.pathname;
  return (path || '/') + parsed.search;
}

/**
 * The built Lambda bundle itself (what `npm run build` ships), bundled into a temporary directory and loaded with
 * `env` as its process environment, as Lambda would: its module scope reads the configuration once.
 */
export async function buildBundleHarness(env: Record<string, string>): Promise<Harness> {
  const { mkdtempSync } = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { bundleLambda } = await import('../../scripts/bundle-lambda.mjs');
  const outfile = await bundleLambda(mkdtempSync(path.join(os.tmpdir(), 'cognito-bff-bundle-')));

  const logs: string[] = [];
  const saved = { ...process.env };
  const write = process.stdout.write.bind(process.stdout);
  // The bundle logs to stdout, as it does in Lambda: keep its lines for the leak checks.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = chunk.toString();
    if (text.startsWith('{"time"')) {
      logs.push(...text.split('\n').filter(Boolean));
      return true;
    }
    return write(chunk, ...(rest as []));
  }) as typeof process.stdout.write;
  let handler: LambdaHandlerType;
  try {
    Object.assign(process.env, env);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = (require(outfile) as { handler: LambdaHandlerType }).handler;
  } finally {
    for (const name of Object.keys(env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
  const config = parseConfig(env);
  return { target: lambdaTarget(handler, config.basePath.slice(1) || 'dev'), config, logs };
}

type LambdaHandlerType = Parameters<typeof lambdaTarget>[0];
