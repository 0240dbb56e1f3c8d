/**
 * Every copy of a cookie name, read from the raw `Cookie` header.
 *
 * cookie-parser (req.cookies) keeps the first copy of a name. That is right for `__Host-` cookies, which only this host
 * can set (one copy per name), and wrong for any other: a sibling host of the same site can plant a `__Secure-` cookie
 * with `Domain=<parent>` and a longer `Path`, and browsers send longer paths first. Where a name can arrive twice,
 * callers take every copy from here and pick the one that is bound to a `__Host-` cookie, never by order.
 *
 * Bounded whatever the header holds: only the names the caller asks for are kept, at most `maxCopies` copies of each,
 * and the combinations of chunk copies tried are capped (see chunkedCandidates).
 */

/** Copies kept per name: the rest are ignored (a browser with more copies than that of one name was planted on). */
export const MAX_COPIES_PER_NAME = 8;

export type CookieCopies = ReadonlyMap<string, readonly string[]>;

/** The values of every cookie in `header` whose name `wanted` accepts, in header order, at most `maxCopies` each. */
export function cookieCopies(header: string | undefined, wanted: (name: string) => boolean, maxCopies = MAX_COPIES_PER_NAME): CookieCopies {
  const copies = new Map<string, string[]>();
  if (!header) return copies;
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    const eq = header.indexOf('=', start);
    if (eq !== -1 && eq < end) {
      const name = header.slice(start, eq).trim();
      if (wanted(name)) {
        let value = header.slice(eq + 1, end).trim();
        // RFC 6265 allows a quoted cookie-value; cookie-parser strips the quotes too.
        if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
        const list = copies.get(name);
        if (list === undefined) copies.set(name, [value]);
        else if (list.length < maxCopies) list.push(value);
      }
    }
    start = end + 1;
  }
  return copies;
}

/**
 * The values `name` may stand for, from every copy: each plain copy, then each way of joining one copy of every chunk
 * `NAME.0`, `NAME.1`, … (up to `maxChunks`; a chunk beyond it means a value never written here, so no joined value).
 * At most `maxCandidates` values in all: the caller opens each one, so its work is bounded too.
 */
export function chunkedCandidates(copies: CookieCopies, name: string, limits: { maxChunks: number; maxCandidates: number }): string[] {
  const candidates: string[] = [];
  for (const value of copies.get(name) ?? []) {
    if (candidates.length >= limits.maxCandidates) return candidates;
    if (value !== '') candidates.push(value);
  }
  if (copies.has(`${name}.${limits.maxChunks}`)) return candidates;
  let joined: string[] = [];
  for (let index = 0; index < limits.maxChunks; index += 1) {
    const parts = (copies.get(`${name}.${index}`) ?? []).filter((part) => part !== '');
    if (parts.length === 0) break;
    const room = limits.maxCandidates - candidates.length;
    const next: string[] = [];
    for (const prefix of index === 0 ? [''] : joined) {
      for (const part of parts) {
        if (next.length >= room) break;
        next.push(prefix + part);
      }
    }
    joined = next;
  }
  return [...candidates, ...joined];
}
