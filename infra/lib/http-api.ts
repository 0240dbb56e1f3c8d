/**
 * The HTTP API front door (`frontDoor: 'http'`): API Gateway's cheaper API type, payload format 2.0 to the BFF's
 * Lambda. `/auth/{proxy+}` and `/healthz` open; `/tests` and every `addApi` path behind a Cognito JWT authorizer
 * (issuer = the pool, audience = the app client, which for access tokens API Gateway compares with `client_id`) with
 * method scopes, so only access tokens pass. CORS by list with credentials, and only the methods and headers the
 * routes accept. The `$default` stage: no stage segment in any path, so CloudFront needs no origin path.
 *
 * HTTP APIs answer CORS themselves: with a CORS configuration, API Gateway replies to preflights and adds the CORS
 * headers to every response to an allowed origin, its own errors (the authorizer's 401) included, and ignores CORS
 * headers from the integration. Unlike REST gateway responses, that check is against the list, never a mirror.
 */
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnApi,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  type HttpRoute,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType, HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration, HttpUrlIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
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
import { GroupsAuthorizerFunction } from './groups-authorizer.js';

export interface BffHttpApiProps extends FrontDoorProps {
  /** Names the API in its description. */
  readonly label: string;
}

export class BffHttpApi extends Construct implements BffFrontDoor {
  readonly kind = 'http' as const;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  /** Routes without an authorizer (the BFF authenticates those requests itself). */
  readonly unauthorizedRoutes: IConstruct[] = [];
  /** Routes behind an authorizer (the JWT one, or a groups authorizer). */
  readonly authorizedRoutes: HttpRoute[] = [];
  /** Routes behind a groups authorizer (a Lambda authorizer verifying the same pool's tokens). */
  readonly groupsAuthorizedRoutes: HttpRoute[] = [];
  readonly originDomainName: string;
  readonly originPath = undefined;
  private authorizer?: HttpUserPoolAuthorizer;
  private client?: IUserPoolClient;
  private protectedRoutes = 0;
  private readonly props: BffHttpApiProps;
  private readonly userPool: IUserPool;
  private readonly authorizationScopes: string[];
  private readonly corsOrigins: string[];

  constructor(scope: Construct, id: string, props: BffHttpApiProps) {
    super(scope, id);
    this.corsOrigins = exactOrigins(props.corsOrigins);
    this.props = props;
    this.userPool = props.userPool;
    this.authorizationScopes = props.authorizationScopes;
    const throttling = props.throttling ?? { rateLimit: 100, burstLimit: 200 };

    this.api = new HttpApi(this, 'Api', {
      description: `cognito-bff HTTP API (${props.label})`,
      createDefaultStage: false,
      ...(this.corsOrigins.length === 0
        ? {}
        : {
            corsPreflight: {
              allowOrigins: this.corsOrigins,
              allowCredentials: true,
              allowHeaders: CORS_ALLOW_HEADERS,
              allowMethods: corsMethods(BFF_METHODS),
              maxAge: Duration.minutes(10),
            },
          }),
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: throttling.rateLimit, burstLimit: throttling.burstLimit },
      accessLogSettings: { destination: new LogGroupLogDestination(this.accessLogs), format: accessLogFormat() },
    });

    this.originDomainName = `${this.api.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`;
  }

  get url(): string {
    return `${this.api.apiEndpoint}/`;
  }

  /** Sends the BFF's routes to `handler` (payload format 2.0). Call once: the JWT authorizer needs the app client. */
  routeBff(handler: IFunction, client: IUserPoolClient): void {
    if (this.authorizer !== undefined) throw new Error('BffHttpApi: routeBff() was called twice');
    this.client = client;
    this.authorizer = new HttpUserPoolAuthorizer('Authorizer', this.userPool, {
      userPoolClients: [client],
      identitySource: [`$request.header.${AUTHORIZATION_HEADER}`],
    });
    const integration = new HttpLambdaIntegration('Bff', handler);
    this.unauthorizedRoutes.push(
      ...this.api.addRoutes({ path: '/healthz', methods: [HttpMethod.GET], integration }),
      // Login, callback, session, refresh and logout work before (or without) a valid access token: the BFF
      // authenticates those requests itself (state, PKCE, sealed cookies, CSRF header).
      ...this.api.addRoutes({ path: '/auth/{proxy+}', methods: httpMethods(BFF_METHODS), integration }),
    );
    this.authorizedRoutes.push(
      ...this.api.addRoutes({
        path: '/tests',
        methods: [HttpMethod.GET],
        integration,
        authorizer: this.authorizer,
        authorizationScopes: this.authorizationScopes,
      }),
    );
  }

  /** `path` and `path/{proxy+}` for every method an API takes (no ANY: OPTIONS stays with the CORS configuration). */
  addProtectedRoute(path: string, target: ApiTarget, scopes: string[], groups: string[]): void {
    if (this.authorizer === undefined || this.client === undefined) throw new Error('BffHttpApi: addProtectedRoute() before routeBff()');
    // A counter, not the path: `/a-b` and `/a_b` would make the same id.
    const integrationId = `Api${++this.protectedRoutes}`;
    const common =
      groups.length === 0
        ? { methods: httpMethods(API_METHODS), authorizer: this.authorizer, authorizationScopes: scopes }
        : { methods: httpMethods(API_METHODS), authorizer: this.groupsAuthorizer(integrationId, this.client, scopes, groups) };
    const integration = isUrlTarget(target)
      ? new HttpUrlIntegration(integrationId, urlBase(target))
      : new HttpLambdaIntegration(integrationId, target);
    const proxyIntegration = isUrlTarget(target)
      ? new HttpUrlIntegration(`${integrationId}_proxy`, `${urlBase(target)}/{proxy}`)
      : integration;
    const added = [
      ...this.api.addRoutes({ path, integration, ...common }),
      ...this.api.addRoutes({ path: `${path}/{proxy+}`, integration: proxyIntegration, ...common }),
    ];
    this.authorizedRoutes.push(...added);
    if (groups.length > 0) this.groupsAuthorizedRoutes.push(...added);
    // The team's API takes PUT and PATCH as well: widen what the preflight advertises (the CORS configuration is one
    // per HTTP API).
    if (this.corsOrigins.length > 0) {
      (this.api.node.defaultChild as CfnApi).addPropertyOverride('CorsConfiguration.AllowMethods', corsMethods(API_METHODS));
    }
  }

  /**
   * A Lambda authorizer (simple responses) that verifies the token as the JWT authorizer would and then requires one
   * of `scopes` and one of `groups`. No result caching: the answer depends on the route.
   */
  private groupsAuthorizer(id: string, client: IUserPoolClient, scopes: string[], groups: string[]): HttpLambdaAuthorizer {
    const check = new GroupsAuthorizerFunction(this, `Groups${id}`, {
      userPool: this.userPool,
      client,
      scopes,
      groups,
      logRetention: this.props.accessLogRetention ?? RetentionDays.ONE_MONTH,
      logRemovalPolicy: this.props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    return new HttpLambdaAuthorizer(`Groups${id}Authorizer`, check.function, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: [`$request.header.${AUTHORIZATION_HEADER}`],
      resultsCacheTtl: Duration.seconds(0),
    });
  }
}

function httpMethods(methods: readonly string[]): HttpMethod[] {
  return methods.map((method) => method as HttpMethod);
}

function corsMethods(methods: readonly string[]): CorsHttpMethod[] {
  return [CorsHttpMethod.OPTIONS, ...methods.map((method) => method as CorsHttpMethod)];
}

/** One JSON object per request, HTTP API context variables. Paths without query strings: codes stay out of logs. */
function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: '$context.requestId',
      time: '$context.requestTime',
      ip: '$context.identity.sourceIp',
      userAgent: '$context.identity.userAgent',
      method: '$context.httpMethod',
      routeKey: '$context.routeKey',
      status: '$context.status',
      protocol: '$context.protocol',
      responseLength: '$context.responseLength',
      responseLatencyMs: '$context.responseLatency',
      integrationLatencyMs: '$context.integrationLatency',
      sub: '$context.authorizer.claims.sub',
      error: '$context.error.message',
      authorizerError: '$context.authorizer.error',
    }),
  );
}
