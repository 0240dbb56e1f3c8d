/**
 * The deployment settings of one environment, read from CDK context and checked before any construct is built.
 *
 * Every key has a default that yields a working `dev` stack with no custom domain, so `npm run synth` needs no
 * context at all. The keys are documented in infra/bin/app.ts and infra/README.md.
 */
import { DEFAULT_TOKEN_VALIDITY, type TokenValidity } from '../../src/client-settings.js';
import {
  ContextError,
  type ContextSource,
  flag,
  oneOf,
  optionalMatching,
  optionalString,
  parseWholeNumber,
  stringList,
  wholeNumber,
} from './context-values.js';
import { FRONT_DOORS, type FrontDoorKind } from './front-door.js';
import { optional } from './optional.js';

export const MFA_MODES = ['off', 'optional', 'required'] as const;
export type MfaMode = (typeof MFA_MODES)[number];

export const THREAT_PROTECTION_MODES = ['off', 'audit', 'enforced'] as const;
export type ThreatProtectionMode = (typeof THREAT_PROTECTION_MODES)[number];

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Port of the local SPA/BFF that `dev` accepts as an extra callback and CORS origin (the seed's localhost:3000). */
export const DEV_LOCALHOST_PORT = 3000;

/** Retry grace period (seconds) used when refresh-token rotation is switched on without a number. */
export const DEFAULT_ROTATION_GRACE_SECONDS = 10;

export interface SesEmailConfig {
  fromEmail: string;
  fromName?: string;
  /** Region of the verified SES identity; `undefined` means the stack's region. */
  sesRegion?: string;
  /** Verified SES domain identity; `undefined` means the `fromEmail` address is the verified identity. */
  sesVerifiedDomain?: string;
}

export interface HostedZoneConfig {
  hostedZoneId: string;
  zoneName: string;
}

export interface ThrottlingConfig {
  /** Steady-state requests per second for the whole stage. */
  rateLimit: number;
  /** Bucket size: requests allowed in a burst above the rate. */
  burstLimit: number;
}

export interface DeploymentConfig {
  /** Environment name: stack name suffix, API stage name, DNS label (`<env>.<domain>`, `<env>-api.<domain>`). */
  environment: string;
  /** `prod` keeps the user pool (RETAIN, deletion protection) and the logs; every other environment is disposable. */
  isProduction: boolean;
  /** Parent DNS name of the custom domains (`test.com` in the seed). */
  domainName?: string;
  /** E-mail through SES; `undefined` means Cognito's built-in sender (50 messages a day, for trying things out). */
  email?: SesEmailConfig;
  hostedZone?: HostedZoneConfig;
  /** Regional ACM certificate for `<env>-api.<domain>` (same region as the stack). */
  apiCertificateArn?: string;
  /** us-east-1 ACM certificate for the hosted UI at `<env>-auth.<domain>`. */
  authDomainCertificateArn?: string;
  /** us-east-1 ACM certificate for the SPA and BFF at `<env>.<domain>` (the CloudFront distribution). */
  spaCertificateArn?: string;
  /** Prefix of the Cognito hosted-UI domain; `undefined` means `bff-<env>-<account id>`. */
  cognitoDomainPrefix?: string;
  /** Extra SPA origins allowed for CORS, redirects and sign-out, besides the stack's own. */
  spaOrigins: string[];
  tokenValidity: TokenValidity;
  /** Grace period of refresh-token rotation in seconds; `undefined` turns rotation off. */
  refreshTokenRotationGraceSeconds?: number;
  mfa: MfaMode;
  threatProtection: ThreatProtectionMode;
  throttling: ThrottlingConfig;
  logLevel: LogLevel;
  /** Only `dev` adds `http://localhost:<port>` callback, logout and CORS entries. */
  localhostPort?: number;
  /** Create the account-wide role API Gateway needs to write logs (one per account and region). */
  apiGatewayCloudWatchRole: boolean;
  /** REST API or HTTP API in front of the BFF. */
  frontDoor: FrontDoorKind;
  /** SNS topic the alarms notify; `undefined` means none. */
  alarmTopicArn?: string;
}

const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,19}$/;
const DNS_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
const SNS_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const ACM_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[A-Za-z0-9-]+$/;
/** Cognito prefix rules, plus the words Cognito reserves in prefixes. */
const COGNITO_PREFIX = /^(?!.*(?:aws|amazon|cognito))[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Reads and checks the context of one deployment. */
export function readDeploymentConfig(read: ContextSource): DeploymentConfig {
  const environment = optionalMatching(read, 'env', ENVIRONMENT_NAME, 'a lower-case name like dev or prod (letters, digits, -)') ?? 'dev';
  const isProduction = environment === 'prod';
  const domainName = optionalMatching(read, 'domainName', DNS_NAME, 'a lower-case DNS name like example.com');

  const needsDomain = (key: string): void => {
    if (optionalString(read, key) !== undefined && domainName === undefined) {
      throw new ContextError(key, 'needs "domainName" as well: the custom names are built under it');
    }
  };
  ['apiCertificateArn', 'authDomainCertificateArn', 'spaCertificateArn', 'hostedZoneId'].forEach(needsDomain);
  const frontDoor = oneOf(read, 'frontDoor', FRONT_DOORS, 'rest');
  if (frontDoor === 'http' && optionalString(read, 'apiCertificateArn') !== undefined) {
    throw new ContextError(
      'apiCertificateArn',
      'maps a REST API custom domain; with frontDoor=http, reach the API through the distribution',
    );
  }

  return {
    environment,
    isProduction,
    ...(domainName === undefined ? {} : { domainName }),
    ...optional('email', readEmail(read, domainName)),
    ...optional('hostedZone', readHostedZone(read, domainName)),
    ...optional('apiCertificateArn', readCertificateArn(read, 'apiCertificateArn')),
    ...optional('authDomainCertificateArn', readCertificateArn(read, 'authDomainCertificateArn', 'us-east-1')),
    ...optional('spaCertificateArn', readCertificateArn(read, 'spaCertificateArn', 'us-east-1')),
    ...optional(
      'cognitoDomainPrefix',
      optionalMatching(
        read,
        'cognitoDomainPrefix',
        COGNITO_PREFIX,
        'lower-case letters, digits and hyphens without "aws", "amazon" or "cognito"',
      ),
    ),
    spaOrigins: readOrigins(read, 'spaOrigins'),
    tokenValidity: {
      accessTokenMinutes: wholeNumber(read, 'accessTokenMinutes', {
        min: 5,
        max: 1440,
        fallback: DEFAULT_TOKEN_VALIDITY.accessTokenMinutes,
      }),
      idTokenMinutes: wholeNumber(read, 'idTokenMinutes', {
        min: 5,
        max: 1440,
        fallback: DEFAULT_TOKEN_VALIDITY.idTokenMinutes,
      }),
      refreshTokenDays: wholeNumber(read, 'refreshTokenDays', {
        min: 1,
        max: 3650,
        fallback: DEFAULT_TOKEN_VALIDITY.refreshTokenDays,
      }),
    },
    ...optional('refreshTokenRotationGraceSeconds', readRotation(read)),
    mfa: oneOf(read, 'mfa', MFA_MODES, 'optional'),
    // Threat protection needs the Plus feature plan (billed per active user): on by default where it matters.
    threatProtection: oneOf(read, 'threatProtection', THREAT_PROTECTION_MODES, isProduction ? 'enforced' : 'off'),
    throttling: readThrottling(read),
    logLevel: oneOf(read, 'logLevel', LOG_LEVELS, 'info'),
    ...(environment === 'dev' ? { localhostPort: DEV_LOCALHOST_PORT } : {}),
    apiGatewayCloudWatchRole: flag(read, 'apiGatewayCloudWatchRole', true),
    frontDoor,
    ...optional('alarmTopicArn', optionalMatching(read, 'alarmTopicArn', SNS_ARN, 'an SNS topic ARN')),
  };
}

function readEmail(read: ContextSource, domainName: string | undefined): SesEmailConfig | undefined {
  const explicitFrom = optionalMatching(read, 'fromEmail', EMAIL, 'an e-mail address');
  // With a domain and no sender, the seed's `no-reply@<domain>` from the domain's SES identity.
  const fromEmail = explicitFrom ?? (domainName === undefined ? undefined : `no-reply@${domainName}`);
  const fromName = optionalString(read, 'fromName');
  const sesRegion = optionalMatching(read, 'sesRegion', REGION, 'an AWS region like us-west-2');
  const sesVerifiedDomain =
    optionalMatching(read, 'sesVerifiedDomain', DNS_NAME, 'a lower-case DNS name') ?? (explicitFrom === undefined ? domainName : undefined);
  if (fromEmail === undefined) {
    for (const key of ['fromName', 'sesRegion', 'sesVerifiedDomain']) {
      if (read(key) !== undefined) throw new ContextError(key, 'needs "fromEmail" (or "domainName") as well');
    }
    return undefined;
  }
  if (sesVerifiedDomain !== undefined && !fromEmail.endsWith(`@${sesVerifiedDomain}`)) {
    throw new ContextError('fromEmail', `must be an address of the verified SES domain ${sesVerifiedDomain}`);
  }
  return {
    fromEmail,
    ...optional('fromName', fromName),
    ...optional('sesRegion', sesRegion),
    ...optional('sesVerifiedDomain', sesVerifiedDomain),
  };
}

function readHostedZone(read: ContextSource, domainName: string | undefined): HostedZoneConfig | undefined {
  const hostedZoneId = optionalMatching(read, 'hostedZoneId', HOSTED_ZONE_ID, 'a Route 53 zone id like Z0123456789ABC');
  const zoneName = optionalMatching(read, 'zoneName', DNS_NAME, 'a lower-case DNS name')?.replace(/\.$/, '');
  if (hostedZoneId === undefined && zoneName === undefined) return undefined;
  if (hostedZoneId === undefined) throw new ContextError('hostedZoneId', 'is required when "zoneName" is set');
  if (zoneName === undefined) throw new ContextError('zoneName', 'is required when "hostedZoneId" is set');
  if (domainName !== undefined && domainName !== zoneName && !domainName.endsWith(`.${zoneName}`)) {
    throw new ContextError('zoneName', `"${zoneName}" does not contain the domain "${domainName}"`);
  }
  return { hostedZoneId, zoneName };
}

function readCertificateArn(read: ContextSource, key: string, requiredRegion?: string): string | undefined {
  const arn = optionalMatching(read, key, ACM_ARN, 'an ACM certificate ARN');
  const region = arn === undefined ? undefined : ACM_ARN.exec(arn)?.[1];
  if (requiredRegion !== undefined && region !== undefined && region !== requiredRegion) {
    throw new ContextError(key, `CloudFront only uses certificates from ${requiredRegion}; this one is in ${region}`);
  }
  return arn;
}

/** Origins as browsers send them: scheme, host and port, no path; `http:` only for loopback development. */
function readOrigins(read: ContextSource, key: string): string[] {
  return stringList(read, key).map((entry) => {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new ContextError(key, `"${entry}" is not a URL`);
    }
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
      throw new ContextError(key, `"${entry}" must use https: (http: only for localhost)`);
    }
    if (url.origin !== entry.replace(/\/$/, '')) {
      throw new ContextError(key, `"${entry}" must be an origin (scheme://host[:port]) without a path`);
    }
    return url.origin;
  });
}

/** `off`/`false` disables rotation; `on`/`true` enables it with the default grace; a number 0-60 is the grace. */
function readRotation(read: ContextSource): number | undefined {
  const key = 'refreshTokenRotation';
  const value = read(key);
  if (typeof value === 'boolean') return value ? DEFAULT_ROTATION_GRACE_SECONDS : undefined;
  const text = optionalString(read, key)?.toLowerCase();
  if (text === undefined || ['true', 'on', 'enabled'].includes(text)) return DEFAULT_ROTATION_GRACE_SECONDS;
  if (['false', 'off', 'disabled'].includes(text)) return undefined;
  return parseWholeNumber(key, text, { min: 0, max: 60 });
}

/** `"rate,burst"` from the command line, or `{ "rate": …, "burst": … }` from cdk.json. */
function readThrottling(read: ContextSource): ThrottlingConfig {
  const key = 'throttling';
  const fallback: ThrottlingConfig = { rateLimit: 100, burstLimit: 200 };
  const value = read(key);
  if (value === undefined || value === null || value === '') return fallback;
  let rate: string | undefined;
  let burst: string | undefined;
  if (typeof value === 'string') {
    [rate, burst] = value.split(',').map((part) => part.trim());
  } else if (typeof value === 'object' && !Array.isArray(value)) {
    const { rate: r, burst: b } = value as Record<string, unknown>;
    rate = r === undefined ? undefined : String(r);
    burst = b === undefined ? undefined : String(b);
  }
  if (rate === undefined || burst === undefined) {
    throw new ContextError(key, `expected "rate,burst" (requests per second, burst size), got ${JSON.stringify(value)}`);
  }
  const rateLimit = parseWholeNumber(key, rate, { min: 1, max: 10_000 });
  const burstLimit = parseWholeNumber(key, burst, { min: 1, max: 5_000 });
  return { rateLimit, burstLimit };
}
