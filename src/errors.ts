/**
 * Errors the app answers with. Each carries an HTTP status, a stable machine-readable `code`, a human `message`
 * that is safe to send, and `logInfo` that is logged and never sent. The error middleware (src/http/errors.ts) is
 * the one place that turns them into JSON.
 */
export abstract class AppError extends Error {
  abstract readonly status: number;
  constructor(
    readonly code: string,
    message: string,
    /** Detail for the log line only: never tokens, codes, secrets or cookie values. */
    readonly logInfo?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request is malformed (missing or duplicated parameter, bad JSON, wrong content type). */
export class InvalidRequestError extends AppError {
  readonly status: number;
  constructor(code: string, message: string, logInfo?: string, status = 400) {
    super(code, message, logInfo);
    this.status = status;
  }
}

/** No valid credentials: missing, expired or failed verification. Answers 401 with `WWW-Authenticate: Bearer`. */
export class UnauthenticatedError extends AppError {
  readonly status = 401;
  constructor(
    code: 'unauthenticated' | 'invalid_token' | 'refresh_refused',
    message: string,
    logInfo?: string,
    /** The RFC 6750 error for WWW-Authenticate, when a token was presented. */
    readonly bearerError?: 'invalid_token',
  ) {
    super(code, message, logInfo);
  }
}

/** A cross-site or otherwise forbidden request (CSRF header missing, Origin not allowed, identity mismatch). */
export class ForbiddenError extends AppError {
  readonly status = 403;
}

/** The login transaction does not check out: state missing or mismatched, transaction cookie missing or expired. */
export class LoginTransactionError extends AppError {
  readonly status = 400;
}

/** The IdP refused the grant (`invalid_grant`): a used, expired or foreign code, or a refused refresh token. */
export class GrantRejectedError extends AppError {
  readonly status = 400;
  constructor(logInfo?: string) {
    super('invalid_grant', 'The authorization grant was rejected by the identity provider.', logInfo);
  }
}

/** A token from the IdP failed our own verification (signature, issuer, audience, expiry, use, nonce). */
export class TokenRejectedError extends AppError {
  readonly status = 401;
  constructor(logInfo?: string) {
    super('invalid_token', 'A token from the identity provider failed verification.', logInfo);
  }
}

/** The IdP did not answer usefully: unreachable, 5xx, garbage, or a 4xx that says our client is misconfigured. */
export class IdpUnavailableError extends AppError {
  readonly status = 502;
  constructor(code: 'idp_unavailable' | 'idp_bad_response' | 'idp_error', logInfo?: string) {
    super(code, 'The identity provider could not complete the request.', logInfo);
  }
}

/** The IdP did not answer within the configured bound. */
export class IdpTimeoutError extends AppError {
  readonly status = 504;
  constructor(logInfo?: string) {
    super('idp_timeout', 'The identity provider did not answer in time.', logInfo);
  }
}

/**
 * The session store (DynamoDB) did not answer usefully: unreachable, throttled or failing. Nothing was changed and no
 * cookie is touched: the session is still there when the store is back.
 */
export class SessionStoreUnavailableError extends AppError {
  readonly status = 503;
  constructor(logInfo?: string) {
    super('session_store_unavailable', 'Sessions are unavailable right now; try again shortly.', logInfo);
  }
}

export class NotFoundError extends AppError {
  readonly status = 404;
  constructor() {
    super('not_found', 'No such route.');
  }
}
