/**
 * `frontDoor: 'http'`: the same construct behind an HTTP API (payload format 2.0) with a Cognito JWT authorizer on
 * the protected routes, CORS by list, and CloudFront with the edge bridge in front. One template shared by the tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CognitoBff } from '../../infra/lib/index.js';
import { type CfnResourceJson, onlyResource, resourcesOfType, type TemplateJson } from './fixture.js';

const root = mkdtempSync(join(tmpdir(), 'cognito-bff-http-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const STUB = Code.fromInline('exports.handler = async () => ({ statusCode: 200 });');

let app: App;
let stack: Stack;
let json: TemplateJson;
let plainJson: TemplateJson;
let ordersId: string;

beforeAll(() => {
  app = new App({ outdir: mkdtempSync(join(root, 'out-')) });
  stack = new Stack(app, 'HttpStack');
  const bff = new CognitoBff(stack, 'Bff', {
    code: STUB,
    frontDoor: 'http',
    spaOrigins: ['https://app.example.com', 'https://admin.example.com'],
    throttling: { rateLimit: 20, burstLimit: 40 },
  });
  const orders = new LambdaFunction(stack, 'Orders', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: STUB });
  bff.addApi('/orders', orders, { scopes: ['email'] });
  bff.addApi('/catalog', 'https://catalog.example.com/v1/');
  bff.addApi('/admin', orders, { groups: ['admins'] });
  ordersId = stack.getLogicalId(orders.node.defaultChild as CfnElement);
  json = Template.fromStack(stack).toJSON() as TemplateJson;

  const plainStack = new Stack(new App({ outdir: mkdtempSync(join(root, 'out-')) }), 'Plain');
  new CognitoBff(plainStack, 'Bff', { code: STUB, frontDoor: 'http', spaOrigins: ['https://app.example.com'] });
  plainJson = Template.fromStack(plainStack).toJSON() as TemplateJson;
}, 120_000); // synthesis is slow on a loaded 2-core machine

interface Route {
  RouteKey: string;
  AuthorizationType?: string;
  AuthorizerId?: unknown;
  AuthorizationScopes?: string[];
  Target: unknown;
}

function routes(template: TemplateJson): Map<string, Route> {
  return new Map(
    resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([, route]) => {
      const props = route.Properties as unknown as Route;
      return [props.RouteKey, props];
    }),
  );
}

function jwtAuthorizer(template: TemplateJson) {
  const found = resourcesOfType(template, 'AWS::ApiGatewayV2::Authorizer').filter(([, a]) => a.Properties?.AuthorizerType === 'JWT');
  expect(found).toHaveLength(1);
  return found[0] as [string, CfnResourceJson];
}

function integrationOf(template: TemplateJson, route: Route): Record<string, unknown> {
  const id = JSON.stringify(route.Target).match(/"Ref":"([^"]+)"/)?.[1] ?? '';
  return template.Resources[id]?.Properties ?? {};
}

describe("frontDoor: 'http'", () => {
  it('creates an HTTP API and no REST API', () => {
    expect(resourcesOfType(json, 'AWS::ApiGatewayV2::Api')).toHaveLength(1);
    expect(resourcesOfType(json, 'AWS::ApiGateway::RestApi')).toEqual([]);
  });

  it("authorizes with a Cognito JWT authorizer: the pool's issuer, the app client as audience", () => {
    const [poolId] = onlyResource(json, 'AWS::Cognito::UserPool');
    const [clientId] = onlyResource(json, 'AWS::Cognito::UserPoolClient');
    const [, authorizer] = jwtAuthorizer(json);
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Audience: [{ Ref: clientId }] },
    });
    const issuer = JSON.stringify((authorizer.Properties?.JwtConfiguration as { Issuer: unknown }).Issuer);
    expect(issuer).toContain('https://cognito-idp.');
    expect(issuer).toContain(poolId);
  });

  it('leaves /healthz and /auth/* to the BFF, with only the methods it accepts', () => {
    const table = routes(json);
    for (const key of ['GET /healthz', 'GET /auth/{proxy+}', 'POST /auth/{proxy+}', 'DELETE /auth/{proxy+}']) {
      expect(table.get(key)?.AuthorizationType ?? 'NONE', key).toBe('NONE');
    }
    expect(table.has('PUT /auth/{proxy+}')).toBe(false);
    expect(table.has('ANY /auth/{proxy+}')).toBe(false);
  });

  it('puts /tests and every addApi route behind the authorizer, with their scopes', () => {
    const table = routes(json);
    const [authorizerId] = jwtAuthorizer(json);
    expect(table.get('GET /tests')).toMatchObject({
      AuthorizationType: 'JWT',
      AuthorizerId: { Ref: authorizerId },
      AuthorizationScopes: ['openid'],
    });
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
      for (const path of ['/orders', '/orders/{proxy+}']) {
        const route = table.get(`${method} ${path}`);
        expect(route, `${method} ${path}`).toMatchObject({ AuthorizationType: 'JWT', AuthorizationScopes: ['email'] });
        expect(JSON.stringify(integrationOf(json, route as Route))).toContain(ordersId);
      }
      expect(table.get(`${method} /catalog/{proxy+}`)).toMatchObject({ AuthorizationType: 'JWT', AuthorizationScopes: ['openid'] });
    }
    // No ANY and no OPTIONS route: preflights stay with the CORS configuration, never with the authorizer.
    expect([...table.keys()].filter((key) => key.startsWith('ANY ') || key.startsWith('OPTIONS '))).toEqual([]);
  });

  it('checks groups with a Lambda authorizer (simple responses, no caching) on the routes that require them', () => {
    const [lambdaAuthorizerId, lambdaAuthorizer] =
      resourcesOfType(json, 'AWS::ApiGatewayV2::Authorizer').find(([, a]) => a.Properties?.AuthorizerType === 'REQUEST') ?? [];
    expect(lambdaAuthorizer?.Properties).toMatchObject({
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      AuthorizerResultTtlInSeconds: 0,
      IdentitySource: ['$request.header.Authorization'],
    });
    for (const key of ['GET /admin', 'DELETE /admin/{proxy+}']) {
      expect(routes(json).get(key)).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: lambdaAuthorizerId } });
    }
  });

  it('sends the BFF payload format 2.0 and forwards a URL target below its prefix', () => {
    const tests = routes(json).get('GET /tests') as Route;
    expect(integrationOf(json, tests)).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    const catalog = routes(json).get('GET /catalog/{proxy+}') as Route;
    expect(integrationOf(json, catalog)).toMatchObject({
      IntegrationType: 'HTTP_PROXY',
      IntegrationUri: 'https://catalog.example.com/v1/{proxy}',
    });
  });

  it('allows CORS for the listed origins with credentials, the BFF headers, and the methods routes take', () => {
    const cors = (template: TemplateJson) =>
      onlyResource(template, 'AWS::ApiGatewayV2::Api')[1].Properties?.CorsConfiguration as Record<string, unknown>;
    expect(cors(json)).toMatchObject({
      AllowOrigins: ['https://app.example.com', 'https://admin.example.com'],
      AllowCredentials: true,
      AllowHeaders: ['Content-Type', 'Authorization', 'X-CSRF'],
    });
    expect((cors(json).AllowMethods as string[]).sort()).toEqual(['DELETE', 'GET', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
    // Without an API of the team's own, the BFF's methods only.
    expect((cors(plainJson).AllowMethods as string[]).sort()).toEqual(['DELETE', 'GET', 'OPTIONS', 'POST']);
    expect(JSON.stringify(cors(json))).not.toContain('*');
  });

  it('serves the $default stage with throttling and JSON access logs without query strings', () => {
    const [, stage] = onlyResource(json, 'AWS::ApiGatewayV2::Stage');
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
    });
    const format = JSON.parse((stage.Properties?.AccessLogSettings as { Format: string }).Format) as Record<string, string>;
    expect(format.requestId).toBe('$context.requestId');
    expect(Object.values(format)).not.toContain('$context.path');
  });

  it('is behind CloudFront like the REST API: no origin path, /healthz to the API, the bridge on /tests* and /orders*', () => {
    const config = onlyResource(json, 'AWS::CloudFront::Distribution')[1].Properties?.DistributionConfig as {
      CacheBehaviors: Array<{ PathPattern: string; TargetOriginId: string; FunctionAssociations?: unknown[] }>;
      Origins: Array<{ Id: string; DomainName: unknown; OriginPath?: string }>;
    };
    const [apiId] = onlyResource(json, 'AWS::ApiGatewayV2::Api');
    const healthz = config.CacheBehaviors.find((behavior) => behavior.PathPattern === '/healthz');
    const origin = config.Origins.find((candidate) => candidate.Id === healthz?.TargetOriginId);
    expect(JSON.stringify(origin?.DomainName)).toContain(apiId);
    expect(origin?.OriginPath ?? '').toBe('');
    const bridged = config.CacheBehaviors.filter((behavior) => behavior.FunctionAssociations !== undefined).map((b) => b.PathPattern);
    expect(bridged.sort()).toEqual(['/admin*', '/catalog*', '/orders*', '/tests*']);
  });

  it('passes cdk-nag AwsSolutions (the test stack’s own function aside)', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    const ours = report.violations.flatMap((violation) =>
      violation.violatingResources
        .filter((resource) => !(resource.constructPath ?? '').startsWith('HttpStack/Orders/'))
        .map((resource) => `${violation.ruleName} ${resource.constructPath}`),
    );
    expect(ours).toEqual([]);
  });

  it('refuses apiGatewayCloudWatchRole, a REST-only prop, naming it', () => {
    const other = new Stack(new App(), 'Bad');
    expect(() => new CognitoBff(other, 'Bff', { code: STUB, frontDoor: 'http', apiGatewayCloudWatchRole: false })).toThrow(
      /^CognitoBff: apiGatewayCloudWatchRole /,
    );
    expect(() => new CognitoBff(other, 'Bff2', { code: STUB, frontDoor: 'grpc' as 'http' })).toThrow(/^CognitoBff: frontDoor /);
  });
});
