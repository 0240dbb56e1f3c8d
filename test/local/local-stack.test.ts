import { readFile, rm } from 'node:fs/promises';
import { parseEnv } from 'node:util';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack } from '../../src/local/local-stack';
import { buildAuthorizationRequest, exchangeCode, freePort, signInThroughEmulatorForm } from '../support/cognito-local';
import { testClient } from '../support/dynalite';
import { isAlive, tempDir } from './helpers';

describe('startLocalStack', () => {
  let rootDir = '';
  afterAll(async () => {
    if (rootDir) await rm(rootDir, { recursive: true, force: true });
  });

  it('keeps ids and the cookie key across restarts, and generates a working demo password when none is given', async () => {
    rootDir = await tempDir();
    const port = await freePort();
    const publicBaseUrl = 'http://localhost:3000';

    const first = await startLocalStack({ rootDir, emulatorPort: port, publicBaseUrl });
    await first.stop();
    expect(isAlive(first.emulator.pid)).toBe(false);
    const second = await startLocalStack({ rootDir, emulatorPort: port, publicBaseUrl });
    try {
      expect(second.settings).toEqual(first.settings);
      expect(Object.keys(second.settings).sort()).toEqual([
        'COGNITO_CLIENT_ID',
        'COGNITO_CLIENT_SECRET',
        'COGNITO_DOMAIN',
        'COGNITO_ISSUER',
        'COGNITO_USER_POOL_ID',
        'COOKIE_KEYS',
        'REQUIRE_NONCE',
        'SERVE_DEMO_SPA',
      ]);
      expect(second.settings).toMatchObject({
        COGNITO_DOMAIN: `http://127.0.0.1:${port}`,
        COGNITO_ISSUER: `http://127.0.0.1:${port}/${second.pool.userPoolId}`,
        REQUIRE_NONCE: 'false',
      });
      expect(second.pool.userPoolId).toMatch(/^local_/);

      // A fresh password at every start: only the latest one signs in.
      expect(second.pool.demoPassword).not.toBe(first.pool.demoPassword);
      const callback = `${publicBaseUrl}/auth/callback`;
      const location = await signInThroughEmulatorForm(
        buildAuthorizationRequest(second.settings, callback).url,
        second.pool.demoUsername,
        second.pool.demoPassword,
      );
      expect(new URL(location).searchParams.get('code')).toMatch(/\S+/);
    } finally {
      await second.stop();
    }
  });

  it('keeps a revoked refresh token refused after a restart, as Cognito does', async () => {
    const dir = await tempDir();
    const port = await freePort();
    const publicBaseUrl = 'http://localhost:3000';
    const callback = `${publicBaseUrl}/auth/callback`;
    const first = await startLocalStack({ rootDir: dir, emulatorPort: port, publicBaseUrl, demoPassword: 'Test-Passw0rd.restart' });
    let second: Awaited<ReturnType<typeof startLocalStack>> | undefined;
    try {
      const request = buildAuthorizationRequest(first.settings, callback);
      const location = await signInThroughEmulatorForm(request.url, first.pool.demoUsername, 'Test-Passw0rd.restart');
      const code = new URL(location).searchParams.get('code')!;
      const tokens = await exchangeCode(first.settings, { code, redirectUri: callback, codeVerifier: request.codeVerifier });
      const { COGNITO_DOMAIN: domain, COGNITO_CLIENT_ID: clientId, COGNITO_CLIENT_SECRET: secret } = first.settings;
      const form = (body: Record<string, string>) => ({
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
        },
        body: new URLSearchParams(body),
      });
      const refresh = () =>
        fetch(`${domain}/oauth2/token`, form({ grant_type: 'refresh_token', client_id: clientId!, refresh_token: tokens.refresh_token! }));
      expect((await fetch(`${domain}/oauth2/revoke`, form({ token: tokens.refresh_token!, client_id: clientId! }))).status).toBe(200);
      expect((await refresh()).status).toBe(400);

      await first.stop();
      second = await startLocalStack({ rootDir: dir, emulatorPort: port, publicBaseUrl, demoPassword: 'Test-Passw0rd.restart' });
      const after = await refresh();
      expect(after.status).toBe(400);
      expect(await after.json()).toMatchObject({ error: 'invalid_grant' });
    } finally {
      await first.stop();
      await second?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs dynalite beside the emulator with the sessions table, and writes every derived setting to stack.env', async () => {
    const dir = await tempDir();
    const [emulatorPort, dynalitePort] = [await freePort(), await freePort()];
    const stack = await startLocalStack({ rootDir: dir, emulatorPort, dynalitePort, publicBaseUrl: 'http://localhost:3000' });
    try {
      expect(stack.settings).toMatchObject({
        SESSION_STORE: 'dynamodb',
        SESSION_TABLE: 'cognito-bff-sessions',
        DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynalitePort}`,
      });
      // What a second BFF process reads: exactly the settings this one runs with.
      expect(stack.envFile).toBe(`${dir}/stack.env`);
      expect(parseEnv(await readFile(stack.envFile, 'utf8'))).toEqual(stack.settings);
      const client = testClient(stack.settings.DYNAMODB_ENDPOINT!);
      try {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: 'cognito-bff-sessions' }));
        expect(Table?.KeySchema).toEqual([
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ]);
      } finally {
        client.destroy();
      }
    } finally {
      await stack.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
