/**
 * The package as a user gets it: built in a scratch copy of the repository, `npm pack`ed, and installed from the
 * tarball (offline: npm's cache holds every dependency after `npm ci`) into a scratch copy of examples/express-app.
 * There: the example's own suite (node:test + supertest) signs in against cognito-local and calls its own routes;
 * every entry loads with `require` and with `import` (one copy of the code either way); and the types compile for a
 * consumer under `moduleResolution: node16`, CommonJS and ES module files alike.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, TEST_DEMO_PASSWORD, type TestEmulator } from '../support/cognito-local';
import { scratchLockfile, type Lockfile } from './scratch-lockfile';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
/** The environment of every child: no npm configuration of ours leaks in, and no AWS SDK chatter. */
const CHILD_ENV = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? os.homedir(),
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

async function node(cwd: string, args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, args, { cwd, env: { ...CHILD_ENV, ...env }, maxBuffer: 16 * 1024 * 1024 });
}

async function npm(cwd: string, args: string[]) {
  return run('npm', args, { cwd, env: CHILD_ENV, maxBuffer: 16 * 1024 * 1024 });
}

/** Builds the package's dist/ in a scratch copy of the sources (the repository's own dist/ is left alone). */
async function buildPackage(dir: string): Promise<void> {
  for (const entry of [
    'package.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'tsconfig.cdk.json',
    'src',
    'infra',
    'scripts',
    'README.md',
  ]) {
    cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  await node(dir, [TSC, '-p', 'tsconfig.build.json']);
  for (const script of ['build-cdk.mjs', 'build-esm.mjs', 'build-client.mjs', 'copy-spa.mjs', 'bundle-lambda.mjs'])
    await node(dir, [path.join('scripts', script)]);
}

interface Packed {
  filename: string;
  integrity: string;
  files: { path: string }[];
}

/**
 * Installs the tarball into the app as a user's `npm install cognito-bff-<version>.tgz` would, offline: the app's
 * dependency on cognito-bff points at the tarball, and a lockfile made of the repository's own entries (see
 * scratch-lockfile.ts) lets `npm ci --offline` take everything else from npm's cache.
 */
async function installTarball(app: string, scratch: string, packed: Packed): Promise<void> {
  const spec = `file:${path.relative(app, path.join(scratch, packed.filename))}`;
  const manifest = JSON.parse(readFileSync(path.join(app, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
    dependencies: Record<string, string>;
  };
  manifest.dependencies['cognito-bff'] = spec;
  writeFileSync(path.join(app, 'package.json'), JSON.stringify(manifest, null, 2));
  const library = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  const lock = scratchLockfile(manifest, JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as Lockfile, {
    'node_modules/cognito-bff': {
      version: library.version as string,
      resolved: spec,
      integrity: packed.integrity,
      dependencies: library.dependencies as Record<string, string>,
      peerDependencies: library.peerDependencies as Record<string, string>,
      peerDependenciesMeta: library.peerDependenciesMeta as Record<string, { optional?: boolean }>,
    },
  });
  writeFileSync(path.join(app, 'package-lock.json'), JSON.stringify(lock, null, 2));
  await npm(app, ['ci', '--offline', '--no-audit', '--no-fund']);
}

describe('the packed library', () => {
  let scratch: string;
  let app: string;
  let packedFiles: string[];
  let emulator: TestEmulator;

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'cognito-bff-pack-'));
    const pkg = path.join(scratch, 'package');
    mkdirSync(pkg);
    await buildPackage(pkg);
    const { stdout } = await npm(pkg, ['pack', '--json', '--pack-destination', scratch]);
    const [packed] = JSON.parse(stdout) as Packed[];
    packedFiles = packed!.files.map((file) => file.path);
    app = path.join(scratch, 'express-app');
    cpSync(path.join(ROOT, 'examples', 'express-app'), app, {
      recursive: true,
      filter: (source) => !source.includes(`${path.sep}node_modules`),
    });
    await installTarball(app, scratch, packed!);
    emulator = await startTestEmulator();
  }, 300_000);

  afterAll(async () => {
    await emulator?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('ships the built entries and their declarations, the Lambda bundle the construct deploys, and no sources or tests', () => {
    for (const file of ['dist/index.js', 'dist/index.d.ts', 'dist/esm/index.mjs', 'dist/esm/index.d.mts', 'dist/create-handler.js'])
      expect(packedFiles).toContain(file);
    for (const file of ['dist/esm/lambda.mjs', 'dist/client/index.mjs', 'dist/client/index.cjs', 'dist/client/index.d.ts', 'package.json'])
      expect(packedFiles).toContain(file);
    expect(packedFiles.filter((file) => /^(src|test|infra|bench|examples)\//.test(file))).toEqual([]);
    for (const file of ['dist/lambda/index.js', 'dist/cdk/infra/lib/index.js', 'dist/cdk/infra/lib/index.d.ts', 'dist/esm/cdk.mjs'])
      expect(packedFiles).toContain(file);
    // What the construct reads at synth time, beside it as in the repository.
    expect(packedFiles).toContain('dist/cdk/infra/edge/access-token-to-header.js');
    expect(packedFiles).toContain('dist/cdk/infra/authorizer/groups-authorizer.js');
    expect(packedFiles.filter((file) => file.endsWith('.map') || file.endsWith('meta.json'))).toEqual([]);
  });

  it('installs with its declared dependencies only: express from the app, no copy of its own', () => {
    const installed = readdirSync(path.join(app, 'node_modules', 'cognito-bff'));
    expect(installed).toContain('dist');
    expect(() => readdirSync(path.join(app, 'node_modules', 'cognito-bff', 'node_modules', 'express'))).toThrow();
  });

  it("passes the example's own suite against cognito-local: open, signed-in and group routes", async () => {
    const result = await node(app, ['--test', '--test-reporter=tap', 'test/'], {
      ...emulator.settings,
      PUBLIC_BASE_URL: emulator.publicBaseUrl,
      EXAMPLE_USERNAME: emulator.pool.demoUsername,
      EXAMPLE_PASSWORD: TEST_DEMO_PASSWORD,
    }).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`the example's suite failed:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    expect(result.stdout).toMatch(/# pass 6\b/);
    expect(result.stdout).toMatch(/# fail 0\b/);
  }, 120_000);

  it('loads every entry with require and with import, one copy of the code either way', async () => {
    const check = `
      const main = require('cognito-bff');
      const lambda = require('cognito-bff/lambda');
      const client = require('cognito-bff/client');
      const pkg = require('cognito-bff/package.json');
      const kinds = [typeof main.createBff, typeof main.optionsFromEnv, typeof main.BffConfigError, typeof lambda.createHandler, typeof client.createBffClient];
      import('cognito-bff').then(async (esm) => {
        const esmLambda = await import('cognito-bff/lambda');
        const esmClient = await import('cognito-bff/client');
        const same = esm.BffConfigError === main.BffConfigError && esm.createBff === main.createBff && esmLambda.createHandler === lambda.createHandler;
        console.log(JSON.stringify({ kinds, same, esmKinds: [typeof esm.createBff, typeof esm.optionsFromEnv, typeof esmLambda.createHandler, typeof esmClient.createBffClient], name: pkg.name }));
      });`;
    const { stdout } = await node(app, ['-e', check]);
    expect(JSON.parse(stdout)).toEqual({
      kinds: ['function', 'function', 'function', 'function', 'function'],
      same: true,
      esmKinds: ['function', 'function', 'function', 'function'],
      name: 'cognito-bff',
    });
    const esmOnly = `import { createBff, BffConfigError } from 'cognito-bff';
      try { createBff({}); } catch (error) { console.log(error instanceof BffConfigError, error.code, error.problems.map((p) => p.option).join(',')); }`;
    const { stdout: named } = await node(app, ['--input-type=module', '-e', esmOnly]);
    expect(named.trim()).toBe('true BFF_CONFIG_INVALID userPoolId,clientId,cognitoDomain,cookieKeys');
  });

  it('synthesizes a stack of its own with CognitoBff from cognito-bff/cdk, with the Lambda bundle it ships', async () => {
    // aws-cdk-lib and constructs are optional peers a CDK app has; here the repository's copies stand in (NODE_PATH).
    const script = `
      const { App, Stack } = require('aws-cdk-lib');
      const { Code, Function: LambdaFunction, Runtime } = require('aws-cdk-lib/aws-lambda');
      const { CognitoBff } = require('cognito-bff/cdk');
      const app = new App({ outdir: process.argv[1] });
      const stack = new Stack(app, 'Team');
      const bff = new CognitoBff(stack, 'Auth', { spaOrigins: ['https://app.example.com'] });
      const orders = new LambdaFunction(stack, 'Orders', {
        runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
      });
      bff.addApi('/orders', orders, { scopes: ['email'] });
      const template = app.synth().getStackByName('Team').template;
      const types = Object.values(template.Resources).map((resource) => resource.Type);
      console.log(JSON.stringify({
        functions: types.filter((type) => type === 'AWS::Lambda::Function').length,
        distribution: types.includes('AWS::CloudFront::Distribution'),
        pool: types.includes('AWS::Cognito::UserPool'),
      }));`;
    const { stdout } = await node(app, ['-e', script, path.join(scratch, 'cdk.out')], { NODE_PATH: path.join(ROOT, 'node_modules') });
    const synthesized = JSON.parse(stdout.trim().split('\n').pop()!) as { functions: number; distribution: boolean; pool: boolean };
    expect(synthesized.functions).toBeGreaterThanOrEqual(2);
    expect(synthesized).toMatchObject({ distribution: true, pool: true });
  }, 180_000);

  it('type-checks a consumer under moduleResolution node16, CommonJS and ES module files alike', async () => {
    const dir = path.join(app, 'types-check');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'node16',
          moduleResolution: 'node16',
          target: 'es2022',
          strict: true,
          noEmit: true,
          types: ['node'],
          skipLibCheck: false,
        },
        include: ['*.ts', '*.mts'],
      }),
    );
    const body = (from: string) => `
      import express from 'express';
      import { createBff, optionsFromEnv, BffConfigError, type AuthenticatedRequest, type BffOptions, type AuthInfo } from 'cognito-bff';
      import { createHandler } from 'cognito-bff/lambda';
      const options: BffOptions = { ...optionsFromEnv(process.env), logLevel: 'warn' };
      const bff = createBff(options);
      const app = express();
      app.use(bff.router);
      app.get('/me', bff.requireAuth({ groups: ['admins'], scopes: ['orders.read'] }), (req, res) => {
        const maybe: AuthInfo | undefined = req.auth;
        const auth = (req as AuthenticatedRequest).auth;
        const via: 'cookie' | 'bearer' = auth.via;
        res.json({ sub: auth.sub, groups: [...auth.groups], via, maybe: maybe?.username });
      });
      export const handler = createHandler(app);
      export const ready: Promise<void> = bff.ready();
      export function codeOf(error: unknown): string | undefined {
        return error instanceof BffConfigError ? error.code + error.problems.map((p) => p.option + (p.variable ?? '')).join() : undefined;
      }
      // @ts-expect-error: userPoolId, clientId, cognitoDomain and cookieKeys are required
      createBff({ publicBaseUrl: 'https://example.com' });
      export const from = '${from}';`;
    writeFileSync(path.join(dir, 'commonjs.ts'), body('commonjs'));
    writeFileSync(path.join(dir, 'esm.mts'), body('esm'));
    await node(dir, [TSC, '-p', '.']).catch((error: { stdout?: string }) => {
      throw new Error(`the consumer does not type-check:\n${error.stdout ?? ''}`);
    });
  }, 60_000);
});
