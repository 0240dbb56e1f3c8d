/**
 * The session as cookies, and the one place that decides which cookie counts.
 *
 * - `__Host-bff-at` (chunked when large): the access token, raw, because at the edge it is lifted into the header API
 *   Gateway's Cognito authorizer reads. HttpOnly, so scripts never see it. Max-Age: the access token's lifetime.
 * - `__Host-bff-session` (chunked when large): the sealed session record: a random binding id `sid` of this sign-in
 *   (kept across its refreshes) and the profile from the verified ID token. Max-Age: the refresh lifetime, so it
 *   outlives the access token and is still there when a silent refresh needs it.
 * - `__Secure-bff-rt`: the sealed `{sid, refreshToken}`, scoped to the BFF's `/auth` path: it travels to no other route.
 * - `__Host-bff-tx-*`: login transactions (see transaction.ts).
 *
 * The binding rule (the contract's Cookies section): a `__Host-` cookie can only be set by this host, but a `__Secure-`
 * one can be planted by any host of the same site (`Domain=<parent>`, a longer `Path`, sent first). So the refresh
 * cookie counts only when its sealed `sid` equals the `sid` of the request's `__Host-bff-session`; every copy of its
 * name is read from the raw header and order never decides. No valid session cookie: no refresh token counts. Every
 * credential-bearing cookie that is not `__Host-` must go through `bound()` here.
 */
import { assertWithinCookieBudget, SessionTooLargeError } from './cookie-budget';
import type { Sealer } from './sealing';
import { chunkedCandidates, cookieCopies, type CookieCopies } from '../http/cookie-copies';
import {
  CookieTooLargeError,
  expireCookie,
  MAX_CHUNKS,
  readChunkedCookie,
  writeChunkedCookie,
  type CookieAttributes,
  type RequestCookies,
} from '../http/cookies';
import { MAX_TRANSACTIONS_READ, sameSecret, TRANSACTION_COOKIE_ATTRS, TRANSACTION_COOKIE_PREFIX } from './transaction';

export const ACCESS_COOKIE = '__Host-bff-at';
export const SESSION_COOKIE = '__Host-bff-session';
export const REFRESH_COOKIE = '__Secure-bff-rt';

// New purposes for the bound formats: a value sealed in the unbound format of earlier versions opens as neither.
const SESSION_PURPOSE = 'session-record';
const REFRESH_PURPOSE = 'refresh-token-bound';

/** Values of the refresh cookie tried per request (each one AES-GCM opened with every key): a fixed bound. */
export const MAX_REFRESH_CANDIDATES = 8;
/** Random bytes of a binding id: 128 bits. */
const SID_BYTES = 16;

export interface SessionUser {
  sub: string;
  username: string;
  email?: string;
  groups: string[];
}

export interface SessionProfile {
  user: SessionUser;
  /** Access-token expiry, epoch seconds. */
  expiresAt: number;
}

/** What `__Host-bff-session` carries. Extend it here (a server-side session reference, say), never in another cookie. */
export interface SessionRecord extends SessionProfile {
  /** Random binding id of one sign-in, kept across its refreshes; the refresh cookie counts only with the same one. */
  sid: string;
  /**
   * Server-side sessions (SESSION_STORE=dynamodb) only: `sid` names the stored session of `user.sub`, and this is the
   * refresh generation the cookies were issued at (a refresh from older cookies takes the newer tokens).
   */
  generation?: number;
}

/** How a session's cookies are issued with server-side sessions: no refresh cookie, the reference's generation. */
export interface ServerSideIssue {
  generation: number;
}

export interface NewSession {
  accessToken: string;
  profile: SessionProfile;
  /** Undefined: keep the refresh cookie as it is (a refresh without rotation). */
  refreshToken: string | undefined;
}

/** What a request is to these cookies: cookie-parser's `req.cookies` (first copy wins) and the raw header. */
export interface CookieRequest {
  headers: { cookie?: string | undefined };
  cookies?: RequestCookies;
}

export interface SessionCookieOptions {
  basePath: string;
  refreshMaxAgeSeconds: number;
  random: (size: number) => Buffer;
}

function isSessionRecord(value: unknown): value is SessionRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<SessionRecord>;
  return (
    typeof record.sid === 'string' &&
    record.sid.length >= 22 &&
    typeof record.expiresAt === 'number' &&
    typeof record.user === 'object' &&
    record.user !== null &&
    typeof record.user.sub === 'string' &&
    typeof record.user.username === 'string' &&
    Array.isArray(record.user.groups)
  );
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isSessionName = (name: string): boolean => name === SESSION_COOKIE || name.startsWith(`${SESSION_COOKIE}.`);
const isRefreshName = (name: string): boolean => name === REFRESH_COOKIE || name.startsWith(`${REFRESH_COOKIE}.`);

export class SessionCookies {
  private readonly hostAttrs: CookieAttributes = { path: '/', sameSite: 'Strict' };
  private readonly refreshAttrs: CookieAttributes;
  private readonly refreshMaxAgeSeconds: number;
  private readonly random: (size: number) => Buffer;
  /** The raw header's copies of our non-unique names, parsed once per request. */
  private readonly parsed = new WeakMap<object, CookieCopies>();

  constructor(
    private readonly sealer: Sealer,
    options: SessionCookieOptions,
  ) {
    this.refreshMaxAgeSeconds = options.refreshMaxAgeSeconds;
    this.refreshAttrs = { path: `${options.basePath}/auth`, sameSite: 'Strict', maxAgeSeconds: options.refreshMaxAgeSeconds };
    this.random = options.random;
  }

  /** A fresh binding id for a new sign-in. */
  newSessionId(): string {
    return this.random(SID_BYTES).toString('base64url');
  }

  /**
   * Set-Cookie values for a session bound to `sid`; stale chunks of earlier (or planted) cookies of the same names are
   * cleared. Tokens too large for the cookie budget are the IdP's answer we cannot use (a 502, logged as an error),
   * never a crash.
   */
  issue(req: CookieRequest, session: NewSession, sid: string, nowSeconds: number, serverSide?: ServerSideIssue): string[] {
    const cookies = req.cookies ?? {};
    const lifetime = Math.max(0, session.profile.expiresAt - nowSeconds);
    // The groups travel in the access token already (every guarded route reads them there): not twice, which would
    // double what a user in many groups costs the cookie budget.
    const user = { ...session.profile.user, groups: [] };
    const record: SessionRecord = serverSide
      ? { sid, user, expiresAt: session.profile.expiresAt, generation: serverSide.generation }
      : { sid, user, expiresAt: session.profile.expiresAt };
    try {
      const headers = [
        ...writeChunkedCookie(cookies, ACCESS_COOKIE, session.accessToken, { ...this.hostAttrs, maxAgeSeconds: lifetime }),
        ...writeChunkedCookie(cookies, SESSION_COOKIE, this.sealer.seal(SESSION_PURPOSE, JSON.stringify(record)), {
          ...this.hostAttrs,
          maxAgeSeconds: this.refreshMaxAgeSeconds,
        }),
      ];
      if (serverSide) {
        // The refresh token stays on the server; a refresh cookie of an earlier cookie-mode session goes.
        headers.push(...this.allForms(REFRESH_COOKIE).map((name) => expireCookie(name, this.refreshAttrs)));
      } else if (session.refreshToken !== undefined) {
        const sealed = this.sealer.seal(REFRESH_PURPOSE, JSON.stringify({ sid, refreshToken: session.refreshToken }));
        headers.push(...writeChunkedCookie(cookies, REFRESH_COOKIE, sealed, this.refreshAttrs));
      } else {
        // A refresh without rotation keeps the refresh cookie: it still counts toward the budget.
        assertWithinCookieBudget([...headers, ...this.keptRefreshCookie(req)]);
      }
      // Whole or not at all: a session that cannot fit is refused before any of it is set.
      assertWithinCookieBudget(headers);
      return headers;
    } catch (error) {
      if (!(error instanceof CookieTooLargeError)) throw error;
      throw new SessionTooLargeError(`a session cookie needs more than the chunks a browser keeps: ${error.message}`);
    }
  }

  readAccessToken(cookies: RequestCookies): string | undefined {
    return readChunkedCookie(cookies, ACCESS_COOKIE);
  }

  /**
   * The session record of the request's `__Host-bff-session`, or undefined. Two copies of a `__Host-` name can only
   * come from a browser that let another host plant one (a nameless-cookie trick): then no copy is trusted.
   */
  readSession(req: CookieRequest): SessionRecord | undefined {
    const copies = this.copies(req);
    for (const name of copies.keys()) if (isSessionName(name) && copies.get(name)!.length > 1) return undefined;
    const sealed = readChunkedCookie(req.cookies ?? {}, SESSION_COOKIE);
    const value = parseJson(sealed === undefined ? undefined : this.sealer.open(SESSION_PURPOSE, sealed));
    return isSessionRecord(value) ? value : undefined;
  }

  /**
   * The refresh token bound to `session`: of every copy of `__Secure-bff-rt` the request carries (plain or chunked, in
   * any order), the one sealed with the same `sid`. Undefined when no copy is bound to it.
   */
  boundRefreshToken(req: CookieRequest, session: SessionRecord): string | undefined {
    return this.bound(req, REFRESH_COOKIE, REFRESH_PURPOSE, session, (value) => {
      const token = (value as { refreshToken?: unknown }).refreshToken;
      return typeof token === 'string' && token !== '' ? token : undefined;
    });
  }

  /** True when the request carries any session cookie (then unsafe methods need the CSRF header). */
  carriesSession(cookies: RequestCookies): boolean {
    return Object.keys(cookies).some(
      (name) => name.startsWith(ACCESS_COOKIE) || name.startsWith(SESSION_COOKIE) || name.startsWith(REFRESH_COOKIE),
    );
  }

  /**
   * Clears every auth cookie of ours: session, refresh and every chunk of them, and open login transactions (at most
   * MAX_TRANSACTIONS_READ of them: the answer stays bounded; the rest expire within minutes by themselves).
   */
  clearAll(cookies: RequestCookies): string[] {
    const transactions = Object.keys(cookies)
      .filter((name) => name.startsWith(TRANSACTION_COOKIE_PREFIX))
      .slice(0, MAX_TRANSACTIONS_READ)
      .map((name) => expireCookie(name, TRANSACTION_COOKIE_ATTRS));
    // Every form each name can take, whatever the request carries or how unreadable it is: a browser whose cookies we
    // cannot read (or that holds more than it sent) is still signed out completely.
    return [
      ...this.allForms(ACCESS_COOKIE).map((name) => expireCookie(name, this.hostAttrs)),
      ...this.allForms(SESSION_COOKIE).map((name) => expireCookie(name, this.hostAttrs)),
      ...this.allForms(REFRESH_COOKIE).map((name) => expireCookie(name, this.refreshAttrs)),
      ...transactions,
    ];
  }

  /** A cookie name plain and in every chunk form. */
  private allForms(name: string): string[] {
    return [name, ...Array.from({ length: MAX_CHUNKS }, (_, index) => `${name}.${index}`)];
  }

  /**
   * The refresh cookie the browser keeps (a refresh without rotation writes none), as the `name=value` pairs it keeps
   * adding to the Cookie header. Read from the parsed cookies, never opened: the budget needs sizes, not contents.
   */
  private keptRefreshCookie(req: CookieRequest): string[] {
    const cookies = req.cookies ?? {};
    return Object.keys(cookies)
      .filter((name) => isRefreshName(name) && typeof cookies[name] === 'string')
      .map((name) => `${name}=${String(cookies[name])}`);
  }

  /** The binding rule for a cookie another host could plant: the first copy sealed for `purpose` with this `sid`. */
  private bound<T>(
    req: CookieRequest,
    name: string,
    purpose: string,
    session: SessionRecord,
    read: (value: object) => T | undefined,
  ): T | undefined {
    const candidates = chunkedCandidates(this.copies(req), name, { maxChunks: MAX_CHUNKS, maxCandidates: MAX_REFRESH_CANDIDATES });
    for (const candidate of candidates) {
      const value = parseJson(this.sealer.open(purpose, candidate));
      if (typeof value !== 'object' || value === null) continue;
      const sid = (value as { sid?: unknown }).sid;
      if (typeof sid !== 'string' || !sameSecret(sid, session.sid)) continue;
      const result = read(value);
      if (result !== undefined) return result;
    }
    return undefined;
  }

  private copies(req: CookieRequest): CookieCopies {
    let copies = this.parsed.get(req);
    if (copies === undefined) {
      copies = cookieCopies(req.headers.cookie, (name) => isSessionName(name) || isRefreshName(name));
      this.parsed.set(req, copies);
    }
    return copies;
  }
}
