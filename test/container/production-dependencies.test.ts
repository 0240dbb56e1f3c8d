/**
 * The runtime image installs `npm ci --omit=dev`. These run src/server.ts with every devDependency made unresolvable
 * from src/ (fixtures/production-dependencies-only.cjs), as it is in the image: it must serve with COGNITO_* set, and
 * without them stop with a message that says what to set (the local stack's emulator is not in the image).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../support/cognito-local';
import { REPO_ROOT } from './support';

const PRELOAD = path.join(__dirname, 'fixtures', 'production-dependencies-only.cjs');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs node with tsx and the production-only preload until it exits. `whenReady` is called with the output so far;
 * once it returns a promise, the process is stopped (SIGTERM) after that promise settles.
 */
function runProductionOnly(
  args: string[],
  env: Record<string, string>,
  whenReady?: (stdout: string) => Promise<void> | undefined,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', PRELOAD, '--import', 'tsx', ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let action: Promise<void> | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no result in time:\n${stdout}\n${stderr}`));
    }, 90_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!action && whenReady) {
        action = whenReady(stdout);
        void action?.finally(() => child.kill('SIGTERM'));
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the product with production dependencies only (the runtime image)', () => {
  it('cannot load a devDependency from src/ (the check bites)', async () => {
    // The local stack's dynalite (a devDependency: the image runs against AWS's DynamoDB).
    const run = await runProductionOnly(['-e', "require('./src/local/dynalite.ts')"], {});
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("Cannot find module 'dynalite'");
    expect(run.stderr).toContain('absent from a production install');
  });

  it('serves /healthz with COGNITO_* set', async () => {
    const port = await freePort();
    const idpPort = await freePort(); // nothing listens there: the key set fails to load, which only logs a warning
    let health: number | undefined;
    const run = await runProductionOnly(
      ['src/server.ts'],
      {
        PORT: String(port),
        COGNITO_USER_POOL_ID: 'local_AbC123',
        COGNITO_CLIENT_ID: 'client123',
        COGNITO_DOMAIN: `http://127.0.0.1:${idpPort}`,
        COGNITO_ISSUER: `http://127.0.0.1:${idpPort}/local_AbC123`,
        REQUIRE_NONCE: 'false',
        COOKIE_KEYS: Buffer.alloc(32, 3).toString('base64url'),
      },
      (stdout) =>
        stdout.includes('is listening on')
          ? fetch(`http://127.0.0.1:${port}/healthz`).then((response) => void (health = response.status))
          : undefined,
    );
    expect(run.stdout).toContain('is listening on');
    expect(health).toBe(200);
    expect(run.code).toBe(0); // stopped by SIGTERM, cleanly
  });

  it('without COGNITO_* stops with a message naming the variables to set, not a missing module', async () => {
    const run = await runProductionOnly(['src/server.ts'], { PORT: String(await freePort()) });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('COGNITO_USER_POOL_ID');
    expect(run.stderr).toContain('docker compose up');
    expect(run.stderr).not.toContain('Require stack');
    expect(run.stderr).not.toContain('Cannot find module');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
