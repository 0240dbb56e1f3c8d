import { describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN_VALIDITY } from '../../src/client-settings';
import { localClientFields } from '../../src/local/app-client';

describe('localClientFields', () => {
  it('derives the callback and logout URLs from the public base URL, trailing slash or not', () => {
    for (const base of ['http://localhost:8080', 'http://localhost:8080/']) {
      const fields = localClientFields(base);
      expect(fields.CallbackURLs).toEqual(['http://localhost:8080/auth/callback']);
      expect(fields.LogoutURLs).toEqual(['http://localhost:8080/']);
    }
  });

  it('is a code-flow client with the shared scopes and token lifetimes, in explicit units', () => {
    expect(localClientFields('http://localhost:3000')).toMatchObject({
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      AccessTokenValidity: DEFAULT_TOKEN_VALIDITY.accessTokenMinutes,
      IdTokenValidity: DEFAULT_TOKEN_VALIDITY.idTokenMinutes,
      RefreshTokenValidity: DEFAULT_TOKEN_VALIDITY.refreshTokenDays,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: 'ENABLED',
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
    });
  });
});
