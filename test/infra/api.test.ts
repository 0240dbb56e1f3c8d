import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORS_ALLOW_HEADERS } from '../../infra/lib/api.js';
import { BFF_ENVIRONMENT } from '../../infra/lib/bff-function.js';
import { InfraFixture, onlyResource, propertiesOf, resourcesOfType, type SynthesizedStack, type TemplateJson } from './fixture.js';

/** What a browser sends the BFF cross-origin: the seed's other headers (X-Api-Key, X-Amz-Date, …) are not used. */
const BFF_REQUEST_HEADERS = ['Content-Type', 'Authorization', 'X-CSRF'];

const fixture = new InfraFixture();
let dev: SynthesizedStack;
let multiOrigin: SynthesizedStack;
/** No extra origin and not dev: no cross-origin caller at all. */
let staging: SynthesizedStack;

beforeAll(() => {
  dev = fixture.synth();
  multiOrigin = fixture.synth({
    spaOrigins: 'https://app.example.com,https://admin.example.com',
    throttling: '20,40',
    logLevel: 'debug',
  });
  staging = fixture.synth({ env: 'staging' });
});
afterAll(() => fixture.dispose());

/** The method on `path` (`/tests`, `/auth/{proxy+}`) with `httpMethod`, found through its resource's PathPart chain. */
function methodAt(json: TemplateJson, path: string, httpMethod: string): Record<string, unknown> {
  const resources = Object.fromEntries(resourcesOfType(json, 'AWS::ApiGateway::Resource'));
  const pathOf = (ref: unknown): string => {
    const id = (ref as { Ref?: string }).Ref;
    const resource = id === undefined ? undefined : resources[id];
    if (resource === undefined) return ''; // the root resource (Fn::GetAtt RootResourceId)
    const props = resource.Properties as { ParentId: unknown; PathPart: string };
    return `${pathOf(props.ParentId)}/${props.PathPart}`;
  };
  const matches = resourcesOfType(json, 'AWS::ApiGateway::Method')
    .map(([, method]) => method.Properties ?? {})
    .filter((props) => props.HttpMethod === httpMethod && (pathOf(props.ResourceId) || '/') === path);
  expect(matches, `${httpMethod} ${path}`).toHaveLength(1);
  return matches[0] as Record<string, unknown>;
}

function lambdaEnvironment(json: TemplateJson): Record<string, unknown> {
  const bff = resourcesOfType(json, 'AWS::Lambda::Function').find(
    ([, fn]) => (fn.Properties as { Handler?: string }).Handler === 'index.handler' && fn.Properties?.Environment,
  );
  expect(bff).toBeDefined();
  return (bff?.[1].Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
}

describe('REST API', () => {
  it('is a regional REST API whose stage is the environment', () => {
    dev.template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    dev.template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'dev' });
    expect(
      fixture.synth({ env: 'qa' }).template.findResources('AWS::ApiGateway::Stage', {
        Properties: { StageName: 'qa' },
      }),
    ).not.toEqual({});
  });

  it('serves /auth/{proxy+} (ANY) and GET /healthz without an authorizer', () => {
    for (const [path, verb] of [
      ['/auth/{proxy+}', 'ANY'],
      ['/healthz', 'GET'],
    ] as const) {
      const method = methodAt(dev.json, path, verb);
      expect(method.AuthorizationType).toBe('NONE');
      expect(method.Integration).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' });
    }
  });

  it('puts GET /tests behind the Cognito user-pool authorizer, for access tokens (method scopes)', () => {
    const [authorizerId] = onlyResource(dev.json, 'AWS::ApiGateway::Authorizer');
    const [poolId] = onlyResource(dev.json, 'AWS::Cognito::UserPool');
    dev.template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      IdentitySource: 'method.request.header.Authorization',
      ProviderARNs: [{ 'Fn::GetAtt': [poolId, 'Arn'] }],
    });
    expect(methodAt(dev.json, '/tests', 'GET')).toMatchObject({
      AuthorizationType: 'COGNITO_USER_POOLS',
      AuthorizerId: { Ref: authorizerId },
      AuthorizationScopes: ['openid'],
      Integration: { Type: 'AWS_PROXY' },
    });
  });

  it('answers authorizer refusals with 401, WWW-Authenticate: Bearer and a JSON error', () => {
    dev.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      StatusCode: '401',
      ResponseParameters: Match.objectLike({ 'gatewayresponse.header.WWW-Authenticate': "'Bearer'" }),
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"error":"unauthenticated"') },
    });
  });

  it('logs access as JSON to a log group with retention, never request data', () => {
    const stage = propertiesOf(dev.json, 'AWS::ApiGateway::Stage') as {
      AccessLogSetting: { DestinationArn: { 'Fn::GetAtt': [string, string] }; Format: string };
      MethodSettings: Array<Record<string, unknown>>;
    };
    const logGroupId = stage.AccessLogSetting.DestinationArn['Fn::GetAtt'][0];
    expect(dev.json.Resources[logGroupId]?.Type).toBe('AWS::Logs::LogGroup');
    expect(dev.json.Resources[logGroupId]?.Properties?.RetentionInDays).toBeGreaterThan(0);
    const format = JSON.parse(stage.AccessLogSetting.Format) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    // Paths without the query string: the callback's authorization code must not reach the logs.
    expect(Object.values(format)).not.toContain('$context.path');
    expect(stage.MethodSettings).toContainEqual(
      expect.objectContaining({ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'ERROR', DataTraceEnabled: false }),
    );
  });

  it('throttles the stage, from context with defaults', () => {
    const settings = (stack: SynthesizedStack) =>
      (propertiesOf(stack.json, 'AWS::ApiGateway::Stage').MethodSettings as Array<Record<string, unknown>>)[0];
    expect(settings(dev)).toMatchObject({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 });
    expect(settings(multiOrigin)).toMatchObject({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 });
  });
});

interface IntegrationResponse {
  ResponseParameters: Record<string, string>;
  ResponseTemplates?: Record<string, string>;
}
interface PreflightMethod {
  HttpMethod: string;
  Integration: { Type: string; IntegrationResponses: IntegrationResponse[] };
}

describe('CORS preflight', () => {
  const optionsMethods = (stack: SynthesizedStack): PreflightMethod[] =>
    resourcesOfType(stack.json, 'AWS::ApiGateway::Method')
      .map(([, method]) => method.Properties as unknown as PreflightMethod)
      .filter((props) => props.HttpMethod === 'OPTIONS');

  const preflightAt = (stack: SynthesizedStack, path: string): string[] => {
    const params = (methodAt(stack.json, path, 'OPTIONS') as unknown as PreflightMethod).Integration.IntegrationResponses[0]
      ?.ResponseParameters;
    return (params?.['method.response.header.Access-Control-Allow-Methods'] ?? '').replace(/'/g, '').split(',').sort();
  };

  it('exists on every routed resource and allows only the headers the BFF reads', () => {
    const methods = optionsMethods(multiOrigin);
    // Every resource; the root serves nothing, so it has no preflight either.
    expect(methods.length).toBe(resourcesOfType(multiOrigin.json, 'AWS::ApiGateway::Resource').length);
    for (const method of methods) {
      expect(method.Integration.Type).toBe('MOCK');
      const params = method.Integration.IntegrationResponses[0]?.ResponseParameters ?? {};
      const allowed = params['method.response.header.Access-Control-Allow-Headers']?.replace(/'/g, '').split(',');
      expect(allowed).toEqual(BFF_REQUEST_HEADERS);
      expect(allowed).toEqual(CORS_ALLOW_HEADERS);
    }
  });

  it('advertises only the methods each resource accepts', () => {
    expect(preflightAt(multiOrigin, '/healthz')).toEqual(['GET', 'OPTIONS']);
    expect(preflightAt(multiOrigin, '/tests')).toEqual(['GET', 'OPTIONS']);
    expect(preflightAt(multiOrigin, '/auth/{proxy+}')).toEqual(['DELETE', 'GET', 'OPTIONS', 'POST']);
  });

  it('never combines a wildcard origin with credentials', () => {
    for (const stack of [dev, multiOrigin]) {
      for (const method of optionsMethods(stack)) {
        for (const response of method.Integration.IntegrationResponses) {
          const params = response.ResponseParameters;
          expect(params['method.response.header.Access-Control-Allow-Credentials']).toBe("'true'");
          expect(params['method.response.header.Access-Control-Allow-Origin']).not.toContain('*');
          expect(params['method.response.header.Vary']).toBe("'Origin'");
          expect(JSON.stringify(response.ResponseTemplates ?? {})).not.toContain('*');
        }
      }
    }
  });

  it('echoes only the listed origins (static first origin, exact matches in the VTL template)', () => {
    const [method] = optionsMethods(multiOrigin);
    const response = method?.Integration.IntegrationResponses[0];
    expect(response?.ResponseParameters['method.response.header.Access-Control-Allow-Origin']).toBe("'https://app.example.com'");
    const vtl = response?.ResponseTemplates?.['application/json'] ?? '';
    expect(vtl).toContain('#if($origin == "https://admin.example.com" || $origin == "http://localhost:3000")');
    expect(vtl).toContain('#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)');
  });

  it('has no preflight route when no other site may call the API', () => {
    expect(optionsMethods(staging)).toEqual([]);
  });
});

describe('gateway responses', () => {
  const corsOf = (stack: SynthesizedStack, type: string) => {
    const response = resourcesOfType(stack.json, 'AWS::ApiGateway::GatewayResponse')
      .map(([, resource]) => resource.Properties ?? {})
      .find((props) => props.ResponseType === type);
    expect(response, type).toBeDefined();
    const params = (response?.ResponseParameters ?? {}) as Record<string, string>;
    return {
      origin: params['gatewayresponse.header.Access-Control-Allow-Origin'],
      credentials: params['gatewayresponse.header.Access-Control-Allow-Credentials'],
      vary: params['gatewayresponse.header.Vary'],
    };
  };

  it.each(['UNAUTHORIZED', 'ACCESS_DENIED', 'DEFAULT_4XX', 'DEFAULT_5XX'])('%s carries CORS headers a browser can read it with', (type) => {
    // One allowed origin (dev: the local SPA): that origin, literally.
    expect(corsOf(dev, type)).toEqual({ origin: "'http://localhost:3000'", credentials: "'true'", vary: "'Origin'" });
    // Several: the request's Origin (these bodies are the gateway's own text; see api.ts), never `*`.
    expect(corsOf(multiOrigin, type)).toEqual({ origin: 'method.request.header.Origin', credentials: "'true'", vary: "'Origin'" });
  });

  it('carries no CORS headers when no other site may call the API', () => {
    expect(corsOf(staging, 'UNAUTHORIZED')).toEqual({ origin: undefined, credentials: undefined, vary: undefined });
  });
});

describe('BFF Lambda', () => {
  it('runs the prebuilt bundle on a current Node.js runtime, inside the gateway timeout', () => {
    const bff = resourcesOfType(dev.json, 'AWS::Lambda::Function').find(([, fn]) => fn.Properties?.Environment);
    const props = bff?.[1].Properties as Record<string, unknown>;
    expect(props).toMatchObject({ Handler: 'index.handler', Runtime: Runtime.NODEJS_24_X.name, MemorySize: 512 });
    expect(props.Timeout as number).toBeLessThan(29);
    expect(Number((props.Runtime as string).match(/^nodejs(\d+)/)?.[1])).toBeGreaterThanOrEqual(22);
  });

  it('ships index.js and the relay client alone, whatever else the build left in the directory', () => {
    const bff = resourcesOfType(dev.json, 'AWS::Lambda::Function').find(([, fn]) => fn.Properties?.Environment);
    const key = (bff?.[1].Properties as { Code: { S3Key: string } }).Code.S3Key;
    const staged = join(dev.app.outdir, `asset.${key.replace(/\.zip$/, '')}`);
    expect(readdirSync(staged).sort()).toEqual(['axios.js', 'index.js', 'undici.js']);
  });

  it('gets the CONTRACT configuration as environment variables', () => {
    const environment = lambdaEnvironment(dev.json);
    expect(Object.keys(environment).sort()).toEqual(Object.values(BFF_ENVIRONMENT).sort());
    const [distributionId] = onlyResource(dev.json, 'AWS::CloudFront::Distribution');
    const [poolId] = onlyResource(dev.json, 'AWS::Cognito::UserPool');
    const [clientId] = onlyResource(dev.json, 'AWS::Cognito::UserPoolClient');
    const [domainId] = onlyResource(dev.json, 'AWS::Cognito::UserPoolDomain');
    expect(environment).toMatchObject({
      PUBLIC_BASE_URL: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] },
      COGNITO_USER_POOL_ID: { Ref: poolId },
      COGNITO_CLIENT_ID: { Ref: clientId },
      OAUTH_SCOPES: 'openid email profile',
      LOG_LEVEL: 'info',
    });
    expect(JSON.stringify(environment.COGNITO_DOMAIN)).toContain(domainId);
    expect(JSON.stringify(environment.COGNITO_DOMAIN)).toContain('.amazoncognito.com');
    expect(JSON.stringify(environment.ALLOWED_ORIGINS)).toContain('http://localhost:3000');
    expect(lambdaEnvironment(multiOrigin.json).LOG_LEVEL).toBe('debug');
    expect(JSON.stringify(lambdaEnvironment(multiOrigin.json).ALLOWED_ORIGINS)).toContain(
      'https://app.example.com,https://admin.example.com',
    );
  });

  it('may write its own log group only, through an explicit role without managed policies', () => {
    const bff = resourcesOfType(dev.json, 'AWS::Lambda::Function').find(([, fn]) => fn.Properties?.Environment);
    const props = bff?.[1].Properties as { Role: { 'Fn::GetAtt': [string] }; LoggingConfig: { LogGroup: unknown } };
    const roleId = props.Role['Fn::GetAtt'][0];
    expect(dev.json.Resources[roleId]?.Properties?.ManagedPolicyArns).toBeUndefined();
    const logGroupId = (props.LoggingConfig.LogGroup as { Ref: string }).Ref;
    expect(dev.json.Resources[logGroupId]?.Properties?.RetentionInDays).toBeGreaterThan(0);
    dev.template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
          }),
        ]),
      },
    });
  });

  it('is invoked by this API only, one permission per method', () => {
    const [apiId] = onlyResource(dev.json, 'AWS::ApiGateway::RestApi');
    const permissions = resourcesOfType(dev.json, 'AWS::Lambda::Permission');
    expect(permissions).toHaveLength(3);
    for (const [, permission] of permissions) {
      expect(permission.Properties?.Principal).toBe('apigateway.amazonaws.com');
      expect(JSON.stringify(permission.Properties?.SourceArn)).toContain(apiId);
    }
  });
});
