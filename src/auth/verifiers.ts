/**
 * Token verification with aws-jwt-verify, built once (module scope in Lambda) and hydrated at start so warm
 * instances reuse the JWKS cache.
 *
 * Real pools use CognitoJwtVerifier (issuer and JWKS derived from the pool id). An explicit issuer (an emulator such
 * as cognito-local, or the `issuer-cognito-idp` form) uses the generic JwtVerifier with Cognito's own claim checks.
 * On top of the library: `exp` is required (the library accepts a token without one), and header parameters that
 * point elsewhere for keys (`jku`, `x5u`, `jwk`, `x5c`) are refused outright rather than silently ignored.
 *
 * Access tokens that passed verification are remembered in a VerifiedTokenCache (matched on the whole token, bounded, never
 * past `exp`, never past the JWKS holding the very key that verified them): see verified-token-cache.ts.
 */
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import { JwtVerifier } from 'aws-jwt-verify/jwt-verifier';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache, type Jwk, type JwksCache } from 'aws-jwt-verify/jwk';
import type { JwtHeader, JwtPayload } from 'aws-jwt-verify/jwt-model';
import type { CognitoSettings } from '../config';
import { createJwksFetcher } from './jwks-fetcher';
import { keysUnavailable, verificationReason } from './verification-reason';
import { VerifiedTokenCache } from './verified-token-cache';

export interface AccessClaims {
  sub: string;
  username: string;
  clientId: string;
  scope: string[];
  groups: string[];
  /** Epoch seconds. */
  exp: number;
  /** The token's id, and the id Cognito keeps across the refreshes of one sign-in: what ties it to a stored session. */
  jti?: string;
  originJti?: string;
}

export interface IdClaims {
  sub: string;
  username: string;
  email: string | undefined;
  groups: string[];
  nonce: string | undefined;
  exp: number;
}

export interface TokenVerifiers {
  verifyAccessToken(token: string): Promise<AccessClaims>;
  /**
   * The claims of an access token that verifyAccessToken accepted before and that is still good (its exp not passed,
   * the key that verified it still in the JWKS), synchronously; undefined means: call verifyAccessToken. Only ever
   * answers for compact JWS strings (three base64url segments).
   */
  cachedAccessClaims?(token: string): AccessClaims | undefined;
  verifyIdToken(token: string): Promise<IdClaims>;
  /** Loads the JWKS ahead of the first request. */
  hydrate(): Promise<void>;
}

/** Why a token was refused, for the log (never the token). */
export class TokenVerificationError extends Error {
  constructor(
    message: string,
    /** True when the keys could not be had at all (JWKS down or malformed): fail closed, but log it loudly. */
    readonly keysUnavailable = false,
  ) {
    super(message);
    this.name = 'TokenVerificationError';
  }
}

/** Header parameters that name a key source; an attacker controls them, so a token carrying one is refused. */
const FOREIGN_KEY_HEADERS = ['jku', 'x5u', 'jwk', 'x5c'] as const;

function strictChecks(header: JwtHeader, payload: JwtPayload): void {
  for (const name of FOREIGN_KEY_HEADERS) {
    if (name in header) throw new Error(`header parameter ${name} is not accepted`);
  }
  if (typeof payload.exp !== 'number') throw new Error('token has no exp');
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new Error('token has no sub');
}

type VerifyFn = (token: string) => Promise<JwtPayload>;

/** The members that make a JWK the key it is (RFC 7517/7518): equal in all of them, the same key for the same use. */
const KEY_MEMBERS = ['kid', 'kty', 'alg', 'use', 'n', 'e', 'crv', 'x', 'y'] as const;

function sameKey(a: Jwk, b: Jwk): boolean {
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  return KEY_MEMBERS.every((member) => left[member] === right[member]);
}

/** Three base64url segments: the only shape of token the verified-token cache holds. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

async function runVerification(verify: VerifyFn, token: string): Promise<JwtPayload> {
  try {
    return await verify(token);
  } catch (error) {
    // A reason code and bounded facts, never the library's message: it quotes unverified header values verbatim.
    throw new TokenVerificationError(verificationReason(error, token), keysUnavailable(error));
  }
}

export interface VerifierOptions {
  /** Shared JWKS cache; default a SimpleJwksCache with a fetcher that allows plain http only on loopback. */
  jwksCache?: JwksCache;
  /** What downloads the JWKS for the default cache (the runtime wraps it in telemetry). @default createJwksFetcher() */
  jwksFetcher?: Fetcher;
  /** The cache of verified access tokens: its bound and clock (epoch ms, default Date.now), or false for none. */
  tokenCache?: false | { maxEntries?: number; now?: () => number };
}

export function createTokenVerifiers(cognito: CognitoSettings, options: VerifierOptions = {}): TokenVerifiers {
  const jwksCache = options.jwksCache ?? new SimpleJwksCache({ fetcher: options.jwksFetcher ?? createJwksFetcher() });
  // The JWK that verified each access-token payload (aws-jwt-verify hands it to customJwtCheck once the signature
  // checked out). Weak: nothing is kept beyond the payload's own life.
  const verifiedWith = new WeakMap<JwtPayload, Jwk>();
  const customJwtCheck =
    (tokenUse: 'id' | 'access') =>
    ({ header, payload, jwk }: { header: JwtHeader; payload: JwtPayload; jwk: Jwk }): void => {
      strictChecks(header, payload);
      if (cognito.customIssuer) validateCognitoJwtFields(payload, { tokenUse, clientId: cognito.clientId });
      if (tokenUse === 'access') verifiedWith.set(payload, jwk);
    };
  /**
   * True while the JWKS cache holds this key for its kid: the very JWK object, or, after a refetch (which builds new
   * objects, and which one token with an unknown kid can cause), a JWK with the same key material. So a refetch ends
   * the entries of keys that left the JWKS or changed, and keeps every other.
   */
  const keyIsCurrent = (jwk: Jwk): boolean => {
    if (typeof jwk.kid !== 'string') return false;
    let current: Jwk;
    try {
      current = jwksCache.getCachedJwk(cognito.jwksUri, { header: { kid: jwk.kid, alg: jwk.alg ?? 'RS256' }, payload: {} });
    } catch {
      return false;
    }
    return current === jwk || sameKey(current, jwk);
  };
  const tokenCache =
    options.tokenCache === false ? undefined : new VerifiedTokenCache<AccessClaims, Jwk>({ ...options.tokenCache, keyIsCurrent });

  let verifyAccess: VerifyFn;
  let verifyId: VerifyFn;
  let hydrate: () => Promise<void>;
  if (cognito.customIssuer) {
    const access = JwtVerifier.create(
      { issuer: cognito.issuer, jwksUri: cognito.jwksUri, audience: null, customJwtCheck: customJwtCheck('access') },
      { jwksCache },
    );
    const id = JwtVerifier.create(
      { issuer: cognito.issuer, jwksUri: cognito.jwksUri, audience: null, customJwtCheck: customJwtCheck('id') },
      { jwksCache },
    );
    verifyAccess = (token) => access.verify(token) as Promise<JwtPayload>;
    verifyId = (token) => id.verify(token) as Promise<JwtPayload>;
    hydrate = () => access.hydrate();
  } else {
    const access = CognitoJwtVerifier.create(
      { userPoolId: cognito.userPoolId, tokenUse: 'access', clientId: cognito.clientId, customJwtCheck: customJwtCheck('access') },
      { jwksCache },
    );
    const id = CognitoJwtVerifier.create(
      { userPoolId: cognito.userPoolId, tokenUse: 'id', clientId: cognito.clientId, customJwtCheck: customJwtCheck('id') },
      { jwksCache },
    );
    verifyAccess = (token) => access.verify(token) as Promise<JwtPayload>;
    verifyId = (token) => id.verify(token) as Promise<JwtPayload>;
    hydrate = () => access.hydrate();
  }

  return {
    async verifyAccessToken(token) {
      const cached = tokenCache?.get(token);
      if (cached !== undefined) return cached;
      const payload = await runVerification(verifyAccess, token);
      // Frozen: one claims object may serve many requests.
      const claims: AccessClaims = Object.freeze({
        sub: String(payload.sub),
        username: typeof payload.username === 'string' ? payload.username : String(payload.sub),
        clientId: typeof payload.client_id === 'string' ? payload.client_id : '',
        scope: Object.freeze(typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : []) as string[],
        groups: Object.freeze(stringArray(payload['cognito:groups'])) as string[],
        exp: payload.exp as number,
        jti: typeof payload.jti === 'string' ? payload.jti : undefined,
        originJti: typeof payload.origin_jti === 'string' ? payload.origin_jti : undefined,
      });
      const jwk = verifiedWith.get(payload);
      // Only compact JWS strings are remembered (the guards' Bearer fast path relies on it).
      if (tokenCache && jwk && COMPACT_JWS.test(token)) tokenCache.remember(token, claims, claims.exp, jwk);
      return claims;
    },
    cachedAccessClaims: (token) => tokenCache?.get(token),
    async verifyIdToken(token) {
      const payload = await runVerification(verifyId, token);
      const username = payload['cognito:username'];
      return {
        sub: String(payload.sub),
        username: typeof username === 'string' ? username : String(payload.sub),
        email: typeof payload.email === 'string' ? payload.email : undefined,
        groups: stringArray(payload['cognito:groups']),
        nonce: typeof payload.nonce === 'string' ? payload.nonce : undefined,
        exp: payload.exp as number,
      };
    },
    hydrate,
  };
}
