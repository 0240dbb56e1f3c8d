import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COOKIE_KEY_FILE, loadOrCreateLocalCookieKey } from '../../src/local/cookie-keys';
import { LocalStackError } from '../../src/local/errors';
import { tempDir } from './helpers';

describe('loadOrCreateLocalCookieKey', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates one 32-byte base64url key, readable by the owner only, and returns it again later', () => {
    const key = loadOrCreateLocalCookieKey(dir);
    expect(Buffer.from(key, 'base64url')).toHaveLength(32);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const file = path.join(dir, COOKIE_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(key);
    expect(loadOrCreateLocalCookieKey(dir)).toBe(key);
  });

  it('creates the directory when missing', () => {
    const nested = path.join(dir, 'a', 'b');
    expect(loadOrCreateLocalCookieKey(nested)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('tightens a key file readable by others', () => {
    const key = loadOrCreateLocalCookieKey(dir);
    const file = path.join(dir, COOKIE_KEY_FILE);
    chmodSync(file, 0o644);
    expect(loadOrCreateLocalCookieKey(dir)).toBe(key);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a damaged key file, naming it and the fix', () => {
    const file = path.join(dir, COOKIE_KEY_FILE);
    writeFileSync(file, 'too-short\n', { mode: 0o600 });
    expect(() => loadOrCreateLocalCookieKey(dir)).toThrow(LocalStackError);
    expect(() => loadOrCreateLocalCookieKey(dir)).toThrow(`${file} does not hold a 32-byte base64url key`);
  });
});
