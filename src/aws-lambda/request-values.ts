/**
 * What every front door's event source shares: the request handed to Express (serverless-express's request values),
 * the internal header that carries a gateway authorizer's `sub`, and the small, defensive readers of event fields.
 *
 * Events are JSON from AWS, but the handler is reachable by anything that can invoke the function: every reader here
 * accepts a field of the wrong type by ignoring it, never by throwing.
 */

/** Carries the gateway authorizer's `sub` to the app; always stripped from what the client sent, so never forged. */
export const AUTHORIZER_SUB_HEADER = 'x-cognito-bff-authorizer-sub';

/** What serverless-express turns into the Node request Express sees. */
export interface RequestValues {
  method: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  remoteAddress: string;
  /** Path and query, percent-encoded as on the wire. */
  path: string;
}

/** The response as serverless-express hands it to an event source. */
export interface ResponseValues {
  statusCode: number;
  body: string;
  headers: Record<string, string | string[] | number>;
  isBase64Encoded: boolean;
}

/**
 * What the handler answers, in the form of the door the event came through: REST `multiValueHeaders`; payload 2.0
 * `headers` plus `cookies`; ALB `statusDescription` plus whichever header field the event used.
 */
export interface FrontDoorResult {
  statusCode: number;
  statusDescription?: string;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  cookies?: string[];
  body: string;
  isBase64Encoded?: boolean;
}

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string field, or undefined. */
export function stringField(object: unknown, name: string): string | undefined {
  if (!isObject(object)) return undefined;
  const value = object[name];
  return typeof value === 'string' ? value : undefined;
}

/** Header names lower-cased; a name given several times (single map, or a multi-value list) joined as HTTP joins fields. */
export function headersFrom(single: unknown, multi: unknown): Record<string, string> {
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  const add = (name: string, value: string) => {
    const key = name.toLowerCase();
    const previous = headers[key];
    // Cookie fields join with "; " (RFC 6265 5.4), others with ", " (RFC 9110 5.3).
    headers[key] = previous === undefined ? value : `${previous}${key === 'cookie' ? '; ' : ', '}${value}`;
  };
  if (isObject(multi)) {
    for (const [name, values] of Object.entries(multi)) {
      if (Array.isArray(values)) for (const value of values) if (typeof value === 'string') add(name, value);
    }
  } else if (isObject(single)) {
    for (const [name, value] of Object.entries(single)) if (typeof value === 'string') add(name, value);
  }
  return headers;
}

/** Replaces whatever the client sent in the internal header with the authorizer's `sub` (or nothing). */
export function withAuthorizerSub(headers: Record<string, string>, sub: string | undefined): Record<string, string> {
  delete headers[AUTHORIZER_SUB_HEADER];
  if (sub !== undefined) headers[AUTHORIZER_SUB_HEADER] = sub;
  return headers;
}

/** `claims.sub` when `claims` is an object holding a string `sub`. */
export function subOf(claims: unknown): string | undefined {
  return stringField(claims, 'sub');
}

/** The body bytes (base64 decoded when flagged), with Content-Length set to match; none for an empty body. */
export function bodyFrom(event: JsonObject, headers: Record<string, string>): Buffer | undefined {
  const body = event.body;
  if (typeof body !== 'string' || body === '') {
    delete headers['content-length'];
    return undefined;
  }
  const bytes = Buffer.from(body, event.isBase64Encoded === true ? 'base64' : 'utf8');
  headers['content-length'] = String(bytes.length);
  return bytes;
}

/**
 * A path safe to put on a request line, whether the gateway handed it decoded (REST `path`, HTTP API `rawPath`) or
 * still percent-encoded (Function URLs, ALB): escapes kept as they are, and only what can never stand literally in an
 * encoded path is escaped (spaces, non-ASCII, controls, a bare `%`, and `?`/`#`, which would otherwise start a query
 * or a fragment).
 */
export function onTheWirePath(path: string): string {
  const absolute = path.startsWith('/') ? path : `/${path}`;
  return absolute.replace(/%(?![0-9A-Fa-f]{2})|[^\x21-\x7e]|[?#]/gu, escapeChar);
}

/** A query string safe to append after `?`: as sent, with only characters no query may hold literally escaped. */
export function onTheWireQuery(query: string): string {
  return query.replace(/%(?![0-9A-Fa-f]{2})|[^\x21-\x7e]|#/gu, escapeChar);
}

/** Percent-encodes one character; a lone surrogate (which encodeURIComponent refuses) becomes U+FFFD. */
function escapeChar(char: string): string {
  try {
    return encodeURIComponent(char);
  } catch {
    return '%EF%BF%BD';
  }
}

/** `name=value` pairs joined into a query string, each part already encoded as the client sent it. */
export function rawQueryFrom(single: unknown, multi: unknown): string {
  const pairs: string[] = [];
  if (isObject(multi)) {
    for (const [name, values] of Object.entries(multi)) {
      if (Array.isArray(values)) for (const value of values) if (typeof value === 'string') pairs.push(`${name}=${value}`);
    }
  } else if (isObject(single)) {
    for (const [name, value] of Object.entries(single)) if (typeof value === 'string') pairs.push(`${name}=${value}`);
  }
  return onTheWireQuery(pairs.join('&'));
}

/** Response headers as lower-case names and string values; `transfer-encoding` dropped (no gateway streams here). */
export function responseHeaderLists(headers: ResponseValues['headers']): Map<string, string[]> {
  const lists = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (key === 'transfer-encoding') continue;
    lists.set(key, [...(lists.get(key) ?? []), ...(Array.isArray(value) ? value.map(String) : [String(value)])]);
  }
  return lists;
}
