// Builds the browser entry (cognito-bff/client) from src/client/index.ts, which has no imports:
// - dist/client/index.mjs (ES module) and dist/client/index.cjs (CommonJS) for bundlers and tests,
// - dist/client/index.d.ts, .d.mts and .d.cts (the same declarations under each module kind's name),
// - dist/local/spa/bff-client.js, the ES module the demo SPA imports (the local stack builds it on the fly instead when
//   run from sources: src/local/demo-spa.ts).
// tsc checks it against the DOM library alone (src/client/tsconfig.json); esbuild only strips the types.
//
// The package's exports map gives these files as `cognito-bff/client` (each condition with its own declarations):
//   "./client": {
//     "import": { "types": "./dist/client/index.d.mts", "default": "./dist/client/index.mjs" },
//     "require": { "types": "./dist/client/index.d.cts", "default": "./dist/client/index.cjs" }
//   }
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'client');
const entry = path.join(root, 'src', 'client', 'index.ts');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

execFileSync(process.execPath, [tsc, '-p', path.join(root, 'src', 'client'), '--emitDeclarationOnly'], { stdio: 'inherit' });
copyFileSync(path.join(out, 'index.d.ts'), path.join(out, 'index.d.mts'));
copyFileSync(path.join(out, 'index.d.ts'), path.join(out, 'index.d.cts'));

// ES2020: every browser with Web Locks and BroadcastChannel runs it; no minification (a bundler of the app does that).
const common = { entryPoints: [entry], bundle: true, platform: 'browser', target: 'es2020', logLevel: 'warning' };
await build({ ...common, format: 'esm', outfile: path.join(out, 'index.mjs') });
await build({ ...common, format: 'cjs', outfile: path.join(out, 'index.cjs') });
mkdirSync(path.join(root, 'dist', 'local', 'spa'), { recursive: true });
copyFileSync(path.join(out, 'index.mjs'), path.join(root, 'dist', 'local', 'spa', 'bff-client.js'));
