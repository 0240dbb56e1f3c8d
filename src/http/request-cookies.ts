/**
 * `req.cookies` for requests of an app we do not own (a team's app that mounts the router or uses requireAuth): the
 * same lazy cookie-parser property the standalone app installs (see lazyCookieParser), put once on the prototype of
 * that app's requests. An app that already has a `cookies` property there keeps its own; cookie-parser run by the
 * team's app still works (its assignment lands in the lazy property's setter).
 */
import cookieParser from 'cookie-parser';
import { lazyCookieParser } from './cookies';

const seen = new WeakSet<object>();
const parse = cookieParser() as unknown as Parameters<typeof lazyCookieParser>[1];

export function ensureRequestCookies(req: object): void {
  const prototype = Object.getPrototypeOf(req) as object | null;
  if (prototype === null || seen.has(prototype)) return;
  seen.add(prototype);
  if (!('cookies' in prototype) && !Object.prototype.hasOwnProperty.call(req, 'cookies')) lazyCookieParser(prototype, parse);
}
