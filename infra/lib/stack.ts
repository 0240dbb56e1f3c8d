/**
 * One environment of cognito-bff: user pool and app client, the BFF's Lambda behind a Cognito-authorized REST API,
 * the CloudFront distribution browsers use for the SPA and the BFF alike, secrets, and optional custom names.
 */
import { join } from 'node:path';
import { Annotations, CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { BffApi } from './api.js';
import { BffAppClient } from './app-client.js';
import { BffFunction } from './bff-function.js';
import type { DeploymentConfig } from './config.js';
import { ApiCustomDomain, DnsRecords } from './dns.js';
import { BffEdge } from './edge.js';
import { suppressAcceptedFindings } from './nag-suppressions.js';
import { optional } from './optional.js';
import { BffSecrets } from './secrets.js';
import { BffUserPool } from './user-pool.js';

/** Where `npm run build` writes the Lambda bundle. */
export const DEFAULT_LAMBDA_ASSET_DIR = join(__dirname, '..', '..', 'dist', 'lambda');

/**
 * The scope API Gateway requires on `/tests`. Every access token of the BFF's sign-ins carries it, and ID tokens
 * carry no scope at all, so only access tokens pass.
 */
export const ACCESS_TOKEN_SCOPE = 'openid';

export interface CognitoBffStackProps extends StackProps {
  readonly config: DeploymentConfig;
  /**
   * Directory holding the Lambda bundle's `index.js`.
   * @default DEFAULT_LAMBDA_ASSET_DIR (`<repo>/dist/lambda`)
   */
  readonly lambdaAssetDir?: string;
}

/** The custom names of one environment under `domainName` (the seed's scheme). */
export interface CustomNames {
  /** `<env>.<domain>`: the SPA (the seed's callback origin) and, with a certificate, the distribution. */
  readonly spa: string;
  /** `<env>-api.<domain>`: the API for Bearer clients. */
  readonly api: string;
  /** `<env>-auth.<domain>`: the hosted UI. */
  readonly hostedUi: string;
}

export function customNames(environment: string, domainName: string): CustomNames {
  return {
    spa: `${environment}.${domainName}`,
    api: `${environment}-api.${domainName}`,
    hostedUi: `${environment}-auth.${domainName}`,
  };
}

export class CognitoBffStack extends Stack {
  readonly config: DeploymentConfig;
  readonly userPool: BffUserPool;
  readonly appClient: BffAppClient;
  readonly secrets: BffSecrets;
  readonly bff: BffFunction;
  readonly api: BffApi;
  readonly edge: BffEdge;
  readonly apiDomain?: ApiCustomDomain;
  readonly dns?: DnsRecords;

  constructor(scope: Construct, id: string, props: CognitoBffStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.config = config;
    const env = config.environment;
    // Production keeps its users and its logs when the stack goes; every other environment is disposable.
    const removalPolicy = config.isProduction ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention = config.isProduction ? RetentionDays.ONE_YEAR : RetentionDays.ONE_MONTH;
    const names = config.domainName === undefined ? undefined : customNames(env, config.domainName);

    // Other front ends: the seed's `https://<env>.<domain>`, the listed ones, and in dev the local SPA.
    const spaOrigins = unique([...(names === undefined ? [] : [`https://${names.spa}`]), ...config.spaOrigins]);
    const localOrigins = config.localhostPort === undefined ? [] : [`http://localhost:${config.localhostPort}`];

    this.userPool = new BffUserPool(this, 'UserPool', {
      environment: env,
      ...optional('email', config.email),
      mfa: config.mfa,
      threatProtection: config.threatProtection,
      removalPolicy,
      deletionProtection: config.isProduction,
      ...optional('cognitoDomainPrefix', config.cognitoDomainPrefix),
      ...(names === undefined || config.authDomainCertificateArn === undefined
        ? {}
        : {
            customDomain: {
              domainName: names.hostedUi,
              certificate: Certificate.fromCertificateArn(this, 'HostedUiCertificate', config.authDomainCertificateArn),
            },
          }),
    });

    this.api = new BffApi(this, 'Api', {
      stageName: env,
      userPool: this.userPool.userPool,
      corsOrigins: unique([...spaOrigins, ...localOrigins]),
      authorizationScopes: [ACCESS_TOKEN_SCOPE],
      throttling: config.throttling,
      accessLogRetention: logRetention,
      logRemovalPolicy: removalPolicy,
      cloudWatchRole: config.apiGatewayCloudWatchRole,
    });

    this.edge = new BffEdge(this, 'Edge', {
      api: this.api.api,
      stageName: env,
      removalPolicy,
      ...(names === undefined || config.spaCertificateArn === undefined
        ? {}
        : {
            customDomain: {
              domainName: names.spa,
              certificate: Certificate.fromCertificateArn(this, 'SpaCertificate', config.spaCertificateArn),
            },
          }),
    });

    this.appClient = new BffAppClient(this, 'AppClient', {
      userPool: this.userPool.userPool,
      environment: env,
      bffBaseUrls: [this.edge.publicBaseUrl],
      spaOrigins,
      ...optional('localhostPort', config.localhostPort),
      tokenValidity: config.tokenValidity,
      ...optional('refreshTokenRotationGraceSeconds', config.refreshTokenRotationGraceSeconds),
    });
    if (!this.appClient.settings.scopes.includes(ACCESS_TOKEN_SCOPE)) {
      throw new Error(`The app client must allow the "${ACCESS_TOKEN_SCOPE}" scope that /tests requires`);
    }

    this.secrets = new BffSecrets(this, 'Secrets', { client: this.appClient.client, removalPolicy });

    this.bff = new BffFunction(this, 'Bff', {
      assetDir: props.lambdaAssetDir ?? DEFAULT_LAMBDA_ASSET_DIR,
      secrets: this.secrets,
      logRetention,
      logRemovalPolicy: removalPolicy,
      settings: {
        publicBaseUrl: this.edge.publicBaseUrl,
        userPoolId: this.userPool.userPool.userPoolId,
        clientId: this.appClient.client.userPoolClientId,
        cognitoDomain: this.userPool.hostedUiBaseUrl,
        // The BFF's own origin is allowed anyway; listing it keeps the value non-empty and explicit.
        allowedOrigins: unique([this.edge.publicBaseUrl, ...spaOrigins, ...localOrigins]),
        scopes: this.appClient.settings.scopes,
        logLevel: config.logLevel,
      },
    });
    this.api.routeTo(this.bff.function);

    if (names !== undefined && config.apiCertificateArn !== undefined) {
      this.apiDomain = new ApiCustomDomain(this, 'ApiDomain', {
        domainName: names.api,
        certificate: Certificate.fromCertificateArn(this, 'ApiCertificate', config.apiCertificateArn),
        api: this.api.api,
      });
    }
    if (names !== undefined && config.hostedZone !== undefined) {
      this.dns = new DnsRecords(this, 'Dns', {
        hostedZone: config.hostedZone,
        ...optional('api', this.apiDomain),
        ...(config.spaCertificateArn === undefined ? {} : { spa: { domainName: names.spa, distribution: this.edge.distribution } }),
        ...(config.authDomainCertificateArn === undefined
          ? {}
          : { hostedUi: { domainName: names.hostedUi, domain: this.userPool.domain } }),
      });
    }

    if (config.isProduction && config.email === undefined) {
      Annotations.of(this).addWarningV2(
        'cognito-bff:CognitoEmailInProduction',
        "No SES sender (context fromEmail or domainName): Cognito's built-in e-mail sends 50 messages a day.",
      );
    }

    this.addOutputs();
    suppressAcceptedFindings(this);
  }

  private addOutputs(): void {
    const output = (id: string, value: string, description: string): CfnOutput => new CfnOutput(this, id, { value, description });
    output('ApiUrl', this.apiDomain?.url ?? this.api.api.url, 'The API (Bearer clients)');
    output('SpaUrl', `${this.edge.publicBaseUrl}/`, 'The SPA and the BFF for browsers (PUBLIC_BASE_URL)');
    output('HostedUiBaseUrl', this.userPool.hostedUiBaseUrl, 'Hosted UI / OAuth endpoints (COGNITO_DOMAIN)');
    output('UserPoolId', this.userPool.userPool.userPoolId, 'COGNITO_USER_POOL_ID');
    output('UserPoolClientId', this.appClient.client.userPoolClientId, 'COGNITO_CLIENT_ID');
    output('SpaBucketName', this.edge.spaBucket.bucketName, 'Upload the SPA here (aws s3 sync)');
    output('DistributionId', this.edge.distribution.distributionId, 'Invalidate after an SPA upload');
    output('CookieKeysSecretArn', this.secrets.cookieKeys.secretArn, 'COOKIE_KEYS; put a new version to rotate');
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
