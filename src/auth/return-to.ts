/**
 * Post-login and post-logout redirect targets. A target is either a same-origin path (resolved below the BFF's public
 * base URL, and staying below its path whatever dot-segments it holds) or an absolute URL whose origin is allowed.
 * Everything else falls back to the default: an open redirect is worse than a lost deep link.
 */

// Control characters, whitespace and backslashes: URL parsers strip or reinterpret them (`/\evil`, `/%09/evil`).
// eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
const UNSAFE = /[\u0000-\u0020\u007f-\u009f\\\u2028\u2029]/;

/** Resolves `returnTo` to an absolute URL, or undefined when it is not an acceptable target. */
export function resolveReturnTo(
  returnTo: unknown,
  options: { publicBaseUrl: string; allowedOrigins: readonly string[] },
): string | undefined {
  if (typeof returnTo !== 'string' || returnTo === '' || returnTo.length > 2048) return undefined;
  if (UNSAFE.test(returnTo)) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(returnTo);
  } catch {
    return undefined;
  }
  // Percent-encoded tricks (`/%2F%2Fevil`, `%5C`) are judged on their decoded form too.
  if (UNSAFE.test(decoded) || decoded.startsWith('//')) return undefined;

  if (returnTo.startsWith('/')) {
    if (returnTo.startsWith('//')) return undefined;
    const base = new URL(options.publicBaseUrl);
    const target = new URL(options.publicBaseUrl + returnTo);
    // Belt and braces: whatever the parser made of it, it must still be our origin.
    if (target.origin !== base.origin) return undefined;
    // Dot-segments (`/..`, `%2e%2e`, `.%2E`) resolve, and must not climb above the base path: neither as sent nor as
    // whatever serves the target may make of it by decoding it again (`..%2f`, `%252e%252e`).
    if (!staysBelowBasePath(returnTo, base)) return undefined;
    return target.href;
  }

  let url: URL;
  try {
    url = new URL(returnTo);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username || url.password) return undefined;
  if (!options.allowedOrigins.includes(url.origin)) return undefined;
  return url.href;
}

/** Decodings of a path tried beyond the first: `%25` nested deeper than this is refused rather than followed. */
const MAX_DECODINGS = 3;

/** True when `path`, and each decoding of it, resolves to the base URL's path or below it. */
function staysBelowBasePath(path: string, base: URL): boolean {
  const basePath = base.pathname.replace(/\/+$/, '');
  if (basePath === '') return true;
  let form = path;
  for (let round = 0; round <= MAX_DECODINGS; round += 1) {
    let target: URL;
    try {
      target = new URL(base.origin + basePath + form);
    } catch {
      return false;
    }
    if (target.origin !== base.origin || (target.pathname !== basePath && !target.pathname.startsWith(`${basePath}/`))) return false;
    let next: string;
    try {
      next = decodeURIComponent(form);
    } catch {
      return false;
    }
    if (next === form) return true;
    form = next;
  }
  return false;
}
