/**
 * Cookie serialization and chunking.
 *
 * Browsers drop a Set-Cookie larger than 4096 bytes (name, value and attributes together) without a word, so values
 * that do not fit are split into `NAME.0`, `NAME.1`, … and joined again on the way in. Whenever a cookie is written,
 * the request's other forms of it (the unsuffixed one, chunks beyond the new count) are cleared, so no stale chunk can
 * be glued onto a new value.
 */

export interface CookieAttributes {
  path: string;
  sameSite: 'Strict' | 'Lax';
  /** Omitted: a browser-session cookie. */
  maxAgeSeconds?: number;
}

/**
 * `req.cookies` as cookie-parser leaves it. Values are strings, except that cookie-parser decodes a value starting
 * with `j:` as JSON: none of our cookies does, so readers here take strings only and treat anything else as absent.
 */
export type RequestCookies = Record<string, unknown>;

/** The most bytes one Set-Cookie header value may have. */
export const MAX_SET_COOKIE_BYTES = 4096;
/** Reading gives up beyond this many chunks: a request with more is not ours. */
export const MAX_CHUNKS = 8;

const COOKIE_VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;

function attributes(attrs: CookieAttributes): string {
  const parts = [`Path=${attrs.path}`, 'HttpOnly', 'Secure', `SameSite=${attrs.sameSite}`];
  if (attrs.maxAgeSeconds !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(attrs.maxAgeSeconds))}`);
  return parts.join('; ');
}

/** Every auth cookie is HttpOnly and Secure; values are tokens or base64url, never needing encoding. */
export function serializeCookie(name: string, value: string, attrs: CookieAttributes): string {
  if (!COOKIE_VALUE.test(value)) throw new Error(`cookie ${name} has a value with characters a cookie cannot carry`);
  return `${name}=${value}; ${attributes(attrs)}`;
}

export function expireCookie(name: string, attrs: CookieAttributes): string {
  return `${name}=; ${attributes({ ...attrs, maxAgeSeconds: 0 })}; Expires=Thu, 01 Jan 1970 00:00:00 GMT`;
}

function chunkName(name: string, index: number): string {
  return `${name}.${index}`;
}

/**
 * Names of every form of `name` present in the request that a write of ours could have left: the plain cookie and
 * chunks 0 to MAX_CHUNKS (one past the last we write, which marks a value as not ours). Looked up by name, so the work
 * and the Set-Cookie headers it leads to are bounded whatever else the request carries.
 */
function presentForms(cookies: RequestCookies, name: string): string[] {
  const forms = cookies[name] === undefined ? [] : [name];
  for (let index = 0; index <= MAX_CHUNKS; index += 1)
    if (cookies[chunkName(name, index)] !== undefined) forms.push(chunkName(name, index));
  return forms;
}

/** A value too large for MAX_CHUNKS cookies of MAX_SET_COOKIE_BYTES: nothing a browser would keep and send back. */
export class CookieTooLargeError extends Error {
  constructor(
    readonly cookieName: string,
    readonly bytes: number,
  ) {
    super(`cookie ${cookieName} would need more than ${MAX_CHUNKS} chunks (${bytes} bytes)`);
    this.name = 'CookieTooLargeError';
  }
}

/** What cookie-parser leaves on a request it parsed. */
interface ParsedCookies {
  headers: { cookie?: string | undefined };
  cookies?: RequestCookies;
}

/**
 * Makes `req.cookies` a lazy property of an Express app's requests, parsed by cookie-parser when a handler first reads
 * it and kept for the rest of that request. Same parser, same result as `app.use(cookieParser())`, but no middleware
 * layer: a router layer costs every request several microseconds (measured in bench/: about a tenth of a bare
 * request's time), and most requests that reach the BFF read no cookie at all. cookie-parser is run on a stand-in
 * object, since it would read (and so re-enter) `req.cookies` before writing it.
 */
export function lazyCookieParser(requestPrototype: object, parse: (req: ParsedCookies, res: unknown, next: () => void) => void): void {
  const parsed = new WeakMap<object, RequestCookies>();
  Object.defineProperty(requestPrototype, 'cookies', {
    configurable: true,
    enumerable: true,
    get(this: { headers: { cookie?: string } }): RequestCookies {
      let cookies = parsed.get(this);
      if (cookies === undefined) {
        const standIn: ParsedCookies = { headers: { cookie: this.headers.cookie } };
        parse(standIn, undefined, () => {});
        cookies = standIn.cookies ?? {};
        parsed.set(this, cookies);
      }
      return cookies;
    },
    set(this: object, value: RequestCookies) {
      parsed.set(this, value);
    },
  });
}

/** The Set-Cookie values that store `value` under `name`, chunked when needed, and clear stale forms. */
export function writeChunkedCookie(cookies: RequestCookies, name: string, value: string, attrs: CookieAttributes): string[] {
  const single = serializeCookie(name, value, attrs);
  let written: string[];
  let keep: Set<string>;
  if (Buffer.byteLength(single) <= MAX_SET_COOKIE_BYTES) {
    written = [single];
    keep = new Set([name]);
  } else {
    const overhead = Buffer.byteLength(serializeCookie(chunkName(name, MAX_CHUNKS), '', attrs));
    const room = MAX_SET_COOKIE_BYTES - overhead;
    const count = Math.ceil(value.length / room);
    if (count > MAX_CHUNKS) throw new CookieTooLargeError(name, value.length);
    written = [];
    keep = new Set();
    for (let index = 0; index < count; index += 1) {
      written.push(serializeCookie(chunkName(name, index), value.slice(index * room, (index + 1) * room), attrs));
      keep.add(chunkName(name, index));
    }
  }
  const stale = presentForms(cookies, name).filter((form) => !keep.has(form));
  return [...written, ...stale.map((form) => expireCookie(form, attrs))];
}

/** The value stored under `name`, joined from its chunks when chunked; undefined when absent or incomplete. */
export function readChunkedCookie(cookies: RequestCookies, name: string): string | undefined {
  const plain = cookies[name];
  if (typeof plain === 'string' && plain !== '') return plain;
  const parts: string[] = [];
  for (let index = 0; index < MAX_CHUNKS; index += 1) {
    const part = cookies[chunkName(name, index)];
    if (typeof part !== 'string' || part === '') break;
    parts.push(part);
  }
  if (parts.length === 0) return undefined;
  // A chunk beyond the limit means a value we never wrote.
  if (cookies[chunkName(name, MAX_CHUNKS)] !== undefined) return undefined;
  return parts.join('');
}

/** Set-Cookie values that clear every form of `name` the request carries (and the plain name in any case). */
export function clearChunkedCookie(cookies: RequestCookies, name: string, attrs: CookieAttributes): string[] {
  const forms = new Set([name, ...presentForms(cookies, name)]);
  return [...forms].map((form) => expireCookie(form, attrs));
}
