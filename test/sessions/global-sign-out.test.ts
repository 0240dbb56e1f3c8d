/**
 * Where "sign out everywhere" calls Cognito: the pool's regional endpoint (the SDK's default), or with an issuer
 * override (an emulator, the tests' fake IdP) the issuer's origin, where cognito-local serves the cognito-idp API.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';
import { cognitoApiTarget } from '../../src/sessions/global-sign-out';

const BASE = {
  COGNITO_CLIENT_ID: 'client123',
  COGNITO_DOMAIN: 'https://auth.example.com',
  COOKIE_KEYS: Buffer.alloc(32, 1).toString('base64url'),
  SESSION_STORE: 'dynamodb',
  SESSION_TABLE: 'sessions',
};

describe('cognitoApiTarget', () => {
  it('leaves the endpoint to the SDK, in the pool id`s region, for a real pool', () => {
    const { cognito } = parseConfig({ ...BASE, COGNITO_USER_POOL_ID: 'eu-central-1_AbC123' });
    expect(cognitoApiTarget(cognito)).toEqual({ endpoint: undefined, region: 'eu-central-1' });
  });

  it('uses the issuer`s origin with COGNITO_ISSUER set: cognito-local`s `local_` pools get region `local`', () => {
    const local = parseConfig({ ...BASE, COGNITO_USER_POOL_ID: 'local_5xYz', COGNITO_ISSUER: 'http://localhost:9229/local_5xYz' });
    expect(cognitoApiTarget(local.cognito)).toEqual({ endpoint: 'http://localhost:9229', region: 'local' });
    const fake = parseConfig({ ...BASE, COGNITO_USER_POOL_ID: 'us-west-2_Fake1', COGNITO_ISSUER: 'http://127.0.0.1:4567/us-west-2_Fake1' });
    expect(cognitoApiTarget(fake.cognito)).toEqual({ endpoint: 'http://127.0.0.1:4567', region: 'us-west-2' });
  });

  it('is on by default and switched off by COGNITO_GLOBAL_SIGN_OUT=false; anything else names the variable', () => {
    expect(parseConfig({ ...BASE, COGNITO_USER_POOL_ID: 'us-west-2_A1' }).cognitoGlobalSignOut).toBe(true);
    expect(parseConfig({ ...BASE, COGNITO_USER_POOL_ID: 'us-west-2_A1', COGNITO_GLOBAL_SIGN_OUT: 'false' }).cognitoGlobalSignOut).toBe(
      false,
    );
    expect(() => parseConfig({ ...BASE, COGNITO_USER_POOL_ID: 'us-west-2_A1', COGNITO_GLOBAL_SIGN_OUT: 'off' })).toThrow(
      /COGNITO_GLOBAL_SIGN_OUT/,
    );
  });
});
