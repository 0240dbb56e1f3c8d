import { describe, expect, it } from 'vitest';
import { createSealer } from '../../src/auth/sealing';

const keyA = Buffer.alloc(32, 0xa);
const keyB = Buffer.alloc(32, 0xb);

describe('sealing (AES-256-GCM)', () => {
  it('opens what it sealed, and the sealed text reveals nothing of the plaintext', () => {
    const sealer = createSealer([keyA]);
    const sealed = sealer.seal('refresh-token', 'the-secret-refresh-token');
    expect(sealed).toMatch(/^v1\.[\w-]+$/);
    expect(sealed).not.toContain('secret');
    expect(sealer.open('refresh-token', sealed)).toBe('the-secret-refresh-token');
  });

  it('uses a fresh IV every time', () => {
    const sealer = createSealer([keyA]);
    expect(sealer.seal('p', 'same')).not.toBe(sealer.seal('p', 'same'));
  });

  it('binds the purpose: a value sealed for one cookie does not open as another', () => {
    const sealer = createSealer([keyA]);
    expect(sealer.open('session-profile', sealer.seal('refresh-token', 'x'))).toBeUndefined();
  });

  it('rotates: the new first key seals, the old key still opens', () => {
    const old = createSealer([keyA]).seal('p', 'before rotation');
    const rotated = createSealer([keyB, keyA]);
    expect(rotated.open('p', old)).toBe('before rotation');
    expect(createSealer([keyA]).open('p', rotated.seal('p', 'after'))).toBeUndefined();
  });

  it.each([
    ['a flipped bit', (s: string) => s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11)],
    ['truncation', (s: string) => s.slice(0, -4)],
    ['another version', (s: string) => 'v2.' + s.slice(3)],
    ['non-base64url characters', (s: string) => s + '!'],
    ['nothing', () => ''],
    ['only the prefix', () => 'v1.'],
  ])('refuses a tampered value: %s', (_name, tamper) => {
    const sealer = createSealer([keyA]);
    expect(sealer.open('p', tamper(sealer.seal('p', 'payload')))).toBeUndefined();
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => createSealer([Buffer.alloc(16)])).toThrow();
    expect(() => createSealer([])).toThrow();
  });

  it('takes its randomness from the injected source', () => {
    const sealer = createSealer([keyA], (size) => Buffer.alloc(size, 0));
    expect(sealer.seal('p', 'x')).toBe(sealer.seal('p', 'x'));
  });
});
