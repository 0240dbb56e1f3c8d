/**
 * The node entry as a user meets it: a bad setting or a busy port stops startup with a message that names the
 * problem, a non-zero exit code and no stack trace; a good configuration serves and stops on SIGTERM.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { parseEnv } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar } from '../support/cookie-jar';
import { FakeIdp } from '../support/fake-idp';
import { freePort, signInThroughEmulatorForm } from '../support/cognito-local';
import { QUIET_ENV } from '../support/quiet-env';

const ROOT = path.resolve(__dirname, '../..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** tsx by absolute path: a run in a scratch folder cannot resolve `tsx` from its working directory. */
const TSX = pathToFileURL(require.resolve('tsx')).href;

/**
 * Runs src/server.ts with exactly `env` (plus PATH) until it exits or `until` sees what it waits for, in `cwd`
 * (the local stack keeps its state in `<cwd>/.local`).
 */
function runServer(
  env: Record<string, string>,
  until?: (stdout: string) => boolean,
  cwd = ROOT,
): Promise<Run & { stop: () => Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, path.join(ROOT, 'src', 'server.ts')], {
      cwd,
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
    }, 90_000);
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

/** Without COGNITO_* the entry runs the local stack: the user's own settings are checked before any of it starts. */
describe('src/server.ts, local stack', () => {
  const scratch: string[] = [];
  afterAll(async () => {
    await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
  });
  async function scratchDir(): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cognito-bff-cli-'));
    scratch.push(dir);
    return dir;
  }

  it.each([
    ['COOKIE_KEYS', { COOKIE_KEYS: 'short' }, 'COOKIE_KEYS: key #1 is not 32 bytes'],
    ['REQUIRE_NONCE', { REQUIRE_NONCE: 'maybe' }, 'REQUIRE_NONCE: must be true or false'],
    ['PORT', { PORT: 'abc' }, 'PORT: must be a port number'],
    ['PORT', { PORT: '70000' }, 'PORT: must be between 1 and 65535'],
    ['EMULATOR_PORT', { EMULATOR_PORT: '70000' }, 'EMULATOR_PORT: must be a port number'],
    ['DYNALITE_PORT', { DYNALITE_PORT: 'x' }, 'DYNALITE_PORT: must be a port number'],
  ])('stops on a malformed %s before the emulator starts, naming it', async (_name, env, message) => {
    const cwd = await scratchDir();
    const run = await runServer(env, undefined, cwd);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toContain('PUBLIC_BASE_URL'); // never a variable the user did not set
    expect(run.stderr).not.toMatch(/\n\s+at /);
    // Nothing started: no "Starting the local stack", and no local state (the stack's first act is creating it).
    expect(run.stdout).not.toContain('Starting the local stack');
    expect(existsSync(path.join(cwd, '.local'))).toBe(false);
  });

  it('starts on the ports it is given, says what the emulator lacks, and sends 127.0.0.1 to the configured localhost', async () => {
    const cwd = await scratchDir();
    const [port, emulatorPort, dynalitePort] = [await freePort(), await freePort(), await freePort()];
    const run = await runServer(
      {
        PORT: String(port),
        EMULATOR_PORT: String(emulatorPort),
        DEMO_PASSWORD: 'Demo-Passw0rd.cli',
        DYNALITE_PORT: String(dynalitePort),
      },
      (out) => out.includes('Press Ctrl-C'),
      cwd,
    );
    try {
      expect(run.stdout).toContain(`cognito-local on 127.0.0.1:${emulatorPort}`);
      // Server-side sessions by default: dynalite where DYNALITE_PORT says, every derived setting in .local/stack.env.
      expect(run.stdout).toContain(`dynalite on 127.0.0.1:${dynalitePort}`);
      const stackEnv = parseEnv(readFileSync(path.join(cwd, '.local', 'stack.env'), 'utf8'));
      expect(stackEnv).toMatchObject({
        SESSION_STORE: 'dynamodb',
        DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynalitePort}`,
        REQUIRE_NONCE: 'false',
      });
      for (const name of ['COGNITO_USER_POOL_ID', 'COGNITO_CLIENT_ID', 'COGNITO_DOMAIN', 'COOKIE_KEYS', 'SESSION_TABLE'])
        expect(stackEnv[name]).toBeTruthy();
      expect(run.stdout).toContain(`listening on http://localhost:${port}`);
      expect(run.stdout).toMatch(/local stack: cognito-local behind a front .* \/logout .* \/oauth2\/revoke/);
      // The emulator (its front) is where EMULATOR_PORT says, /logout included.
      expect(await (await fetch(`http://127.0.0.1:${emulatorPort}/health`)).json()).toEqual({ ok: true });

      const other = await fetch(`http://127.0.0.1:${port}/auth/login`, { redirect: 'manual' });
      expect(other.status).toBe(302);
      expect(other.headers.get('location')).toBe(`http://localhost:${port}/auth/login`);
      expect(other.headers.get('set-cookie')).toBeNull(); // no transaction cookie on the wrong origin
      const configured = await fetch(`http://localhost:${port}/auth/login`, { redirect: 'manual' });
      expect(configured.status).toBe(302);
      expect(configured.headers.get('location')).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${emulatorPort}/oauth2/authorize\\?`));
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      expect(await run.stop()).toBe(0);
    }
  });

  it('a second process started from .local/stack.env alone joins the same sessions: a logout on either is seen by the other', async () => {
    const cwd = await scratchDir();
    const [port, secondPort, emulatorPort, dynalitePort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const publicBaseUrl = `http://localhost:${port}`;
    const password = 'Demo-Passw0rd.second';
    const first = await runServer(
      { PORT: String(port), EMULATOR_PORT: String(emulatorPort), DYNALITE_PORT: String(dynalitePort), DEMO_PASSWORD: password },
      (out) => out.includes('Press Ctrl-C'),
      cwd,
    );
    let second: Awaited<ReturnType<typeof runServer>> | undefined;
    try {
      // Exactly what the contract says a second instance needs: the derived settings, its own PORT, the same
      // PUBLIC_BASE_URL. No AWS credentials anywhere (no HOME either): placeholders must reach dynalite.
      const stackEnv = parseEnv(readFileSync(path.join(cwd, '.local', 'stack.env'), 'utf8')) as Record<string, string>;
      second = await runServer({ ...stackEnv, PORT: String(secondPort), PUBLIC_BASE_URL: publicBaseUrl }, (out) =>
        out.includes('Press Ctrl-C'),
      );
      expect(second.stdout).not.toContain('Starting the local stack');
      const [one, two] = [publicBaseUrl, `http://localhost:${secondPort}`];

      /** Signs the demo user in through the first process and the emulator's form; returns the browser's cookies. */
      const signIn = async (): Promise<string> => {
        const jar = new CookieJar();
        const login = await fetch(`${one}/auth/login`, { redirect: 'manual' });
        jar.apply({ 'set-cookie': login.headers.getSetCookie() });
        const callbackUrl = await signInThroughEmulatorForm(login.headers.get('location')!, 'demo@example.com', password);
        const callback = await fetch(`${one}${new URL(callbackUrl).pathname}${new URL(callbackUrl).search}`, {
          redirect: 'manual',
          headers: { cookie: jar.header('/auth/callback') },
        });
        jar.apply({ 'set-cookie': callback.headers.getSetCookie() });
        expect(jar.names().sort()).toEqual(['__Host-bff-at', '__Host-bff-session']);
        return jar.header('/');
      };
      const tests = async (base: string, cookie: string) => (await fetch(`${base}/tests`, { headers: { cookie } })).status;
      const logout = async (base: string, cookie: string) =>
        (await fetch(`${base}/auth/logout`, { method: 'POST', headers: { cookie, 'x-csrf': '1' } })).status;

      // Signed in on the first process, served by the second: same emulator keys, same sessions table.
      const laptop = await signIn();
      expect(await tests(two, laptop)).toBe(200);
      // Logged out on the second: refused there at once, and on the first, which never vouched for it, at once too.
      expect(await logout(two, laptop)).toBe(200);
      expect(await tests(two, laptop)).toBe(401);
      expect(await tests(one, laptop)).toBe(401);

      // The other way round, with the second process having seen the session live (it may answer from that memory
      // for REVOCATION_CHECK_SECONDS, 5 by default): it refuses once the window has passed. The exact bound is checked
      // with an injected clock in test/integration/sessions.test.ts; here two real processes must agree.
      const phone = await signIn();
      expect(await tests(two, phone)).toBe(200);
      expect(await logout(one, phone)).toBe(200);
      expect(await tests(one, phone)).toBe(401);
      const deadline = Date.now() + 30_000;
      while ((await tests(two, phone)) !== 401) {
        if (Date.now() > deadline) throw new Error('the second process never saw the logout');
        await delay(250);
      }
    } finally {
      if (second) expect(await second.stop()).toBe(0);
      expect(await first.stop()).toBe(0);
    }
  });
});
