/**
 * `req.auth`: who the caller is, as `requireAuth` verified it. Optional on every request (a route without the guard
 * has none); `AuthenticatedRequest` is the type for handlers behind `requireAuth`.
 */
import type { Request } from 'express';

export interface AuthInfo {
  /** The user's `sub`. */
  readonly sub: string;
  readonly username: string;
  /** `cognito:groups`. */
  readonly groups: readonly string[];
  /** The access token's scopes. */
  readonly scopes: readonly string[];
  /** The app client the token was issued to. */
  readonly clientId: string;
  /** Where the access token came from. */
  readonly via: 'cookie' | 'bearer';
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by cognito-bff's `requireAuth` on the routes it guards. */
      auth?: AuthInfo;
    }
  }
}

/** A request that passed `requireAuth`. */
export type AuthenticatedRequest = Request & { auth: AuthInfo };
