/**
 * The Lambda that checks `addApi(..., { groups })` routes at the gateway (infra/authorizer/groups-authorizer.js):
 * API Gateway's Cognito authorizers check scopes only. One function per route requirement, configured by environment,
 * with its own role (its log group only) and a log group with retention.
 */
import { join } from 'node:path';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The authorizer's source, shipped as is (plain CommonJS, no dependencies). */
export const GROUPS_AUTHORIZER_DIR = join(__dirname, '..', 'authorizer');

export interface GroupsAuthorizerFunctionProps {
  readonly userPool: IUserPool;
  readonly client: IUserPoolClient;
  /** One of these scopes is required (empty: none). */
  readonly scopes: string[];
  /** One of these groups is required. */
  readonly groups: string[];
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

export class GroupsAuthorizerFunction extends Construct {
  readonly function: LambdaFunction;

  constructor(scope: Construct, id: string, props: GroupsAuthorizerFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: props.logRemovalPolicy });
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'cognito-bff groups authorizer: write its own logs',
    });
    logGroup.grantWrite(role);
    this.function = new LambdaFunction(this, 'Function', {
      description: `cognito-bff: requires one of the groups ${props.groups.join(', ')}`,
      code: Code.fromAsset(GROUPS_AUTHORIZER_DIR, { exclude: ['*', '!groups-authorizer.js'] }),
      handler: 'groups-authorizer.handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 256,
      // One JWKS fetch at most, then local crypto: well inside the authorizer's own 10 s limit.
      timeout: Duration.seconds(5),
      role,
      logGroup,
      environment: {
        ISSUER: `https://cognito-idp.${props.userPool.env.region}.amazonaws.com/${props.userPool.userPoolId}`,
        CLIENT_IDS: props.client.userPoolClientId,
        REQUIRED_SCOPES: props.scopes.join(','),
        REQUIRED_GROUPS: props.groups.join(','),
      },
    });
  }
}
