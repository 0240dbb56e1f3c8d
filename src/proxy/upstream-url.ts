/**
 * Where a relayed request goes: the route's fixed upstream origin and base path, plus the rest of the caller's path
 * and its query, as sent. Nothing the caller sends chooses the host (the URL is built from the route, never from
 * `Host` or an absolute request target), and no path climbs above the base path: a dot segment or a separator hidden
 * behind percent-encoding (`%2e%2e`, `%2f`, `%5c`, also encoded twice) is refused with `400 invalid_path` rather than
 * normalised, since servers disagree on how to normalise it.
 */
import { invalidPath } from './errors';
import type { ProxyRoute } from './routes';

/** Decodings checked: a path encoded three times over is refused outright. */
const DECODE_DEPTH = 3;
// Anything a request target must not carry raw (controls, blanks), and the backslash some servers read as a slash.
// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const FORBIDDEN_RAW = /[\x00-\x20\x7f\\#]/;

function decodedOnce(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** Why a path segment (as sent) is refused, or undefined when it may pass. */
function segmentProblem(segment: string): string | undefined {
  let text = segment;
  for (let depth = 0; depth <= DECODE_DEPTH; depth += 1) {
    if (text === '.' || text === '..') return 'dot segment';
    // eslint-disable-next-line no-control-regex -- an encoded NUL ends the path for some servers
    if (depth > 0 && /[/\\\x00]/.test(text)) return 'encoded separator';
    if (!text.includes('%')) return undefined;
    const next = decodedOnce(text);
    // Not valid percent-encoding: passed on as sent, never decoded by us into anything.
    if (next === undefined || next === text) return undefined;
    text = next;
  }
  return 'encoded too many times';
}

/**
 * The path (and query) on the route's upstream origin for `rest` (what follows the prefix in the request target:
 * `''`, `/...`, `?...`), sent as is, never re-parsed as a URL. Throws `invalid_path` for anything that could leave the
 * route's base path.
 */
export function upstreamPath(route: ProxyRoute, rest: string): string {
  const queryAt = rest.indexOf('?');
  const path = queryAt < 0 ? rest : rest.slice(0, queryAt);
  const query = queryAt < 0 ? '' : rest.slice(queryAt);
  if (path !== '' && !path.startsWith('/')) throw invalidPath('path does not continue the prefix');
  if (FORBIDDEN_RAW.test(path) || FORBIDDEN_RAW.test(query)) throw invalidPath('forbidden character');
  const segments = path.split('/').slice(1);
  // An empty segment inside the path (`//`) reads as a host to some routers; a trailing slash is fine.
  if (segments.slice(0, -1).some((segment) => segment === '')) throw invalidPath('empty segment');
  for (const segment of segments) {
    const problem = segmentProblem(segment);
    if (problem) throw invalidPath(problem);
  }
  const base = route.basePath + path;
  return (base === '' ? '/' : base) + query;
}
