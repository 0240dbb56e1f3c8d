/**
 * Token-relay routes: `apiProxy` option entries (or the `API_PROXY` variable) validated into fixed prefix -> upstream
 * pairs. Pure: the configuration calls it and reports every problem under the name the user typed.
 */
import { isLoopbackHost } from '../net/loopback';

/** One route as a user writes it (the `apiProxy` option's list form). */
export interface ProxyRouteOptions {
  /** Path below the BFF's base URL, `/api/orders`: it and everything under it is relayed. */
  prefix: string;
  /** Where `prefix/rest?query` goes: `UPSTREAM/rest?query`. https, or http on a loopback host. */
  upstream: string;
  /** Scopes the access token must carry, every one of them; otherwise `403 insufficient_scope`. @default none */
  scopes?: readonly string[];
  /** Cognito groups the caller must be in, every one of them (as `requireAuth`); otherwise `403 forbidden`. @default none */
  groups?: readonly string[];
}

/** What the `apiProxy` option takes: the list form, `{ prefix: upstream }`, or the variable's `PREFIX=URL,…` text. */
export type ApiProxyOption = readonly ProxyRouteOptions[] | Readonly<Record<string, string>> | string;

/** A validated route. */
export interface ProxyRoute {
  prefix: string;
  /** The upstream URL as configured, without a trailing slash. */
  upstream: string;
  /** `scheme://host[:port]` of the upstream. */
  origin: string;
  /** The upstream's path without a trailing slash (`''` for none): no request reaches anything above it. */
  basePath: string;
  scopes: string[];
  groups: string[];
}

/** The BFF router's own routes: a relay prefix may neither shadow them nor sit below them. */
const RESERVED = ['/auth', '/healthz'];
/** Unreserved and sub-delim characters only: nothing percent-encoded, no dot segments (checked apart). */
const PREFIX = /^(?:\/[A-Za-z0-9._~!$&'()*+,;=:@-]+)+$/;

function within(path: string, base: string): boolean {
  return path === base || path.startsWith(`${base}/`);
}

type Problem = (text: string) => void;

function checkPrefix(prefix: unknown, problem: Problem): prefix is string {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    problem('must be a path like /api/orders (no trailing slash, no //, no query, nothing percent-encoded)');
    return false;
  }
  if (prefix.split('/').some((segment) => segment === '.' || segment === '..')) {
    problem('must be a path like /api/orders, without . or .. segments');
    return false;
  }
  // Express matches mount paths without regard to case: so does this check.
  const reserved = RESERVED.find((route) => within(prefix.toLowerCase(), route));
  if (reserved) {
    problem(`would shadow the BFF's own ${reserved} routes`);
    return false;
  }
  return true;
}

function parseUpstream(upstream: unknown, problem: Problem): URL | undefined {
  let url: URL;
  try {
    url = new URL(String(upstream));
  } catch {
    problem('upstream is not a URL');
    return undefined;
  }
  if (typeof upstream !== 'string') problem('upstream must be a string');
  else if (url.protocol !== 'https:' && url.protocol !== 'http:') problem('upstream must be an https URL');
  // The relay adds the user's access token: on the wire in clear text only on this machine's loopback.
  else if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
    problem('upstream must use https (plain http is accepted only for loopback hosts)');
  else if (url.username || url.password) problem('upstream must not contain credentials');
  else if (url.search || url.hash || upstream.includes('?') || upstream.includes('#'))
    problem('upstream must not contain a query or fragment');
  else return url;
  return undefined;
}

function checkNames(value: unknown, what: 'scopes' | 'groups', problem: Problem): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(item))) {
    problem(`${what} must be a list of names without blanks`);
    return [];
  }
  return [...(value as string[])];
}

/**
 * Validates routes, reporting each problem with the entry it concerns (its prefix as written). Returns the valid
 * routes, longest prefix first: a nested prefix (`/api/orders` inside `/api`) is matched before its parent.
 */
export function validateProxyRoutes(entries: readonly ProxyRouteOptions[], problem: (text: string) => void): ProxyRoute[] {
  const routes: ProxyRoute[] = [];
  entries.forEach((entry, index) => {
    const label = typeof entry?.prefix === 'string' ? `"${entry.prefix.slice(0, 100)}"` : `#${index + 1}`;
    const about = (text: string) => problem(`route ${label}: ${text}`);
    if (typeof entry !== 'object' || entry === null) return about('must be { prefix, upstream, scopes?, groups? }');
    const prefixOk = checkPrefix(entry.prefix, (text) => about(`prefix ${text}`));
    const url = parseUpstream(entry.upstream, about);
    const scopes = checkNames(entry.scopes, 'scopes', about);
    const groups = checkNames(entry.groups, 'groups', about);
    if (!prefixOk || !url) return;
    if (routes.some((route) => route.prefix.toLowerCase() === entry.prefix.toLowerCase())) return about('prefix is given twice');
    const basePath = url.pathname.replace(/\/+$/, '');
    routes.push({ prefix: entry.prefix, upstream: url.origin + basePath, origin: url.origin, basePath, scopes, groups });
  });
  return routes.sort((a, b) => b.prefix.length - a.prefix.length);
}

/** The `API_PROXY` variable's form: comma-separated `PREFIX=UPSTREAM_URL` pairs. */
export function parseProxyVariable(text: string, problem: (text: string) => void): ProxyRouteOptions[] {
  const entries: ProxyRouteOptions[] = [];
  for (const pair of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at <= 0 || at === pair.length - 1) problem(`"${pair.slice(0, 100)}" is not PREFIX=UPSTREAM_URL`);
    else entries.push({ prefix: pair.slice(0, at).trim(), upstream: pair.slice(at + 1).trim() });
  }
  return entries;
}

/** The `apiProxy` option in any of its forms, validated. Scopes and groups exist only in the list form. */
export function proxyRoutesOf(value: unknown, problem: (text: string) => void): ProxyRoute[] {
  if (value === undefined || value === null || value === '') return [];
  let entries: ProxyRouteOptions[];
  if (typeof value === 'string') entries = parseProxyVariable(value, problem);
  else if (Array.isArray(value)) entries = value as ProxyRouteOptions[];
  else if (typeof value === 'object')
    entries = Object.entries(value).map(([prefix, upstream]) => ({ prefix, upstream: upstream as string }));
  else {
    problem('must be a list of { prefix, upstream, scopes?, groups? }, { prefix: upstream }, or PREFIX=URL,…');
    return [];
  }
  return validateProxyRoutes(entries, problem);
}
