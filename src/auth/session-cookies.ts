/**
 * The session as cookies. Nothing lives on the server: any instance serves any request.
 *
 * - `__Host-bff-at`: the access token, raw, because at the edge it is lifted into the header API Gateway's Cognito
 *   authorizer reads. HttpOnly, so scripts never see it.
 * - `__Host-bff-session`: sealed profile from the verified ID token (sub, username, email, groups, expiry).
 * - `__Secure-bff-rt`: the sealed refresh token, scoped to the BFF's `/auth` path: it travels to no other route.
 * - `__Host-bff-tx-*`: login transactions (see transaction.ts).
 */
import type { Sealer } from './sealing';
import { IdpUnavailableError } from '../errors';
import {
  clearChunkedCookie,
  CookieTooLargeError,
  expireCookie,
  readChunkedCookie,
  writeChunkedCookie,
  type CookieAttributes,
  type RequestCookies,
} from '../http/cookies';
import { TRANSACTION_COOKIE_ATTRS, TRANSACTION_COOKIE_PREFIX } from './transaction';

export const ACCESS_COOKIE = '__Host-bff-at';
export const PROFILE_COOKIE = '__Host-bff-session';
export const REFRESH_COOKIE = '__Secure-bff-rt';

const PROFILE_PURPOSE = 'session-profile';
const REFRESH_PURPOSE = 'refresh-token';

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

export interface NewSession {
  accessToken: string;
  profile: SessionProfile;
  /** Undefined: keep the refresh cookie as it is (a refresh without rotation). */
  refreshToken: string | undefined;
}

export class SessionCookies {
  private readonly hostAttrs: CookieAttributes = { path: '/', sameSite: 'Strict' };
  private readonly refreshAttrs: CookieAttributes;

  constructor(
    private readonly sealer: Sealer,
    options: { basePath: string; refreshMaxAgeSeconds: number },
  ) {
    this.refreshAttrs = { path: `${options.basePath}/auth`, sameSite: 'Strict', maxAgeSeconds: options.refreshMaxAgeSeconds };
  }

  /**
   * Set-Cookie values for a session; stale chunks of earlier (or planted) cookies are cleared. Tokens too large for
   * the cookie budget are the IdP's answer we cannot use (a 502, logged as an error), never a crash.
   */
  issue(cookies: RequestCookies, session: NewSession, nowSeconds: number): string[] {
    const lifetime = Math.max(0, session.profile.expiresAt - nowSeconds);
    const attrs: CookieAttributes = { ...this.hostAttrs, maxAgeSeconds: lifetime };
    try {
      const headers = [
        ...writeChunkedCookie(cookies, ACCESS_COOKIE, session.accessToken, attrs),
        ...writeChunkedCookie(cookies, PROFILE_COOKIE, this.sealer.seal(PROFILE_PURPOSE, JSON.stringify(session.profile)), attrs),
      ];
      if (session.refreshToken !== undefined) {
        headers.push(
          ...writeChunkedCookie(cookies, REFRESH_COOKIE, this.sealer.seal(REFRESH_PURPOSE, session.refreshToken), this.refreshAttrs),
        );
      }
      return headers;
    } catch (error) {
      if (!(error instanceof CookieTooLargeError)) throw error;
      throw new IdpUnavailableError('idp_bad_response', `tokens too large for the session cookies: ${error.message}`);
    }
  }

  readAccessToken(cookies: RequestCookies): string | undefined {
    return readChunkedCookie(cookies, ACCESS_COOKIE);
  }

  readProfile(cookies: RequestCookies): SessionProfile | undefined {
    const sealed = readChunkedCookie(cookies, PROFILE_COOKIE);
    const text = sealed === undefined ? undefined : this.sealer.open(PROFILE_PURPOSE, sealed);
    if (text === undefined) return undefined;
    try {
      const value = JSON.parse(text) as SessionProfile;
      return typeof value?.user?.sub === 'string' && typeof value.expiresAt === 'number' ? value : undefined;
    } catch {
      return undefined;
    }
  }

  readRefreshToken(cookies: RequestCookies): string | undefined {
    const sealed = readChunkedCookie(cookies, REFRESH_COOKIE);
    return sealed === undefined ? undefined : this.sealer.open(REFRESH_PURPOSE, sealed);
  }

  /** True when the request carries any session cookie (then unsafe methods need the CSRF header). */
  carriesSession(cookies: RequestCookies): boolean {
    return Object.keys(cookies).some(
      (name) => name.startsWith(ACCESS_COOKIE) || name.startsWith(PROFILE_COOKIE) || name.startsWith(REFRESH_COOKIE),
    );
  }

  /** Clears every auth cookie: session, refresh and every chunk of them, and open login transactions. */
  clearAll(cookies: RequestCookies): string[] {
    const transactions = Object.keys(cookies)
      .filter((name) => name.startsWith(TRANSACTION_COOKIE_PREFIX))
      .map((name) => expireCookie(name, TRANSACTION_COOKIE_ATTRS));
    return [
      ...clearChunkedCookie(cookies, ACCESS_COOKIE, this.hostAttrs),
      ...clearChunkedCookie(cookies, PROFILE_COOKIE, this.hostAttrs),
      ...clearChunkedCookie(cookies, REFRESH_COOKIE, this.refreshAttrs),
      ...transactions,
    ];
  }
}
