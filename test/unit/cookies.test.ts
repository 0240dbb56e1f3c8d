import { describe, expect, it } from 'vitest';
import cookieParser from 'cookie-parser';
import {
  clearChunkedCookie,
  lazyCookieParser,
  MAX_CHUNKS,
  MAX_SET_COOKIE_BYTES,
  readChunkedCookie,
  serializeCookie,
  writeChunkedCookie,
  type CookieAttributes,
} from '../../src/http/cookies';
import { parseSetCookie } from '../support/cookie-jar';

const attrs: CookieAttributes = { path: '/', sameSite: 'Strict', maxAgeSeconds: 900 };

/** What a browser holds after applying Set-Cookie headers to what it had. */
function apply(jar: Record<string, string>, headers: string[]): Record<string, string> {
  const next = { ...jar };
  for (const header of headers) {
    const cookie = parseSetCookie(header);
    if (cookie.attributes['max-age'] === '0') delete next[cookie.name];
    else next[cookie.name] = cookie.value;
  }
  return next;
}

describe('cookie serialization', () => {
  it('always sets HttpOnly and Secure, with path, SameSite and Max-Age', () => {
    expect(serializeCookie('__Host-x', 'v', attrs)).toBe('__Host-x=v; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=900');
  });

  it('refuses values a cookie cannot carry', () => {
    expect(() => serializeCookie('x', 'a;b', attrs)).toThrow();
    expect(() => serializeCookie('x', 'a b', attrs)).toThrow();
  });
});

describe('chunked cookies', () => {
  it('keeps a small value in one cookie', () => {
    const headers = writeChunkedCookie({}, 'c', 'small', attrs);
    expect(headers).toHaveLength(1);
    expect(readChunkedCookie(apply({}, headers), 'c')).toBe('small');
  });

  it('splits a large value so that no Set-Cookie exceeds 4096 bytes, and joins it again', () => {
    const value = 'x'.repeat(10_000);
    const headers = writeChunkedCookie({}, '__Host-bff-at', value, attrs);
    expect(headers.length).toBe(3);
    for (const header of headers) expect(Buffer.byteLength(header)).toBeLessThanOrEqual(MAX_SET_COOKIE_BYTES);
    const jar = apply({}, headers);
    expect(Object.keys(jar)).toEqual(['__Host-bff-at.0', '__Host-bff-at.1', '__Host-bff-at.2']);
    expect(readChunkedCookie(jar, '__Host-bff-at')).toBe(value);
  });

  it('removes stale chunks when a value shrinks, and the plain cookie when it grows', () => {
    let jar = apply({}, writeChunkedCookie({}, 'c', 'y'.repeat(12_000), attrs));
    expect(Object.keys(jar)).toHaveLength(3);
    jar = apply(jar, writeChunkedCookie(jar, 'c', 'short', attrs));
    expect(jar).toEqual({ c: 'short' });
    jar = apply(jar, writeChunkedCookie(jar, 'c', 'z'.repeat(5000), attrs));
    expect(Object.keys(jar).sort()).toEqual(['c.0', 'c.1']);
    expect(readChunkedCookie(jar, 'c')).toBe('z'.repeat(5000));
  });

  it('refuses to write more chunks than it will read', () => {
    expect(() => writeChunkedCookie({}, 'c', 'x'.repeat(MAX_SET_COOKIE_BYTES * (MAX_CHUNKS + 1)), attrs)).toThrow();
  });

  it('reads nothing from a gap, an empty value or too many chunks', () => {
    expect(readChunkedCookie({ 'c.1': 'b' }, 'c')).toBeUndefined();
    expect(readChunkedCookie({ c: '' }, 'c')).toBeUndefined();
    const many: Record<string, string> = {};
    for (let i = 0; i <= MAX_CHUNKS; i += 1) many[`c.${i}`] = 'a';
    expect(readChunkedCookie(many, 'c')).toBeUndefined();
  });

  it('clears every form present, and the plain name in any case', () => {
    const cleared = clearChunkedCookie({ 'c.0': 'a', 'c.1': 'b', 'c.x': 'not ours', other: 'z' }, 'c', attrs).map(parseSetCookie);
    expect(cleared.map((cookie) => cookie.name).sort()).toEqual(['c', 'c.0', 'c.1']);
    for (const cookie of cleared) expect(cookie.attributes['max-age']).toBe('0');
  });

  it("treats cookie-parser's JSON-decoded `j:` values as absent: ours are always strings", () => {
    expect(readChunkedCookie({ c: { forged: true } }, 'c')).toBeUndefined();
    expect(readChunkedCookie({ 'c.0': 'a', 'c.1': ['b'] }, 'c')).toBe('a');
  });
});

describe('lazyCookieParser', () => {
  function requestWith(cookie: string | undefined, parse = cookieParser()) {
    const prototype = {};
    lazyCookieParser(prototype, parse as never);
    const req = Object.create(prototype) as { headers: { cookie?: string }; cookies: Record<string, unknown> };
    req.headers = { cookie };
    return req;
  }

  it('parses with cookie-parser on first read, once per request', () => {
    let calls = 0;
    const parse = cookieParser();
    const counting = (req: never, res: never, next: () => void) => {
      calls += 1;
      parse(req, res, next);
    };
    const req = requestWith('a=1; b=%7Bx%7D; a=second', counting as never);
    expect(calls).toBe(0);
    expect(req.cookies.a).toBe('1');
    expect(req.cookies.b).toBe('{x}');
    expect(req.cookies).toBe(req.cookies);
    expect(calls).toBe(1);
  });

  it('answers an empty object without a Cookie header, and keeps an assigned value', () => {
    const req = requestWith(undefined);
    expect({ ...req.cookies }).toEqual({});
    req.cookies = { replaced: 'yes' };
    expect(req.cookies).toEqual({ replaced: 'yes' });
  });
});
