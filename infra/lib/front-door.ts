/**
 * What the rest of the construct needs from an API front door (REST API or HTTP API), so `CognitoBff` wires either the
 * same way: CloudFront forwards to `originDomainName` + `originPath`, the BFF's routes go to its Lambda, and the team's
 * own routes sit behind the Cognito authorizer.
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import type { ThrottlingConfig } from './config.js';

/** The two kinds of API Gateway the construct can put in front of the BFF. */
export const FRONT_DOORS = ['rest', 'http'] as const;
export type FrontDoorKind = (typeof FRONT_DOORS)[number];

/** Where a route added with `addApi` goes: a Lambda function (proxy integration) or an HTTP(S) base URL. */
export type ApiTarget = IFunction | string;

/** The only request headers a browser needs to send cross-origin to the BFF and the APIs behind it. */
export const CORS_ALLOW_HEADERS = ['Content-Type', 'Authorization', 'X-CSRF'];

/** Methods the BFF's own routes accept (`/auth/*`: GET login/callback/session, POST, DELETE /auth/sessions/:id). */
export const BFF_METHODS = ['GET', 'POST', 'DELETE'] as const;
/** Methods an API added with `addApi` may receive. */
export const API_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** The header API Gateway's Cognito authorizers read (filled from the cookie at the edge for browsers). */
export const AUTHORIZATION_HEADER = 'Authorization';

/** What both front doors are built from. */
export interface FrontDoorProps {
  readonly userPool: IUserPool;
  /**
   * Exact origins of other sites allowed to call the API with credentials. Never `*`: browsers refuse `*` together
   * with credentials. The SPA served by the construct's own distribution is same-origin and needs no entry.
   * @default - no CORS: no cross-origin caller
   */
  readonly corsOrigins?: string[];
  /**
   * Scopes of `/tests`. With scopes, the authorizers accept access tokens (and only those); the request passes when
   * the token carries any one of them.
   */
  readonly authorizationScopes: string[];
  /** @default { rateLimit: 100, burstLimit: 200 } */
  readonly throttling?: ThrottlingConfig;
  /** @default RetentionDays.ONE_MONTH */
  readonly accessLogRetention?: RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/** The listed origins, refusing `*` (browsers reject it together with credentials). */
export function exactOrigins(corsOrigins: string[] | undefined): string[] {
  const origins = corsOrigins ?? [];
  if (origins.some((origin) => origin.includes('*'))) {
    throw new Error('corsOrigins must list exact origins; "*" cannot be combined with credentials');
  }
  return origins;
}

export interface BffFrontDoor extends IConstruct {
  readonly kind: FrontDoorKind;
  /** Host name of the API's default endpoint (`<id>.execute-api.<region>.<suffix>`), CloudFront's origin. */
  readonly originDomainName: string;
  /** Path CloudFront prepends to reach the stage (`/<stage>` for REST), `undefined` when none is needed. */
  readonly originPath: string | undefined;
  /** The API's own URL, for Bearer clients. */
  readonly url: string;
  /** Routes and methods reachable without the gateway's authorizer (the BFF authenticates those itself). */
  readonly unauthorizedRoutes: IConstruct[];
  /** Sends `/healthz`, `/auth/*` and `/tests` to the BFF's function. Call once, after the app client exists. */
  routeBff(handler: IFunction, client: IUserPoolClient): void;
  /**
   * Puts `path` and everything below it behind the Cognito authorizer (a token with one of `scopes`, and when
   * `groups` is not empty, membership in one of them), forwarding to `target`.
   */
  addProtectedRoute(path: string, target: ApiTarget, scopes: string[], groups: string[]): void;
}

/** `target` is a URL string rather than a Lambda function. */
export function isUrlTarget(target: ApiTarget): target is string {
  return typeof target === 'string';
}

/** The target URL without a trailing slash, so `${base}/{proxy}` never doubles it. */
export function urlBase(url: string): string {
  return url.replace(/\/+$/, '');
}
