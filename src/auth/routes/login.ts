/** GET /auth/login: start a sign-in at the IdP's hosted UI (code flow with state, PKCE S256 and nonce). */
import type { Request, Response } from 'express';
import { expireCookie, serializeCookie } from '../../http/cookies';
import type { AuthContext } from '../context';
import { resolveReturnTo } from '../return-to';
import {
  codeChallengeS256,
  MAX_OPEN_TRANSACTIONS,
  MAX_TRANSACTIONS_READ,
  newLoginTransaction,
  openTransaction,
  sealTransaction,
  TRANSACTION_COOKIE_ATTRS,
  TRANSACTION_COOKIE_PREFIX,
  TRANSACTION_TTL_SECONDS,
  transactionCookieName,
} from '../transaction';

/**
 * Clears transactions that are expired or unreadable, and the oldest when too many logins are in flight. Only the first
 * MAX_TRANSACTIONS_READ transaction cookies are opened (a browser holds at most MAX_OPEN_TRANSACTIONS of ours, each
 * living minutes): a request with more is not a browser's, and its work and answer stay bounded all the same.
 */
function pruneTransactions(context: AuthContext, cookies: Record<string, unknown>): string[] {
  const open: { name: string; createdAt: number }[] = [];
  const drop: string[] = [];
  const names = Object.keys(cookies)
    .filter((name) => name.startsWith(TRANSACTION_COOKIE_PREFIX))
    .slice(0, MAX_TRANSACTIONS_READ);
  for (const name of names) {
    const value = cookies[name];
    const transaction = typeof value === 'string' ? openTransaction(context.sealer, value, context.now()) : undefined;
    if (transaction) open.push({ name, createdAt: transaction.createdAt });
    else drop.push(name);
  }
  open.sort((a, b) => a.createdAt - b.createdAt);
  while (open.length >= MAX_OPEN_TRANSACTIONS) drop.push(open.shift()!.name);
  return drop.map((name) => expireCookie(name, TRANSACTION_COOKIE_ATTRS));
}

export function loginRoute(context: AuthContext) {
  const { config } = context;
  return (req: Request, res: Response): void => {
    const requested = typeof req.query.returnTo === 'string' ? req.query.returnTo : undefined;
    const returnTo = resolveReturnTo(requested, config) ?? config.postLoginUrl;
    const transaction = newLoginTransaction({ returnTo, redirectUri: config.redirectUri, now: context.now(), random: context.random });

    const authorize = new URL(config.cognito.domain + '/oauth2/authorize');
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: config.cognito.clientId,
      redirect_uri: transaction.redirectUri,
      scope: config.scopes,
      state: transaction.state,
      code_challenge: codeChallengeS256(transaction.codeVerifier),
      code_challenge_method: 'S256',
      nonce: transaction.nonce,
    }).toString();

    res.append('Set-Cookie', [
      ...pruneTransactions(context, req.cookies ?? {}),
      serializeCookie(transactionCookieName(transaction.state), sealTransaction(context.sealer, transaction), {
        ...TRANSACTION_COOKIE_ATTRS,
        maxAgeSeconds: TRANSACTION_TTL_SECONDS,
      }),
    ]);
    res.redirect(302, authorize.href);
  };
}
