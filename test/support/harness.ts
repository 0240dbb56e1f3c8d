/**
 * Builds the product for a test: configuration parsed from an env record, the real runtime (axios IdP client,
 * aws-jwt-verify verifiers), a logger whose lines are kept for leak checks, and a Target for either runtime.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createApp } from '../../src/app';
import { parseConfig, type Config } from '../../src/config';
import { createLambdaHandler } from '../../src/aws-lambda/handler';
import { createLogger } from '../../src/logger';
import { createRuntime } from '../../src/runtime';
import { FRONT_DOOR_BASE_URLS, LAMBDA_FRONT_DOORS, type LambdaFrontDoor } from './front-door-events';
import { httpTarget, lambdaTarget, type Target } from './targets';

export type RuntimeKind = 'http' | 'lambda';
export const RUNTIMES: RuntimeKind[] = ['http', 'lambda'];

/** The public base URL each runtime is reached at: a laptop, or an execute-api URL with its stage. */
export const BASE_URLS: Record<RuntimeKind, string> = {
  http: 'http://localhost:3000',
  lambda: FRONT_DOOR_BASE_URLS['rest-api'],
};

/** A way in: the HTTP server, or the Lambda handler through one of its front doors. */
export interface Entry {
  kind: RuntimeKind;
  door?: LambdaFrontDoor;
  /** `http`, or the door's name: what a test title shows. */
  name: string;
}

/** The HTTP server and every front door of the Lambda handler. */
export const ENTRIES: Entry[] = [
  { kind: 'http', name: 'http' },
  ...LAMBDA_FRONT_DOORS.map((door) => ({ kind: 'lambda' as const, door, name: door })),
];

/** The public base URL of an entry. */
export function baseUrlOf(entry: { kind: RuntimeKind; door?: LambdaFrontDoor }): string {
  return entry.kind === 'http' ? BASE_URLS.http : FRONT_DOOR_BASE_URLS[entry.door ?? 'rest-api'];
}

export interface Harness {
  target: Target;
  config: Config;
  logs: string[];
  /** Embedded Metric Format lines the Lambda handler wrote (none for the HTTP server). */
  metrics: string[];
  /** The Lambda handler itself, for raw events (bundle harnesses). */
  handler?: LambdaHandlerType;
}

export interface HarnessOptions {
  clock?: () => number;
  door?: LambdaFrontDoor;
  /** With SESSION_STORE=dynamodb: the document client the store uses (fault injection); default one for DYNAMODB_ENDPOINT. */
  sessionStoreClient?: DynamoDBDocumentClient;
}

export function buildHarness(kind: RuntimeKind, env: Record<string, string>, options: HarnessOptions = {}): Harness {
  const config = parseConfig(env);
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(line) });
  const runtime = createRuntime(config);
  const deps = {
    config,
    ...runtime,
    logger,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.sessionStoreClient ? { dynamodbClient: options.sessionStoreClient } : {}),
  };
  const metrics: string[] = [];
  const target =
    kind === 'http'
      ? httpTarget(createApp(deps))
      : lambdaTarget(createLambdaHandler(deps, { writeMetrics: (line) => metrics.push(line) }), config.basePath, options.door);
  return { target, config, logs, metrics };
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
export async function buildBundleHarness(env: Record<string, string>, door?: Parameters<typeof lambdaTarget>[2]): Promise<Harness> {
  const { mkdtempSync } = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { bundleLambda } = await import('../../scripts/bundle-lambda.mjs');
  const outfile = await bundleLambda(mkdtempSync(path.join(os.tmpdir(), 'cognito-bff-bundle-')));

  const logs: string[] = [];
  const metrics: string[] = [];
  const saved = { ...process.env };
  const write = process.stdout.write.bind(process.stdout);
  // The bundle logs to stdout, as it does in Lambda: keep its lines for the leak checks.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = chunk.toString();
    if (text.startsWith('{"time"')) {
      logs.push(...text.split('\n').filter(Boolean));
      return true;
    }
    if (text.startsWith('{"_aws"')) {
      metrics.push(...text.split('\n').filter(Boolean));
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
  return { target: lambdaTarget(handler, config.basePath, door), config, logs, metrics, handler };
}

type LambdaHandlerType = Parameters<typeof lambdaTarget>[0];
