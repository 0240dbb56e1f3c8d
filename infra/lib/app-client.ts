/**
 * The one app client the BFF signs in through, built from `appClientSettings()` in src/client-settings.ts: the same
 * function the local-stack bootstrap uses, so the deployed client and the emulator's cannot drift apart.
 */
import { Duration } from 'aws-cdk-lib';
import { type IUserPool, OAuthScope, UserPoolClient, UserPoolClientIdentityProvider } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { type AppClientSettings, appClientSettings, type TokenValidity } from '../../src/client-settings.js';

export interface BffAppClientProps {
  readonly userPool: IUserPool;
  /** Environment name, passed on to `appClientSettings()`. */
  readonly environment: string;
  /** The BFF's public base URLs; `<base>/auth/callback` becomes a callback URL. */
  readonly bffBaseUrls: string[];
  /** SPA origins, allowed as callback (SPA-driven exchange) and sign-out targets. */
  readonly spaOrigins: string[];
  /**
   * Adds `http://localhost:<port>` callback and logout URLs: for `dev` only.
   * @default - no localhost URLs
   */
  readonly localhostPort?: number;
  /**
   * Token lifetimes.
   * @default DEFAULT_TOKEN_VALIDITY of src/client-settings.ts
   */
  readonly tokenValidity?: Partial<TokenValidity>;
  /**
   * Grace period in seconds (0-60) during which a rotated-out refresh token still works, so two tabs refreshing at
   * once both succeed. Setting it switches rotation on: every refresh then returns a new refresh token.
   * @default - no rotation: the refresh token stays the same until it expires
   */
  readonly refreshTokenRotationGraceSeconds?: number;
}

export class BffAppClient extends Construct {
  readonly client: UserPoolClient;
  /** The settings the client was built from (scopes, URLs, lifetimes), for the Lambda's configuration. */
  readonly settings: AppClientSettings;

  constructor(scope: Construct, id: string, props: BffAppClientProps) {
    super(scope, id);
    this.settings = appClientSettings({
      environment: props.environment,
      bffBaseUrls: props.bffBaseUrls,
      spaOrigins: props.spaOrigins,
      ...(props.localhostPort === undefined ? {} : { localhostPort: props.localhostPort }),
      ...(props.tokenValidity === undefined ? {} : { tokenValidity: props.tokenValidity }),
    });
    const { tokenValidity } = this.settings;

    this.client = new UserPoolClient(this, 'Client', {
      userPool: props.userPool,
      generateSecret: this.settings.generateSecret,
      oAuth: {
        flows: this.settings.oauthFlows,
        callbackUrls: this.settings.callbackUrls,
        logoutUrls: this.settings.logoutUrls,
        scopes: this.settings.scopes.map((scope) => OAuthScope.custom(scope)),
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      // The BFF signs users in through the hosted UI only. The SDK flows are listed anyway, for two reasons:
      // Cognito's default would open CUSTOM_AUTH as well, and only an explicit list lets CDK leave out
      // ALLOW_REFRESH_TOKEN_AUTH, which Cognito refuses together with rotation (the BFF refreshes through the token
      // endpoint, which works in both modes). SRP stays: it sends no password, and with a client secret only the
      // BFF can compute the SECRET_HASH it requires.
      authFlows: { userSrp: true },
      accessTokenValidity: Duration.minutes(tokenValidity.accessTokenMinutes),
      idTokenValidity: Duration.minutes(tokenValidity.idTokenMinutes),
      refreshTokenValidity: Duration.days(tokenValidity.refreshTokenDays),
      ...(props.refreshTokenRotationGraceSeconds === undefined
        ? {}
        : { refreshTokenRotationGracePeriod: Duration.seconds(props.refreshTokenRotationGraceSeconds) }),
      enableTokenRevocation: this.settings.enableTokenRevocation,
      preventUserExistenceErrors: this.settings.preventUserExistenceErrors,
    });
  }
}
