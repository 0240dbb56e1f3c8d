/**
 * Lambda figures: the shipped bundle (scripts/bundle-lambda.mjs: minified, stand-ins for unused modules) against a
 * naive esbuild bundle of the same entry and dependencies (bundle only: no stand-ins, no minify), both built from
 * the current sources into a temporary directory. Load time and first-request latency are measured in fresh `node`
 * processes, alternating the two bundles run by run.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { median } from './stats';

const ROOT = path.join(__dirname, '..', '..');
const PROBE = path.join(ROOT, 'bench', 'lambda-probe.cjs');

export interface Bundles {
  shipped: string;
  naive: string;
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
  return { shipped, naive, dir };
}

export function sizeBytes(file: string): number {
  return statSync(file).size;
}

interface ProbeResult {
  requireMs: number;
  firstRequestMs?: number;
  totalMs?: number;
  status?: number;
  error?: string;
}

function probe(bundle: string, mode: 'load' | 'healthz' | 'tests', env: Record<string, string>, token = ''): Promise<ProbeResult> {
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
  runs: number;
}

/** Median `require` time of each bundle over `runs` fresh processes each, alternating. */
export async function measureLoad(bundles: Bundles, env: Record<string, string>, runs: number): Promise<LoadTimes> {
  const shipped: number[] = [];
  const naive: number[] = [];
  // One untimed run each: the first read of a fresh file pays for the page cache, not for the module.
  await probe(bundles.shipped, 'load', env);
  await probe(bundles.naive, 'load', env);
  for (let run = 0; run < runs; run += 1) {
    const order = run % 2 === 0 ? (['shipped', 'naive'] as const) : (['naive', 'shipped'] as const);
    for (const which of order) {
      const result = await probe(bundles[which], 'load', env);
      (which === 'shipped' ? shipped : naive).push(result.requireMs);
    }
  }
  return { shippedMs: median(shipped), naiveMs: median(naive), runs };
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
