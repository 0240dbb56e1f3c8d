/**
 * Signs a user out at Cognito: `AdminUserGlobalSignOut` (the cognito-idp JSON API, IAM-signed; the caller needs
 * `cognito-idp:AdminUserGlobalSignOut` on the pool). Cognito then refuses every refresh token it issued to the user,
 * in every app and on every device, and the access tokens for its own user-pool API; the BFF's own sessions are ended
 * by the store, not by this (Cognito's access tokens stay valid JWTs to aws-jwt-verify until they expire).
 *
 * Loaded on first use (src/sessions/global-sign-out.ts imports this file only when a user signs out everywhere): the
 * SDK client for Cognito costs nothing at start, and the Lambda bundle leaves `@aws-sdk/*` to the runtime.
 */
import {
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  type CognitoIdentityProviderClientConfig,
} from '@aws-sdk/client-cognito-identity-provider';
import { emulatorCredentials } from '../net/emulator-credentials';
import { isLoopbackHost } from '../net/loopback';

export interface CognitoSignOutOptions {
  userPoolId: string;
  /** The cognito-idp API's base URL (an emulator's); undefined: the SDK's regional endpoint. */
  endpoint: string | undefined;
  region: string;
  /** Bound on the whole call, retries included (IDP_TIMEOUT_MS). */
  timeoutMs: number;
}

/** One client per process, built on the first sign-out; returns the function that signs one user out. */
export function createCognitoSignOut(options: CognitoSignOutOptions): (username: string) => Promise<void> {
  const client = new CognitoIdentityProviderClient(clientConfig(options));
  return async (username) => {
    await client.send(new AdminUserGlobalSignOutCommand({ UserPoolId: options.userPoolId, Username: username }), {
      abortSignal: AbortSignal.timeout(options.timeoutMs),
    });
  };
}

function clientConfig(options: CognitoSignOutOptions): CognitoIdentityProviderClientConfig {
  const config: CognitoIdentityProviderClientConfig = {
    region: options.region,
    // One retry (throttling included, with the SDK's backoff); the abort signal bounds both attempts together.
    maxAttempts: 2,
    requestHandler: { connectionTimeout: Math.min(1000, options.timeoutMs), requestTimeout: options.timeoutMs },
  };
  if (options.endpoint !== undefined) {
    config.endpoint = options.endpoint;
    if (isLoopbackHost(new URL(options.endpoint).hostname)) config.credentials = emulatorCredentials;
  }
  return config;
}
