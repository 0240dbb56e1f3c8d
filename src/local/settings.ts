/**
 * The user's settings for the local stack, checked before anything starts.
 *
 * The local stack derives the IdP settings (`COGNITO_*`, the issuer) itself, but everything else the user typed is
 * theirs and is validated first, by the same rules the BFF's configuration applies, with the message naming the
 * variable the user set: a malformed `PORT` or `COOKIE_KEYS` stops `npm start` before the emulator starts, not after.
 * Pure: it takes an environment record (the config module is the one reader of `process.env`).
 */
import { BffConfigError, parseConfig, type BffConfigProblem, type EnvRecord } from '../config';

export const DEFAULT_EMULATOR_PORT = 9229;
export const DEFAULT_DYNALITE_PORT = 8000;

/** What the local stack takes from the user besides the BFF's own settings. */
export interface LocalStackSettings {
  /** Where the emulator (its front: OAuth endpoints, sign-in form, token issuer) listens on 127.0.0.1. */
  emulatorPort: number;
  /** Where the embedded dynalite listens on 127.0.0.1. */
  dynalitePort: number;
  /** The demo user's password, when the user chose one. */
  demoPassword: string | undefined;
}

/** Settings the local stack sets itself: a user's value would be ignored, so it is refused instead. */
const DERIVED = ['COGNITO_CLIENT_SECRET', 'COGNITO_ISSUER'] as const;

/** Stand-ins for the derived IdP settings, so the user's own settings can be checked by the one set of rules. */
const PLACEHOLDERS: Record<string, string> = {
  COGNITO_USER_POOL_ID: 'local_placeholder',
  COGNITO_CLIENT_ID: 'placeholder',
  COGNITO_DOMAIN: 'http://127.0.0.1:1',
  COGNITO_ISSUER: 'http://127.0.0.1:1/local_placeholder',
  COOKIE_KEYS: Buffer.alloc(32).toString('base64url'),
  REQUIRE_NONCE: 'false',
};

function given(env: EnvRecord, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/**
 * Validates the user's settings for a local-stack start and returns the local stack's own. Throws BffConfigError listing
 * every problem, each naming the variable the user set.
 */
export function checkLocalStackSettings(env: EnvRecord): LocalStackSettings {
  const problems: BffConfigProblem[] = [];
  // Local-stack settings are variables only: no option of the library carries them.
  const problem = (name: string, text: string): void => void problems.push({ option: name, variable: name, message: text });

  for (const name of DERIVED) {
    if (given(env, name) !== undefined) {
      problem(
        name,
        'is set, but COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID and COGNITO_DOMAIN are not: the local stack sets it itself. ' +
          'Unset it, or set all three to serve against that IdP',
      );
    }
  }
  if (given(env, 'REQUIRE_NONCE') === 'true') {
    problem(
      'REQUIRE_NONCE',
      'must be false (or unset) in the local stack: cognito-local does not echo the nonce, so no sign-in would pass',
    );
  }

  // The BFF's own rules, on the user's values: the placeholders fill only what the user did not set.
  const userValues: EnvRecord = {};
  for (const [name, value] of Object.entries(env)) if (value?.trim()) userValues[name] = value;
  try {
    parseConfig({ ...PLACEHOLDERS, ...userValues });
  } catch (error) {
    if (!(error instanceof BffConfigError)) throw error;
    for (const found of error.problems) {
      if (!problems.some((known) => known.variable === found.variable && known.message === found.message)) problems.push(found);
    }
  }

  const port = portSetting(env, 'PORT', 3000, problem);
  const emulatorPort = portSetting(env, 'EMULATOR_PORT', DEFAULT_EMULATOR_PORT, problem);
  const dynalitePort = portSetting(env, 'DYNALITE_PORT', DEFAULT_DYNALITE_PORT, problem);
  if (emulatorPort !== undefined && emulatorPort === port) problem('EMULATOR_PORT', `is the BFF's PORT (${port}) too: choose another`);
  if (dynalitePort !== undefined && dynalitePort === port) problem('DYNALITE_PORT', `is the BFF's PORT (${port}) too: choose another`);
  if (dynalitePort !== undefined && dynalitePort === emulatorPort)
    problem('DYNALITE_PORT', `is EMULATOR_PORT (${emulatorPort}) too: choose another`);

  if (problems.length > 0) throw new BffConfigError(problems, 'env');
  return {
    emulatorPort: emulatorPort ?? DEFAULT_EMULATOR_PORT,
    dynalitePort: dynalitePort ?? DEFAULT_DYNALITE_PORT,
    demoPassword: given(env, 'DEMO_PASSWORD'),
  };
}

/** A port from 1 to 65535, the default when unset; undefined (and a problem) when malformed. PORT's own problem is
 * reported by the BFF's rules already. */
function portSetting(env: EnvRecord, name: string, fallback: number, problem: (name: string, text: string) => void): number | undefined {
  const text = given(env, name);
  if (text === undefined) return fallback;
  const value = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (value >= 1 && value <= 65_535) return value;
  if (name !== 'PORT') problem(name, 'must be a port number from 1 to 65535');
  return undefined;
}

/**
 * The environment the BFF's configuration is parsed from once the local stack runs: the user's settings, the stack's
 * derived ones on top, except the cookie keys, where the user's own (already checked) win over the generated key.
 */
export function localStackEnvironment(env: EnvRecord, stackSettings: Record<string, string>): EnvRecord {
  const cookieKeys = given(env, 'COOKIE_KEYS');
  return { ...env, ...stackSettings, ...(cookieKeys ? { COOKIE_KEYS: cookieKeys } : {}) };
}
