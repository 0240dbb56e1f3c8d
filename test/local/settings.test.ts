/**
 * The local stack's check of the user's own settings (src/local/settings.ts): every malformed value named by the
 * variable the user set, before anything starts; the local stack's own ports; the user's cookie keys kept.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config';
import { checkLocalStackSettings, localStackEnvironment } from '../../src/local/settings';

const KEY = Buffer.alloc(32, 7).toString('base64url');

function problemsOf(env: Record<string, string>): string[] {
  try {
    checkLocalStackSettings(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => `${problem.variable ?? problem.option}: ${problem.message}`);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('checkLocalStackSettings', () => {
  it('takes an empty environment: the defaults (emulator on 9229, dynalite on 8000)', () => {
    expect(checkLocalStackSettings({})).toEqual({ emulatorPort: 9229, dynalitePort: 8000, demoPassword: undefined });
  });

  it('takes good values the user set, blank ones as unset', () => {
    expect(
      checkLocalStackSettings({
        PORT: '4000',
        EMULATOR_PORT: '9339',
        DYNALITE_PORT: '8001',
        DEMO_PASSWORD: ' Pw-1abcdefg ',
        LOG_LEVEL: '',
      }),
    ).toEqual({ emulatorPort: 9339, dynalitePort: 8001, demoPassword: 'Pw-1abcdefg' });
    expect(checkLocalStackSettings({ COOKIE_KEYS: KEY, REQUIRE_NONCE: 'false' }).emulatorPort).toBe(9229);
  });

  it.each([
    [{ COOKIE_KEYS: 'short' }, 'COOKIE_KEYS: key #1 is not 32 bytes'],
    [{ REQUIRE_NONCE: 'maybe' }, 'REQUIRE_NONCE: must be true or false'],
    [{ REQUIRE_NONCE: 'true' }, 'REQUIRE_NONCE: must be false (or unset) in the local stack'],
    [{ PORT: 'abc' }, 'PORT: must be a port number'],
    [{ PORT: '70000' }, 'PORT: must be between 1 and 65535'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL: must be one of'],
    [{ EMULATOR_PORT: '70000' }, 'EMULATOR_PORT: must be a port number from 1 to 65535'],
    [{ DYNALITE_PORT: 'eight' }, 'DYNALITE_PORT: must be a port number from 1 to 65535'],
    [{ EMULATOR_PORT: '3000' }, "EMULATOR_PORT: is the BFF's PORT (3000) too"],
    [{ PORT: '9229' }, "EMULATOR_PORT: is the BFF's PORT (9229) too"],
    [{ DYNALITE_PORT: '9229' }, 'DYNALITE_PORT: is EMULATOR_PORT (9229) too'],
    [{ COGNITO_ISSUER: 'http://127.0.0.1:9229/local_x' }, 'COGNITO_ISSUER: is set, but COGNITO_USER_POOL_ID'],
    [{ COGNITO_CLIENT_SECRET: 'secret' }, 'COGNITO_CLIENT_SECRET: is set, but'],
  ])('refuses %j naming the variable', (env, message) => {
    const problems = problemsOf(env);
    expect(problems.some((problem) => problem.startsWith(message))).toBe(true);
  });

  it('blames PORT alone for PORT=70000, never the PUBLIC_BASE_URL the user did not set', () => {
    expect(problemsOf({ PORT: '70000' })).toEqual(['PORT: must be between 1 and 65535']);
  });

  it('lists the problems of several settings at once', () => {
    const problems = problemsOf({ COOKIE_KEYS: 'short', PORT: '70000', REQUIRE_NONCE: 'true', EMULATOR_PORT: '0' });
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual(['COOKIE_KEYS', 'EMULATOR_PORT', 'PORT', 'REQUIRE_NONCE']);
  });
});

describe('localStackEnvironment', () => {
  const stack = { COGNITO_USER_POOL_ID: 'local_1', COOKIE_KEYS: 'generated', REQUIRE_NONCE: 'false' };

  it("keeps the user's own cookie keys over the generated one", () => {
    expect(localStackEnvironment({ COOKIE_KEYS: KEY, PORT: '4000' }, stack)).toMatchObject({ COOKIE_KEYS: KEY, PORT: '4000' });
  });

  it('uses the generated key when the user set none (or a blank one), and the derived IdP settings always', () => {
    expect(localStackEnvironment({ COOKIE_KEYS: ' ' }, stack)).toMatchObject({ COOKIE_KEYS: 'generated', COGNITO_USER_POOL_ID: 'local_1' });
  });
});
