/**
 * /auth/callback: the end of a sign-in.
 *
 * GET: the IdP redirected the browser here with `code` and `state`. The state must match a login transaction of
 * this browser; the code is exchanged with that transaction's PKCE verifier; both tokens are verified, the nonce
 * checked, and only then are session cookies set. Any failure: no session cookie, a redirect to the app with
 * `auth_error=<code>`.
 *
 * POST: the SPA received the code itself and hands it over as JSON.
 */
import type { Request, Response } from 'express';
import { AppError, InvalidRequestError, LoginTransactionError } from '../../errors';
import { expireCookie } from '../../http/cookies';
import { forRequest, type AuthContext } from '../context';
import { newSessionCookies } from '../new-session';
import { singleParameter } from '../request-input';
import { sessionFromTokens, type NonceCheck } from '../session';
import { openTransaction, sameSecret, TRANSACTION_COOKIE_ATTRS, transactionCookieName, type LoginTransaction } from '../transaction';

const IDP_ERROR = /^[a-z_]{1,40}$/;
/** RFC 7636 4.1: 43 to 128 characters of the unreserved set. */
const PKCE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** The transaction this state belongs to, or a LoginTransactionError. */
function transactionFor(context: AuthContext, req: Request, state: string | undefined): LoginTransaction {
  if (state === undefined || state === '') throw new LoginTransactionError('invalid_state', 'The sign-in response has no state.');
  const sealed = req.cookies?.[transactionCookieName(state)];
  const transaction = typeof sealed === 'string' ? openTransaction(context.sealer, sealed, context.now()) : undefined;
  if (!transaction) {
    throw new LoginTransactionError(
      'invalid_state',
      'The sign-in could not be matched to a login started in this browser.',
      'no open transaction for this state',
    );
  }
  if (!sameSecret(transaction.state, state)) throw new LoginTransactionError('invalid_state', 'The sign-in state does not match.');
  return transaction;
}

function nonceCheck(context: AuthContext, expected: string | undefined): NonceCheck | undefined {
  return expected === undefined ? undefined : { expected, required: context.config.requireNonce };
}

export function callbackGetRoute(shared: AuthContext) {
  return async (req: Request, res: Response): Promise<void> => {
    const context = forRequest(shared, req);
    const query = req.query as Record<string, unknown>;
    const rawState = typeof query.state === 'string' ? query.state : undefined;
    // Whatever happens, this transaction is used up.
    if (rawState) res.append('Set-Cookie', expireCookie(transactionCookieName(rawState), TRANSACTION_COOKIE_ATTRS));
    try {
      const idpError = query.error;
      if (idpError !== undefined) {
        // Reflected only as one of a known shape; anything else becomes a generic code.
        const code = typeof idpError === 'string' && IDP_ERROR.test(idpError) ? idpError : 'idp_error';
        throw new InvalidRequestError(code, 'The identity provider reported an error.', `IdP error parameter: ${code}`);
      }
      const state = singleParameter(query, 'state');
      const code = singleParameter(query, 'code');
      const transaction = transactionFor(context, req, state);
      if (!code) throw new InvalidRequestError('invalid_request', 'The sign-in response has no code.');
      const tokens = await context.idp.exchangeCode({ code, redirectUri: transaction.redirectUri, codeVerifier: transaction.codeVerifier });
      const session = await sessionFromTokens(tokens, context, nonceCheck(context, transaction.nonce));
      res.append('Set-Cookie', await newSessionCookies(context, req, session));
      context.logger.info('sign-in completed', { event: 'sign_in', sub: session.profile.user.sub });
      res.redirect(302, transaction.returnTo);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      context.logger.warn('sign-in failed', { event: 'sign_in_failed', code: error.code, reason: error.logInfo ?? error.message });
      const target = new URL(context.config.postLoginUrl);
      target.searchParams.set('auth_error', error.code);
      res.redirect(302, target.href);
    }
  };
}

function allowedRedirectUri(context: AuthContext, value: string): boolean {
  if (value === context.config.redirectUri) return true;
  try {
    const url = new URL(value);
    return !url.username && !url.password && !url.hash && context.config.allowedOrigins.includes(url.origin);
  } catch {
    return false;
  }
}

export function callbackPostRoute(shared: AuthContext) {
  return async (req: Request, res: Response): Promise<void> => {
    const context = forRequest(shared, req);
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new InvalidRequestError('invalid_request', 'The body must be a JSON object.');
    }
    const input = body as Record<string, unknown>;
    const code = singleParameter(input, 'code');
    const redirectUri = singleParameter(input, 'redirectUri');
    const state = singleParameter(input, 'state');
    let codeVerifier = singleParameter(input, 'codeVerifier');
    let nonce = singleParameter(input, 'nonce');
    if (!code) throw new InvalidRequestError('invalid_request', 'The body needs a "code".');
    if (!redirectUri || !allowedRedirectUri(context, redirectUri)) {
      throw new InvalidRequestError('invalid_redirect_uri', 'The "redirectUri" is not an allowed callback URL.');
    }
    // The code must be bound to this caller: by a login this BFF started in this browser (state), or by the PKCE the SPA
    // ran (codeVerifier). Neither: the BFF would redeem, with its client secret, a code anyone handed it.
    if ((state === undefined || state === '') && (codeVerifier === undefined || codeVerifier === '')) {
      throw new InvalidRequestError('invalid_request', 'The body needs a "state" (a login started here) or a "codeVerifier" (PKCE).');
    }
    if (state === undefined && !PKCE_VERIFIER.test(codeVerifier ?? '')) {
      throw new InvalidRequestError('invalid_request', 'The "codeVerifier" is not a PKCE code verifier (RFC 7636).');
    }
    if (state !== undefined) {
      const transaction = transactionFor(context, req, state);
      res.append('Set-Cookie', expireCookie(transactionCookieName(state), TRANSACTION_COOKIE_ATTRS));
      codeVerifier = transaction.codeVerifier;
      nonce = transaction.nonce;
    }
    const tokens = await context.idp.exchangeCode({ code, redirectUri, codeVerifier });
    const session = await sessionFromTokens(tokens, context, nonceCheck(context, nonce));
    res.append('Set-Cookie', await newSessionCookies(context, req, session));
    context.logger.info('sign-in completed', { event: 'sign_in', sub: session.profile.user.sub, via: 'post' });
    res.status(200).json({ authenticated: true, user: session.profile.user, expiresAt: session.profile.expiresAt });
  };
}
