/**
 * Post-login and post-logout redirect targets. A target is either a same-origin path (resolved below the BFF's
 * public base URL) or an absolute URL whose origin is allowed. Everything else falls back to the default: an open
 * redirect is worse than a lost deep link.
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
