// ES module entries of the package, written after tsc has built the CommonJS ones (dist/*.js and .d.ts):
//   dist/esm/index.mjs  (cognito-bff)         re-exports dist/index.js
//   dist/esm/lambda.mjs (cognito-bff/lambda)  re-exports dist/create-handler.js
//   dist/esm/cdk.mjs    (cognito-bff/cdk)     re-exports dist/cdk/infra/lib/index.js (scripts/build-cdk.mjs)
// Each is a thin wrapper around the CommonJS build rather than a second build: one copy of the code loads whichever
// way a user imports it (no dual-package hazard: one BffConfigError class, one verified-token cache), and only the
// entry a user imports is loaded. Each has a .d.mts beside it that re-exports the CommonJS declarations.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const require = createRequire(import.meta.url);

/** ESM entry name -> the CommonJS module (below dist/, no extension) it wraps. */
export const ESM_ENTRIES = { index: 'index', lambda: 'create-handler', cdk: 'cdk/infra/lib/index' };

mkdirSync(path.join(dist, 'esm'), { recursive: true });
for (const [name, target] of Object.entries(ESM_ENTRIES)) {
  // The names the CommonJS module really exports, read from the module itself.
  const names = Object.keys(require(path.join(dist, `${target}.js`))).filter((key) => key !== '__esModule' && key !== 'default');
  if (names.length === 0) throw new Error(`dist/${target}.js exports nothing: build it first (tsc -p tsconfig.build.json)`);
  const js = [
    `// The ES module face of dist/${target}.js (see scripts/build-esm.mjs).`,
    `import cjs from '../${target}.js';`,
    ...names.map((exported) => `export const ${exported} = cjs.${exported};`),
    'export default cjs;',
    '',
  ].join('\n');
  writeFileSync(path.join(dist, 'esm', `${name}.mjs`), js);
  const dts = [`export * from '../${target}.js';`, `declare const cjs: typeof import('../${target}.js');`, 'export default cjs;', ''].join(
    '\n',
  );
  writeFileSync(path.join(dist, 'esm', `${name}.d.mts`), dts);
}
