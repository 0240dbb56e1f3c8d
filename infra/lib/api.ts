/**
 * The REST API front door (`frontDoor: 'rest'`): `/auth/{proxy+}` and `/healthz` open, `/tests` and every `addApi`
 * path behind API Gateway's Cognito authorizer (access tokens only), CORS for the listed SPA origins with credentials
 * (preflights per resource, advertising only the methods that resource accepts), gateway-generated errors in the BFF's
 * JSON shape with CORS headers, JSON access logs and stage throttling.
 *
 * Built in two steps: the API first (the CloudFront distribution needs its id, the app client needs the
 * distribution's URL, the Lambda needs the client), then `routeBff(handler)` adds the routes.
 */
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  AuthorizationType,
  CognitoUserPoolsAuthorizer,
  type CorsOptions,
  EndpointType,
  HttpIntegration,
  IdentitySource,
  type Integration,
  LambdaIntegration,
  LogGroupLogDestination,
  type Method,
  type MethodOptions,
  MethodLoggingLevel,
  type IResource,
  RequestAuthorizer,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import {
  API_METHODS,
  type ApiTarget,
  AUTHORIZATION_HEADER,
  BFF_METHODS,
  type BffFrontDoor,
  CORS_ALLOW_HEADERS,
  exactOrigins,
  type FrontDoorProps,
  isUrlTarget,
  urlBase,
} from './front-door.js';
import { acknowledge } from './acknowledge.js';
import { GroupsAuthorizerFunction } from './groups-authorizer.js';

export { AUTHORIZATION_HEADER, CORS_ALLOW_HEADERS } from './front-door.js';

export interface BffApiProps extends FrontDoorProps {
  /** Stage name. */
  readonly stageName: string;
  /**
   * Create the account-wide role API Gateway needs to write logs. Retained on deletion, because every API of the
   * account and region uses it; turn off when the account already has one.
   * @default true
   */
  readonly cloudWatchRole?: boolean;
}

export class BffApi extends Construct implements BffFrontDoor {
  readonly kind = 'rest' as const;
  readonly api: RestApi;
  readonly authorizer: CognitoUserPoolsAuthorizer;
  readonly accessLogs: LogGroup;
  /** Methods without an API Gateway authorizer (the BFF authenticates those requests itself). */
  readonly unauthorizedMethods: Method[] = [];
  /** Methods behind the groups authorizer (a Lambda authorizer verifying the same pool's tokens). */
  readonly groupsAuthorizedMethods: Method[] = [];
  readonly originDomainName: string;
  readonly originPath: string;
  private readonly authorizationScopes: string[];
  private readonly corsOrigins: string[];
  private readonly props: BffApiProps;
  private client?: IUserPoolClient;
  private groupsAuthorizers = 0;

  constructor(scope: Construct, id: string, props: BffApiProps) {
    super(scope, id);
    this.corsOrigins = exactOrigins(props.corsOrigins);
    this.props = props;
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
    });

    // RestApi adds an `Endpoint` output of its own; the stack's ApiUrl output (custom domain aware) replaces it.
    this.api.node.tryRemoveChild('Endpoint');

    this.authorizer = new CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [props.userPool],
      identitySource: IdentitySource.header(AUTHORIZATION_HEADER),
    });

    // The origin is built from the API id, not from `api.url`: the URL names the stage, and the stage depends on the
    // Lambda, whose PUBLIC_BASE_URL depends on the distribution. The id alone keeps the graph acyclic.
    this.originDomainName = `${this.api.restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`;
    this.originPath = `/${props.stageName}`;
    this.addJsonGatewayResponses();
  }

  get url(): string {
    return this.api.url;
  }

  get unauthorizedRoutes(): IConstruct[] {
    return this.unauthorizedMethods;
  }

  /** Sends the BFF's routes to `handler` (Lambda proxy integration). Call once. */
  routeBff(handler: IFunction, client: IUserPoolClient): void {
    if (this.api.root.getResource('auth') !== undefined) throw new Error('BffApi: routeBff() was called twice');
    this.client = client;
    const integration = new LambdaIntegration(handler, { proxy: true, allowTestInvoke: false });
    const open = { authorizationType: AuthorizationType.NONE };

    this.unauthorizedMethods.push(
      this.addResource(this.api.root, 'healthz', ['GET']).addMethod('GET', integration, open),
      // Login, callback, session, refresh and logout work before (or without) a valid access token: the BFF
      // authenticates those requests itself (state, PKCE, sealed cookies, CSRF header).
      this.addResource(this.addResource(this.api.root, 'auth', BFF_METHODS), '{proxy+}', BFF_METHODS).addMethod('ANY', integration, open),
    );
    this.addResource(this.api.root, 'tests', ['GET']).addMethod('GET', integration, this.authorized(this.authorizationScopes));
  }

  /** `path` (ANY) and `path/{proxy+}` (ANY) behind the authorizer, to a Lambda function or an HTTP base URL. */
  addProtectedRoute(path: string, target: ApiTarget, scopes: string[], groups: string[]): void {
    let resource: IResource = this.api.root;
    for (const segment of path.split('/').filter(Boolean)) {
      resource = resource.getResource(segment) ?? this.addResource(resource, segment, API_METHODS);
    }
    if (resource.node.tryFindChild('ANY') !== undefined) throw new Error(`BffApi: a route at ${path} exists already`);
    const proxy = this.addResource(resource, '{proxy+}', API_METHODS);
    const options = groups.length === 0 ? this.authorized(scopes) : this.groupsAuthorized(scopes, groups);
    const methods: Method[] = [];
    if (isUrlTarget(target)) {
      const base = urlBase(target);
      methods.push(
        resource.addMethod('ANY', new HttpIntegration(base, { proxy: true, httpMethod: 'ANY' }), options),
        proxy.addMethod('ANY', new HttpIntegration(`${base}/{proxy}`, proxyPathOptions()), {
          ...options,
          requestParameters: { 'method.request.path.proxy': true },
        }),
      );
    } else {
      const integration: Integration = new LambdaIntegration(target, { proxy: true, allowTestInvoke: false });
      methods.push(resource.addMethod('ANY', integration, options), proxy.addMethod('ANY', integration, options));
    }
    if (groups.length > 0) {
      this.groupsAuthorizedMethods.push(...methods);
      // Acknowledged here, not with the others: addApi runs after the construct has placed its acknowledgements.
      for (const method of methods) {
        acknowledge(
          method,
          'AwsSolutions-COG4',
          'A route that requires Cognito groups: the Cognito authorizer checks scopes only, so a Lambda authorizer ' +
            "verifies the same pool's access tokens (signature, issuer, client, expiry) and then the scope and the group.",
        );
      }
    }
  }

  /**
   * A Lambda authorizer for one route that verifies the token as the Cognito authorizer would and then requires one of
   * `scopes` and one of `groups`. No result caching: a cached Allow would apply to every method of the API.
   */
  private groupsAuthorized(scopes: string[], groups: string[]): MethodOptions {
    if (this.client === undefined) throw new Error('BffApi: addProtectedRoute() before routeBff()');
    // A counter, not the path: `/a-b` and `/ab` would make the same id.
    const id = `Groups${++this.groupsAuthorizers}`;
    const check = new GroupsAuthorizerFunction(this, id, {
      userPool: this.props.userPool,
      client: this.client,
      scopes,
      groups,
      logRetention: this.props.accessLogRetention ?? RetentionDays.ONE_MONTH,
      logRemovalPolicy: this.props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    const authorizer = new RequestAuthorizer(this, `${id}Authorizer`, {
      handler: check.function,
      identitySources: [IdentitySource.header(AUTHORIZATION_HEADER)],
      resultsCacheTtl: Duration.seconds(0),
    });
    return { authorizationType: AuthorizationType.CUSTOM, authorizer };
  }

  private authorized(scopes: string[]) {
    return { authorizationType: AuthorizationType.COGNITO, authorizer: this.authorizer, authorizationScopes: scopes };
  }

  /** A child resource whose preflight (when CORS is on) advertises exactly `methods`. */
  private addResource(parent: IResource, pathPart: string, methods: readonly string[]): IResource {
    return parent.addResource(pathPart, this.corsOrigins.length === 0 ? {} : { defaultCorsPreflightOptions: this.preflight(methods) });
  }

  /**
   * CDK answers the preflight with a mock integration: the first origin is the static header value and the others are
   * echoed by a VTL template when they match exactly; there is no wildcard anywhere. The BFF itself adds the CORS
   * headers to the actual responses.
   */
  private preflight(methods: readonly string[]): CorsOptions {
    return {
      allowOrigins: this.corsOrigins,
      allowCredentials: true,
      allowHeaders: CORS_ALLOW_HEADERS,
      allowMethods: ['OPTIONS', ...methods],
      maxAge: Duration.minutes(10),
    };
  }

  /**
   * Errors produced by API Gateway itself (authorizer refusals, throttling, unknown paths) in the BFF's
   * `{error, message}` shape, with the CORS headers a browser needs to read them, and for the authorizer's 401 what
   * the contract promises: `WWW-Authenticate: Bearer` and the BFF's own `unauthenticated` code.
   */
  private addJsonGatewayResponses(): void {
    const headers = { 'Cache-Control': "'no-store'", ...gatewayCorsHeaders(this.corsOrigins) };
    this.api.addGatewayResponse('Unauthorized', {
      type: ResponseType.UNAUTHORIZED,
      statusCode: '401',
      responseHeaders: { ...headers, 'WWW-Authenticate': "'Bearer'" },
      templates: { 'application/json': '{"error":"unauthenticated","message":"A valid access token is required."}' },
    });
    // The groups authorizer's Deny: a valid token without the required group or scope.
    this.api.addGatewayResponse('AccessDenied', {
      type: ResponseType.ACCESS_DENIED,
      statusCode: '403',
      responseHeaders: headers,
      templates: { 'application/json': '{"error":"forbidden","message":"A required group or scope is missing."}' },
    });
    this.api.addGatewayResponse('Default4xx', {
      type: ResponseType.DEFAULT_4XX,
      responseHeaders: headers,
      templates: { 'application/json': '{"error":"request_refused","message":$context.error.messageString}' },
    });
    this.api.addGatewayResponse('Default5xx', {
      type: ResponseType.DEFAULT_5XX,
      responseHeaders: headers,
      templates: { 'application/json': '{"error":"gateway_error","message":$context.error.messageString}' },
    });
  }
}

/**
 * CORS headers of gateway responses. A gateway response header is a literal or a request parameter, never a VTL
 * decision, so the allow-list cannot be checked there: with one allowed origin the header is that origin; with
 * several it mirrors the request's `Origin`. Mirroring is acceptable here only because these bodies are made by the
 * gateway from its own error text and carry nothing of the caller's (no token, no user data); the BFF's and the
 * team's own responses keep their exact allow-list.
 */
function gatewayCorsHeaders(corsOrigins: string[]): Record<string, string> {
  if (corsOrigins.length === 0) return {};
  return {
    'Access-Control-Allow-Origin': corsOrigins.length === 1 ? `'${corsOrigins[0]}'` : 'method.request.header.Origin',
    'Access-Control-Allow-Credentials': "'true'",
    Vary: "'Origin'",
  };
}

function proxyPathOptions() {
  return {
    proxy: true,
    httpMethod: 'ANY',
    options: { requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' } },
  };
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
