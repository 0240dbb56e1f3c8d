/**
 * The Cognito user pool and its hosted-UI domain.
 *
 * The seed's pool (e-mail as the sign-in name, self sign-up, optional phone number, SES e-mail) plus what a production
 * pool needs: a strong password policy, recovery by e-mail only, MFA and threat protection chosen per environment,
 * and a pool that survives a stack deletion in production.
 */
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolDomain,
  UserPoolEmail,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { MfaMode, SesEmailConfig, ThreatProtectionMode } from './config.js';

export interface BffUserPoolProps {
  /** Environment name, used in the default hosted-UI prefix. */
  readonly environment: string;
  /**
   * E-mail through SES (verified identity required before deployment).
   * @default - Cognito's built-in sender, limited to 50 messages a day: fine for trying things out only
   */
  readonly email?: SesEmailConfig;
  /**
   * Second factor: TOTP apps only (SMS needs an SNS role and a phone-number budget).
   * @default 'optional'
   */
  readonly mfa?: MfaMode;
  /**
   * Threat protection (compromised credentials, adaptive authentication); anything but `off` selects the Plus plan.
   * @default 'off'
   */
  readonly threatProtection?: ThreatProtectionMode;
  /**
   * What deleting the stack does to the pool and its users.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Refuse `DeleteUserPool` calls, stack deletions included.
   * @default false
   */
  readonly deletionProtection?: boolean;
  /**
   * A custom hosted-UI domain with its us-east-1 certificate.
   * @default - a Cognito domain `https://<prefix>.auth.<region>.amazoncognito.com`
   */
  readonly customDomain?: { readonly domainName: string; readonly certificate: ICertificate };
  /**
   * Prefix of the Cognito domain (ignored with `customDomain`). Prefixes are unique per region across all accounts.
   * @default `bff-<environment>-<account id>`
   */
  readonly cognitoDomainPrefix?: string;
}

export class BffUserPool extends Construct {
  readonly userPool: UserPool;
  readonly domain: UserPoolDomain;
  /** Base URL of the OAuth endpoints (`/oauth2/authorize`, `/oauth2/token`, `/logout`): the BFF's COGNITO_DOMAIN. */
  readonly hostedUiBaseUrl: string;

  constructor(scope: Construct, id: string, props: BffUserPoolProps) {
    super(scope, id);
    const mfa = props.mfa ?? 'optional';
    const threatProtection = props.threatProtection ?? 'off';

    this.userPool = new UserPool(this, 'Pool', {
      selfSignUpEnabled: true,
      // E-mail is the user name; lower/upper case must not make two accounts of one address.
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      // A changed address only takes effect once verified, so a typo (or an attacker) cannot take over recovery.
      keepOriginal: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        phoneNumber: { required: false, mutable: true },
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // No SMS recovery: SIM swapping makes the phone the weaker channel, and the phone number is optional anyway.
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      email: props.email === undefined ? UserPoolEmail.withCognito() : sesEmail(props.email),
      mfa: { off: Mfa.OFF, optional: Mfa.OPTIONAL, required: Mfa.REQUIRED }[mfa],
      ...(mfa === 'off' ? {} : { mfaSecondFactor: { otp: true, sms: false } }),
      featurePlan: threatProtection === 'off' ? FeaturePlan.ESSENTIALS : FeaturePlan.PLUS,
      ...(threatProtection === 'off'
        ? {}
        : {
            standardThreatProtectionMode:
              threatProtection === 'enforced' ? StandardThreatProtectionMode.FULL_FUNCTION : StandardThreatProtectionMode.AUDIT_ONLY,
          }),
      deletionProtection: props.deletionProtection ?? false,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });

    this.domain = this.userPool.addDomain(
      'HostedUiDomain',
      props.customDomain === undefined
        ? { cognitoDomain: { domainPrefix: props.cognitoDomainPrefix ?? `bff-${props.environment}-${Aws.ACCOUNT_ID}` } }
        : { customDomain: props.customDomain },
    );
    this.hostedUiBaseUrl = this.domain.baseUrl();
  }
}

function sesEmail(email: SesEmailConfig): UserPoolEmail {
  return UserPoolEmail.withSES({
    fromEmail: email.fromEmail,
    ...(email.fromName === undefined ? {} : { fromName: email.fromName }),
    ...(email.sesVerifiedDomain === undefined ? {} : { sesVerifiedDomain: email.sesVerifiedDomain }),
    // The stack's own region unless the verified identity lives elsewhere; a token keeps region-agnostic synth working.
    sesRegion: email.sesRegion ?? Aws.REGION,
  });
}
