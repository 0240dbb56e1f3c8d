/**
 * Attacks on the sign-in flow itself (RFC 9700 4.2-4.7, OpenID RP conformance): state missing, mismatched or
 * replayed; the transaction cookie missing or from another login; authorization-code replay and injection (PKCE);
 * the IdP's `error` parameter reflected; duplicated parameters; a nonce that does not match.
 */
import { describe, expect, it } from 'vitest';
import type { FakeIdp } from '../support/fake-idp';
import { RUNTIMES } from '../support/harness';
import {
  Browser,
  buildAttackHarness,
  callbackPath,
  expectJsonError,
  expectNoLeak,
  expectRefusedSignIn,
  sessionCookiesSet,
  signIn,
  startLogin,
  type AttackHarness,
  useAttackTarget,
} from './support';

describe.each(RUNTIMES)('sign-in flow attacks (%s)', (kind) => {
  let idp: FakeIdp;
  let harness: AttackHarness;
  useAttackTarget(kind, (started) => ({ idp, harness } = started));

  /** The transaction cookie a login set: name and value. */
  function transactionCookie(browser: Browser): { name: string; value: string } {
    const cookie = browser.jar.all().find((c) => c.name.startsWith('__Host-bff-tx-'));
    expect(cookie).toBeDefined();
    return { name: cookie!.name, value: cookie!.value };
  }

  it('completes a sign-in when nothing is tampered with (the control)', async () => {
    const browser = new Browser(harness);
    const { callback } = await signIn(harness, browser, { rawQuery: 'returnTo=%2Fafter' });
    expect(callback.status).toBe(302);
    expect(callback.headers.location).toBe(`${harness.config.publicBaseUrl}/after`);
    expect((await browser.send('GET', '/auth/session')).status).toBe(200);
  });

  it('refuses a callback without state', async () => {
    const browser = new Browser(harness);
    const { authorizeUrl } = await startLogin(browser);
    const code = idp.issueCode(authorizeUrl);
    const callback = await browser.send('GET', callbackPath(harness, { code }));
    expectRefusedSignIn(harness, callback, 'invalid_state');
    expect(idp.requests.filter((r) => r.path === '/oauth2/token')).toHaveLength(0);
    expectNoLeak(harness, [callback], [code]);
  });

  it('refuses a callback whose state matches no login of this browser (and does not spend the code)', async () => {
    const browser = new Browser(harness);
    const { authorizeUrl } = await startLogin(browser);
    const code = idp.issueCode(authorizeUrl);
    const callback = await browser.send('GET', callbackPath(harness, { code, state: 'f'.repeat(43) }));
    expectRefusedSignIn(harness, callback, 'invalid_state');
    expect(idp.requests.filter((r) => r.path === '/oauth2/token')).toHaveLength(0);
  });

  it('refuses a callback when the transaction cookie is missing', async () => {
    const browser = new Browser(harness);
    const { authorizeUrl, state } = await startLogin(browser);
    browser.jar.delete(transactionCookie(browser).name);
    const code = idp.issueCode(authorizeUrl);
    const callback = await browser.send('GET', callbackPath(harness, { code, state }));
    expectRefusedSignIn(harness, callback, 'invalid_state');
  });

  it("refuses an attacker's code and state in a victim's browser (login CSRF: the transaction is bound to the browser)", async () => {
    const attacker = new Browser(harness);
    const { authorizeUrl, state } = await startLogin(attacker);
    const code = idp.issueCode(authorizeUrl, { sub: 'mallory-sub', username: 'mallory', email: 'm@evil.example', groups: [] });
    const victim = new Browser(harness);
    await startLogin(victim);
    const callback = await victim.send('GET', callbackPath(harness, { code, state }));
    expectRefusedSignIn(harness, callback, 'invalid_state');
    expect((await victim.send('GET', '/auth/session')).status).toBe(401);
  });

  it("refuses another login's transaction cookie renamed to match this state", async () => {
    const browser = new Browser(harness);
    const first = await startLogin(browser);
    const firstCookie = transactionCookie(browser);
    const other = new Browser(harness);
    const second = await startLogin(other);
    const secondCookie = transactionCookie(other);
    // The attacker's sealed transaction under the name the victim's state selects.
    const code = idp.issueCode(second.authorizeUrl);
    const callback = await harness.target.request('GET', callbackPath(harness, { code, state: first.state }), {
      headers: { Cookie: `${firstCookie.name}=${secondCookie.value}` },
    });
    expectRefusedSignIn(harness, callback, 'invalid_state');
  });

  it('refuses a transaction cookie that is not sealed by us', async () => {
    const browser = new Browser(harness);
    const { authorizeUrl, state } = await startLogin(browser);
    const { name, value } = transactionCookie(browser);
    const code = idp.issueCode(authorizeUrl);
    for (const forged of [
      'v1.' + 'A'.repeat(200),
      value.slice(0, -10),
      value.slice(0, -1) + (value.endsWith('A') ? 'B' : 'A'),
      'j:{"state":"x"}',
    ]) {
      const callback = await harness.target.request('GET', callbackPath(harness, { code, state }), {
        headers: { Cookie: `${name}=${forged}` },
      });
      expectRefusedSignIn(harness, callback, 'invalid_state');
    }
  });

  it('uses a transaction once: the same callback replayed is refused, and a replayed transaction cookie cannot reuse the code', async () => {
    const browser = new Browser(harness);
    const { authorizeUrl, state } = await startLogin(browser);
    const transaction = transactionCookie(browser);
    const code = idp.issueCode(authorizeUrl);
    const path = callbackPath(harness, { code, state });
    const first = await browser.send('GET', path);
    expect(first.status).toBe(302);
    expect(first.headers.location).toBe(harness.config.postLoginUrl);
    // The callback cleared the transaction cookie: the browser replaying the URL has nothing to match.
    expect(browser.jar.get(transaction.name)).toBeUndefined();
    const replay = await browser.send('GET', path);
    expectRefusedSignIn(harness, replay, 'invalid_state');
    // An attacker who kept a copy of the cookie: the state matches, but the code is spent at the IdP.
    const withCopy = await harness.target.request('GET', path, { headers: { Cookie: `${transaction.name}=${transaction.value}` } });
    expectRefusedSignIn(harness, withCopy, 'invalid_grant');
    expectNoLeak(harness, [replay, withCopy], [code, transaction.value]);
  });

  it('refuses a code issued for another login (code injection: PKCE verifier mismatch)', async () => {
    const browser = new Browser(harness);
    const victimLogin = await startLogin(browser);
    // The attacker's code was issued for the attacker's own authorize request, with the attacker's PKCE challenge.
    const attacker = new Browser(harness);
    const attackerLogin = await startLogin(attacker);
    const code = idp.issueCode(attackerLogin.authorizeUrl);
    const callback = await browser.send('GET', callbackPath(harness, { code, state: victimLogin.state }));
    expectRefusedSignIn(harness, callback, 'invalid_grant');
    const sent = idp.requests.find((r) => r.path === '/oauth2/token' && r.form.get('code') === code);
    expect(sent?.form.get('code_verifier')).toMatch(/^[\w-]{43}$/);
  });

  it('refuses a POST /auth/callback with a wrong PKCE verifier (at the IdP)', async () => {
    const browser = new Browser(harness);
    const { authorizeUrl } = await startLogin(browser);
    const headers = { 'Content-Type': 'application/json', Origin: harness.config.publicOrigin };
    const code = idp.issueCode(authorizeUrl);
    const response = await harness.target.request('POST', '/auth/callback', {
      headers,
      body: JSON.stringify({ code, redirectUri: harness.config.redirectUri, codeVerifier: 'x'.repeat(43) }),
    });
    expectJsonError(response, 400, 'invalid_grant');
    expectNoLeak(harness, [response], [code]);
  });

  it('redeems no code on POST /auth/callback that is bound to neither a login here (state) nor PKCE (codeVerifier)', async () => {
    // A code issued without PKCE, handed over by anyone: with no Origin, from an allowed one, with or without cookies.
    const plain = new URL(`${idp.url}/oauth2/authorize`);
    plain.search = new URLSearchParams({
      response_type: 'code',
      client_id: idp.clientId,
      redirect_uri: harness.config.redirectUri,
    }).toString();
    const code = idp.issueCode(plain.href);
    const redirectUri = harness.config.redirectUri;
    const bodies: Record<string, unknown>[] = [
      { code, redirectUri },
      { code, redirectUri, state: '', codeVerifier: '' },
      { code, redirectUri, codeVerifier: '' },
      { code, redirectUri, nonce: 'n'.repeat(43) },
      // Not a PKCE verifier at all (RFC 7636: 43-128 unreserved characters).
      { code, redirectUri, codeVerifier: 'x' },
      { code, redirectUri, codeVerifier: 'x'.repeat(42) },
      { code, redirectUri, codeVerifier: 'x'.repeat(129) },
      { code, redirectUri, codeVerifier: `${'x'.repeat(42)} ` },
      { code, redirectUri, codeVerifier: `${'x'.repeat(42)}/` },
    ];
    for (const headers of [{}, { Origin: harness.config.publicOrigin }, { Cookie: 'unrelated=1' }] as Record<string, string>[]) {
      for (const body of bodies) {
        const response = await harness.target.request('POST', '/auth/callback', {
          headers: { 'Content-Type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
        expectJsonError(response, 400, 'invalid_request');
      }
    }
    expect(idp.requests).toHaveLength(0);
  });

  it('reflects an IdP error parameter only as a fixed code, never raw (no markup in the redirect, body or log)', async () => {
    const payloads = [
      '<script>alert(1)</script>',
      '"><img src=x onerror=alert(1)>',
      'access_denied\r\nSet-Cookie: x=1',
      "javascript:alert('x')",
    ];
    for (const error of payloads) {
      const browser = new Browser(harness);
      const { state } = await startLogin(browser);
      const callback = await browser.send('GET', callbackPath(harness, { error, error_description: error, state }));
      expectRefusedSignIn(harness, callback, 'idp_error');
      const everything = JSON.stringify(callback.headers) + callback.text + harness.logs.join('\n');
      for (const fragment of ['<script', '<img', 'onerror', 'javascript:', 'Set-Cookie: x']) expect(everything).not.toContain(fragment);
      expect(callback.headers['x']).toBeUndefined();
    }
    // A well-formed OAuth error code is passed on as it is.
    const browser = new Browser(harness);
    const { state } = await startLogin(browser);
    expectRefusedSignIn(harness, await browser.send('GET', callbackPath(harness, { error: 'access_denied', state })), 'access_denied');
  });

  it('refuses duplicated state or code parameters', async () => {
    const browser = new Browser(harness);
    const { authorizeUrl, state } = await startLogin(browser);
    const code = idp.issueCode(authorizeUrl);
    const base = callbackPath(harness, {});
    const twoStates = await browser.send('GET', `${base}?code=${code}&state=${state}&state=${state}`);
    expectRefusedSignIn(harness, twoStates);
    const otherState = await browser.send('GET', `${base}?code=${code}&state=${state}&state=other`);
    expectRefusedSignIn(harness, otherState);
    const twoCodes = await browser.send('GET', `${base}?code=${code}&code=${code}&state=${state}`);
    expectRefusedSignIn(harness, twoCodes);
    const bracketed = await browser.send('GET', `${base}?code[]=${code}&state[x]=${state}`);
    expectRefusedSignIn(harness, bracketed);
    expect(idp.requests.filter((r) => r.path === '/oauth2/token')).toHaveLength(0);
    expectNoLeak(harness, [twoStates, otherState, twoCodes, bracketed], [code]);
  });

  it('refuses a POST /auth/callback body with a parameter given as an array or object', async () => {
    const headers = { 'Content-Type': 'application/json', Origin: harness.config.publicOrigin };
    for (const body of [
      { code: ['a', 'b'], redirectUri: harness.config.redirectUri },
      { code: 'abc', redirectUri: { href: harness.config.redirectUri } },
      ['code'],
    ]) {
      expectJsonError(
        await harness.target.request('POST', '/auth/callback', { headers, body: JSON.stringify(body) }),
        400,
        'invalid_request',
      );
    }
  });

  it('refuses a POST /auth/callback whose redirectUri is not an allowed callback', async () => {
    const headers = { 'Content-Type': 'application/json', Origin: harness.config.publicOrigin };
    for (const redirectUri of [
      'https://evil.example/cb',
      `${harness.config.publicOrigin}@evil.example/cb`,
      'javascript:alert(1)',
      `${harness.config.redirectUri}#frag`,
    ]) {
      const response = await harness.target.request('POST', '/auth/callback', {
        headers,
        body: JSON.stringify({ code: 'abc', redirectUri }),
      });
      expectJsonError(response, 400, 'invalid_redirect_uri');
    }
    expect(idp.requests).toHaveLength(0);
  });

  it('refuses an ID token whose nonce is not the one of this login', async () => {
    const browser = new Browser(harness);
    const { authorizeUrl, state } = await startLogin(browser);
    idp.tokenFault = {
      kind: 'override',
      respond: async (issued) => ({ ...issued, id_token: await idp.signIdToken({ nonce: 'n'.repeat(43) }) }),
    };
    const code = idp.issueCode(authorizeUrl);
    const callback = await browser.send('GET', callbackPath(harness, { code, state }));
    expectRefusedSignIn(harness, callback, 'invalid_token');
    expect(harness.logs.join('\n')).toContain('nonce does not match');
  });

  it("refuses an ID token that echoes another login's nonce", async () => {
    const browser = new Browser(harness);
    const { authorizeUrl, state } = await startLogin(browser);
    const other = await startLogin(new Browser(harness));
    const otherNonce = new URL(other.authorizeUrl).searchParams.get('nonce')!;
    idp.tokenFault = {
      kind: 'override',
      respond: async (issued) => ({ ...issued, id_token: await idp.signIdToken({ nonce: otherNonce }) }),
    };
    const callback = await browser.send('GET', callbackPath(harness, { code: idp.issueCode(authorizeUrl), state }));
    expectRefusedSignIn(harness, callback, 'invalid_token');
  });

  it('refuses an ID token without a nonce when REQUIRE_NONCE is on (the default)', async () => {
    idp.echoNonce = false;
    const browser = new Browser(harness);
    const { callback } = await signIn(harness, browser);
    expectRefusedSignIn(harness, callback, 'invalid_token');
  });

  it('accepts an ID token without a nonce only when REQUIRE_NONCE=false (the emulator setting)', async () => {
    idp.echoNonce = false;
    const relaxed = buildAttackHarness(kind, idp, { env: { REQUIRE_NONCE: 'false' } });
    const { callback } = await signIn(relaxed, new Browser(relaxed));
    expect(callback.status).toBe(302);
    expect(sessionCookiesSet(callback)).toContain('__Host-bff-at');
    // A wrong nonce is refused even then: only its absence is tolerated.
    idp.echoNonce = true;
    idp.tokenFault = { kind: 'override', respond: async (issued) => ({ ...issued, id_token: await idp.signIdToken({ nonce: 'wrong' }) }) };
    const wrong = await signIn(relaxed, new Browser(relaxed));
    expectRefusedSignIn(relaxed, wrong.callback, 'invalid_token');
  });

  it('refuses ID and access tokens that name different users', async () => {
    const browser = new Browser(harness);
    const { authorizeUrl, state } = await startLogin(browser);
    const other = { sub: 'other-sub', username: 'bob', email: 'bob@example.com', groups: [] };
    idp.tokenFault = {
      kind: 'override',
      respond: async (issued) => ({ ...issued, access_token: await idp.signAccessToken({}, { user: other }) }),
    };
    const callback = await browser.send('GET', callbackPath(harness, { code: idp.issueCode(authorizeUrl), state }));
    expectRefusedSignIn(harness, callback, 'invalid_token');
  });

  it('sends the token request to the configured endpoint with client_secret_basic and the exact redirect_uri', async () => {
    const browser = new Browser(harness);
    await signIn(harness, browser);
    const token = idp.requests.find((r) => r.path === '/oauth2/token');
    expect(token?.headers.authorization).toBe('Basic ' + Buffer.from(`${idp.clientId}:${idp.clientSecret}`).toString('base64'));
    expect(token?.form.get('redirect_uri')).toBe(harness.config.redirectUri);
    expect(token?.form.get('grant_type')).toBe('authorization_code');
    expect(token?.form.get('client_secret')).toBeNull();
  });
});
