/**
 * The local stack's cookie-sealing key. Outside the local stack `COOKIE_KEYS` is required; here one key is generated
 * once and kept next to the emulator's data, so local sessions survive a restart of `npm start`.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LocalStackError } from './errors';

export const COOKIE_KEY_FILE = 'cookie-keys';
const KEY_BYTES = 32;

/** Returns the persisted key (32 bytes, base64url), creating `<dataDir>/cookie-keys` (mode 0600) on first use. */
export function loadOrCreateLocalCookieKey(dataDir: string): string {
  const file = path.join(dataDir, COOKIE_KEY_FILE);
  const existing = readKeyFile(file);
  if (existing !== undefined) return validKey(existing, file);

  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(KEY_BYTES).toString('base64url');
  try {
    // `wx`: if two starts race, the second keeps the first one's key instead of replacing it.
    writeFileSync(file, `${key}\n`, { flag: 'wx', mode: 0o600 });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return validKey(readKeyFile(file) ?? '', file);
  }
}

function readKeyFile(file: string): string | undefined {
  try {
    const content = readFileSync(file, 'utf8');
    // A key file someone made readable by others is tightened rather than refused: it is a local development key.
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return content.trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function validKey(key: string, file: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(key) && Buffer.from(key, 'base64url').length === KEY_BYTES) return key;
  throw new LocalStackError(`${file} does not hold a ${KEY_BYTES}-byte base64url key; delete it to generate a new one`);
}
