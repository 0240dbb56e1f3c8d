import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateDemoPassword } from '../../src/local/demo-password';

/** Cognito's default policy, with the length the local stack promises. */
function meetsPolicy(password: string): boolean {
  return password.length >= 12 && /[A-Z]/.test(password) && /[a-z]/.test(password) && /[0-9]/.test(password) && /[-_.@%+]/.test(password);
}

describe('generateDemoPassword', () => {
  it('meets the password policy every time', () => {
    for (let i = 0; i < 500; i++) expect(meetsPolicy(generateDemoPassword())).toBe(true);
  });

  it('uses only characters that are unambiguous to read and safe in a shell or .env file', () => {
    const password = Array.from({ length: 50 }, () => generateDemoPassword()).join('');
    expect(password).toMatch(/^[A-HJ-NP-Za-km-z2-9\-_.@%+]+$/);
  });

  it('is deterministic for a given random source and differs between sources', () => {
    const seeded = (seed: number) => (size: number) => Buffer.alloc(size, seed);
    // A constant source is the worst case for rejection sampling: it must still terminate and meet the policy.
    expect(meetsPolicy(generateDemoPassword(seeded(7)))).toBe(true);
    expect(generateDemoPassword(seeded(7))).toBe(generateDemoPassword(seeded(7)));
    expect(generateDemoPassword(randomBytes)).not.toBe(generateDemoPassword(randomBytes));
  });
});
