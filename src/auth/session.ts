/**
 * Turning a token set from the IdP into a session: both tokens verified by us (defense in depth: the IdP's answer
 * is not trusted just because it came over TLS), the nonce checked, the two tokens tied to the same user.
 */
import type { Logger } from '../logger';
import { IdpUnavailableError, TokenRejectedError } from '../errors';
import type { TokenSet } from './idp-client';
import type { NewSession, SessionUser } from './session-cookies';
import { sameSecret } from './transaction';
import { TokenVerificationError, type AccessClaims, type TokenVerifiers } from './verifiers';

export interface NonceCheck {
  expected: string;
  /** False only for an emulator that does not echo the nonce (configured, logged at start). */
  required: boolean;
}

export async function sessionFromTokens(
  tokens: TokenSet,
  deps: { verifiers: TokenVerifiers; logger: Logger },
  nonce: NonceCheck | undefined,
): Promise<NewSession> {
  let access: AccessClaims;
  let id: Awaited<ReturnType<TokenVerifiers['verifyIdToken']>>;
  try {
    [id, access] = await Promise.all([deps.verifiers.verifyIdToken(tokens.idToken), deps.verifiers.verifyAccessToken(tokens.accessToken)]);
  } catch (error) {
    if (error instanceof TokenVerificationError) {
      if (error.keysUnavailable) {
        // Nobody could check these tokens: no session from them. The IdP's keys are down, not the user's tokens
        // wrong, so the answer is the IdP's fault (502): a refresh keeps the session, a sign-in can be retried.
        deps.logger.error('token keys unavailable: failing closed', { reason: error.message });
        throw new IdpUnavailableError('idp_unavailable', `JWKS unavailable: ${error.message}`);
      }
      throw new TokenRejectedError(error.message);
    }
    throw error;
  }
  if (nonce) {
    if (id.nonce === undefined) {
      if (nonce.required) throw new TokenRejectedError('ID token has no nonce');
      deps.logger.debug('ID token carries no nonce; accepted because REQUIRE_NONCE=false');
    } else if (!sameSecret(id.nonce, nonce.expected)) {
      throw new TokenRejectedError('ID token nonce does not match the login transaction');
    }
  }
  if (id.sub !== access.sub) throw new TokenRejectedError('ID and access tokens name different users');

  const user: SessionUser = { sub: access.sub, username: access.username, groups: access.groups.length ? access.groups : id.groups };
  if (id.email !== undefined) user.email = id.email;
  return { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, profile: { user, expiresAt: access.exp } };
}
