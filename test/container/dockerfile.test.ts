/**
 * Static checks of the Dockerfile and .dockerignore against the code (no Docker engine here): the image builds from
 * what the build needs, ships production dependencies and dist/ only, runs as a non-root user on a supported Node,
 * and its health check and start command point at things the build really produces.
 */
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { parseConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createRuntime } from '../../src/runtime';
import {
  copies,
  dockerIgnored,
  dockerIgnorePatterns,
  execForm,
  instructions,
  nodeImage,
  parseDockerfile,
  read,
  readJson,
  sourceOfEmitted,
  stage,
} from './support';

const dockerfile = parseDockerfile(read('Dockerfile'));
const final = dockerfile.stages[dockerfile.stages.length - 1]!;
const pkg = readJson<{ scripts: Record<string, string>; engines?: { node?: string } }>('package.json');

/** A served configuration (COGNITO_* set), as the image runs: no local stack. */
const SERVED_ENV = {
  COGNITO_USER_POOL_ID: 'us-west-2_AbC123',
  COGNITO_CLIENT_ID: 'client123',
  COGNITO_DOMAIN: 'https://auth.example.com',
  COOKIE_KEYS: Buffer.alloc(32, 7).toString('base64url'),
};

function buildApp() {
  const config = parseConfig(SERVED_ENV);
  return createApp({ config, ...createRuntime(config), logger: createLogger({ level: 'error', write: () => undefined }) });
}

/** The HEALTHCHECK's command (exec form). */
function healthcheckCommand(): string[] {
  const [healthcheck] = instructions(final, 'HEALTHCHECK');
  expect(healthcheck, 'the final stage has a HEALTHCHECK').toBeDefined();
  const cmd = execForm(healthcheck!.slice(healthcheck!.indexOf('CMD') + 3));
  expect(cmd, 'HEALTHCHECK uses the exec form').toBeDefined();
  return cmd!;
}

describe('Dockerfile', () => {
  it('builds on the official Node image, major 22 or newer, slim or alpine, in every stage', () => {
    const bases = dockerfile.stages.map((s) => s.from).filter((from) => !dockerfile.stages.some((s) => s.name === from));
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) {
      const image = nodeImage(base);
      expect(image, `${base} is the node image`).toBeDefined();
      expect(image!.major).toBeGreaterThanOrEqual(22);
      expect(image!.variant).toMatch(/slim|alpine/);
      // And it satisfies what package.json promises.
      const minimum = /^>=\s*(\d+)/.exec(pkg.engines?.node ?? '')?.[1];
      if (minimum) expect(image!.major).toBeGreaterThanOrEqual(Number(minimum));
    }
  });

  it('is multi-stage: a build stage runs npm ci and npm run build, the final stage starts afresh', () => {
    const build = stage(dockerfile, 'build');
    const runs = instructions(build, 'RUN');
    expect(runs.some((run) => /\bnpm ci\b/.test(run) && !/--omit/.test(run))).toBe(true);
    expect(runs.some((run) => /\bnpm run build\b/.test(run))).toBe(true);
    expect(final.name).not.toBe('build');
    expect(nodeImage(final.from), 'the final stage is not built on the build stage').toBeDefined();
  });

  it('copies everything `npm run build` reads into the build stage, and .dockerignore keeps none of it out', () => {
    const copied = copies(stage(dockerfile, 'build')).flatMap((copy) => copy.sources);
    const covered = (file: string) => copied.some((source) => file === source || file.startsWith(`${source.replace(/\/$/, '')}/`));

    // The lockfile for npm ci; the tsconfig named by `-p` and what it extends; every script the build runs; the sources.
    const needed = new Set(['package.json', 'package-lock.json']);
    for (const [, project] of pkg.scripts.build!.matchAll(/tsc\s+-p\s+(\S+)/g)) {
      needed.add(project!);
      const parent = readJson<{ extends?: string; include?: string[] }>(project!);
      if (parent.extends) needed.add(parent.extends.replace(/^\.\//, ''));
      for (const dir of parent.include ?? []) needed.add(dir);
    }
    for (const [, script] of pkg.scripts.build!.matchAll(/\bnode\s+(\S+)/g)) needed.add(script!);
    expect(needed.size).toBeGreaterThan(4);

    const ignore = dockerIgnorePatterns();
    for (const file of needed) {
      expect(covered(file), `${file} is copied into the build stage`).toBe(true);
      expect(dockerIgnored(ignore, file), `${file} is not in .dockerignore`).toBe(false);
    }
    for (const source of copied) expect(dockerIgnored(ignore, source), `${source} is not in .dockerignore`).toBe(false);
  });

  it('installs production dependencies only in the final stage and takes just dist/ from the build', () => {
    const runs = instructions(final, 'RUN');
    const install = runs.find((run) => /\bnpm ci\b/.test(run));
    expect(install).toMatch(/--omit=dev\b/);
    expect(
      runs.some((run) => /\bnpm (?:install|i)\b/.test(run)),
      'no npm install besides npm ci',
    ).toBe(false);

    const fromBuild = copies(final).filter((copy) => copy.from !== undefined);
    expect(fromBuild.length).toBeGreaterThan(0);
    for (const copy of fromBuild) {
      expect(copy.from).toBe('build');
      expect(copy.sources).toEqual(['/app/dist']);
    }
    // From the context only the manifest and lockfile: no sources, no node_modules.
    for (const copy of copies(final).filter((c) => c.from === undefined)) {
      for (const source of copy.sources) expect(['package.json', 'package-lock.json']).toContain(source);
    }
  });

  it('runs as a non-root user from the last RUN on, in the final stage and in the compose-only local stage', () => {
    for (const s of [final, stage(dockerfile, 'local')]) {
      const keywords = s.instructions.map((i) => i.keyword);
      const users = instructions(s, 'USER');
      expect(users.length, `${s.name} sets USER`).toBeGreaterThan(0);
      const user = users[users.length - 1]!.split(':')[0]!;
      expect(['root', '0']).not.toContain(user);
      expect(keywords.lastIndexOf('USER')).toBeGreaterThan(keywords.lastIndexOf('RUN'));
    }
  });

  it('starts node dist/server.js, which tsc emits from src/server.ts', () => {
    const [cmd] = instructions(final, 'CMD');
    expect(execForm(cmd!)).toEqual(['node', 'dist/server.js']);
    expect(instructions(final, 'ENTRYPOINT')).toEqual([]);
    expect(sourceOfEmitted('dist/server.js')).toBe('src/server.ts');
    // dist/ is copied to /app/dist and the working directory is /app.
    expect(instructions(final, 'WORKDIR').pop()).toBe('/app');
    expect(copies(final).find((copy) => copy.from === 'build')?.destination).toMatch(/^(?:\.\/dist|\/app\/dist)\/?$/);
  });

  it("exposes the port the BFF listens on by default (the config module's PORT default)", () => {
    const exposed = instructions(final, 'EXPOSE')
      .flatMap((args) => args.split(/\s+/))
      .map((port) => Number(port.replace(/\/tcp$/, '')));
    const defaultPort = parseConfig(SERVED_ENV).port;
    expect(exposed).toEqual([defaultPort]);
    expect(defaultPort).toBe(3000);
    const env = instructions(final, 'ENV').join(' ');
    const port = /\bPORT=(\d+)/.exec(env)?.[1];
    if (port) expect(Number(port)).toBe(defaultPort);
  });

  it('health-checks a route the app serves: GET /healthz answers 200 {"status":"ok"}', async () => {
    const script = healthcheckCommand().join(' ');
    const path = /\/healthz\b/.exec(script)?.[0];
    expect(path).toBe('/healthz');
    expect(script).toContain('process.env.PORT||3000');
    const response = await request(buildApp()).get(path!);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('has a health check command that exits 0 against a running BFF and 1 when nothing answers', async () => {
    const [node, ...args] = healthcheckCommand();
    expect(node).toBe('node'); // the slim image has no curl
    const server = buildApp().listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const { port } = server.address() as AddressInfo;
    // Asynchronously: the server answering it lives in this process.
    const run = (portValue: number) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH, PORT: String(portValue) }, stdio: 'ignore' });
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });
    try {
      expect(await run(port)).toBe(0);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(await run(port)).toBe(1);
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, build output, local state, secrets and test artifacts out of the build context', () => {
    const ignore = dockerIgnorePatterns();
    for (const path of [
      'node_modules',
      'node_modules/express/package.json',
      'dist/server.js',
      '.local/cookie-keys',
      '.local/cognito-local/.cognito/db/clients.json',
      'cdk.out/manifest.json',
      '.git/HEAD',
      'coverage/index.html',
      'test/e2e/artifacts/01-signed-out.png',
      '.env',
      'npm-debug.log',
    ]) {
      expect(dockerIgnored(ignore, path), path).toBe(true);
    }
    for (const path of ['src/server.ts', 'package.json', 'package-lock.json', 'scripts/copy-spa.mjs', 'src/local/spa/index.html']) {
      expect(dockerIgnored(ignore, path), path).toBe(false);
    }
  });
});
