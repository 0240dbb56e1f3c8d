/**
 * The REST API in front of the BFF's Lambda: `/auth/{proxy+}` and `/healthz` open, `/tests` behind API Gateway's
 * Cognito authorizer (access tokens only), CORS for the listed SPA origins with credentials, JSON access logs and
 * stage throttling.
 *
 * Built in two steps: the API first (the CloudFront distribution needs its id, the app client needs the
 * distribution's URL, the Lambda needs the client), then `routeTo(handler)` adds the routes.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  AuthorizationType,
  CognitoUserPoolsAuthorizer,
  EndpointType,
  IdentitySource,
  LambdaIntegration,
  LogGroupLogDestination,
  type Method,
  MethodLoggingLevel,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ThrottlingConfig } from './config.js';

/** The seed's CORS headers plus `X-CSRF`, which the BFF requires on cookie-authenticated unsafe requests. */
export const CORS_ALLOW_HEADERS = [
  'Content-Type',
  'X-Amz-Date',
  'Authorization',
  'X-Api-Key',
  'Access-Control-Allow-Credentials',
  'Access-Control-Allow-Headers',
  'Impersonating-User-Sub',
  'X-CSRF',
];

export const CORS_ALLOW_METHODS = ['OPTIONS', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** The header API Gateway's Cognito authorizer reads (filled from the cookie at the edge for browsers). */
export const AUTHORIZATION_HEADER = 'Authorization';

export interface BffApiProps {
  /** Stage name: the environment name. */
  readonly stageName: string;
  readonly userPool: IUserPool;
  /**
   * Exact origins of other sites allowed to call the API with credentials. Never `*`: browsers refuse `*` together
   * with credentials. The SPA served by the stack's own distribution is same-origin and needs no entry.
   * @default - no CORS: no preflight route, no cross-origin caller
   */
  readonly corsOrigins?: string[];
  /**
   * Method scopes of the authorized routes. With scopes, the authorizer accepts access tokens (and only those);
   * the request passes when the token carries any one of them.
   */
  readonly authorizationScopes: string[];
  /** @default { rateLimit: 100, burstLimit: 200 } */
  readonly throttling?: ThrottlingConfig;
  /** @default RetentionDays.ONE_MONTH */
  readonly accessLogRetention?: RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Create the account-wide role API Gateway needs to write logs. Retained on deletion, because every API of the
   * account and region uses it; turn off when the account already has one.
   * @default true
   */
  readonly cloudWatchRole?: boolean;
}

export class BffApi extends Construct {
  readonly api: RestApi;
  readonly authorizer: CognitoUserPoolsAuthorizer;
  readonly accessLogs: LogGroup;
  /** Methods without an API Gateway authorizer (the BFF authenticates those requests itself). */
  readonly unauthorizedMethods: Method[] = [];
  private readonly authorizationScopes: string[];

  constructor(scope: Construct, id: string, props: BffApiProps) {
    super(scope, id);
    const corsOrigins = props.corsOrigins ?? [];
    if (corsOrigins.some((origin) => origin.includes('*'))) {
      throw new Error('BffApi: corsOrigins must list exact origins; "*" cannot be combined with credentials');
    }
    this.authorizationScopes = props.authorizationScopes;
    const throttling = props.throttling ?? { rateLimit: 100, burstLimit: 200 };

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });

    this.api = new RestApi(this, 'Api', {
      description: `cognito-bff API (${props.stageName})`,
      // CloudFront is in front already; an edge-optimized endpoint would add a second distribution.
      endpointTypes: [EndpointType.REGIONAL],
      ...((props.cloudWatchRole ?? true)
        ? { cloudWatchRole: true, cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN }
        : { cloudWatchRole: false }),
      deployOptions: {
        stageName: props.stageName,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: accessLogFormat(),
        // Execution logs for errors only, and never request/response data: bodies and headers carry tokens.
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        throttlingRateLimit: throttling.rateLimit,
        throttlingBurstLimit: throttling.burstLimit,
      },
      // CDK answers the preflight with a mock integration: the first origin is the static header value and the
      // others are echoed by a VTL template when they match exactly; there is no wildcard anywhere. The BFF itself
      // adds the CORS headers to the actual responses.
      ...(corsOrigins.length === 0
        ? {}
        : {
            defaultCorsPreflightOptions: {
              allowOrigins: corsOrigins,
              allowCredentials: true,
              allowHeaders: CORS_ALLOW_HEADERS,
              allowMethods: CORS_ALLOW_METHODS,
              maxAge: Duration.minutes(10),
            },
          }),
    });

    // RestApi adds an `Endpoint` output of its own; the stack's ApiUrl output (custom domain aware) replaces it.
    this.api.node.tryRemoveChild('Endpoint');

    this.authorizer = new CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [props.userPool],
      identitySource: IdentitySource.header(AUTHORIZATION_HEADER),
    });

    this.addJsonGatewayResponses();
  }

  /** Sends the BFF's routes to `handler` (Lambda proxy integration). Call once. */
  routeTo(handler: IFunction): void {
    if (this.api.root.getResource('auth') !== undefined) throw new Error('BffApi: routeTo() was called twice');
    const integration = new LambdaIntegration(handler, { proxy: true, allowTestInvoke: false });
    const open = { authorizationType: AuthorizationType.NONE };

    this.unauthorizedMethods.push(
      this.api.root.addResource('healthz').addMethod('GET', integration, open),
      // Login, callback, session, refresh and logout work before (or without) a valid access token: the BFF
      // authenticates those requests itself (state, PKCE, sealed cookies, CSRF header).
      this.api.root.addResource('auth').addResource('{proxy+}').addMethod('ANY', integration, open),
    );
    this.api.root.addResource('tests').addMethod('GET', integration, {
      authorizationType: AuthorizationType.COGNITO,
      authorizer: this.authorizer,
      authorizationScopes: this.authorizationScopes,
    });
  }

  /**
   * Errors produced by API Gateway itself (authorizer refusals, throttling) in the BFF's `{error, message}` shape, and
   * for `/tests` the 401 the contract promises: `WWW-Authenticate: Bearer` and the BFF's own `unauthenticated` code.
   */
  private addJsonGatewayResponses(): void {
    const noStore = { 'Cache-Control': "'no-store'" };
    this.api.addGatewayResponse('Unauthorized', {
      type: ResponseType.UNAUTHORIZED,
      statusCode: '401',
      responseHeaders: { ...noStore, 'WWW-Authenticate': "'Bearer'" },
      templates: { 'application/json': '{"error":"unauthenticated","message":"A valid access token is required."}' },
    });
    this.api.addGatewayResponse('Default4xx', {
      type: ResponseType.DEFAULT_4XX,
      responseHeaders: noStore,
      templates: { 'application/json': '{"error":"request_refused","message":$context.error.messageString}' },
    });
    this.api.addGatewayResponse('Default5xx', {
      type: ResponseType.DEFAULT_5XX,
      responseHeaders: noStore,
      templates: { 'application/json': '{"error":"gateway_error","message":$context.error.messageString}' },
    });
  }
}

/** One JSON object per request. Paths without query strings: the callback's authorization code stays out. */
function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: AccessLogField.contextRequestId(),
      time: AccessLogField.contextRequestTime(),
      ip: AccessLogField.contextIdentitySourceIp(),
      userAgent: AccessLogField.contextIdentityUserAgent(),
      method: AccessLogField.contextHttpMethod(),
      resourcePath: AccessLogField.contextResourcePath(),
      status: AccessLogField.contextStatus(),
      protocol: AccessLogField.contextProtocol(),
      responseLength: AccessLogField.contextResponseLength(),
      responseLatencyMs: AccessLogField.contextResponseLatency(),
      integrationLatencyMs: AccessLogField.contextIntegrationLatency(),
      sub: AccessLogField.contextAuthorizerClaims('sub'),
      error: AccessLogField.contextErrorMessage(),
    }),
  );
}
