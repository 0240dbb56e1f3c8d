/**
 * Maps the shared app-client definition (src/client-settings.ts) onto the Cognito API's client fields, for the local
 * stack. Pure: the bootstrap sends the result to the emulator, tests inspect it.
 */
import type { UpdateUserPoolClientRequest } from '@aws-sdk/client-cognito-identity-provider';
import { appClientSettings } from '../client-settings';

/** The client fields the bootstrap sets, on create and on every update alike. */
export type LocalClientFields = Omit<UpdateUserPoolClientRequest, 'UserPoolId' | 'ClientId' | 'ClientName'>;

export function localClientFields(publicBaseUrl: string): LocalClientFields {
  const settings = appClientSettings({ environment: 'local', bffBaseUrls: [publicBaseUrl], spaOrigins: [] });
  return {
    CallbackURLs: settings.callbackUrls,
    LogoutURLs: settings.logoutUrls,
    AllowedOAuthScopes: settings.scopes,
    AllowedOAuthFlows: ['code'],
    AllowedOAuthFlowsUserPoolClient: true,
    SupportedIdentityProviders: ['COGNITO'],
    // The hosted sign-in needs no explicit flow; refresh does (on real Cognito).
    ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
    AccessTokenValidity: settings.tokenValidity.accessTokenMinutes,
    IdTokenValidity: settings.tokenValidity.idTokenMinutes,
    RefreshTokenValidity: settings.tokenValidity.refreshTokenDays,
    TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
    EnableTokenRevocation: settings.enableTokenRevocation,
    PreventUserExistenceErrors: settings.preventUserExistenceErrors ? 'ENABLED' : 'LEGACY',
  };
}
