import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack } from '../../src/local/local-stack';
import { buildAuthorizationRequest, freePort, signInThroughEmulatorForm } from '../support/cognito-local';
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
});
