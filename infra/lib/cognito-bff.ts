/**
 * `CognitoBff`, the construct of `cognito-bff/cdk`: everything a team needs to put the BFF in front of its SPA and its
 * own APIs in one stack.
 *
 *   user pool (new, or yours) ─ app client ─ hosted-UI domain
 *   CloudFront ─ /*            → SPA bucket (private, OAC; `spaAssetPath` uploads your build)
 *              ─ /auth/*, /healthz → API → BFF Lambda
 *              ─ /tests*, addApi paths (edge bridge: cookie → Authorization, CSRF check)
 *                              → API [Cognito authorizer] → BFF Lambda / your function / your URL
 *   secrets (cookie keys, client secret), the session table (`sessionStore: 'dynamodb'`), alarms and a dashboard
 *   API: a REST API (`frontDoor: 'rest'`) or an HTTP API (`'http'`)
 *
 * Props follow the aws-cdk design guidelines: readonly, each optional one documented with its `@default`, and
 * contradictory combinations refused at construction with an error that names the prop.
 */
import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { Distribution, Function as CloudFrontFunction } from 'aws-cdk-lib/aws-cloudfront';
import { type IUserPool, UserPoolDomain, type UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DEFAULT_TOKEN_VALIDITY, type TokenValidity } from '../../src/client-settings.js';
import { BffApi } from './api.js';
import { BffAppClient } from './app-client.js';
import { BffFunction, defaultLambdaAssetDir, lambdaBundleCode } from './bff-function.js';
import type { LogLevel, MfaMode, SesEmailConfig, ThreatProtectionMode, ThrottlingConfig } from './config.js';
import { BffEdge, protectedPathPattern } from './edge.js';
import { type ApiTarget, type BffFrontDoor, FRONT_DOORS, type FrontDoorKind, isUrlTarget } from './front-door.js';
import { BffHttpApi } from './http-api.js';
import { BffMonitoring } from './monitoring.js';
import { acknowledgeAcceptedFindings } from './nag-suppressions.js';
import { BffSecrets } from './secrets.js';
import { BffSessionTable, GLOBAL_SIGN_OUT_ACTION } from './session-table.js';
import { BffUserPool } from './user-pool.js';

/** Where the BFF keeps its sessions (the CONTRACT's `SESSION_STORE`). */
export type SessionStoreKind = 'dynamodb' | 'cookie';

/** The scope every access token of the BFF's sign-ins carries and ID tokens lack: only access tokens pass. */
export const DEFAULT_AUTHORIZATION_SCOPES = ['openid'];

/** The CloudWatch namespace of the BFF's metrics (infra/README.md lists the names). */
export const DEFAULT_METRICS_NAMESPACE = 'CognitoBff';

/** Paths the construct routes itself; `addApi` may not take them or anything below them. */
export const RESERVED_PATHS = ['/auth', '/healthz', '/tests'];

const API_PATH = /^(\/[A-Za-z0-9._~-]+)+$/;
const COGNITO_PREFIX = /^(?!.*(?:aws|amazon|cognito))[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const STAGE_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;

/** A name served by CloudFront or the hosted UI, with its us-east-1 ACM certificate. */
export interface CustomDomain {
  readonly domainName: string;
  readonly certificate: ICertificate;
}

/** Per-route requirements of an API added with `addApi`. */
export interface AddApiOptions {
  /**
   * OAuth scopes of which the access token must carry one (API Gateway method scopes).
   * @default - the construct's `authorizationScopes`
   */
  readonly scopes?: string[];
  /**
   * Cognito groups (`cognito:groups`) of which the caller must be in one, checked at the gateway. API Gateway's
   * Cognito authorizers check scopes only, so such a route gets a Lambda authorizer of its own that verifies the
   * access token (signature against the pool's JWKS, issuer, app client, expiry) and then the scope and the group:
   * no token or an invalid one is `401`, a valid one without the group or scope `403 {"error":"forbidden"}`.
   * @default - no group requirement
   */
  readonly groups?: string[];
}

export interface CognitoBffProps {
  /**
   * An existing user pool to sign users in with. The construct adds its own app client to it.
   * @default - a new pool: e-mail sign-in, self sign-up, optional phone number, 12-character password policy,
   * recovery by e-mail only, TOTP MFA, `email` for its sender
   */
  readonly userPool?: IUserPool;
  /**
   * SES sender of a new pool's e-mail (verified identity required). Only with a new pool.
   * @default - Cognito's built-in sender: 50 messages a day, for trying things out
   */
  readonly email?: SesEmailConfig;
  /**
   * MFA of a new pool (TOTP apps; no SMS). Only with a new pool.
   * @default 'optional'
   */
  readonly mfa?: MfaMode;
  /**
   * Threat protection of a new pool; anything but `off` selects the Plus feature plan (billed per active user).
   * Only with a new pool.
   * @default 'off'
   */
  readonly threatProtection?: ThreatProtectionMode;
  /**
   * Prefix of the Cognito hosted-UI domain, `https://<prefix>.auth.<region>.amazoncognito.com`. Prefixes are unique
   * per region across all accounts and may not contain `aws`, `amazon` or `cognito`.
   * @default `bff-<stageName>-<account id>`
   */
  readonly cognitoDomainPrefix?: string;
  /**
   * A custom hosted-UI domain (us-east-1 certificate) instead of the Cognito prefix domain.
   * @default - the Cognito prefix domain
   */
  readonly hostedUiCustomDomain?: CustomDomain;
  /**
   * Base URL of the hosted UI of an existing pool that already has a domain (`https://login.example.com`). Only with
   * `userPool`; the construct then adds no domain.
   * @default - the construct adds a domain to the pool
   */
  readonly hostedUiBaseUrl?: string;
  /**
   * The distribution's custom name (us-east-1 certificate, TLSv1.2_2021): the BFF's PUBLIC_BASE_URL.
   * @default - the distribution's `*.cloudfront.net` name
   */
  readonly customDomain?: CustomDomain;
  /**
   * Other SPA origins (`https://app.example.com`): CORS with credentials, post-login and post-logout targets,
   * callback URLs for SPA-driven exchanges. Exact origins, never `*`.
   * @default - only the distribution's own origin
   */
  readonly spaOrigins?: string[];
  /**
   * Register `http://localhost:<port>` as callback, sign-out and CORS origin, for a development SPA or BFF.
   * @default - no localhost URLs
   */
  readonly localhostPort?: number;
  /**
   * Token lifetimes of the app client.
   * @default 15-minute access and ID tokens, 30-day refresh tokens
   */
  readonly tokenValidity?: Partial<TokenValidity>;
  /**
   * Refresh-token rotation: every refresh returns a new refresh token.
   * @default true
   */
  readonly refreshTokenRotation?: boolean;
  /**
   * How long a rotated-out refresh token keeps working (0-60 s), so two tabs refreshing at once both succeed. Only
   * with rotation on.
   * @default Duration.seconds(10)
   */
  readonly refreshTokenRotationGracePeriod?: Duration;
  /**
   * Scopes API Gateway requires on `/tests` (and on `addApi` routes without scopes of their own). Must be among the
   * app client's scopes (`openid email profile`).
   * @default ['openid']
   */
  readonly authorizationScopes?: string[];
  /**
   * The BFF function's code: a bundle whose handler serves API Gateway events (for instance your Express app built
   * with `createBff` and wrapped by `cognito-bff/lambda`'s `createHandler`).
   * @default - the package's standalone bundle, `dist/lambda/index.js`
   */
  readonly code?: Code;
  /**
   * The handler within `code`. Only with `code`.
   * @default 'index.handler'
   */
  readonly handler?: string;
  /**
   * Lambda runtime, set explicitly (CDK's default drifts with feature flags).
   * @default Runtime.NODEJS_24_X
   */
  readonly runtime?: Runtime;
  /**
   * Memory in MB; Lambda scales CPU with it, and token verification is CPU-bound.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Function timeout, below API Gateway's 29 s.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * The BFF's LOG_LEVEL.
   * @default 'info'
   */
  readonly logLevel?: LogLevel;
  /**
   * API stage name; also names the default hosted-UI prefix and the distribution.
   * @default 'bff'
   */
  readonly stageName?: string;
  /**
   * Stage throttling, requests per second and burst.
   * @default { rateLimit: 100, burstLimit: 200 }
   */
  readonly throttling?: ThrottlingConfig;
  /**
   * The API Gateway in front of the BFF and the team's APIs: `rest` (REST API, Cognito user-pool authorizer, gateway
   * responses in the BFF's JSON shape) or `http` (HTTP API, payload format 2.0, Cognito JWT authorizer; cheaper).
   * CloudFront and its edge bridge work the same in front of both.
   * @default 'rest'
   */
  readonly frontDoor?: FrontDoorKind;
  /**
   * Create API Gateway's account-wide logging role (REST front door; retained on deletion). Turn off when the
   * account has one. Only with the `rest` front door.
   * @default true
   */
  readonly apiGatewayCloudWatchRole?: boolean;
  /**
   * What deleting the stack does to the user pool, session table, buckets, secrets and logs. RETAIN also switches on
   * deletion protection of the pool and the table.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Retention of the function's and the API's logs.
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: RetentionDays;
  /**
   * The SPA's build directory, uploaded to the SPA bucket at each deployment (then the cache is invalidated).
   * @default - nothing is uploaded
   */
  readonly spaAssetPath?: string;
  /**
   * Where sessions live: `dynamodb` (server-side sessions that can end: a table is created and granted to the
   * function, and `cognito-idp:AdminUserGlobalSignOut` on the pool for logout "everywhere") or `cookie` (stateless,
   * sealed cookies).
   * @default 'dynamodb'
   */
  readonly sessionStore?: SessionStoreKind;
  /**
   * Alarms (sign-in failure ratio, refresh IdP failures, 5xx, identity mismatches, throttles) and one dashboard.
   * @default true
   */
  readonly monitoring?: boolean;
  /**
   * Where alarms notify (on alarm and on recovery). Only with monitoring on.
   * @default - alarms change state without notifying anyone
   */
  readonly alarmTopic?: ITopic;
  /**
   * CloudWatch namespace of the BFF's metrics (POWERTOOLS_METRICS_NAMESPACE).
   * @default 'CognitoBff'
   */
  readonly metricsNamespace?: string;
  /**
   * The `service` dimension of the BFF's metrics (POWERTOOLS_SERVICE_NAME), unique per deployment in an account.
   * @default - the stack name, a hyphen, and `stageName`
   */
  readonly serviceName?: string;
}

export class CognitoBff extends Construct {
  /** The pool users sign in with (created or given). */
  readonly userPool: IUserPool;
  /** The pool the construct created, when it did. */
  readonly createdUserPool?: BffUserPool;
  readonly userPoolClient: UserPoolClient;
  /** The hosted-UI domain the construct added, unless `hostedUiBaseUrl` named an existing one. */
  readonly userPoolDomain?: UserPoolDomain;
  /** Base URL of the OAuth endpoints: the BFF's COGNITO_DOMAIN. */
  readonly hostedUiBaseUrl: string;
  /** The API front door, either kind. */
  readonly frontDoor: BffFrontDoor;
  /** The API: a `RestApi` (`frontDoor: 'rest'`) or an `HttpApi` (`'http'`); `restApi`/`httpApi` are typed. */
  readonly api: RestApi | HttpApi;
  /** With `frontDoor: 'rest'`. */
  readonly restApi?: RestApi;
  /** With `frontDoor: 'http'`. */
  readonly httpApi?: HttpApi;
  readonly distribution: Distribution;
  readonly spaBucket: Bucket;
  /** The CloudFront Function on every authorized path: cookie → Authorization, CSRF check. */
  readonly edgeFunction: CloudFrontFunction;
  /** The BFF's Lambda function. */
  readonly handler: LambdaFunction;
  readonly cookieKeysSecret: Secret;
  readonly clientSecret: Secret;
  /** The session table, with `sessionStore: 'dynamodb'`. */
  readonly table?: Table;
  /** `https://<name>` of the distribution: the SPA's and the BFF's origin (PUBLIC_BASE_URL). */
  readonly publicBaseUrl: string;
  /** Alarms and dashboard, unless `monitoring: false`. */
  readonly monitoring?: BffMonitoring;
  /** Everything the construct's parts need to know about accepted cdk-nag findings. */
  readonly settings: {
    readonly createdUserPool: boolean;
    readonly mfa: MfaMode;
    readonly threatProtection: ThreatProtectionMode;
    readonly customDomain: boolean;
  };
  /** Internal pieces, for tests and the acknowledgements. */
  readonly parts: { readonly edge: BffEdge; readonly secrets: BffSecrets; readonly bff: BffFunction; readonly app: BffAppClient };
  private readonly scopes: string[];
  private readonly apiPaths: string[] = [];

  constructor(scope: Construct, id: string, props: CognitoBffProps = {}) {
    super(scope, id);
    checkProps(props);
    const stageName = props.stageName ?? 'bff';
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? RetentionDays.ONE_YEAR;
    const spaOrigins = unique((props.spaOrigins ?? []).map((origin) => origin.replace(/\/$/, '')));
    const localOrigins = props.localhostPort === undefined ? [] : [`http://localhost:${props.localhostPort}`];
    this.scopes = props.authorizationScopes ?? DEFAULT_AUTHORIZATION_SCOPES;
    const mfa = props.mfa ?? 'optional';
    const threatProtection = props.threatProtection ?? 'off';

    if (props.userPool === undefined) {
      this.createdUserPool = new BffUserPool(this, 'UserPool', {
        environment: stageName,
        ...(props.email === undefined ? {} : { email: props.email }),
        mfa,
        threatProtection,
        removalPolicy,
        deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
        ...(props.cognitoDomainPrefix === undefined ? {} : { cognitoDomainPrefix: props.cognitoDomainPrefix }),
        ...(props.hostedUiCustomDomain === undefined ? {} : { customDomain: props.hostedUiCustomDomain }),
      });
      this.userPool = this.createdUserPool.userPool;
      this.userPoolDomain = this.createdUserPool.domain;
      this.hostedUiBaseUrl = this.createdUserPool.hostedUiBaseUrl;
    } else {
      this.userPool = props.userPool;
      if (props.hostedUiBaseUrl === undefined) {
        this.userPoolDomain = new UserPoolDomain(this, 'HostedUiDomain', {
          userPool: props.userPool,
          ...(props.hostedUiCustomDomain === undefined
            ? { cognitoDomain: { domainPrefix: props.cognitoDomainPrefix ?? `bff-${stageName.toLowerCase()}-${Aws.ACCOUNT_ID}` } }
            : { customDomain: props.hostedUiCustomDomain }),
        });
        this.hostedUiBaseUrl = this.userPoolDomain.baseUrl();
      } else {
        this.hostedUiBaseUrl = props.hostedUiBaseUrl.replace(/\/$/, '');
      }
    }

    const frontDoorSettings = {
      userPool: this.userPool,
      corsOrigins: unique([...spaOrigins, ...localOrigins]),
      authorizationScopes: this.scopes,
      ...(props.throttling === undefined ? {} : { throttling: props.throttling }),
      accessLogRetention: logRetention,
      logRemovalPolicy: removalPolicy,
    };
    if ((props.frontDoor ?? 'rest') === 'rest') {
      const rest = new BffApi(this, 'Api', { ...frontDoorSettings, stageName, cloudWatchRole: props.apiGatewayCloudWatchRole ?? true });
      this.frontDoor = rest;
      this.restApi = rest.api;
      this.api = rest.api;
    } else {
      const http = new BffHttpApi(this, 'HttpApi', { ...frontDoorSettings, label: stageName });
      this.frontDoor = http;
      this.httpApi = http.api;
      this.api = http.api;
    }

    const edge = new BffEdge(this, 'Edge', {
      frontDoor: this.frontDoor,
      label: stageName,
      removalPolicy,
      ...(props.customDomain === undefined ? {} : { customDomain: props.customDomain }),
      ...(props.spaAssetPath === undefined ? {} : { spaAssetPath: props.spaAssetPath }),
    });
    this.distribution = edge.distribution;
    this.spaBucket = edge.spaBucket;
    this.edgeFunction = edge.accessTokenFunction;
    this.publicBaseUrl = edge.publicBaseUrl;

    const rotation = props.refreshTokenRotation ?? true;
    const app = new BffAppClient(this, 'AppClient', {
      userPool: this.userPool,
      environment: stageName,
      bffBaseUrls: [this.publicBaseUrl],
      spaOrigins,
      ...(props.localhostPort === undefined ? {} : { localhostPort: props.localhostPort }),
      tokenValidity: { ...DEFAULT_TOKEN_VALIDITY, ...props.tokenValidity },
      ...(rotation
        ? { refreshTokenRotationGraceSeconds: (props.refreshTokenRotationGracePeriod ?? Duration.seconds(10)).toSeconds() }
        : {}),
    });
    this.userPoolClient = app.client;
    const missingScopes = this.scopes.filter((scope) => !app.settings.scopes.includes(scope));
    if (missingScopes.length > 0) {
      throw new Error(
        `CognitoBff: authorizationScopes ${missingScopes.join(', ')} are not scopes of the app client (${app.settings.scopes.join(' ')})`,
      );
    }

    const secrets = new BffSecrets(this, 'Secrets', { client: app.client, removalPolicy });
    this.cookieKeysSecret = secrets.cookieKeys;
    this.clientSecret = secrets.clientSecret;

    const sessionStore = props.sessionStore ?? 'dynamodb';
    const sessionTable = sessionStore === 'dynamodb' ? new BffSessionTable(this, 'Sessions', { removalPolicy }) : undefined;
    if (sessionTable !== undefined) this.table = sessionTable.table;

    const metrics = {
      namespace: props.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE,
      serviceName: props.serviceName ?? `${Stack.of(this).stackName}-${stageName}`,
    };
    const bff = new BffFunction(this, 'Bff', {
      code: props.code ?? lambdaBundleCode(defaultLambdaAssetDir()),
      ...(props.handler === undefined ? {} : { handler: props.handler }),
      ...(props.runtime === undefined ? {} : { runtime: props.runtime }),
      ...(props.memorySize === undefined ? {} : { memorySize: props.memorySize }),
      ...(props.timeout === undefined ? {} : { timeout: props.timeout }),
      secrets,
      logRetention,
      logRemovalPolicy: removalPolicy,
      settings: {
        publicBaseUrl: this.publicBaseUrl,
        userPoolId: this.userPool.userPoolId,
        clientId: app.client.userPoolClientId,
        cognitoDomain: this.hostedUiBaseUrl,
        // The BFF's own origin is allowed anyway; listing it keeps the value non-empty and explicit.
        allowedOrigins: unique([this.publicBaseUrl, ...spaOrigins, ...localOrigins]),
        scopes: app.settings.scopes,
        logLevel: props.logLevel ?? 'info',
        sessionStore: this.table === undefined ? { kind: 'cookie' } : { kind: 'dynamodb', tableName: this.table.tableName },
        metrics,
      },
    });
    this.handler = bff.function;
    sessionTable?.grantSessionAccess(this.handler);
    // Logout with {"everywhere":true} also signs the user out at Cognito: that one admin call, on this pool only.
    if (sessionTable !== undefined) this.userPool.grant(this.handler, GLOBAL_SIGN_OUT_ACTION);
    this.frontDoor.routeBff(this.handler, app.client);

    if (props.monitoring ?? true) {
      this.monitoring = new BffMonitoring(this, 'Monitoring', {
        ...metrics,
        handler: this.handler,
        api: this.api,
        ...(this.table === undefined ? {} : { table: this.table }),
        ...(props.alarmTopic === undefined ? {} : { alarmTopic: props.alarmTopic }),
        label: stageName,
      });
    }

    this.parts = { edge, secrets, bff, app };
    this.settings = {
      createdUserPool: this.createdUserPool !== undefined,
      mfa,
      threatProtection,
      customDomain: props.customDomain !== undefined,
    };
    acknowledgeAcceptedFindings(this);
  }

  /**
   * Puts your own API at `path` (and everything below it) behind the same Cognito authorizer and the same edge
   * bridge as `/tests`: browsers call `https://<distribution>/<path>/…` with their session cookie, Bearer clients call
   * the API directly. `target` is a Lambda function (proxy integration) or an `https://` base URL (HTTP proxy:
   * `<path>/rest` goes to `<url>/rest`).
   */
  addApi(path: string, target: ApiTarget, options: AddApiOptions = {}): void {
    if (!API_PATH.test(path)) {
      throw new Error(
        `CognitoBff.addApi: path "${path}" must be an absolute path like /orders (letters, digits, . _ ~ -; no trailing slash)`,
      );
    }
    const clash = [...RESERVED_PATHS, ...this.apiPaths].find(
      (taken) => path === taken || path.startsWith(`${taken}/`) || taken.startsWith(`${path}/`),
    );
    if (clash !== undefined) {
      throw new Error(`CognitoBff.addApi: path "${path}" overlaps "${clash}", which is routed already`);
    }
    if (isUrlTarget(target) && !/^https:\/\/[^/?#]+(\/[^?#]*)?$/.test(target)) {
      throw new Error(`CognitoBff.addApi: target "${target}" must be an https:// URL without query or fragment`);
    }
    const scopes = options.scopes ?? this.scopes;
    if (scopes.length === 0) throw new Error('CognitoBff.addApi: scopes must not be empty (omit it for the default scopes)');
    const groups = options.groups ?? [];
    const badGroup = groups.find((group) => !GROUP_NAME.test(group));
    if (badGroup !== undefined) throw new Error(`CognitoBff.addApi: groups entry "${badGroup}" is not a Cognito group name`);

    this.apiPaths.push(path);
    this.frontDoor.addProtectedRoute(path, target, scopes, groups);
    this.parts.edge.addProtectedPath(protectedPathPattern(path));
  }
}

function checkProps(props: CognitoBffProps): void {
  const fail = (prop: string, problem: string): never => {
    throw new Error(`CognitoBff: ${prop} ${problem}`);
  };
  if (props.userPool !== undefined) {
    for (const prop of ['email', 'mfa', 'threatProtection'] as const) {
      if (props[prop] !== undefined) fail(prop, 'configures a new user pool; it cannot be combined with userPool (an existing pool)');
    }
  } else if (props.hostedUiBaseUrl !== undefined) {
    fail('hostedUiBaseUrl', "names an existing pool's domain; it needs userPool as well");
  }
  if (props.hostedUiBaseUrl !== undefined) {
    if (props.cognitoDomainPrefix !== undefined)
      fail('cognitoDomainPrefix', 'cannot be combined with hostedUiBaseUrl (an existing domain)');
    if (props.hostedUiCustomDomain !== undefined)
      fail('hostedUiCustomDomain', 'cannot be combined with hostedUiBaseUrl (an existing domain)');
    if (!/^https:\/\/[^/?#]+\/?$/.test(props.hostedUiBaseUrl))
      fail('hostedUiBaseUrl', `must be an https:// base URL without a path, got "${props.hostedUiBaseUrl}"`);
  }
  if (props.cognitoDomainPrefix !== undefined && props.hostedUiCustomDomain !== undefined) {
    fail('cognitoDomainPrefix', 'cannot be combined with hostedUiCustomDomain: the hosted UI has one domain');
  }
  if (props.cognitoDomainPrefix !== undefined && !COGNITO_PREFIX.test(props.cognitoDomainPrefix)) {
    fail(
      'cognitoDomainPrefix',
      `must be lower-case letters, digits and hyphens without "aws", "amazon" or "cognito", got "${props.cognitoDomainPrefix}"`,
    );
  }
  if (props.handler !== undefined && props.code === undefined) fail('handler', 'names a handler within code; it needs code as well');
  if (props.refreshTokenRotation === false && props.refreshTokenRotationGracePeriod !== undefined) {
    fail('refreshTokenRotationGracePeriod', 'is a setting of rotation; it cannot be combined with refreshTokenRotation: false');
  }
  const grace = props.refreshTokenRotationGracePeriod?.toSeconds();
  if (grace !== undefined && (grace < 0 || grace > 60)) fail('refreshTokenRotationGracePeriod', `must be 0-60 seconds, got ${grace}`);
  if (props.stageName !== undefined && !STAGE_NAME.test(props.stageName)) {
    fail('stageName', `must be 1-64 letters, digits, - or _, got "${props.stageName}"`);
  }
  for (const origin of props.spaOrigins ?? []) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      fail('spaOrigins', `entry "${origin}" is not a URL`);
    }
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url?.hostname ?? '');
    if (url?.origin !== origin.replace(/\/$/, ''))
      fail('spaOrigins', `entry "${origin}" must be an origin (scheme://host[:port]), without a path or "*"`);
    if (url?.protocol !== 'https:' && !(url?.protocol === 'http:' && loopback))
      fail('spaOrigins', `entry "${origin}" must use https: (http: only for localhost)`);
  }
  if (
    props.localhostPort !== undefined &&
    !(Number.isInteger(props.localhostPort) && props.localhostPort > 0 && props.localhostPort < 65536)
  ) {
    fail('localhostPort', `must be a TCP port, got ${props.localhostPort}`);
  }
  if (props.sessionStore !== undefined && !['dynamodb', 'cookie'].includes(props.sessionStore)) {
    fail('sessionStore', `must be 'dynamodb' or 'cookie', got "${String(props.sessionStore)}"`);
  }
  if (props.monitoring === false && props.alarmTopic !== undefined) {
    fail('alarmTopic', 'receives alarm notifications; it cannot be combined with monitoring: false');
  }
  if (props.frontDoor !== undefined && !FRONT_DOORS.includes(props.frontDoor)) {
    fail('frontDoor', `must be 'rest' or 'http', got "${String(props.frontDoor)}"`);
  }
  if (props.frontDoor === 'http' && props.apiGatewayCloudWatchRole !== undefined) {
    fail('apiGatewayCloudWatchRole', "is a setting of the REST API's logging; HTTP APIs (frontDoor: 'http') need no such role");
  }
  if (props.authorizationScopes !== undefined && props.authorizationScopes.length === 0) {
    fail('authorizationScopes', 'must name at least one scope: without scopes the authorizer would accept ID tokens');
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
