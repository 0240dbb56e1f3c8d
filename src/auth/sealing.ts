/**
 * Sealing: authenticated encryption of cookie contents with AES-256-GCM.
 *
 * Format: `v1.` + base64url(iv[12] | ciphertext | tag[16]). The cookie's purpose (its name) is bound in as
 * additional authenticated data, so a value sealed for one cookie cannot be replayed as another. The first key seals;
 * every key opens, which is how keys rotate: prepend a new key, keep the old one until its cookies have expired.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface Sealer {
  seal(purpose: string, plaintext: string): string;
  /** The plaintext, or undefined when the value is not one of ours (tampered, truncated, other key, other purpose). */
  open(purpose: string, sealed: string): string | undefined;
}

export function createSealer(keys: readonly Buffer[], random: (size: number) => Buffer = randomBytes): Sealer {
  const sealKey = keys[0];
  if (!sealKey || keys.some((key) => key.length !== 32)) throw new Error('sealing needs at least one 32-byte key');

  return {
    seal(purpose, plaintext) {
      const iv = random(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', sealKey, iv);
      cipher.setAAD(Buffer.from(purpose, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return VERSION + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
    },
    open(purpose, sealed) {
      if (!sealed.startsWith(VERSION)) return undefined;
      const encoded = sealed.slice(VERSION.length);
      if (!/^[\w-]+$/.test(encoded)) return undefined;
      const raw = Buffer.from(encoded, 'base64url');
      if (raw.length < IV_BYTES + TAG_BYTES) return undefined;
      const iv = raw.subarray(0, IV_BYTES);
      const tag = raw.subarray(raw.length - TAG_BYTES);
      const body = raw.subarray(IV_BYTES, raw.length - TAG_BYTES);
      for (const key of keys) {
        try {
          const decipher = createDecipheriv('aes-256-gcm', key, iv);
          decipher.setAAD(Buffer.from(purpose, 'utf8'));
          decipher.setAuthTag(tag);
          return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
        } catch {
          // Wrong key or tampered: try the next key; none left means not ours.
        }
      }
      return undefined;
    },
  };
}
