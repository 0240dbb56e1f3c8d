/**
 * The local stack's front for cognito-local (src/local/cognito-front.ts), against the real emulator behind it: the
 * endpoints Cognito has and cognito-local lacks (`/logout`, `/oauth2/revoke`), the token endpoint refusing a revoked
 * refresh token, and everything else passed through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildAuthorizationRequest,
  exchangeCode,
  signInThroughEmulatorForm,
  startTestEmulator,
  TEST_DEMO_PASSWORD,
  type TestEmulator,
  type TokenResponse,
} from '../support/cognito-local';

const BASE = 'http://localhost:3000';
const CALLBACK = `${BASE}/auth/callback`;

describe('the front of the local stack', () => {
  let stack: TestEmulator;
  let domain = '';
  let clientId = '';

  beforeAll(async () => {
    stack = await startTestEmulator(BASE);
    domain = stack.settings.COGNITO_DOMAIN!;
    clientId = stack.settings.COGNITO_CLIENT_ID!;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  function basic(id: string, secret: string): string {
    return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  }

  function post(path: string, form: Record<string, string>, authorization?: string): Promise<Response> {
    return fetch(`${domain}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
      body: new URLSearchParams(form),
    });
  }

  async function signIn(): Promise<TokenResponse> {
    const request = buildAuthorizationRequest(stack.settings, CALLBACK);
    const location = new URL(await signInThroughEmulatorForm(request.url, stack.pool.demoUsername, TEST_DEMO_PASSWORD));
    return exchangeCode(stack.settings, {
      code: location.searchParams.get('code')!,
      redirectUri: CALLBACK,
      codeVerifier: request.codeVerifier,
    });
  }

  const refresh = (token: string) => post('/oauth2/token', { grant_type: 'refresh_token', client_id: clientId, refresh_token: token });
  const revoke = (token: string, secret = stack.settings.COGNITO_CLIENT_SECRET!) =>
    post('/oauth2/revoke', { token, client_id: clientId }, basic(clientId, secret));

  describe('/logout', () => {
    const logout = (query: Record<string, string>) => fetch(`${domain}/logout?${new URLSearchParams(query)}`, { redirect: 'manual' });

    it("redirects to a logout_uri registered on the app client, as Cognito's /logout does", async () => {
      const response = await logout({ client_id: clientId, logout_uri: `${BASE}/` });
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe(`${BASE}/`);
    });

    it.each([
      ['a foreign logout_uri', { logout_uri: 'https://evil.example/' }, 'logout_uri is not one of'],
      ['a registered URL with a different path', { logout_uri: `${BASE}/elsewhere` }, 'logout_uri is not one of'],
      ['no logout_uri', {}, 'logout_uri is missing'],
      ['an unknown client', { client_id: 'someoneelse', logout_uri: `${BASE}/` }, 'not an app client'],
    ])('refuses %s with a 400 page and no redirect', async (_name, query, words) => {
      const response = await logout({ client_id: clientId, ...query });
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(await response.text()).toContain(words);
    });
  });

  describe('/oauth2/revoke and the token endpoint', () => {
    it('revokes a refresh token: refresh works before and answers invalid_grant after, for that token only', async () => {
      const first = await signIn();
      const second = await signIn();
      expect((await refresh(first.refresh_token!)).status).toBe(200);

      const revoked = await revoke(first.refresh_token!);
      expect(revoked.status).toBe(200);
      expect(await revoked.text()).toBe('');

      const refused = await refresh(first.refresh_token!);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ error: 'invalid_grant' });
      // Another sign-in's refresh token is untouched.
      expect((await refresh(second.refresh_token!)).status).toBe(200);
    });

    it('answers 200 for an unknown token (RFC 7009), as Cognito does', async () => {
      expect((await revoke('not-a-token-this-pool-issued')).status).toBe(200);
    });

    it('refuses a client that does not authenticate, and keeps the token valid', async () => {
      const tokens = await signIn();
      const wrongSecret = await revoke(tokens.refresh_token!, 'wrong-secret');
      expect(wrongSecret.status).toBe(401);
      expect(await wrongSecret.json()).toEqual({ error: 'invalid_client' });
      const noSecret = await post('/oauth2/revoke', { token: tokens.refresh_token!, client_id: clientId });
      expect(noSecret.status).toBe(401);
      expect((await refresh(tokens.refresh_token!)).status).toBe(200);
    });

    it('accepts the client secret in the form body too (client_secret_post)', async () => {
      const tokens = await signIn();
      const response = await post('/oauth2/revoke', {
        token: tokens.refresh_token!,
        client_id: clientId,
        client_secret: stack.settings.COGNITO_CLIENT_SECRET!,
      });
      expect(response.status).toBe(200);
      expect((await refresh(tokens.refresh_token!)).status).toBe(400);
    });

    it('refuses an access or ID token (unsupported_token_type) and a request without a token', async () => {
      const tokens = await signIn();
      for (const token of [tokens.access_token, tokens.id_token]) {
        const response = await revoke(token);
        expect(response.status).toBe(400);
        expect(await response.json()).toEqual({ error: 'unsupported_token_type' });
      }
      const missing = await post('/oauth2/revoke', { client_id: clientId }, basic(clientId, stack.settings.COGNITO_CLIENT_SECRET!));
      expect(missing.status).toBe(400);
      expect(await missing.json()).toEqual({ error: 'invalid_request' });
    });
  });

  it("passes everything else to the emulator: its health, its key set, its token endpoint's own errors", async () => {
    expect(await (await fetch(`${domain}/health`)).json()).toEqual({ ok: true });
    const jwks = (await (await fetch(`${stack.settings.COGNITO_ISSUER}/.well-known/jwks.json`)).json()) as { keys: unknown[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    const badCode = await post(
      '/oauth2/token',
      { grant_type: 'authorization_code', client_id: clientId, code: 'nope', redirect_uri: CALLBACK, code_verifier: 'x'.repeat(43) },
      basic(clientId, stack.settings.COGNITO_CLIENT_SECRET!),
    );
    expect(badCode.status).toBe(400);
    expect(await badCode.json()).toMatchObject({ error: 'invalid_grant' });
  });
});
