/**
 * The node entry as a user meets it: a bad setting or a busy port stops startup with a message that names the
 * problem, a non-zero exit code and no stack trace; a good configuration serves and stops on SIGTERM.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeIdp } from '../support/fake-idp';
import { freePort } from '../support/cognito-local';
import { QUIET_ENV } from '../support/quiet-env';

const ROOT = path.resolve(__dirname, '../..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs src/server.ts with exactly `env` (plus PATH) until it exits or `until` sees what it waits for. */
function runServer(
  env: Record<string, string>,
  until?: (stdout: string) => boolean,
): Promise<Run & { stop: () => Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...QUIET_ENV, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const stop = async () => {
      child.kill('SIGTERM');
      return exited;
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not finish in time:\n${stdout}\n${stderr}`));
    }, 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (until?.(stdout)) {
        clearTimeout(timer);
        resolve({ code: null, stdout, stderr, stop });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, stop });
    });
  });
}

describe('src/server.ts', () => {
  let idp: FakeIdp;
  beforeAll(async () => {
    idp = await FakeIdp.start();
  });
  afterAll(async () => {
    await idp.close();
  });

  it.each([
    ['COGNITO_USER_POOL_ID', { COGNITO_USER_POOL_ID: '' }, 'is required'],
    ['COGNITO_DOMAIN', { COGNITO_DOMAIN: 'http://auth.example.com' }, 'https'],
    ['COOKIE_KEYS', { COOKIE_KEYS: 'too-short' }, '32 bytes'],
    ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: 'ftp://example.com' }, 'https'],
  ])('stops with a message naming %s when it is missing or malformed', async (name, change, words) => {
    const run = await runServer({ ...idp.env(), ...change });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(name);
    expect(run.stderr).toContain(words);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('says clearly that the port is in use', async () => {
    const port = await freePort();
    const blocker = net.createServer().listen(port);
    await new Promise((resolve) => blocker.once('listening', resolve));
    try {
      const run = await runServer({ ...idp.env({ PORT: String(port) }) });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`port ${port} is already in use`);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });

  it('serves against a configured IdP, prints its URL and stops on SIGTERM', async () => {
    const port = await freePort();
    const run = await runServer(idp.env({ PORT: String(port), PUBLIC_BASE_URL: `http://localhost:${port}` }), (out) =>
      out.includes('Press Ctrl-C'),
    );
    try {
      expect(run.stdout).toContain(`listening on http://localhost:${port}`);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(await health.json()).toEqual({ status: 'ok' });
    } finally {
      expect(await run.stop()).toBe(0);
    }
  });
});
