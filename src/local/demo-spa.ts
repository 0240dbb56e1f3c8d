/**
 * The demo SPA's directory, ready to serve: its static files (src/local/spa) plus `bff-client.js`, the browser client
 * (src/client) as an ES module, which the page imports.
 *
 * After `npm run build` the client is already there (dist/local/spa, written by scripts/build-client.mjs). Run from
 * sources (`npm start` with tsx) it is not: then the client is built with esbuild (a development dependency, loaded
 * only here) into `<workDir>/demo-spa`, next to a copy of the SPA's files. No manual build step either way.
 */
import { cpSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { SPA_DIR } from './spa-dir';

/** The file name the SPA imports the client from (`import … from './bff-client.js'`). */
export const CLIENT_MODULE = 'bff-client.js';

export async function demoSpaDir(workDir: string): Promise<string> {
  if (existsSync(path.join(SPA_DIR, CLIENT_MODULE))) return SPA_DIR;
  const { build } = await import('esbuild');
  const dir = path.join(workDir, 'demo-spa');
  rmSync(dir, { recursive: true, force: true });
  cpSync(SPA_DIR, dir, { recursive: true });
  await build({
    entryPoints: [path.join(__dirname, '..', 'client', 'index.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2020',
    outfile: path.join(dir, CLIENT_MODULE),
    logLevel: 'warning',
  });
  return dir;
}
