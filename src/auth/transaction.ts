/**
 * The login transaction: what `/auth/login` must remember for `/auth/callback` (state, PKCE verifier, nonce,
 * where to return). It travels sealed in its own cookie, named after the state, so logins in parallel tabs do not
 * overwrite each other; it is SameSite=Lax because it must survive the top-level redirect back from the IdP.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { CookieAttributes } from '../http/cookies';
import type { Sealer } from './sealing';

export const TRANSACTION_COOKIE_PREFIX = '__Host-bff-tx-';
/** How long a sign-in may take at the IdP. */
export const TRANSACTION_TTL_SECONDS = 600;
/** At most this many logins in flight per browser; older ones are dropped, keeping the Cookie header small. */
export const MAX_OPEN_TRANSACTIONS = 4;
/** Transaction cookies looked at per request (opened, or cleared), whatever the request carries: a fixed bound. */
export const MAX_TRANSACTIONS_READ = 8;
/** Lax, not Strict: the cookie must come back with the top-level redirect from the IdP. Max-Age is set where written. */
export const TRANSACTION_COOKIE_ATTRS: CookieAttributes = { path: '/', sameSite: 'Lax' };

export interface LoginTransaction {
  state: string;
  codeVerifier: string;
  nonce: string;
  /** Absolute URL to land on after sign-in. */
  returnTo: string;
  redirectUri: string;
  /** Epoch milliseconds. */
  createdAt: number;
}

const SEAL_PURPOSE = 'login-transaction';

export function newLoginTransaction(input: {
  returnTo: string;
  redirectUri: string;
  now: number;
  random: (size: number) => Buffer;
}): LoginTransaction {
  return {
    state: input.random(32).toString('base64url'),
    // RFC 7636: 43-128 characters from the unreserved set; 32 random bytes in base64url give 43.
    codeVerifier: input.random(32).toString('base64url'),
    nonce: input.random(32).toString('base64url'),
    returnTo: input.returnTo,
    redirectUri: input.redirectUri,
    createdAt: input.now,
  };
}

/** PKCE S256 challenge for a verifier. */
export function codeChallengeS256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** The cookie that carries the transaction of `state`. A hash, so a long or odd state cannot shape a cookie name. */
export function transactionCookieName(state: string): string {
  return TRANSACTION_COOKIE_PREFIX + createHash('sha256').update(state, 'utf8').digest('base64url').slice(0, 22);
}

export function sealTransaction(sealer: Sealer, transaction: LoginTransaction): string {
  return sealer.seal(SEAL_PURPOSE, JSON.stringify(transaction));
}

/** Opens a transaction cookie value; undefined when it is not ours or has expired. */
export function openTransaction(sealer: Sealer, sealed: string, now: number): LoginTransaction | undefined {
  const text = sealer.open(SEAL_PURPOSE, sealed);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isTransaction(value)) return undefined;
  const age = now - value.createdAt;
  if (age < 0 || age > TRANSACTION_TTL_SECONDS * 1000) return undefined;
  return value;
}

function isTransaction(value: unknown): value is LoginTransaction {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    ['state', 'codeVerifier', 'nonce', 'returnTo', 'redirectUri'].every((key) => typeof record[key] === 'string') &&
    typeof record.createdAt === 'number'
  );
}

/** Constant-time comparison of two strings (state, nonce). */
export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
