import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appClientSettings, DEFAULT_SCOPES } from '../../src/client-settings.js';
import { CUSTOM_DOMAIN_CONTEXT, InfraFixture, onlyResource, propertiesOf, type SynthesizedStack } from './fixture.js';

const fixture = new InfraFixture();
let dev: SynthesizedStack;
let tuned: SynthesizedStack;
let custom: SynthesizedStack;

beforeAll(() => {
  dev = fixture.synth();
  tuned = fixture.synth({
    env: 'staging',
    mfa: 'required',
    threatProtection: 'audit',
    accessTokenMinutes: '5',
    idTokenMinutes: '10',
    refreshTokenDays: '7',
    refreshTokenRotation: 'off',
    fromEmail: 'auth@example.org',
    sesRegion: 'eu-west-1',
    cognitoDomainPrefix: 'acme-login',
  });
  custom = fixture.synth({ ...CUSTOM_DOMAIN_CONTEXT, env: 'dev' });
});
afterAll(() => fixture.dispose());

describe('user pool', () => {
  it('keeps the seed: e-mail sign-in, self sign-up, optional phone number', () => {
    dev.template.hasResourceProperties('AWS::Cognito::UserPool', {
      UsernameAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
      AutoVerifiedAttributes: ['email'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
      Schema: Match.arrayWith([
        Match.objectLike({ Name: 'email', Required: true }),
        Match.objectLike({ Name: 'phone_number', Required: false }),
      ]),
    });
  });

  it('has a strong password policy and recovers accounts by e-mail only', () => {
    dev.template.hasResourceProperties('AWS::Cognito::UserPool', {
      Policies: {
        PasswordPolicy: {
          MinimumLength: Match.anyValue(),
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    });
    const policy = propertiesOf(dev.json, 'AWS::Cognito::UserPool').Policies as {
      PasswordPolicy: { MinimumLength: number };
    };
    expect(policy.PasswordPolicy.MinimumLength).toBeGreaterThanOrEqual(12);
  });

  it("sends e-mail through SES from the context's sender and region", () => {
    custom.template.hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: {
        EmailSendingAccount: 'DEVELOPER',
        From: 'Test Sender <no-reply@test.com>',
        SourceArn: {
          'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':ses:us-west-2:'), ':identity/test.com'])],
        },
      },
    });
    tuned.template.hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: {
        EmailSendingAccount: 'DEVELOPER',
        From: 'auth@example.org',
        SourceArn: {
          'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':ses:eu-west-1:'), ':identity/auth@example.org'])],
        },
      },
    });
  });

  it("falls back to Cognito's sender when there is no SES sender in context", () => {
    dev.template.hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: { EmailSendingAccount: 'COGNITO_DEFAULT' },
    });
  });

  it('offers TOTP MFA by default and requires it when configured', () => {
    dev.template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    });
    tuned.template.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON' });
    fixture.synth({ mfa: 'off' }).template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'OFF',
      EnabledMfas: Match.absent(),
    });
  });

  it('switches threat protection (Plus plan) by context', () => {
    dev.template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'ESSENTIALS',
      UserPoolAddOns: Match.absent(),
    });
    tuned.template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' },
    });
  });
});

describe('hosted-UI domain', () => {
  it('is a Cognito prefix domain, unique per account, unless context names one', () => {
    const domain = propertiesOf(dev.json, 'AWS::Cognito::UserPoolDomain');
    expect(domain.CustomDomainConfig).toBeUndefined();
    expect(JSON.stringify(domain.Domain)).toContain('bff-dev-');
    expect(JSON.stringify(domain.Domain)).toContain('AWS::AccountId');
    tuned.template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'acme-login' });
  });

  it('is <env>-auth.<domain> with the us-east-1 certificate from context', () => {
    custom.template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: 'dev-auth.test.com',
      CustomDomainConfig: { CertificateArn: CUSTOM_DOMAIN_CONTEXT.authDomainCertificateArn },
    });
  });
});

describe('app client', () => {
  it('is the one client, built from appClientSettings()', () => {
    onlyResource(dev.json, 'AWS::Cognito::UserPoolClient');
    // With custom names every URL is a literal, so the whole list can be compared with the shared function's output.
    const expected = appClientSettings({
      environment: 'dev',
      bffBaseUrls: ['https://dev.test.com'],
      spaOrigins: ['https://dev.test.com'],
      localhostPort: 3000,
    });
    custom.template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: expected.callbackUrls,
      LogoutURLs: expected.logoutUrls,
      AllowedOAuthScopes: [...DEFAULT_SCOPES],
    });
    expect(expected.callbackUrls).toEqual([
      'https://dev.test.com/auth/callback',
      'http://localhost:3000/auth/callback',
      'https://dev.test.com',
      'http://localhost:3000',
    ]);
  });

  it('registers the BFF callback on the CloudFront name when there is no custom domain', () => {
    const client = propertiesOf(dev.json, 'AWS::Cognito::UserPoolClient');
    const distribution = onlyResource(dev.json, 'AWS::CloudFront::Distribution')[0];
    expect(client.CallbackURLs).toContainEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }, '/auth/callback']],
    });
  });

  it('allows the authorization-code grant only, with a generated secret', () => {
    dev.template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      GenerateSecret: true,
      SupportedIdentityProviders: ['COGNITO'],
    });
  });

  it('revokes tokens, hides user existence, and uses the configured lifetimes', () => {
    dev.template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: 'ENABLED',
      AccessTokenValidity: 15,
      IdTokenValidity: 15,
      RefreshTokenValidity: 30 * 24 * 60,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
    });
    tuned.template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AccessTokenValidity: 5,
      IdTokenValidity: 10,
      RefreshTokenValidity: 7 * 24 * 60,
    });
  });

  it('rotates refresh tokens with a grace period, without the flow Cognito refuses alongside rotation', () => {
    dev.template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 10 },
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH'],
    });
  });

  it('keeps the refresh token when rotation is off', () => {
    tuned.template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      RefreshTokenRotation: Match.absent(),
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_REFRESH_TOKEN_AUTH']),
    });
  });
});
