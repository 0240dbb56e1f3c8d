/**
 * Lambda figures: the shipped bundle (scripts/bundle-lambda.mjs: minified, stand-ins for unused modules) against a
 * naive esbuild bundle of the same entry and dependencies (bundle only: no stand-ins, no minify), both built from
 * the current sources into a temporary directory. Load time and first-request latency are measured in fresh `node`
 * processes, alternating the two bundles run by run.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { median } from './stats';

const ROOT = path.join(__dirname, '..', '..');
const PROBE = path.join(ROOT, 'bench', 'lambda-probe.cjs');

export interface Bundles {
  shipped: string;
  naive: string;
  /** An empty handler: nothing but the file itself to load. */
  empty: string;
  /**
   * The floor for any bundle that serves HTTP the way this one does: an empty handler that loads the very Node
   * built-in modules the shipped bundle loads at `require` time (found by loading it once; see `floorBundle`).
   */
  floor: string;
  /** The public built-in modules the floor loads. */
  floorBuiltins: string[];
  /** The temporary directory holding them: remove it when done. */
  dir: string;
}

/** The shipped bundle as `npm run build` makes it (into a temp dir: dist/ is left alone) and the naive one. */
export async function buildBundles(): Promise<Bundles> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cognito-bff-bench-'));
  let shipped: string;
  const script = (await import(path.join(ROOT, 'scripts', 'bundle-lambda.mjs'))) as { bundleLambda?: (outdir: string) => Promise<string> };
  if (typeof script.bundleLambda === 'function') {
    shipped = await script.bundleLambda(path.join(dir, 'shipped'));
  } else {
    // An older build script bundles into dist/ only (and already ran on import).
    shipped = path.join(ROOT, 'dist', 'lambda', 'index.js');
    if (!existsSync(shipped)) throw new Error('dist/lambda/index.js is missing: run npm run build');
  }
  const naive = path.join(dir, 'naive', 'index.js');
  await build({
    absWorkingDir: ROOT,
    entryPoints: ['src/lambda.ts'],
    outfile: naive,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: ['@aws-sdk/*'],
    logLevel: 'error',
  });
  const empty = writeHandler(path.join(dir, 'empty', 'index.js'), []);
  const floorBuiltins = (await probe(shipped, 'builtins', PROBE_ENV)).builtins ?? [];
  const floor = writeHandler(path.join(dir, 'floor', 'index.js'), floorBuiltins);
  return { shipped, naive, empty, floor, floorBuiltins, dir };
}

/** Module scope would hydrate a JWKS: a configuration that parses and points it at a closed loopback port. */
const PROBE_ENV = {
  COGNITO_USER_POOL_ID: 'us-west-2_Floor1',
  COGNITO_CLIENT_ID: 'floorclient',
  COGNITO_DOMAIN: 'http://127.0.0.1:1',
  COGNITO_ISSUER: 'http://127.0.0.1:1/us-west-2_Floor1',
  COOKIE_KEYS: Buffer.alloc(32, 1).toString('base64url'),
  PUBLIC_BASE_URL: 'https://abc123.execute-api.us-west-2.amazonaws.com/dev',
  LOG_LEVEL: 'error',
};

/** A Lambda handler that answers an empty 200 after loading `builtins` (Node's own modules) at module scope. */
function writeHandler(file: string, builtins: string[]): string {
  mkdirSync(path.dirname(file), { recursive: true });
  const requires = builtins.map((name) => `require(${JSON.stringify(name)});`).join('\n');
  writeFileSync(file, `'use strict';\n${requires}\nexports.handler = async () => ({ statusCode: 200, body: '' });\n`);
  return file;
}

export function sizeBytes(file: string): number {
  return statSync(file).size;
}

interface ProbeResult {
  requireMs: number;
  firstRequestMs?: number;
  totalMs?: number;
  status?: number;
  builtins?: string[];
  error?: string;
}

function probe(
  bundle: string,
  mode: 'load' | 'builtins' | 'healthz' | 'tests',
  env: Record<string, string>,
  token = '',
): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    // A clean environment: only what a Lambda would have (PATH for node, the function's configuration).
    execFile(
      process.execPath,
      [PROBE, bundle, mode, token],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 },
      (error, stdout) => {
        const line = stdout
          .trim()
          .split('\n')
          .filter((text) => text.startsWith('{"requireMs"') || text.startsWith('{"error"'))
          .pop();
        if (!line) return reject(error ?? new Error(`probe printed nothing (${mode})`));
        const result = JSON.parse(line) as ProbeResult;
        if (result.error) return reject(new Error(`probe ${mode}: ${result.error}`));
        resolve(result);
      },
    );
  });
}

export interface LoadTimes {
  shippedMs: number;
  naiveMs: number;
  floorMs: number;
  emptyMs: number;
  runs: number;
}

type Timed = 'shipped' | 'naive' | 'floor' | 'empty';

/** Median `require` time of each bundle over `runs` fresh processes each, in a rotating order. */
export async function measureLoad(bundles: Bundles, env: Record<string, string>, runs: number): Promise<LoadTimes> {
  const kinds: Timed[] = ['shipped', 'naive', 'floor', 'empty'];
  const times: Record<Timed, number[]> = { shipped: [], naive: [], floor: [], empty: [] };
  // One untimed run each: the first read of a fresh file pays for the page cache, not for the module.
  for (const kind of kinds) await probe(bundles[kind], 'load', env);
  for (let run = 0; run < runs; run += 1) {
    const order = [...kinds.slice(run % kinds.length), ...kinds.slice(0, run % kinds.length)];
    for (const kind of order) times[kind].push((await probe(bundles[kind], 'load', env)).requireMs);
  }
  return {
    shippedMs: median(times.shipped),
    naiveMs: median(times.naive),
    floorMs: median(times.floor),
    emptyMs: median(times.empty),
    runs,
  };
}

export interface FirstRequest {
  requireMs: number;
  firstRequestMs: number;
  totalMs: number;
}

/** Fresh process: require + first event (to /healthz or to /tests with a valid Bearer token), medians over runs. */
export async function measureFirstRequest(
  bundle: string,
  mode: 'healthz' | 'tests',
  env: Record<string, string>,
  token: string,
  runs: number,
): Promise<FirstRequest> {
  const results: ProbeResult[] = [];
  for (let run = 0; run < runs; run += 1) {
    const result = await probe(bundle, mode, env, token);
    if (result.status !== 200) throw new Error(`first ${mode} request answered ${result.status}`);
    results.push(result);
  }
  return {
    requireMs: median(results.map((result) => result.requireMs)),
    firstRequestMs: median(results.map((result) => result.firstRequestMs ?? Number.NaN)),
    totalMs: median(results.map((result) => result.totalMs ?? Number.NaN)),
  };
}
