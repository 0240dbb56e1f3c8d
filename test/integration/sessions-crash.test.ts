/**
 * Killing a BFF process in the middle of a refresh loses no session: a real server process (src/server.ts) takes the
 * refresh lease and calls the IdP, and is SIGKILLed while the IdP is still answering; another instance, once the
 * lease has run out (its clock moved, nobody waits), refreshes the same session with the refresh token still stored.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/cognito-local';
import { CookieJar } from '../support/cookie-jar';
import { startTestDynalite, type TestDynalite } from '../support/dynalite';
import { FakeIdp } from '../support/fake-idp';
import { buildHarness } from '../support/harness';
import { QUIET_ENV } from '../support/quiet-env';

const ROOT = path.resolve(__dirname, '../..');
const TSX = pathToFileURL(require.resolve('tsx')).href;
const IDP_TIMEOUT_MS = 20_000;

/** Polls a condition until it holds (bounded): waiting for another process, not for time to pass. */
async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(25);
  }
}

describe('a BFF process killed mid-refresh', () => {
  let idp: FakeIdp;
  let dynalite: TestDynalite;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    [idp, dynalite] = await Promise.all([FakeIdp.start(), startTestDynalite()]);
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await Promise.all([idp?.close(), dynalite?.stop()]);
  });

  it('loses no session: after its lease runs out another instance refreshes with the stored refresh token', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const env = idp.env({
      ...dynalite.env,
      PUBLIC_BASE_URL: 'http://localhost:3000',
      IDP_TIMEOUT_MS: String(IDP_TIMEOUT_MS),
      LOG_LEVEL: 'warn',
    });
    const server = spawn(process.execPath, ['--import', TSX, path.join(ROOT, 'src', 'server.ts')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...QUIET_ENV, ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = server;
    let output = '';
    server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await until('the server to listen', () => output.includes('listening'));

    // Sign in through the process.
    const jar = new CookieJar();
    const login = await fetch(`${baseUrl}/auth/login`, { redirect: 'manual' });
    jar.apply({ 'set-cookie': login.headers.getSetCookie() });
    const authorize = login.headers.get('location')!;
    const query = new URLSearchParams({ code: idp.issueCode(authorize), state: new URL(authorize).searchParams.get('state')! });
    const callback = await fetch(`${baseUrl}/auth/callback?${query}`, { redirect: 'manual', headers: { cookie: jar.header('/') } });
    jar.apply({ 'set-cookie': callback.headers.getSetCookie() });
    expect(jar.names().sort()).toEqual(['__Host-bff-at', '__Host-bff-session']);
    const firstRefreshToken = [...idp.issued].find((value) => !value.startsWith('eyJ') && value.length > 1000)!;

    // The process takes the lease and calls the IdP, which does not answer before the process dies.
    idp.tokenFault = { kind: 'delay', ms: IDP_TIMEOUT_MS };
    const refreshes = () => idp.requests.filter((r) => r.form.get('grant_type') === 'refresh_token');
    void fetch(`${baseUrl}/auth/refresh`, { method: 'POST', headers: { cookie: jar.header('/auth'), 'x-csrf': '1' } }).catch(
      () => undefined,
    );
    await until('the refresh to reach the IdP', () => refreshes().length === 1);
    server.kill('SIGKILL');
    await new Promise((resolve) => server.once('exit', resolve));
    idp.tokenFault = undefined;

    // Another instance, its clock past the dead process's lease: the session is there and refreshes.
    const later = Date.now() + IDP_TIMEOUT_MS + 5_000 + 1_000;
    const other = buildHarness('http', env, { clock: () => later });
    const response = await other.target.request('POST', '/auth/refresh', { headers: { Cookie: jar.header('/auth'), 'X-CSRF': '1' } });
    expect(response.status).toBe(200);
    expect(refreshes()).toHaveLength(2);
    expect(refreshes()[1]!.form.get('refresh_token')).toBe(firstRefreshToken);
  });
});
