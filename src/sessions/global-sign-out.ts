/**
 * "Sign out everywhere" at Cognito too (`POST /auth/logout {"everywhere":true}` with server-side sessions): where the
 * Cognito API lives for this configuration, and a sign-out function that loads the SDK client on its first call.
 *
 * Endpoint: with an issuer override (`COGNITO_ISSUER`: an emulator, the tests' fake IdP) the issuer's origin, where
 * cognito-local serves the cognito-idp JSON API; otherwise the SDK's regional endpoint for the pool id's region.
 */
import type { CognitoSettings } from '../options';

/** Signs the user (by Cognito username) out at the IdP; rejects when the IdP refused or did not answer in time. */
export type GlobalSignOut = (username: string) => Promise<void>;

/** The region prefix of a pool id (`us-west-2_AbC123`), if it has one (cognito-local's `local_…` does not). */
const POOL_REGION = /^([a-z]{2}(?:-[a-z]+)+-\d)_/;

export function cognitoApiTarget(cognito: Pick<CognitoSettings, 'userPoolId' | 'issuer' | 'customIssuer'>): {
  endpoint: string | undefined;
  region: string;
} {
  const region = POOL_REGION.exec(cognito.userPoolId)?.[1];
  if (cognito.customIssuer) return { endpoint: new URL(cognito.issuer).origin, region: region ?? 'local' };
  // Without an override the options insist on a pool id with a region (the issuer is derived from it).
  return { endpoint: undefined, region: region ?? 'us-east-1' };
}

export function lazyGlobalSignOut(cognito: CognitoSettings, timeoutMs: number): GlobalSignOut {
  let signOut: Promise<GlobalSignOut> | undefined;
  return async (username) => {
    signOut ??= import('./cognito-sign-out.js').then(({ createCognitoSignOut }) =>
      createCognitoSignOut({ userPoolId: cognito.userPoolId, ...cognitoApiTarget(cognito), timeoutMs }),
    );
    return (await signOut)(username);
  };
}
