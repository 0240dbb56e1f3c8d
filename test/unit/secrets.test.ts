import { describe, expect, it } from 'vitest';
import { resolveSecretReferences, SecretResolutionError } from '../../src/aws-lambda/secrets';

const ARN_SECRET = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:client-secret-AbCdEf';
const ARN_KEYS = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:cookie-keys-AbCdEf';

/** Stands in for Secrets Manager (AWS cannot run here): answers from a map, remembers what was asked. */
function fetcherFor(values: Record<string, string>) {
  const asked: string[] = [];
  const fetch = async (arn: string) => {
    asked.push(arn);
    const value = values[arn];
    if (value === undefined) throw new Error(`ResourceNotFoundException: ${arn}`);
    return value;
  };
  return { fetch, asked };
}

describe('resolveSecretReferences', () => {
  it('fills COGNITO_CLIENT_SECRET and COOKIE_KEYS from the referenced secrets', async () => {
    const { fetch, asked } = fetcherFor({ [ARN_SECRET]: 'the-secret\n', [ARN_KEYS]: 'k1,k2' });
    const env = await resolveSecretReferences(
      { COGNITO_CLIENT_SECRET_ARN: ARN_SECRET, COOKIE_KEYS_SECRET_ARN: ARN_KEYS, OTHER: 'x' },
      fetch,
    );
    expect(env).toMatchObject({ COGNITO_CLIENT_SECRET: 'the-secret', COOKIE_KEYS: 'k1,k2', OTHER: 'x' });
    expect(asked.sort()).toEqual([ARN_KEYS, ARN_SECRET].sort());
  });

  it('asks for nothing when no reference is set', async () => {
    const { fetch, asked } = fetcherFor({});
    expect(await resolveSecretReferences({ COOKIE_KEYS: 'direct' }, fetch)).toEqual({ COOKIE_KEYS: 'direct' });
    expect(asked).toEqual([]);
  });

  it('refuses a value given both directly and by reference', async () => {
    const { fetch } = fetcherFor({ [ARN_KEYS]: 'k' });
    await expect(resolveSecretReferences({ COOKIE_KEYS: 'direct', COOKIE_KEYS_SECRET_ARN: ARN_KEYS }, fetch)).rejects.toThrow(/both set/);
  });

  it('names the reference when a secret cannot be read or is empty, never a secret value', async () => {
    const { fetch } = fetcherFor({ [ARN_KEYS]: '   ' });
    await expect(resolveSecretReferences({ COGNITO_CLIENT_SECRET_ARN: ARN_SECRET }, fetch)).rejects.toThrow(SecretResolutionError);
    await expect(resolveSecretReferences({ COGNITO_CLIENT_SECRET_ARN: ARN_SECRET }, fetch)).rejects.toThrow(
      /COGNITO_CLIENT_SECRET_ARN: could not read/,
    );
    await expect(resolveSecretReferences({ COOKIE_KEYS_SECRET_ARN: ARN_KEYS }, fetch)).rejects.toThrow(/is empty/);
  });
});
