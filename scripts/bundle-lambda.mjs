// Bundles the Lambda entry into one minified file, dist/lambda/index.js, exporting `handler`.
//
// Cold start is paid per container, so the bundle leaves out what this app never runs on Lambda, each replaced by
// a stand-in that fails loudly if it is ever reached:
// - iconv-lite's legacy charset tables: body parsing here only ever decodes UTF-8 JSON;
// - mime-db's 2,000 types: responses here are JSON, redirects and a handful of static types;
// - form-data, proxy support and follow-redirects in axios: the IdP client posts url-encoded strings with
//   `proxy: false` and `maxRedirects: 0`, which take none of those paths;
// - debug: Express's internal tracing, off unless DEBUG is set, which it never is on this Lambda;
// - qs: the app uses Express's "simple" query parser (node:querystring), never the "extended" one;
// - axios's fetch adapter and its http2 transport: Node's http adapter is the one used (no `adapter: 'fetch'`, no
//   `httpVersion: 2`), and merely loading them costs a third of the bundle's load time (the fetch adapter builds a
//   Request at load, which loads Node's whole fetch implementation).
// And one load-time lookup is made lazy: axios's utils read the global FormData at load (loading that same fetch
// implementation) only to test `instanceof FormData` later, which for the strings the IdP client posts is false anyway.
// The AWS SDK is left external: the Lambda runtime provides it.
// undici (the token relay's HTTP client, ~0.5 MB with its WebAssembly HTTP parser) goes into a file of its own,
// `undici.js` beside `index.js`, required on the first relayed request only: a BFF without relay routes never loads it,
// and the entry bundle keeps its size and load time.
// axios (the IdP client, ~78 KB with the stand-ins above) likewise goes into `axios.js`: the IdP client imports it on
// its first call anyway, so a container answering `/tests` or `/auth/session` never parses it, and the entry bundle
// stays under its 300 KB budget.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** iconv-lite carries every legacy charset's tables (~300 KB); the BFF only ever decodes UTF-8 JSON. */
const utf8OnlyIconv = {
  name: 'utf8-only-iconv',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^iconv-lite$/ }, () => ({ path: 'iconv-lite', namespace: 'utf8-only-iconv' }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'utf8-only-iconv' }, () => ({
      loader: 'js',
      contents: `
        const supported = (e) => /^utf-?8$/i.test(String(e));
        module.exports = {
          encodingExists: supported,
          getDecoder(e) {
            if (!supported(e)) throw new Error('unsupported charset');
            const { StringDecoder } = require('string_decoder');
            const d = new StringDecoder('utf8');
            return { write: (b) => d.write(b), end: () => d.end() };
          },
          decode(buf, e) { if (!supported(e)) throw new Error('unsupported charset'); return Buffer.from(buf).toString('utf8'); },
          encode(str, e) { if (!supported(e)) throw new Error('unsupported charset'); return Buffer.from(str, 'utf8'); },
        };`,
    }));
  },
};

/** Modules replaced by small stand-ins (see above). */
const standIns = {
  'mime-db': `module.exports = {
    'application/json': { charset: 'UTF-8', compressible: true, extensions: ['json'] },
    'application/javascript': { charset: 'UTF-8', compressible: true, extensions: ['js', 'mjs'] },
    'application/octet-stream': { compressible: false, extensions: ['bin'] },
    'application/x-www-form-urlencoded': { compressible: true },
    'image/png': { compressible: false, extensions: ['png'] },
    'image/svg+xml': { compressible: true, extensions: ['svg'] },
    'image/x-icon': { compressible: true, extensions: ['ico'] },
    'text/css': { charset: 'UTF-8', compressible: true, extensions: ['css'] },
    'text/html': { compressible: true, extensions: ['html', 'htm'] },
    'text/plain': { compressible: true, extensions: ['txt', 'text'] },
  };`,
  'form-data': `module.exports = class FormData { constructor() { throw new Error('form-data is not bundled'); } };`,
  'https-proxy-agent': `module.exports = class HttpsProxyAgent { constructor() { throw new Error('proxies are not bundled'); } };`,
  'proxy-from-env': `module.exports = { getProxyForUrl: () => '' };`,
  'follow-redirects': `module.exports = { http: require('http'), https: require('https') };`,
  debug: `function createDebug() { const log = function () {}; log.enabled = false; log.extend = createDebug; return log; }
    module.exports = createDebug; module.exports.default = createDebug;`,
  qs: `const unsupported = () => { throw new Error('qs is not bundled: use the simple query parser'); };
    module.exports = { parse: unsupported, stringify: unsupported };`,
};

const standInPlugin = {
  name: 'stand-ins',
  setup(pluginBuild) {
    const filter = new RegExp(`^(${Object.keys(standIns).join('|')})$`);
    pluginBuild.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'stand-in' }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'stand-in' }, (args) => ({ loader: 'js', contents: standIns[args.path] }));
  },
};

/** axios's fetch adapter and http2 transport (imported by axios only), replaced as above. */
const axiosStandIns = {
  name: 'axios-stand-ins',
  setup(pluginBuild) {
    const fromAxios = (args) => /[\\/]axios[\\/]/.test(args.importer);
    pluginBuild.onResolve({ filter: /^\.\/fetch\.js$/ }, (args) =>
      fromAxios(args) && /[\\/]adapters$/.test(args.resolveDir) ? { path: 'axios-fetch-adapter', namespace: 'axios-stand-in' } : undefined,
    );
    pluginBuild.onResolve({ filter: /^http2$/ }, (args) => (fromAxios(args) ? { path: 'http2', namespace: 'axios-stand-in' } : undefined));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'axios-stand-in' }, (args) => ({
      loader: 'js',
      contents:
        args.path === 'http2'
          ? `const unsupported = () => { throw new Error('http2 is not bundled'); };
             module.exports = { connect: unsupported, get constants() { return unsupported(); } };`
          : `export const getFetch = () => false; export default false;`,
    }));
    // The global FormData, looked up when first needed rather than at load (see above). Same answers as before.
    pluginBuild.onLoad({ filter: /[\\/]axios[\\/]lib[\\/]utils\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const declaration = "const FormDataCtor = typeof G.FormData !== 'undefined' ? G.FormData : undefined;";
      const use = 'if (FormDataCtor && thing instanceof FormDataCtor) return true;';
      if (!source.includes(declaration) || !source.includes(use)) {
        return {
          loader: 'js',
          contents: source,
          warnings: [{ text: 'axios utils changed: the lazy FormData lookup is not applied (only load time suffers)' }],
        };
      }
      const lazy = source
        .replace(
          declaration,
          "let formDataCtorOnce;\nconst formDataCtor = () => (formDataCtorOnce === undefined ? (formDataCtorOnce = typeof G.FormData !== 'undefined' ? G.FormData : null) : formDataCtorOnce);",
        )
        // `instanceof` is false for every primitive: only objects and functions need the constructor.
        .replace(
          use,
          "if ((typeof thing === 'object' || typeof thing === 'function') && formDataCtor() && thing instanceof formDataCtor()) return true;",
        );
      return { loader: 'js', contents: lazy };
    });
  },
};

/** The relay's `import('undici')` and the IdP client's `import('axios')` become requires of files beside the entry. */
const UNDICI_FILE = 'undici.js';
const AXIOS_FILE = 'axios.js';
const lazyModulesApart = {
  name: 'lazy-modules-apart',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^undici$/ }, () => ({ path: `./${UNDICI_FILE}`, external: true }));
    pluginBuild.onResolve({ filter: /^axios$/ }, () => ({ path: `./${AXIOS_FILE}`, external: true }));
  },
};

/** What every file of the Lambda asset is built with: one minified CommonJS file for the Lambda runtime's Node. */
const nodeFile = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
};

/** Bundles src/lambda.ts into `outdir`/index.js (and its metafile), and axios and undici beside it; returns the bundle's path. */
export async function bundleLambda(outdir = path.join(root, 'dist/lambda')) {
  mkdirSync(outdir, { recursive: true });
  const outfile = path.join(outdir, 'index.js');
  const trimmed = {
    mainFields: ['module', 'main'],
    define: { 'process.env.NODE_ENV': '"production"' },
  };
  const result = await build({
    ...nodeFile,
    ...trimmed,
    entryPoints: ['src/lambda.ts'],
    outfile,
    sourcemap: false,
    metafile: true,
    external: ['@aws-sdk/*'],
    plugins: [utf8OnlyIconv, standInPlugin, axiosStandIns, lazyModulesApart],
  });
  writeFileSync(path.join(outdir, 'meta.json'), JSON.stringify(result.metafile));
  // axios apart, with the same stand-ins and trims it had inside the entry bundle.
  await build({
    ...nodeFile,
    ...trimmed,
    entryPoints: ['axios'],
    outfile: path.join(outdir, AXIOS_FILE),
    plugins: [utf8OnlyIconv, standInPlugin, axiosStandIns],
  });
  await build({ ...nodeFile, entryPoints: ['undici'], outfile: path.join(outdir, UNDICI_FILE) });
  return outfile;
}

/** The entry file's budget (issue 14): what a cold start parses before the first request. The build fails past it. */
const ENTRY_BUDGET_BYTES = 300_000;

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outfile = await bundleLambda();
  const size = statSync(outfile).size;
  console.log(`${path.relative(root, outfile)}: ${(size / 1024).toFixed(1)} KiB (${size} bytes, budget ${ENTRY_BUDGET_BYTES})`);
  if (size > ENTRY_BUDGET_BYTES) {
    console.error(
      `${path.relative(root, outfile)} is over its budget of ${ENTRY_BUDGET_BYTES} bytes: load the new code lazily, from a file of its own`,
    );
    process.exit(1);
  }
}
