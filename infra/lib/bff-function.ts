/**
 * The BFF's Lambda function: the prebuilt bundle `dist/lambda/index.js` (from `npm run build`) or the team's own code,
 * its log group, a role that may write those logs and read the two secrets, and the configuration of the CONTRACT's
 * table as environment variables. Secrets arrive as Secrets Manager ARNs, never as values.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { LogLevel } from './config.js';
import { packageRoot } from './package-root.js';
import type { BffSecrets } from './secrets.js';

/** Names of the environment variables the function receives (see src/config.ts and src/lambda.ts). */
export const BFF_ENVIRONMENT = {
  publicBaseUrl: 'PUBLIC_BASE_URL',
  userPoolId: 'COGNITO_USER_POOL_ID',
  clientId: 'COGNITO_CLIENT_ID',
  cognitoDomain: 'COGNITO_DOMAIN',
  allowedOrigins: 'ALLOWED_ORIGINS',
  scopes: 'OAUTH_SCOPES',
  logLevel: 'LOG_LEVEL',
  nodeEnv: 'NODE_ENV',
  /** ARN of a Secrets Manager secret whose SecretString is the COGNITO_CLIENT_SECRET value. */
  clientSecretArn: 'COGNITO_CLIENT_SECRET_ARN',
  /** ARN of a Secrets Manager secret whose SecretString is the COOKIE_KEYS value. */
  cookieKeysSecretArn: 'COOKIE_KEYS_SECRET_ARN',
  sessionStore: 'SESSION_STORE',
  sessionTable: 'SESSION_TABLE',
  /** Powertools' names for the metrics namespace and the `service` dimension (see infra/README.md, "Metrics"). */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
} as const;

/** The Lambda bundle has not been built (or the asset directory is wrong). */
export class MissingLambdaBundleError extends Error {
  constructor(readonly entry: string) {
    super(`The Lambda bundle ${entry} does not exist: run npm run build first.`);
    this.name = 'MissingLambdaBundleError';
  }
}

/** Fails with a clear message when the bundle has not been built. */
export function assertLambdaBundle(assetDir: string): void {
  const entry = join(assetDir, 'index.js');
  if (!existsSync(entry)) throw new MissingLambdaBundleError(entry);
}

/** `dist/lambda` of the cognito-bff package this file belongs to (see package-root.ts). */
export function defaultLambdaAssetDir(from: string = __dirname): string {
  return join(packageRoot(from), 'dist', 'lambda');
}

/**
 * The bundle in `assetDir` as Lambda code: `index.js`, the IdP client's `axios.js` (loaded on the first IdP call) and
 * the token relay's HTTP client `undici.js` (loaded on the first relayed request), whatever else the build left
 * beside them.
 */
export function lambdaBundleCode(assetDir: string): Code {
  assertLambdaBundle(assetDir);
  // Only the bundle: the directory may also hold the build's metafile, source maps or tsc output.
  return Code.fromAsset(assetDir, { exclude: ['*', '!index.js', '!axios.js', '!undici.js'] });
}

export interface BffRuntimeSettings {
  /** The BFF's external base URL (the browser-facing origin); redirect_uri = this + /auth/callback. */
  readonly publicBaseUrl: string;
  readonly userPoolId: string;
  readonly clientId: string;
  /** Base URL of the hosted UI / OAuth endpoints. */
  readonly cognitoDomain: string;
  /** SPA origins allowed for CORS with credentials and as redirect targets. */
  readonly allowedOrigins: string[];
  readonly scopes: string[];
  readonly logLevel: LogLevel;
  /** `cookie`, or `dynamodb` with the table's name. */
  readonly sessionStore: { readonly kind: 'cookie' } | { readonly kind: 'dynamodb'; readonly tableName: string };
  /** CloudWatch namespace and `service` dimension of the BFF's metrics. */
  readonly metrics: { readonly namespace: string; readonly serviceName: string };
}

export interface BffFunctionProps {
  /** The function's code: a bundle whose `handler` export serves API Gateway events. */
  readonly code: Code;
  /**
   * The handler, `<file>.<export>`.
   * @default 'index.handler'
   */
  readonly handler?: string;
  readonly settings: BffRuntimeSettings;
  readonly secrets: BffSecrets;
  /**
   * The newest Node.js runtime, set explicitly (CDK's defaults drift with feature flags). Node.js 24 accepts only
   * async handlers; src/lambda.ts exports `handler` as `async (event, context)`, so it qualifies. The bundle targets
   * node22, which runs unchanged on 24.
   * @default Runtime.NODEJS_24_X
   */
  readonly runtime?: Runtime;
  /**
   * Memory in MB; Lambda scales CPU with it, and token verification (RSA) is CPU-bound.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Well inside API Gateway's 29-second integration timeout, so the function, not the gateway, reports a slow IdP.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
}

export class BffFunction extends Construct {
  readonly function: LambdaFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: BffFunctionProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.seconds(10);
    if (timeout.toSeconds() >= 29) {
      throw new Error(`BffFunction: a timeout of ${timeout.toHumanString()} outlives API Gateway's 29 seconds`);
    }

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });

    // An explicit role instead of the AWSLambdaBasicExecutionRole managed policy, which may write to any log group.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'cognito-bff Lambda: write its own logs, read its two secrets',
    });
    this.logGroup.grantWrite(role);
    props.secrets.grantRead(role);

    const { settings } = props;
    this.function = new LambdaFunction(this, 'Function', {
      description: 'cognito-bff: OAuth backend-for-frontend (Express on serverless-express)',
      code: props.code,
      handler: props.handler ?? 'index.handler',
      runtime: props.runtime ?? Runtime.NODEJS_24_X,
      // The bundle is plain JavaScript, so the cheaper Graviton architecture runs it unchanged.
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout,
      role,
      logGroup: this.logGroup,
      environment: {
        [BFF_ENVIRONMENT.publicBaseUrl]: settings.publicBaseUrl,
        [BFF_ENVIRONMENT.userPoolId]: settings.userPoolId,
        [BFF_ENVIRONMENT.clientId]: settings.clientId,
        [BFF_ENVIRONMENT.cognitoDomain]: settings.cognitoDomain,
        [BFF_ENVIRONMENT.allowedOrigins]: settings.allowedOrigins.join(','),
        [BFF_ENVIRONMENT.scopes]: settings.scopes.join(' '),
        [BFF_ENVIRONMENT.logLevel]: settings.logLevel,
        [BFF_ENVIRONMENT.nodeEnv]: 'production',
        [BFF_ENVIRONMENT.clientSecretArn]: props.secrets.clientSecret.secretArn,
        [BFF_ENVIRONMENT.cookieKeysSecretArn]: props.secrets.cookieKeys.secretArn,
        [BFF_ENVIRONMENT.sessionStore]: settings.sessionStore.kind,
        ...(settings.sessionStore.kind === 'dynamodb' ? { [BFF_ENVIRONMENT.sessionTable]: settings.sessionStore.tableName } : {}),
        [BFF_ENVIRONMENT.metricsNamespace]: settings.metrics.namespace,
        [BFF_ENVIRONMENT.serviceName]: settings.metrics.serviceName,
      },
    });
  }
}
