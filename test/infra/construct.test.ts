/**
 * `CognitoBff` used the way a team uses it in a stack of its own: an existing user pool or a new one, `addApi` to a
 * Lambda function and to a URL, `spaAssetPath`, both session stores, and the errors that name a contradictory prop.
 * Templates are synthesized once per configuration and shared by the tests.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App, type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultLambdaAssetDir } from '../../infra/lib/bff-function.js';
import { packageRoot } from '../../infra/lib/package-root.js';
import { CognitoBff, type CognitoBffProps } from '../../infra/lib/index.js';
import { GLOBAL_SIGN_OUT_ACTION, SESSION_TABLE_ACTIONS, SESSION_TABLE_SCHEMA } from '../../infra/lib/session-table.js';
import { onlyResource, resourcesOfType, type TemplateJson } from './fixture.js';

const root = mkdtempSync(join(tmpdir(), 'cognito-bff-construct-'));
const spaDir = join(root, 'spa');
mkdirSync(spaDir);
writeFileSync(join(spaDir, 'index.html'), '<!doctype html><title>team SPA</title>\n');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const STUB_CODE = Code.fromInline("exports.handler = async () => ({ statusCode: 200, body: 'stub' });");

interface Built {
  readonly app: App;
  readonly stack: Stack;
  readonly bff: CognitoBff;
}

function build(props: Partial<CognitoBffProps> = {}, extend: (stack: Stack, bff: CognitoBff) => void = () => {}): Built {
  const app = new App({ outdir: mkdtempSync(join(root, 'cdk.out-')), context: { '@aws-cdk/core:validationReportJson': false } });
  const stack = new Stack(app, 'TeamStack');
  const bff = new CognitoBff(stack, 'Bff', { code: STUB_CODE, ...props });
  extend(stack, bff);
  return { app, stack, bff };
}

function synth(built: Built): { template: Template; json: TemplateJson } {
  const template = Template.fromStack(built.stack);
  return { template, json: template.toJSON() as TemplateJson };
}

let defaults: Built & { template: Template; json: TemplateJson };
let team: Built & { template: Template; json: TemplateJson };
let ordersFunctionId: string;

beforeAll(() => {
  const plain = build();
  defaults = { ...plain, ...synth(plain) };

  const teamBuilt = build(
    {
      sessionStore: 'cookie',
      spaAssetPath: spaDir,
      spaOrigins: ['https://app.example.com'],
      refreshTokenRotationGracePeriod: Duration.seconds(30),
    },
    (stack, bff) => {
      const orders = new LambdaFunction(stack, 'Orders', {
        runtime: Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "[]" });'),
      });
      bff.addApi('/orders', orders, { scopes: ['email'] });
      bff.addApi('/v1/catalog', 'https://catalog.internal.example.com/api/');
      bff.addApi('/admin', orders, { groups: ['admins', 'auditors'] });
    },
  );
  team = { ...teamBuilt, ...synth(teamBuilt) };
  ordersFunctionId = team.stack.getLogicalId((team.stack.node.findChild('Orders') as LambdaFunction).node.defaultChild as CfnElement);
}, 120_000); // synthesis is slow on a loaded 2-core machine

/** API Gateway resources by their full path (`/orders/{proxy+}`). */
function resourcePaths(json: TemplateJson): Map<string, string> {
  const resources = Object.fromEntries(resourcesOfType(json, 'AWS::ApiGateway::Resource'));
  const pathOf = (id: string | undefined): string => {
    const resource = id === undefined ? undefined : resources[id];
    if (resource === undefined) return '';
    const props = resource.Properties as { ParentId: { Ref?: string }; PathPart: string };
    return `${pathOf(props.ParentId.Ref)}/${props.PathPart}`;
  };
  return new Map(Object.keys(resources).map((id) => [pathOf(id), id]));
}

function methodsOn(json: TemplateJson, path: string): Array<Record<string, unknown>> {
  const id = resourcePaths(json).get(path);
  expect(id, path).toBeDefined();
  return resourcesOfType(json, 'AWS::ApiGateway::Method')
    .map(([, method]) => method.Properties ?? {})
    .filter((props) => (props.ResourceId as { Ref?: string }).Ref === id && props.HttpMethod !== 'OPTIONS');
}

function behaviors(json: TemplateJson): Array<{ PathPattern: string; FunctionAssociations?: unknown[] }> {
  const config = onlyResource(json, 'AWS::CloudFront::Distribution')[1].Properties?.DistributionConfig as {
    CacheBehaviors: Array<{ PathPattern: string; FunctionAssociations?: unknown[] }>;
  };
  return config.CacheBehaviors;
}

type PolicyStatement = { Effect: string; Action: string[] | string; Resource: unknown };

/** Every IAM policy statement of the template, with the roles its policy is attached to. */
function policyStatements(json: TemplateJson): Array<PolicyStatement & { roles: unknown }> {
  return resourcesOfType(json, 'AWS::IAM::Policy').flatMap(([, policy]) =>
    (policy.Properties?.PolicyDocument as { Statement: PolicyStatement[] }).Statement.map((statement) => ({
      ...statement,
      roles: policy.Properties?.Roles,
    })),
  );
}

/** The statements that allow the BFF function anything on Cognito's user-pool API. */
const cognitoStatements = (json: TemplateJson) =>
  policyStatements(json).filter(
    (s) => JSON.stringify(s.Action).includes('cognito-idp:') && JSON.stringify(s.roles).includes(`"${bffRoleId(json)}"`),
  );

/** The logical id of the BFF function's role. */
function bffRoleId(json: TemplateJson): string {
  const found = resourcesOfType(json, 'AWS::Lambda::Function').find(([, fn]) =>
    JSON.stringify(fn.Properties).includes('COOKIE_KEYS_SECRET_ARN'),
  );
  return ((found?.[1].Properties as { Role: { 'Fn::GetAtt': [string, string] } }).Role['Fn::GetAtt'] ?? [])[0];
}

function bffEnvironment(json: TemplateJson): Record<string, unknown> {
  const found = resourcesOfType(json, 'AWS::Lambda::Function').find(([, fn]) =>
    JSON.stringify(fn.Properties).includes('COOKIE_KEYS_SECRET_ARN'),
  );
  expect(found).toBeDefined();
  return (found?.[1].Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
}

describe('CognitoBff with its defaults', () => {
  it('creates the pool (e-mail sign-in, self sign-up), app client, hosted-UI domain, API, distribution and secrets', () => {
    defaults.template.hasResourceProperties('AWS::Cognito::UserPool', {
      UsernameAttributes: ['email'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
    });
    for (const type of [
      'AWS::Cognito::UserPoolClient',
      'AWS::Cognito::UserPoolDomain',
      'AWS::ApiGateway::RestApi',
      'AWS::ApiGateway::Authorizer',
      'AWS::CloudFront::Distribution',
      'AWS::CloudFront::Function',
    ]) {
      expect(resourcesOfType(defaults.json, type), type).toHaveLength(1);
    }
    expect(resourcesOfType(defaults.json, 'AWS::SecretsManager::Secret')).toHaveLength(2);
  });

  it('exposes its sub-resources as public members', () => {
    const { bff, stack } = defaults;
    const [poolId] = onlyResource(defaults.json, 'AWS::Cognito::UserPool');
    expect(stack.resolve(bff.userPool.userPoolId)).toEqual({ Ref: poolId });
    const [apiId] = onlyResource(defaults.json, 'AWS::ApiGateway::RestApi');
    expect(stack.resolve(bff.restApi?.restApiId)).toEqual({ Ref: apiId });
    const [distributionId] = onlyResource(defaults.json, 'AWS::CloudFront::Distribution');
    expect(stack.resolve(bff.distribution.distributionId)).toEqual({ Ref: distributionId });
    const [tableId] = onlyResource(defaults.json, 'AWS::DynamoDB::Table');
    expect(stack.resolve(bff.table?.tableName)).toEqual({ Ref: tableId });
    expect(bff.handler.runtime.name).toBe(Runtime.NODEJS_24_X.name);
    expect(bff.userPoolClient).toBeDefined();
    expect(bff.spaBucket).toBeDefined();
  });

  it('retains stateful resources by default and protects them from deletion', () => {
    const [, pool] = onlyResource(defaults.json, 'AWS::Cognito::UserPool');
    expect(pool.DeletionPolicy).toBe('Retain');
    expect(pool.Properties?.DeletionProtection).toBe('ACTIVE');
    const [, table] = onlyResource(defaults.json, 'AWS::DynamoDB::Table');
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties?.DeletionProtectionEnabled).toBe(true);
  });

  it('keeps sessions in DynamoDB: on-demand, point-in-time recovery, encrypted, TTL on the expiry attribute', () => {
    defaults.template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: SESSION_TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
        { AttributeName: SESSION_TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([{ AttributeName: 'pk', AttributeType: 'S' }]),
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    const [tableId] = onlyResource(defaults.json, 'AWS::DynamoDB::Table');
    expect(bffEnvironment(defaults.json)).toMatchObject({ SESSION_STORE: 'dynamodb', SESSION_TABLE: { Ref: tableId } });
  });

  it('grants the BFF function the item calls on its table, and nothing else on it', () => {
    const [tableId] = onlyResource(defaults.json, 'AWS::DynamoDB::Table');
    const statements = resourcesOfType(defaults.json, 'AWS::IAM::Policy').flatMap(
      ([, policy]) =>
        (policy.Properties?.PolicyDocument as { Statement: Array<{ Action: string[] | string; Resource: unknown }> }).Statement,
    );
    const onTable = statements.filter((statement) => JSON.stringify(statement.Resource).includes(tableId));
    expect(onTable).toHaveLength(1);
    expect([onTable[0]?.Action].flat().sort()).toEqual([...SESSION_TABLE_ACTIONS].sort());
    expect(JSON.stringify(onTable)).not.toContain('dynamodb:*');
    expect(JSON.stringify(onTable)).not.toContain('Scan');
  });

  it('grants the BFF function AdminUserGlobalSignOut on its pool only (logout "everywhere"), and no other Cognito action', () => {
    const [poolId] = onlyResource(defaults.json, 'AWS::Cognito::UserPool');
    expect(cognitoStatements(defaults.json)).toEqual([
      {
        Effect: 'Allow',
        Action: GLOBAL_SIGN_OUT_ACTION,
        Resource: { 'Fn::GetAtt': [poolId, 'Arn'] },
        roles: [{ Ref: bffRoleId(defaults.json) }],
      },
    ]);
    expect(GLOBAL_SIGN_OUT_ACTION).toBe('cognito-idp:AdminUserGlobalSignOut');
  });

  it('finds the standalone bundle of the package it belongs to, in the repository and installed', () => {
    expect(defaultLambdaAssetDir()).toBe(resolve(__dirname, '..', '..', 'dist', 'lambda'));
    // node_modules/cognito-bff with its compiled construct somewhere below, under a folder of its own package.json
    // (a dual build writes {"type": ...} ones) and inside a team app that has a package.json of its own.
    const installed = join(root, 'team-app', 'node_modules', 'cognito-bff');
    const compiled = join(installed, 'dist', 'cjs', 'infra', 'lib');
    mkdirSync(compiled, { recursive: true });
    writeFileSync(join(root, 'team-app', 'package.json'), '{"name":"team-app"}');
    writeFileSync(join(installed, 'package.json'), '{\n  "name": "cognito-bff",\n  "version": "1.0.0"\n}');
    writeFileSync(join(installed, 'dist', 'cjs', 'package.json'), '{"type":"commonjs"}');
    expect(packageRoot(compiled)).toBe(installed);
    expect(defaultLambdaAssetDir(compiled)).toBe(join(installed, 'dist', 'lambda'));
  });

  it('passes cdk-nag AwsSolutions without acknowledgements of the stack that uses it', () => {
    const report = new AwsSolutionsChecks().validateScope(defaults.app);
    expect(
      report.violations.map(
        (violation) => `${violation.ruleName} ${violation.violatingResources.map((resource) => resource.constructPath).join(',')}`,
      ),
    ).toEqual([]);
  });
});

describe('CognitoBff in a team stack: addApi, spaAssetPath, cookie sessions', () => {
  it('routes an API to a Lambda function behind the Cognito authorizer, with the scopes asked for', () => {
    const [authorizerId] = resourcesOfType(team.json, 'AWS::ApiGateway::Authorizer').find(
      ([, candidate]) => candidate.Properties?.Type === 'COGNITO_USER_POOLS',
    ) ?? [undefined];
    for (const path of ['/orders', '/orders/{proxy+}']) {
      const methods = methodsOn(team.json, path);
      expect(methods).toHaveLength(1);
      expect(methods[0]).toMatchObject({
        HttpMethod: 'ANY',
        AuthorizationType: 'COGNITO_USER_POOLS',
        AuthorizerId: { Ref: authorizerId },
        AuthorizationScopes: ['email'],
        Integration: { Type: 'AWS_PROXY' },
      });
      expect(JSON.stringify(methods[0]?.Integration)).toContain(ordersFunctionId);
    }
  });

  it('routes an API to an HTTPS URL, path below the prefix forwarded, default scopes', () => {
    const [root] = methodsOn(team.json, '/v1/catalog');
    expect(root).toMatchObject({
      AuthorizationType: 'COGNITO_USER_POOLS',
      AuthorizationScopes: ['openid'],
      Integration: { Type: 'HTTP_PROXY', IntegrationHttpMethod: 'ANY', Uri: 'https://catalog.internal.example.com/api' },
    });
    const [proxy] = methodsOn(team.json, '/v1/catalog/{proxy+}');
    expect(proxy).toMatchObject({
      AuthorizationType: 'COGNITO_USER_POOLS',
      RequestParameters: { 'method.request.path.proxy': true },
      Integration: {
        Type: 'HTTP_PROXY',
        Uri: 'https://catalog.internal.example.com/api/{proxy}',
        RequestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
      },
    });
  });

  it('checks groups with a Lambda authorizer of its own: no caching, the pool, the client, the scopes and groups', () => {
    const [authorizerId, authorizer] = resourcesOfType(team.json, 'AWS::ApiGateway::Authorizer').find(
      ([, candidate]) => candidate.Properties?.Type === 'REQUEST',
    ) ?? [undefined, undefined];
    expect(authorizer?.Properties).toMatchObject({
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 0,
    });
    for (const path of ['/admin', '/admin/{proxy+}']) {
      expect(methodsOn(team.json, path)[0]).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } });
    }
    const checker = resourcesOfType(team.json, 'AWS::Lambda::Function').find(
      ([, fn]) => fn.Properties?.Handler === 'groups-authorizer.handler',
    );
    const [poolId] = onlyResource(team.json, 'AWS::Cognito::UserPool');
    const [clientId] = onlyResource(team.json, 'AWS::Cognito::UserPoolClient');
    const environment = (checker?.[1].Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
    expect(environment).toMatchObject({ CLIENT_IDS: { Ref: clientId }, REQUIRED_SCOPES: 'openid', REQUIRED_GROUPS: 'admins,auditors' });
    expect(JSON.stringify(environment.ISSUER)).toContain(poolId);
    expect(JSON.stringify(environment.ISSUER)).toContain('https://cognito-idp.');
    // A valid token without the group: 403 in the BFF's shape.
    team.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'ACCESS_DENIED',
      StatusCode: '403',
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"error":"forbidden"') },
    });
  });

  it('puts every added API behind the edge bridge, like /tests', () => {
    const [functionId] = onlyResource(team.json, 'AWS::CloudFront::Function');
    const bridged = behaviors(team.json)
      .filter((behavior) => JSON.stringify(behavior.FunctionAssociations ?? []).includes(functionId))
      .map((behavior) => behavior.PathPattern)
      .sort();
    expect(bridged).toEqual(['/admin*', '/orders*', '/tests*', '/v1/catalog*']);
  });

  it('lets the other SPA origin preflight the added API with the methods an API takes', () => {
    const id = resourcePaths(team.json).get('/orders/{proxy+}');
    const preflight = resourcesOfType(team.json, 'AWS::ApiGateway::Method')
      .map(([, method]) => method.Properties ?? {})
      .find((props) => (props.ResourceId as { Ref?: string }).Ref === id && props.HttpMethod === 'OPTIONS');
    const params = (preflight?.Integration as { IntegrationResponses: Array<{ ResponseParameters: Record<string, string> }> })
      .IntegrationResponses[0]?.ResponseParameters;
    expect(params?.['method.response.header.Access-Control-Allow-Origin']).toBe("'https://app.example.com'");
    expect(params?.['method.response.header.Access-Control-Allow-Methods']).toBe("'OPTIONS,GET,POST,PUT,PATCH,DELETE'");
  });

  it('deploys the SPA build into the bucket and invalidates the distribution', () => {
    const [bucketId] = resourcesOfType(team.json, 'AWS::S3::Bucket').find(([, bucket]) => bucket.Properties?.LoggingConfiguration) ?? [];
    const [distributionId] = onlyResource(team.json, 'AWS::CloudFront::Distribution');
    team.template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: { Ref: bucketId },
      DistributionId: { Ref: distributionId },
      DistributionPaths: ['/*'],
      Prune: true,
    });
  });

  it('keeps sessions in cookies when asked: no table, SESSION_STORE=cookie', () => {
    expect(resourcesOfType(team.json, 'AWS::DynamoDB::Table')).toEqual([]);
    const environment = bffEnvironment(team.json);
    expect(environment.SESSION_STORE).toBe('cookie');
    expect(environment).not.toHaveProperty('SESSION_TABLE');
    expect(team.bff.table).toBeUndefined();
    // Nothing to sign out everywhere without server-side sessions: no Cognito grant either.
    expect(cognitoStatements(team.json)).toEqual([]);
    team.template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 30 },
    });
  });

  it('passes cdk-nag AwsSolutions with its own acknowledgements only', () => {
    const report = new AwsSolutionsChecks().validateScope(team.app);
    // The team's own function (basic execution role, runtime choice) is the team's to acknowledge, not the construct's.
    const ours = report.violations
      .map((violation) => ({
        ...violation,
        violatingResources: violation.violatingResources.filter((r) => !(r.constructPath ?? '').startsWith('TeamStack/Orders/')),
      }))
      .filter((violation) => violation.violatingResources.length > 0);
    expect(
      ours.map((violation) => `${violation.ruleName} ${violation.violatingResources.map((resource) => resource.constructPath).join(',')}`),
    ).toEqual([]);
  });
});

describe('CognitoBff with an existing user pool', () => {
  it('adds its client and a domain to that pool, and creates no pool', () => {
    const app = new App({ outdir: mkdtempSync(join(root, 'cdk.out-')) });
    const stack = new Stack(app, 'PoolOwner');
    const pool = new UserPool(stack, 'TeamPool', { selfSignUpEnabled: false });
    const bff = new CognitoBff(stack, 'Bff', { code: STUB_CODE, userPool: pool, cognitoDomainPrefix: 'team-login' });
    const json = Template.fromStack(stack).toJSON() as TemplateJson;
    const [poolId] = onlyResource(json, 'AWS::Cognito::UserPool');
    expect(onlyResource(json, 'AWS::Cognito::UserPoolClient')[1].Properties?.UserPoolId).toEqual({ Ref: poolId });
    expect(onlyResource(json, 'AWS::Cognito::UserPoolDomain')[1].Properties).toMatchObject({
      UserPoolId: { Ref: poolId },
      Domain: 'team-login',
    });
    expect(bff.createdUserPool).toBeUndefined();
    expect(stack.resolve(bff.userPool.userPoolId)).toEqual({ Ref: poolId });
  });

  it('uses the hosted-UI domain the pool already has', () => {
    const app = new App({ outdir: mkdtempSync(join(root, 'cdk.out-')) });
    const stack = new Stack(app, 'Imported');
    const pool = UserPool.fromUserPoolId(stack, 'Pool', 'us-west-2_AbC123');
    const bff = new CognitoBff(stack, 'Bff', { code: STUB_CODE, userPool: pool, hostedUiBaseUrl: 'https://login.example.com/' });
    const json = Template.fromStack(stack).toJSON() as TemplateJson;
    expect(resourcesOfType(json, 'AWS::Cognito::UserPool')).toEqual([]);
    expect(resourcesOfType(json, 'AWS::Cognito::UserPoolDomain')).toEqual([]);
    expect(bff.hostedUiBaseUrl).toBe('https://login.example.com');
    expect(bffEnvironment(json)).toMatchObject({ COGNITO_DOMAIN: 'https://login.example.com', COGNITO_USER_POOL_ID: 'us-west-2_AbC123' });
    // The grant names the imported pool's ARN, not a wildcard.
    const [grant, ...others] = cognitoStatements(json);
    expect(others).toEqual([]);
    expect(grant?.Action).toBe(GLOBAL_SIGN_OUT_ACTION);
    expect(JSON.stringify(stack.resolve(grant?.Resource))).toContain(':userpool/us-west-2_AbC123');
    expect(grant?.roles).toEqual([{ Ref: bffRoleId(json) }]);
  });
});

describe('CognitoBff refuses contradictory props, naming the prop', () => {
  const attempt = (props: Partial<CognitoBffProps>): string => {
    const app = new App({ outdir: mkdtempSync(join(root, 'cdk.out-')) });
    const stack = new Stack(app, 'Bad');
    const pool = props.userPool === undefined ? undefined : UserPool.fromUserPoolId(stack, 'Pool', 'us-west-2_AbC123');
    try {
      new CognitoBff(stack, 'Bff', { code: STUB_CODE, ...props, ...(pool === undefined ? {} : { userPool: pool }) });
    } catch (error) {
      return (error as Error).message;
    }
    return 'no error';
  };
  const somePool = UserPool.fromUserPoolId(new Stack(), 'P', 'us-west-2_X');

  it.each([
    [{ userPool: somePool, mfa: 'required' as const }, 'mfa'],
    [{ userPool: somePool, email: { fromEmail: 'a@example.com' } }, 'email'],
    [{ userPool: somePool, threatProtection: 'audit' as const }, 'threatProtection'],
    [{ hostedUiBaseUrl: 'https://login.example.com' }, 'hostedUiBaseUrl'],
    [{ userPool: somePool, hostedUiBaseUrl: 'https://login.example.com', cognitoDomainPrefix: 'x' }, 'cognitoDomainPrefix'],
    [{ userPool: somePool, hostedUiBaseUrl: 'http://login.example.com' }, 'hostedUiBaseUrl'],
    [{ cognitoDomainPrefix: 'my-cognito' }, 'cognitoDomainPrefix'],
    [{ handler: 'app.handler', code: undefined }, 'handler'],
    [{ refreshTokenRotation: false, refreshTokenRotationGracePeriod: Duration.seconds(5) }, 'refreshTokenRotationGracePeriod'],
    [{ refreshTokenRotationGracePeriod: Duration.seconds(61) }, 'refreshTokenRotationGracePeriod'],
    [{ spaOrigins: ['*'] }, 'spaOrigins'],
    [{ spaOrigins: ['http://app.example.com'] }, 'spaOrigins'],
    [{ spaOrigins: ['https://app.example.com/path'] }, 'spaOrigins'],
    [{ stageName: 'dev stage' }, 'stageName'],
    [{ localhostPort: 70000 }, 'localhostPort'],
    [{ authorizationScopes: [] }, 'authorizationScopes'],
    [{ authorizationScopes: ['orders/read'] }, 'authorizationScopes'],
    [{ sessionStore: 'redis' as unknown as 'cookie' }, 'sessionStore'],
  ])('%j → names %s', (props, prop) => {
    const message = attempt(props as Partial<CognitoBffProps>);
    expect(message).toMatch(new RegExp(`^CognitoBff: ${prop}\\b`));
  });

  it.each([
    ['orders', 'must be an absolute path'],
    ['/orders/', 'must be an absolute path'],
    ['/auth/extra', 'overlaps "/auth"'],
    ['/tests', 'overlaps "/tests"'],
    ['/healthz/x', 'overlaps "/healthz"'],
    ['/orders', 'overlaps "/orders"'],
    ['/orders/archive', 'overlaps "/orders"'],
  ])('addApi(%j) → %s', (path, problem) => {
    const { bff } = build();
    bff.addApi('/orders', 'https://orders.example.com');
    const call = () => bff.addApi(path, 'https://other.example.com');
    expect(call).toThrow(`CognitoBff.addApi: path "${path}"`);
    expect(call).toThrow(problem);
  });

  it.each([
    ['http://orders.example.com', 'target'],
    ['https://orders.example.com/?q=1', 'target'],
  ])('addApi target %s → names %s', (target, name) => {
    const { bff } = build();
    expect(() => bff.addApi('/orders', target)).toThrow(`CognitoBff.addApi: ${name}`);
  });

  it.each(['rest', 'http'] as const)('addApi takes paths that differ only in punctuation (%s)', (frontDoor) => {
    const { bff } = build({ frontDoor });
    bff.addApi('/a-b', 'https://one.example.com', { groups: ['admins'] });
    expect(() => bff.addApi('/ab', 'https://two.example.com', { groups: ['admins'] })).not.toThrow();
    expect(() => bff.addApi('/a_b', 'https://three.example.com')).not.toThrow();
  });

  it('addApi refuses empty scopes instead of letting ID tokens through', () => {
    const { bff } = build();
    expect(() => bff.addApi('/orders', 'https://orders.example.com', { scopes: [] })).toThrow('CognitoBff.addApi: scopes');
  });
});
