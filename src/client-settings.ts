/**
 * The one definition of the Cognito app client the BFF signs in through.
 *
 * Both the CDK app (infra/) and the local-stack bootstrap (src/local/) build the client from this function, so a
 * deployed client and the emulator's client cannot drift apart: same callback and logout paths, same scopes, same
 * token lifetimes. Pure data, no I/O, no AWS imports: it is bundled nowhere but read by both sides.
 */

/** Path of the OAuth callback below the BFF's public base URL. */
export const CALLBACK_PATH = '/auth/callback';

/** Scopes the BFF asks for (and the client allows). */
export const DEFAULT_SCOPES = ['openid', 'email', 'profile'] as const;

export interface TokenValidity {
  /** Access-token lifetime in minutes (Cognito: 5 minutes to 1 day). Short, because API Gateway honours it until it expires. */
  accessTokenMinutes: number;
  /** ID-token lifetime in minutes (Cognito: 5 minutes to 1 day). */
  idTokenMinutes: number;
  /** Refresh-token lifetime in days (Cognito: 1 hour to 10 years; here in whole days). */
  refreshTokenDays: number;
}

/** The seed used 8-hour tokens and no refresh; the BFF refreshes, so tokens can be short. */
export const DEFAULT_TOKEN_VALIDITY: TokenValidity = {
  accessTokenMinutes: 15,
  idTokenMinutes: 15,
  refreshTokenDays: 30,
};

export interface AppClientSettingsInput {
  /** Environment name (`dev`, `prod`, `local`, …). */
  environment: string;
  /** The BFF's public base URLs, stage path included, e.g. `https://api.example.com` (one or more). */
  bffBaseUrls: string[];
  /** SPA origins: the seed's `https://<env>.<domain>` and any other front end; sign-out may return there. */
  spaOrigins: string[];
  /** Add `http://localhost:<port>` callback and logout URLs (only for `dev` and the local stack). */
  localhostPort?: number;
  tokenValidity?: Partial<TokenValidity>;
  scopes?: readonly string[];
}

export interface AppClientSettings {
  callbackUrls: string[];
  logoutUrls: string[];
  scopes: string[];
  tokenValidity: TokenValidity;
  /** Authorization-code grant only: no implicit grant, no client-credentials. */
  oauthFlows: { authorizationCodeGrant: true; implicitCodeGrant: false; clientCredentials: false };
  generateSecret: true;
  enableTokenRevocation: true;
  preventUserExistenceErrors: true;
}

function withoutTrailingSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** Builds the client settings for one environment. */
export function appClientSettings(input: AppClientSettingsInput): AppClientSettings {
  const bases = input.bffBaseUrls.map(withoutTrailingSlash);
  const spas = input.spaOrigins.map(withoutTrailingSlash);
  const localBase = input.localhostPort === undefined ? [] : [`http://localhost:${input.localhostPort}`];

  // The BFF's own callback is what the code flow uses. The seed registered the bare SPA origin as a callback too
  // (its SPA received the code itself): keep it so `POST /auth/callback` works for SPA-driven exchanges.
  const callbackUrls = unique([...[...bases, ...localBase].map((base) => base + CALLBACK_PATH), ...spas, ...localBase]);
  const logoutUrls = unique([...[...bases, ...localBase].map((base) => base + '/'), ...spas.map((spa) => spa + '/')]);

  return {
    callbackUrls,
    logoutUrls,
    scopes: [...(input.scopes ?? DEFAULT_SCOPES)],
    tokenValidity: { ...DEFAULT_TOKEN_VALIDITY, ...input.tokenValidity },
    oauthFlows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
    generateSecret: true,
    enableTokenRevocation: true,
    preventUserExistenceErrors: true,
  };
}
