import { describe, expect, it } from 'vitest';
import { assertWithinCookieBudget, cookieHeaderBytes, SessionTooLargeError } from '../../src/auth/cookie-budget';

const attrs = 'Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=300';

describe('cookie budget', () => {
  it('counts what the Cookie header will carry: name=value pairs joined by "; ", cleared cookies excluded', () => {
    const headers = [
      `a=${'x'.repeat(10)}; ${attrs}`,
      `bb=${'y'.repeat(20)}; ${attrs}`,
      'gone=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
    ];
    expect(cookieHeaderBytes(headers)).toEqual({ total: 12 + 2 + 23, byName: { a: 12, bb: 23 } });
    expect(`a=${'x'.repeat(10)}; bb=${'y'.repeat(20)}`.length).toBe(37);
  });

  it('refuses a session over the budget, naming each cookie`s size and never a value', () => {
    const value = 'v'.repeat(4000);
    const headers = [`__Host-bff-at.0=${value}; ${attrs}`, `__Host-bff-at.1=${value}; ${attrs}`];
    expect(() => assertWithinCookieBudget(headers.slice(0, 1))).not.toThrow();
    let error: unknown;
    try {
      assertWithinCookieBudget(headers);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SessionTooLargeError);
    const problem = error as SessionTooLargeError;
    expect(problem.code).toBe('session_too_large');
    expect(problem.logInfo).toContain('__Host-bff-at.0 4016 B');
    expect(problem.logInfo).toContain('8034 bytes');
    expect(problem.logInfo).not.toContain(value);
  });
});
