import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  ListUserPoolsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapLocalPool, DEMO_GROUP } from '../../src/local/bootstrap';
import {
  buildAuthorizationRequest,
  EmulatorSignInRefused,
  exchangeCode,
  signInThroughEmulatorForm,
  startTestEmulator,
  TEST_DEMO_PASSWORD,
  type TestEmulator,
} from '../support/cognito-local';

const PUBLIC_BASE_URL = 'http://localhost:4321';
const CALLBACK = `${PUBLIC_BASE_URL}/auth/callback`;

function adminClient(endpoint: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

describe('a bootstrapped emulator', () => {
  let stack: TestEmulator;
  beforeAll(async () => {
    stack = await startTestEmulator(PUBLIC_BASE_URL);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('has a code-flow client with a secret whose callback and logout URLs come from publicBaseUrl', async () => {
    const cognito = adminClient(stack.emulator.url);
    try {
      const { UserPoolClient: client } = await cognito.send(
        new DescribeUserPoolClientCommand({ UserPoolId: stack.pool.userPoolId, ClientId: stack.pool.clientId }),
      );
      expect(client?.CallbackURLs).toEqual([CALLBACK]);
      expect(client?.LogoutURLs).toEqual([`${PUBLIC_BASE_URL}/`]);
      expect(client?.AllowedOAuthFlows).toEqual(['code']);
      expect(client?.AllowedOAuthScopes).toEqual(['openid', 'email', 'profile']);
      expect(client?.ClientSecret).toBe(stack.pool.clientSecret);
      expect(stack.pool.clientSecret).not.toBe('');
    } finally {
      cognito.destroy();
    }
  });

  it('has a confirmed demo user who signs in by e-mail, whose username is its sub', async () => {
    const cognito = adminClient(stack.emulator.url);
    try {
      const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: stack.pool.userPoolId, Username: stack.pool.demoUsername }));
      expect(stack.pool.demoUsername).toBe('demo@example.com');
      expect(user.UserStatus).toBe('CONFIRMED');
      const attribute = (name: string) => user.UserAttributes?.find((a) => a.Name === name)?.Value;
      expect(attribute('email')).toBe('demo@example.com');
      expect(attribute('email_verified')).toBe('true');
      expect(user.Username).toBe(attribute('sub'));
    } finally {
      cognito.destroy();
    }
  });

  it('signs in through the form: the redirect carries a code and the state', async () => {
    const request = buildAuthorizationRequest(stack.settings, CALLBACK);
    const location = new URL(await signInThroughEmulatorForm(request.url, 'demo@example.com', TEST_DEMO_PASSWORD));

    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get('code')).toMatch(/\S+/);
    expect(location.searchParams.get('state')).toBe(request.state);
  });

  it('refuses a wrong password on the form', async () => {
    const request = buildAuthorizationRequest(stack.settings, CALLBACK);
    await expect(signInThroughEmulatorForm(request.url, 'demo@example.com', 'Wrong-Passw0rd!')).rejects.toBeInstanceOf(
      EmulatorSignInRefused,
    );
  });

  it('issues tokens whose iss is settings.COGNITO_ISSUER, verifiable with the JWKS below it', async () => {
    const request = buildAuthorizationRequest(stack.settings, CALLBACK);
    const location = new URL(await signInThroughEmulatorForm(request.url, 'demo@example.com', TEST_DEMO_PASSWORD));
    const tokens = await exchangeCode(stack.settings, {
      code: location.searchParams.get('code') ?? '',
      redirectUri: CALLBACK,
      codeVerifier: request.codeVerifier,
    });

    const issuer = stack.settings.COGNITO_ISSUER ?? '';
    // The front (where COGNITO_DOMAIN points) is the issuer: the emulator behind it is pinned to it.
    expect(issuer).toBe(`${stack.front.url}/${stack.pool.userPoolId}`);
    expect(stack.settings.COGNITO_DOMAIN).toBe(stack.front.url);
    expect(decodeJwt(tokens.access_token).iss).toBe(issuer);
    const jwks = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`));
    const { payload: id } = await jwtVerify(tokens.id_token, jwks, { issuer, audience: stack.pool.clientId });
    expect(id.token_use).toBe('id');
    expect(id.email).toBe('demo@example.com');
    expect(id['cognito:username']).toBe(id.sub);
    expect(id['cognito:groups']).toEqual([DEMO_GROUP]);
    // The client's 15-minute validity is honoured in `exp` (the response's `expires_in` says 3600 regardless).
    expect((id.exp ?? 0) - (id.iat ?? 0)).toBe(15 * 60);
    const { payload: access } = await jwtVerify(tokens.access_token, jwks, { issuer });
    expect(access).toMatchObject({ token_use: 'access', client_id: stack.pool.clientId, sub: id.sub });
  });
});

describe('bootstrapLocalPool run again on the same emulator', () => {
  let stack: TestEmulator;
  beforeAll(async () => {
    stack = await startTestEmulator(PUBLIC_BASE_URL);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('returns the same ids, follows a new publicBaseUrl, and makes the new password the only one', async () => {
    const newBaseUrl = 'http://localhost:5555';
    const newPassword = 'Changed-Passw0rd.2';
    const again = await bootstrapLocalPool({
      endpoint: stack.emulator.url,
      publicBaseUrl: newBaseUrl,
      demoPassword: newPassword,
    });

    expect(again).toEqual({ ...stack.pool, demoPassword: newPassword });
    const cognito = adminClient(stack.emulator.url);
    try {
      const pools = await cognito.send(new ListUserPoolsCommand({ MaxResults: 60 }));
      expect(pools.UserPools?.map((pool) => pool.Id)).toEqual([stack.pool.userPoolId]);
    } finally {
      cognito.destroy();
    }

    const newCallback = `${newBaseUrl}/auth/callback`;
    const signIn = (password: string) =>
      signInThroughEmulatorForm(buildAuthorizationRequest(stack.settings, newCallback).url, 'demo@example.com', password);
    await expect(signIn(newPassword)).resolves.toMatch(/^http:\/\/localhost:5555\/auth\/callback\?code=/);
    await expect(signIn(TEST_DEMO_PASSWORD)).rejects.toBeInstanceOf(EmulatorSignInRefused);
    // The old callback URL is no longer registered: the emulator refuses to show the form for it.
    await expect(
      signInThroughEmulatorForm(buildAuthorizationRequest(stack.settings, CALLBACK).url, 'demo@example.com', newPassword),
    ).rejects.toThrow(/answered 400/);
  });
});
