import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSealer } from '../../src/auth/sealing';
import {
  codeChallengeS256,
  newLoginTransaction,
  openTransaction,
  sameSecret,
  sealTransaction,
  TRANSACTION_COOKIE_PREFIX,
  TRANSACTION_TTL_SECONDS,
  transactionCookieName,
} from '../../src/auth/transaction';

const sealer = createSealer([Buffer.alloc(32, 3)]);
let counter = 0;
const random = (size: number) => Buffer.alloc(size, ++counter);

function transaction(now = 1_000_000) {
  return newLoginTransaction({ returnTo: 'https://app.example.com/', redirectUri: 'https://api.example.com/auth/callback', now, random });
}

describe('login transaction', () => {
  it('draws state, verifier and nonce from the injected randomness, each 43 base64url characters', () => {
    const tx = transaction();
    for (const value of [tx.state, tx.codeVerifier, tx.nonce]) expect(value).toMatch(/^[\w-]{43}$/);
    expect(new Set([tx.state, tx.codeVerifier, tx.nonce]).size).toBe(3);
  });

  it('computes the RFC 7636 S256 challenge (appendix B vector)', () => {
    expect(codeChallengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('names the cookie after the state, so parallel logins do not collide', () => {
    const a = transaction();
    const b = transaction();
    expect(transactionCookieName(a.state)).not.toBe(transactionCookieName(b.state));
    expect(transactionCookieName(a.state).startsWith(TRANSACTION_COOKIE_PREFIX)).toBe(true);
    // The name does not carry the state itself.
    expect(transactionCookieName(a.state)).not.toContain(a.state);
    expect(transactionCookieName(a.state)).toContain(createHash('sha256').update(a.state).digest('base64url').slice(0, 22));
  });

  it('round-trips sealed, within its lifetime only', () => {
    const tx = transaction(5_000_000);
    const sealed = sealTransaction(sealer, tx);
    expect(openTransaction(sealer, sealed, 5_000_000 + 1000)).toEqual(tx);
    expect(openTransaction(sealer, sealed, 5_000_000 + TRANSACTION_TTL_SECONDS * 1000 + 1)).toBeUndefined();
    expect(openTransaction(sealer, sealed, 5_000_000 - 1)).toBeUndefined();
  });

  it('does not open a value sealed for another purpose or under another key', () => {
    const tx = transaction();
    expect(openTransaction(sealer, sealer.seal('session-profile', JSON.stringify(tx)), tx.createdAt)).toBeUndefined();
    expect(openTransaction(createSealer([Buffer.alloc(32, 4)]), sealTransaction(sealer, tx), tx.createdAt)).toBeUndefined();
  });

  it('does not open a well-sealed value of the wrong shape', () => {
    expect(openTransaction(sealer, sealer.seal('login-transaction', '{"state":1}'), 0)).toBeUndefined();
    expect(openTransaction(sealer, sealer.seal('login-transaction', 'not json'), 0)).toBeUndefined();
  });

  it('compares secrets exactly', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abd')).toBe(false);
    expect(sameSecret('abc', 'abcd')).toBe(false);
  });
});
