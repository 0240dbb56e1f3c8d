/**
 * One environment of cognito-bff, the repository's own deployment: a small use of the `CognitoBff` construct (user
 * pool, app client, the BFF's Lambda behind a Cognito-authorized API, the CloudFront distribution browsers use for the
 * SPA and the BFF alike, secrets, the session table) configured from context, plus optional custom names and outputs.
 */
import { join } from 'node:path';
import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { CognitoBff } from './cognito-bff.js';
import { lambdaBundleCode } from './bff-function.js';
import type { DeploymentConfig } from './config.js';
import { ApiCustomDomain, DnsRecords } from './dns.js';

/** Where `npm run build` writes the Lambda bundle. */
export const DEFAULT_LAMBDA_ASSET_DIR = join(__dirname, '..', '..', 'dist', 'lambda');

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
  readonly bff: CognitoBff;
  readonly apiDomain?: ApiCustomDomain;
  readonly dns?: DnsRecords;

  constructor(scope: Construct, id: string, props: CognitoBffStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.config = config;
    const env = config.environment;
    const names = config.domainName === undefined ? undefined : customNames(env, config.domainName);
    const certificate = (id: string, arn: string | undefined) =>
      arn === undefined ? undefined : Certificate.fromCertificateArn(this, id, arn);
    const spaCertificate = names === undefined ? undefined : certificate('SpaCertificate', config.spaCertificateArn);
    const hostedUiCertificate = names === undefined ? undefined : certificate('HostedUiCertificate', config.authDomainCertificateArn);

    this.bff = new CognitoBff(this, 'Bff', {
      stageName: env,
      code: lambdaBundleCode(props.lambdaAssetDir ?? DEFAULT_LAMBDA_ASSET_DIR),
      // Production keeps its users, sessions and logs when the stack goes; every other environment is disposable.
      removalPolicy: config.isProduction ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      logRetention: config.isProduction ? RetentionDays.ONE_YEAR : RetentionDays.ONE_MONTH,
      ...(config.email === undefined ? {} : { email: config.email }),
      mfa: config.mfa,
      threatProtection: config.threatProtection,
      ...(config.cognitoDomainPrefix === undefined ? {} : { cognitoDomainPrefix: config.cognitoDomainPrefix }),
      ...(names === undefined || hostedUiCertificate === undefined
        ? {}
        : { hostedUiCustomDomain: { domainName: names.hostedUi, certificate: hostedUiCertificate } }),
      ...(names === undefined || spaCertificate === undefined
        ? {}
        : { customDomain: { domainName: names.spa, certificate: spaCertificate } }),
      // Other front ends: the seed's `https://<env>.<domain>` and the listed ones; in dev also the local SPA.
      spaOrigins: [...new Set([...(names === undefined ? [] : [`https://${names.spa}`]), ...config.spaOrigins])],
      ...(config.localhostPort === undefined ? {} : { localhostPort: config.localhostPort }),
      tokenValidity: config.tokenValidity,
      refreshTokenRotation: config.refreshTokenRotationGraceSeconds !== undefined,
      ...(config.refreshTokenRotationGraceSeconds === undefined
        ? {}
        : { refreshTokenRotationGracePeriod: Duration.seconds(config.refreshTokenRotationGraceSeconds) }),
      throttling: config.throttling,
      logLevel: config.logLevel,
      frontDoor: config.frontDoor,
      // The REST API's account-wide logging role; HTTP APIs need none.
      ...(config.frontDoor === 'rest' ? { apiGatewayCloudWatchRole: config.apiGatewayCloudWatchRole } : {}),
      ...(config.alarmTopicArn === undefined ? {} : { alarmTopic: Topic.fromTopicArn(this, 'AlarmTopic', config.alarmTopicArn) }),
    });

    if (names !== undefined && config.apiCertificateArn !== undefined && this.bff.restApi !== undefined) {
      this.apiDomain = new ApiCustomDomain(this, 'ApiDomain', {
        domainName: names.api,
        certificate: Certificate.fromCertificateArn(this, 'ApiCertificate', config.apiCertificateArn),
        api: this.bff.restApi,
      });
    }
    if (names !== undefined && config.hostedZone !== undefined) {
      this.dns = new DnsRecords(this, 'Dns', {
        hostedZone: config.hostedZone,
        ...(this.apiDomain === undefined ? {} : { api: this.apiDomain }),
        ...(spaCertificate === undefined ? {} : { spa: { domainName: names.spa, distribution: this.bff.distribution } }),
        ...(hostedUiCertificate === undefined || this.bff.userPoolDomain === undefined
          ? {}
          : { hostedUi: { domainName: names.hostedUi, domain: this.bff.userPoolDomain } }),
      });
    }

    if (config.isProduction && config.email === undefined) {
      Annotations.of(this).addWarningV2(
        'cognito-bff:CognitoEmailInProduction',
        "No SES sender (context fromEmail or domainName): Cognito's built-in e-mail sends 50 messages a day.",
      );
    }

    this.addOutputs();
  }

  private addOutputs(): void {
    const output = (id: string, value: string, description: string): CfnOutput => new CfnOutput(this, id, { value, description });
    const { bff } = this;
    output('ApiUrl', this.apiDomain?.url ?? bff.frontDoor.url, 'The API (Bearer clients)');
    output('SpaUrl', `${bff.publicBaseUrl}/`, 'The SPA and the BFF for browsers (PUBLIC_BASE_URL)');
    output('HostedUiBaseUrl', bff.hostedUiBaseUrl, 'Hosted UI / OAuth endpoints (COGNITO_DOMAIN)');
    output('UserPoolId', bff.userPool.userPoolId, 'COGNITO_USER_POOL_ID');
    output('UserPoolClientId', bff.userPoolClient.userPoolClientId, 'COGNITO_CLIENT_ID');
    output('SpaBucketName', bff.spaBucket.bucketName, 'Upload the SPA here (aws s3 sync)');
    output('DistributionId', bff.distribution.distributionId, 'Invalidate after an SPA upload');
    output('CookieKeysSecretArn', bff.cookieKeysSecret.secretArn, 'COOKIE_KEYS; put a new version to rotate');
    if (bff.table !== undefined) output('SessionTableName', bff.table.tableName, 'SESSION_TABLE');
  }
}
