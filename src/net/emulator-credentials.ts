/**
 * Credentials for an AWS emulator on loopback (dynalite, cognito-local): the environment's or the shared AWS files'
 * when there are any, placeholder credentials otherwise. Emulators accept any signature; a second BFF process started
 * from `.local/stack.env` alone must reach them. The instance-metadata service is never asked: on a laptop it costs a
 * second's timeout for credentials the emulator does not check.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { fromIni } from '@aws-sdk/credential-provider-ini';

export type AwsCredentialIdentity = Awaited<ReturnType<ReturnType<typeof fromEnv>>>;

export const PLACEHOLDER_CREDENTIALS: AwsCredentialIdentity = { accessKeyId: 'local', secretAccessKey: 'local' };

export async function emulatorCredentials(): Promise<AwsCredentialIdentity> {
  for (const provider of [fromEnv(), fromIni()]) {
    try {
      return await provider();
    } catch {
      // not configured that way: try the next
    }
  }
  return PLACEHOLDER_CREDENTIALS;
}
