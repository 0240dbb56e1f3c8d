/**
 * Secrets by reference. The deployed Lambda's environment names Secrets Manager secrets (`COGNITO_CLIENT_SECRET_ARN`,
 * `COOKIE_KEYS_SECRET_ARN`) instead of carrying the values, so no secret sits in the CloudFormation template or the
 * function's configuration. At cold start they are read once and handed to the configuration as the plain variables.
 */
import type { EnvRecord } from '../config';

/** Reads one secret's string value. */
export type SecretFetcher = (arn: string) => Promise<string>;

/** Each `<NAME>_SECRET_ARN` variable and the variable its secret fills. */
export const SECRET_REFERENCES = {
  COGNITO_CLIENT_SECRET_ARN: 'COGNITO_CLIENT_SECRET',
  COOKIE_KEYS_SECRET_ARN: 'COOKIE_KEYS',
} as const;

export class SecretResolutionError extends Error {
  override readonly name = 'SecretResolutionError';
}

/** The environment with every referenced secret read and put in place; the value given directly wins over none. */
export async function resolveSecretReferences(env: EnvRecord, fetchSecret: SecretFetcher): Promise<EnvRecord> {
  const resolved: EnvRecord = { ...env };
  await Promise.all(
    Object.entries(SECRET_REFERENCES).map(async ([reference, target]) => {
      const arn = env[reference]?.trim();
      if (!arn) return;
      if (env[target]?.trim()) throw new SecretResolutionError(`${target} and ${reference} are both set: give one`);
      let value: string;
      try {
        value = (await fetchSecret(arn)).trim();
      } catch (error) {
        // The ARN is not secret; the reason may be an access-denied message worth reading.
        throw new SecretResolutionError(`${reference}: could not read ${arn}: ${error instanceof Error ? error.message : 'unknown error'}`);
      }
      if (!value) throw new SecretResolutionError(`${reference}: the secret ${arn} is empty`);
      resolved[target] = value;
    }),
  );
  return resolved;
}

/** Reads secrets with the AWS SDK the Lambda runtime provides (not bundled; loaded only when a reference exists). */
export function secretsManagerFetcher(): SecretFetcher {
  let client: Promise<{ send: (command: unknown) => Promise<{ SecretString?: string }> }> | undefined;
  let GetSecretValue: (new (input: { SecretId: string }) => unknown) | undefined;
  return async (arn) => {
    client ??= import('@aws-sdk/client-secrets-manager').then((sdk) => {
      GetSecretValue = sdk.GetSecretValueCommand as never;
      return new sdk.SecretsManagerClient({}) as never;
    });
    const sm = await client;
    const answer = await sm.send(new GetSecretValue!({ SecretId: arn }));
    if (typeof answer.SecretString !== 'string') throw new Error('the secret has no string value');
    return answer.SecretString;
  };
}
