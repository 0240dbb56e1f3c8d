/**
 * Hostile input (OWASP ASVS V5/V13): oversized headers, cookies, query strings and bodies; malformed JSON; CR/LF in
 * parameters; spoofed Host and X-Forwarded-* headers that must never shape a redirect URI.
 */
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { FakeIdp } from '../support/fake-idp';
import { RUNTIMES } from '../support/harness';
import type { TargetResponse } from '../support/targets';
import {
  Browser,
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

const JSON_HEADERS = { 'Content-Type': 'application/json' };

describe.each(RUNTIMES)('input attacks (%s)', (kind) => {
  let idp: FakeIdp;
  let harness: AttackHarness;
  useAttackTarget(kind, (started) => ({ idp, harness } = started));

  /** A refusal for size: the HTTP server's own limit (431) or, behind API Gateway, whatever the app makes of it. */
  function expectClientError(response: TargetResponse): void {
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(sessionCookiesSet(response)).toEqual([]);
  }

  describe('size', () => {
    // One header budget at every way in (src/http/header-budget.ts): 431 in JSON from the app; above 16 KB the HTTP
    // server's Node answers the 431 itself, without a body.
    it('refuses an oversized header block with 431 on both runtimes, whatever the route', async () => {
      const huge = Array.from({ length: 1200 }, (_, i) => `junk${i}=${'x'.repeat(40)}`).join('; ');
      for (const path of ['/tests', '/auth/session', '/healthz']) {
        const response = await harness.target.request('GET', path, { headers: { Cookie: huge } });
        expect(response.status).toBe(431);
        if (kind === 'lambda') expectJsonError(response, 431, 'request_headers_too_large');
      }
      const bigHeader = await harness.target.request('GET', '/tests', { headers: { 'X-Padding': 'p'.repeat(40_000) } });
      expect(bigHeader.status).toBe(431);
      if (kind === 'lambda') expectJsonError(bigHeader, 431, 'request_headers_too_large');
    });

    it('refuses a huge Authorization header without verifying it', async () => {
      const fetchesBefore = idp.jwksFetches;
      const response = await harness.target.request('GET', '/tests', { headers: { Authorization: `Bearer ${'a'.repeat(60_000)}.b.c` } });
      expect(response.status).toBe(431);
      if (kind === 'lambda') expectJsonError(response, 431, 'request_headers_too_large');
      expect(idp.jwksFetches).toBe(fetchesBefore);
    });

    it('answers a huge cookie of our own name (a 60 KB access cookie) with 431, not 500', async () => {
      const response = await harness.target.request('GET', '/auth/session', { headers: { Cookie: `__Host-bff-at=${'e'.repeat(60_000)}` } });
      expectClientError(response);
      expect(response.status).toBe(431);
    });

    it('refuses an oversized JSON body on POST /auth/callback with 413', async () => {
      const body = JSON.stringify({ code: 'c'.repeat(20_000), redirectUri: harness.config.redirectUri });
      expectJsonError(await harness.target.request('POST', '/auth/callback', { headers: JSON_HEADERS, body }), 413, 'payload_too_large');
      expect(idp.requests).toHaveLength(0);
    });

    it('refuses a parameter longer than the bound, and a returnTo too long to be a target', async () => {
      const browser = new Browser(harness);
      const { state } = await startLogin(browser);
      const callback = await browser.send('GET', callbackPath(harness, { code: 'c'.repeat(5000), state }));
      expectRefusedSignIn(harness, callback, 'invalid_request');
      expect(idp.requests).toHaveLength(0);
      const { callback: landed } = await signIn(harness, new Browser(harness), {
        rawQuery: `returnTo=${encodeURIComponent('/' + 'a'.repeat(3000))}`,
      });
      expect(landed.headers.location).toBe(harness.config.postLoginUrl);
    });
  });

  describe('bodies', () => {
    it.each([
      ['not JSON', 'not json'],
      ['truncated JSON', '{"code": "abc", "redirectUri": '],
      ['a trailing comma', '{"code": "abc",}'],
      ['single quotes', "{'code': 'abc'}"],
      ['a bare string', '"abc"'],
      ['NaN', '{"code": NaN}'],
    ])('answers %s on POST /auth/callback with 400 invalid_json', async (_name, body) => {
      expectJsonError(await harness.target.request('POST', '/auth/callback', { headers: JSON_HEADERS, body }), 400, 'invalid_json');
    });

    it.each([
      ['JSON null', 'null'],
      ['a number', '42'],
      ['an array', '[1,2]'],
      ['an empty object', '{}'],
      ['a prototype-pollution attempt', '{"__proto__": {"code": "x"}, "constructor": {"prototype": {"code": "y"}}}'],
    ])('answers %s on POST /auth/callback with 400 invalid_request', async (_name, body) => {
      expectJsonError(await harness.target.request('POST', '/auth/callback', { headers: JSON_HEADERS, body }), 400);
      expect(({} as Record<string, unknown>).code).toBeUndefined();
      expect(idp.requests).toHaveLength(0);
    });

    it('refuses a body that is not application/json, or in an unsupported charset, with 415', async () => {
      for (const contentType of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json; charset=latin1',
        'application/json; charset=ebcdic',
        'application/jsonx',
      ]) {
        const response = await harness.target.request('POST', '/auth/callback', {
          headers: { 'Content-Type': contentType },
          body: '{"code":"a"}',
        });
        expectJsonError(response, 415, 'unsupported_media_type');
      }
      expectJsonError(await harness.target.request('POST', '/auth/callback', { body: '{"code":"a"}' }), 415, 'unsupported_media_type');
    });

    it('refuses any Content-Encoding but identity with 415 unsupported_content_encoding, never a 500', async () => {
      const json = JSON.stringify({ code: 'abc', redirectUri: harness.config.redirectUri, codeVerifier: 'v'.repeat(43) });
      const bodies: [string, string, boolean][] = [
        ['garbage', 'not compressed at all', false],
        ['gzip of the JSON', gzipSync(json).toString('base64'), true],
        ['deflate of the JSON', deflateSync(json).toString('base64'), true],
        ['brotli of the JSON', brotliCompressSync(json).toString('base64'), true],
        ['a gzip bomb', gzipSync(Buffer.alloc(5_000_000)).toString('base64'), true],
        ['truncated gzip', gzipSync(json).subarray(0, 12).toString('base64'), true],
        ['empty', '', false],
      ];
      for (const encoding of ['gzip', 'deflate', 'br', 'x-gzip', 'compress', 'zstd', 'GZIP', 'gzip, identity', 'identity, gzip', 'bogus']) {
        for (const [name, body, base64] of bodies) {
          // Binary bodies travel as text (the targets send strings) and, on Lambda, base64-encoded as API Gateway does.
          const response = await harness.target.request('POST', '/auth/callback', {
            headers: { ...JSON_HEADERS, 'Content-Encoding': encoding },
            body: base64 ? Buffer.from(body, 'base64').toString('latin1') : body,
            base64Body: base64,
          });
          expect(response.status, `${encoding} ${name}`).toBe(415);
          expectJsonError(response, 415, 'unsupported_content_encoding');
        }
      }
      // identity (any letter case) is no encoding at all: the body is read.
      for (const encoding of ['identity', 'IDENTITY', ' identity ']) {
        const response = await harness.target.request('POST', '/auth/callback', {
          headers: { ...JSON_HEADERS, 'Content-Encoding': encoding },
          body: JSON.stringify({ redirectUri: harness.config.redirectUri }),
        });
        expect(response.status, encoding).toBe(400);
        expectJsonError(response, 400, 'invalid_request');
      }
      expect(idp.requests).toHaveLength(0);
      // Routes that read no body are not upset by an encoded one either.
      for (const path of ['/auth/refresh', '/auth/logout']) {
        const response = await harness.target.request('POST', path, {
          headers: { ...JSON_HEADERS, 'Content-Encoding': 'gzip', 'X-CSRF': '1' },
          body: 'garbage',
        });
        expect(response.status, path).toBeLessThan(500);
      }
      expect(harness.logs.join('\n')).not.toContain('unexpected error');
    });

    it('refuses a POST /auth/callback whose redirectUri has CR/LF or control characters', async () => {
      for (const redirectUri of [
        `${harness.config.redirectUri}\r\nX: y`,
        `${harness.config.redirectUri}\u0000`,
        `\t${harness.config.redirectUri}`,
      ]) {
        const response = await harness.target.request('POST', '/auth/callback', {
          headers: JSON_HEADERS,
          body: JSON.stringify({ code: 'abc', redirectUri }),
        });
        expectJsonError(response, 400);
      }
      expect(idp.requests).toHaveLength(0);
    });
  });

  describe('CR/LF and control characters', () => {
    it('refuses a state or code with CR/LF (auth_error=invalid_request) and never splits a header', async () => {
      const browser = new Browser(harness);
      const { authorizeUrl, state } = await startLogin(browser);
      const code = idp.issueCode(authorizeUrl);
      for (const query of [
        { code: `${code}\r\nSet-Cookie: injected=1`, state },
        { code, state: `${state}\r\nX-Injected: 1` },
        { code: `${code}\u0000`, state },
      ]) {
        const callback = await browser.send('GET', callbackPath(harness, query));
        expectRefusedSignIn(harness, callback);
        expect(JSON.stringify(callback.headers)).not.toMatch(/injected/i);
        expect(String(callback.headers.location)).not.toMatch(/[\r\n]/);
      }
      expect(idp.requests).toHaveLength(0);
      expectNoLeak(harness, [], [code]);
    });

    it('answers malformed percent-encoding in the path or query with a 4xx, not 500', async () => {
      for (const path of ['/auth/%E0%A4%A', '/tests/%ZZ', '/auth/login?returnTo=%E0%A4%A', '/auth/callback?code=%ZZ&state=%E0']) {
        // API Gateway hands the Lambda a decoded path: the same bytes reach it when the client sent `%25`.
        const [pathPart = '', query] = path.split('?');
        const sent = kind === 'lambda' ? pathPart.replace(/%/g, '%25') + (query === undefined ? '' : `?${query}`) : path;
        const response = await harness.target.request('GET', sent);
        expect(response.status, path).toBeLessThan(500);
        if (response.status !== 302) expect(response.status, path).toBeGreaterThanOrEqual(400);
      }
    });
  });

  describe('Host and X-Forwarded-* spoofing', () => {
    const SPOOFED = {
      Host: 'evil.example',
      'X-Forwarded-Host': 'evil.example',
      'X-Forwarded-Proto': 'http',
      'X-Forwarded-Port': '8443',
      'X-Forwarded-Prefix': '/evil',
      'X-Original-URL': '/evil',
      'X-Rewrite-URL': '/evil',
      Forwarded: 'host=evil.example;proto=http',
    };

    it('builds redirect_uri, the post-login redirect and the logout URL from configuration only', async () => {
      const browser = new Browser(harness);
      const login = await browser.send('GET', '/auth/login?returnTo=%2Fhome', { headers: SPOOFED });
      expect(login.status).toBe(302);
      const authorize = new URL(String(login.headers.location));
      expect(authorize.origin).toBe(idp.url);
      expect(authorize.searchParams.get('redirect_uri')).toBe(harness.config.redirectUri);
      const code = idp.issueCode(authorize.href);
      const callback = await browser.send('GET', callbackPath(harness, { code, state: authorize.searchParams.get('state')! }), {
        headers: SPOOFED,
      });
      expect(callback.status).toBe(302);
      expect(callback.headers.location).toBe(`${harness.config.publicBaseUrl}/home`);
      expect(idp.requests.find((r) => r.path === '/oauth2/token')?.form.get('redirect_uri')).toBe(harness.config.redirectUri);
      const logout = await browser.send('POST', '/auth/logout', { headers: { ...SPOOFED, 'X-CSRF': '1' } });
      expect(logout.status).toBe(200);
      const logoutUrl = new URL(logout.body.logoutUrl);
      expect(logoutUrl.origin).toBe(idp.url);
      expect(logoutUrl.searchParams.get('logout_uri')).toBe(`${harness.config.publicBaseUrl}/`);
      expect(JSON.stringify([login.headers, callback.headers, logout.headers, logout.text])).not.toContain('evil');
    });

    it('does not accept a spoofed host as an allowed origin or callback', async () => {
      const response = await harness.target.request('POST', '/auth/callback', {
        headers: { ...SPOOFED, ...JSON_HEADERS, Origin: 'https://evil.example' },
        body: JSON.stringify({ code: 'abc', redirectUri: 'https://evil.example/auth/callback' }),
      });
      expectJsonError(response, 403, 'origin_not_allowed');
      const noOrigin = await harness.target.request('POST', '/auth/callback', {
        headers: { ...SPOOFED, ...JSON_HEADERS },
        body: JSON.stringify({ code: 'abc', redirectUri: 'https://evil.example/auth/callback' }),
      });
      expectJsonError(noOrigin, 400, 'invalid_redirect_uri');
      expect(idp.requests).toHaveLength(0);
    });
  });
});
