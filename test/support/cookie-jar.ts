/**
 * A browser-like cookie jar for tests: applies Set-Cookie headers (Max-Age=0 deletes, Path scopes) and builds the
 * Cookie header for a path. supertest's own agent will not send Secure cookies over plain http, browsers do on
 * localhost; this jar does what a browser does there.
 */
export interface StoredCookie {
  name: string;
  value: string;
  path: string;
  attributes: Record<string, string | true>;
  raw: string;
}

export function parseSetCookie(header: string): StoredCookie {
  const [pair = '', ...rest] = header.split(';');
  const eq = pair.indexOf('=');
  const attributes: Record<string, string | true> = {};
  for (const part of rest) {
    const [key = '', ...value] = part.trim().split('=');
    attributes[key.toLowerCase()] = value.length ? value.join('=') : true;
  }
  return {
    name: pair.slice(0, eq).trim(),
    value: pair.slice(eq + 1).trim(),
    path: typeof attributes.path === 'string' ? attributes.path : '/',
    attributes,
    raw: header,
  };
}

export function setCookieHeaders(headers: Record<string, unknown>): string[] {
  const value = headers['set-cookie'];
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

export class CookieJar {
  private readonly cookies = new Map<string, StoredCookie>();

  /** Applies every Set-Cookie of a response. */
  apply(headers: Record<string, unknown>): StoredCookie[] {
    const applied = setCookieHeaders(headers).map(parseSetCookie);
    for (const cookie of applied) {
      const key = `${cookie.name}|${cookie.path}`;
      if (cookie.attributes['max-age'] === '0' || cookie.value === '') this.cookies.delete(key);
      else this.cookies.set(key, cookie);
    }
    return applied;
  }

  set(name: string, value: string, path = '/'): void {
    this.cookies.set(`${name}|${path}`, { name, value, path, attributes: {}, raw: `${name}=${value}` });
  }

  delete(name: string): void {
    for (const [key, cookie] of this.cookies) if (cookie.name === name) this.cookies.delete(key);
  }

  get(name: string): StoredCookie | undefined {
    return [...this.cookies.values()].find((cookie) => cookie.name === name);
  }

  names(): string[] {
    return [...this.cookies.values()].map((cookie) => cookie.name);
  }

  all(): StoredCookie[] {
    return [...this.cookies.values()];
  }

  /** The Cookie header a browser would send to `path`: longer paths first (RFC 6265 5.4), as browsers order them. */
  header(path: string): string {
    return [...this.cookies.values()]
      .filter((cookie) => path === cookie.path || path.startsWith(cookie.path.endsWith('/') ? cookie.path : cookie.path + '/'))
      .sort((a, b) => b.path.length - a.path.length)
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }
}
