/**
 * A password for the demo user when `DEMO_PASSWORD` is unset. It is printed at start and typed by hand, so the
 * alphabet leaves out look-alikes (I/l/1, O/0) and characters that shells or `.env` files treat specially.
 */
import { randomBytes } from 'node:crypto';

const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const DIGITS = '23456789';
/** All are in Cognito's list of accepted special characters. */
const SYMBOLS = '-_.@%+';
const LENGTH = 16;

/**
 * Meets Cognito's default password policy (upper, lower, digit, symbol) with room to spare: 16 characters.
 * @param random source of random bytes, injectable for tests
 */
export function generateDemoPassword(random: (size: number) => Buffer = randomBytes): string {
  const pick = randomPicker(random);
  // One of each required class, the rest from all of them, then shuffled so the classes sit anywhere.
  const all = UPPER + LOWER + DIGITS + SYMBOLS;
  const chars = [UPPER, LOWER, DIGITS, SYMBOLS].map((alphabet) => alphabet[pick(alphabet.length)] as string);
  while (chars.length < LENGTH) chars.push(all[pick(all.length)] as string);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = pick(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}

/** Uniform integers in [0, bound) from random bytes, by rejection (no modulo bias). `bound` is at most 256. */
function randomPicker(random: (size: number) => Buffer): (bound: number) => number {
  let pool: Buffer = Buffer.alloc(0);
  let next = 0;
  return (bound) => {
    const limit = 256 - (256 % bound);
    for (;;) {
      if (next >= pool.length) {
        pool = random(64);
        next = 0;
        if (pool.length === 0) throw new Error('random source returned no bytes');
      }
      const byte = pool[next++] as number;
      if (byte < limit) return byte % bound;
    }
  };
}
