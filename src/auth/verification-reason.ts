/**
 * How a failed verification is told: whether the keys were unavailable (fail closed, loudly), and why the token was
 * refused, as a log line may say it: a fixed reason code per failure class, plus the token header's
 * `alg` and `kid` as bounded, charset-filtered facts. Never aws-jwt-verify's own message, which quotes unverified header
 * values verbatim (a kilobyte-long `kid` became a kilobyte of log per request).
 */
import {
  CognitoJwtInvalidClientIdError,
  CognitoJwtInvalidGroupError,
  CognitoJwtInvalidTokenUseError,
  FailedAssertionError,
  FetchError,
  JwkInvalidKtyError,
  JwkInvalidUseError,
  JwksNotAvailableInCacheError,
  JwksValidationError,
  JwkValidationError,
  JwtExpiredError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtInvalidScopeError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
import { logFact } from '../http/log-facts';

/** Most specific first: several classes extend others. */
const REASONS: [abstract new (...args: never[]) => Error, string][] = [
  [JwtInvalidSignatureAlgorithmError, 'alg_not_allowed'],
  [JwtInvalidSignatureError, 'bad_signature'],
  [JwtExpiredError, 'expired'],
  [JwtNotBeforeError, 'not_yet_valid'],
  [JwtInvalidIssuerError, 'wrong_issuer'],
  [JwtInvalidAudienceError, 'wrong_audience'],
  [CognitoJwtInvalidClientIdError, 'wrong_client'],
  [CognitoJwtInvalidTokenUseError, 'wrong_token_use'],
  [JwtInvalidScopeError, 'wrong_scope'],
  [CognitoJwtInvalidGroupError, 'wrong_group'],
  [JwtWithoutValidKidError, 'no_kid'],
  [KidNotFoundInJwksError, 'kid_not_found'],
  [WaitPeriodNotYetEndedJwkError, 'kid_not_found_waiting'],
  [JwtParseError, 'malformed'],
  [FetchError, 'jwks_fetch_failed'],
  [JwksNotAvailableInCacheError, 'jwks_not_loaded'],
  [JwksValidationError, 'jwks_invalid'],
  [JwkValidationError, 'jwk_invalid'],
  [JwkInvalidUseError, 'jwk_invalid'],
  [JwkInvalidKtyError, 'jwk_invalid'],
  [FailedAssertionError, 'claim_invalid'],
];

/** Failures to get or read the keys themselves, as opposed to a token that does not check out. */
const KEY_SOURCE_ERRORS = [
  FetchError,
  JwksValidationError,
  JwkValidationError,
  JwksNotAvailableInCacheError,
  JwkInvalidUseError,
  JwkInvalidKtyError,
];

/** True when the keys could not be had at all (JWKS down or malformed): by class, as the library's `name` is "Error". */
export function keysUnavailable(error: unknown): boolean {
  return KEY_SOURCE_ERRORS.some((type) => error instanceof type);
}

/** Our own checks (verifiers.ts) throw plain Errors with fixed messages that name no input: kept as they are. */
const OWN_CHECK = /^(header parameter (jku|x5u|jwk|x5c) is not accepted|token has no (exp|sub))$/;

/** Longest token header decoded for its facts: more than any real header, less than a request may carry. */
const MAX_HEADER_CHARS = 16_384;

/** The header of a compact token, if it decodes to an object; a longer one is not decoded at all. */
function header(token: string): Record<string, unknown> | undefined {
  const end = token.indexOf('.');
  if (end <= 0 || end > MAX_HEADER_CHARS) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(token.slice(0, end), 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `reason_code (alg=…, kid=…)`: what the log says about a refused token. */
export function verificationReason(error: unknown, token: string): string {
  const known = REASONS.find(([type]) => error instanceof type);
  let code = known?.[1];
  if (code === undefined) code = error instanceof Error && OWN_CHECK.test(error.message) ? error.message.replace(/ /g, '_') : 'invalid';
  const fields = header(token);
  const facts = fields ? `alg=${logFact(fields.alg, 16)}, kid=${logFact(fields.kid)}` : 'header unreadable';
  return `${code} (${facts})`;
}
