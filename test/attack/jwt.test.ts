/**
 * Forged, tampered, misdirected and malformed JWTs (OpenID RP conformance "ID token" tests, RFC 8725, RFC 9700 4.x),
 * presented where the BFF reads tokens: `Authorization: Bearer` and the access-token cookie at /tests and
 * /auth/session, and in the IdP's token response at the callback. Every case runs on both runtimes and against both
 * verifier set-ups: a custom issuer (how the emulator runs) and a pool-derived issuer (CognitoJwtVerifier, production).
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, exportSPKI, importJWK, SignJWT, type CryptoKey } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newKeyPair, type FakeIdp, type KeyPair } from '../support/fake-idp';
import { RUNTIMES } from '../support/harness';
import {
  Browser,
  buildAttackHarness,
  expectCleanLogs,
  callbackPath,
  expectNoLeak,
  expectRefusedSignIn,
  ISSUER_MODES,
  sessionCookiesSet,
  signIn,
  startCountingServer,
  startFakeIdp,
  startLogin,
  withoutSetCookie,
  type AttackHarness,
  useAttackTarget,
} from './support';

type Use = 'access' | 'id';

interface Forge {
  idp: FakeIdp;
  /** Where a `jku`/`x5u` header points: a server that counts what it is asked. */
  elsewhere: string;
  /** Claims the token must carry to be otherwise valid (the login's nonce in an ID token). */
  claims: Record<string, unknown>;
}

const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const segments = (token: string) => token.split('.') as [string, string, string];
const payloadOf = (token: string): Record<string, unknown> => JSON.parse(Buffer.from(segments(token)[1], 'base64url').toString('utf8'));

/** A token the IdP would issue for `use`, with claims changed (undefined removes a claim). */
function valid(
  forge: Forge,
  use: Use,
  claims: Record<string, unknown> = {},
  options: Parameters<FakeIdp['signAccessToken']>[1] = {},
): Promise<string> {
  const all = { ...forge.claims, ...claims };
  return use === 'access' ? forge.idp.signAccessToken(all, options) : forge.idp.signIdToken(all, options);
}

/** The published key re-imported for another algorithm (same RSA key, different alg than the JWK says). */
async function publishedKeyAs(idp: FakeIdp, alg: 'RS512' | 'PS256') {
  const jwk = await exportJWK(idp.keys[0]!.privateKey);
  return importJWK({ ...jwk, alg }, alg);
}

/** One RSA key of the attacker's, generated once (key generation is what costs time here), under any kid. */
let attackerKey: Promise<KeyPair> | undefined;
async function attacker(kid = 'attacker-' + randomUUID()): Promise<KeyPair> {
  attackerKey ??= newKeyPair('attacker');
  const key = await attackerKey;
  return { kid, privateKey: key.privateKey, publicJwk: { ...key.publicJwk, kid } };
}

async function attackerSigned(forge: Forge, use: Use, header: Record<string, unknown>): Promise<string> {
  const key = await attacker();
  return valid(forge, use, {}, { key, header: { kid: key.kid, ...header } });
}

interface Case {
  name: string;
  make: (forge: Forge, use: Use) => Promise<string>;
}

/** Every token here must be refused wherever it is presented. */
const CASES: Case[] = [
  {
    name: 'a tampered signature',
    make: async (f, use) => {
      const [h, p, s] = segments(await valid(f, use));
      const middle = Math.floor(s.length / 2);
      return `${h}.${p}.${s.slice(0, middle)}${s[middle] === 'A' ? 'B' : 'A'}${s.slice(middle + 1)}`;
    },
  },
  {
    name: 'a payload changed under the original signature',
    make: async (f, use) => {
      const [h, p, s] = segments(await valid(f, use));
      return `${h}.${b64({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), 'cognito:groups': ['admin'] })}.${s}`;
    },
  },
  {
    name: 'a foreign key under the published kid',
    make: async (f, use) => valid(f, use, {}, { key: await attacker(f.idp.keys[0]!.kid) }),
  },
  {
    name: 'alg none without a signature',
    make: async (f, use) => `${b64({ alg: 'none', kid: f.idp.keys[0]!.kid })}.${segments(await valid(f, use))[1]}.`,
  },
  {
    name: 'alg none with the original signature',
    make: async (f, use) => {
      const [, p, s] = segments(await valid(f, use));
      return `${b64({ alg: 'none', kid: f.idp.keys[0]!.kid })}.${p}.${s}`;
    },
  },
  {
    name: 'HS256 keyed with the RSA public key as HMAC secret',
    make: async (f, use) => {
      const pem = await exportSPKI((await importJWK(f.idp.keys[0]!.publicJwk, 'RS256')) as CryptoKey);
      const payload = payloadOf(await valid(f, use));
      return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', kid: f.idp.keys[0]!.kid }).sign(new TextEncoder().encode(pem));
    },
  },
  {
    name: 'HS256 keyed with the public JWK text as HMAC secret',
    make: async (f, use) => {
      const payload = payloadOf(await valid(f, use));
      const secret = new TextEncoder().encode(JSON.stringify(f.idp.keys[0]!.publicJwk));
      return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', kid: f.idp.keys[0]!.kid }).sign(secret);
    },
  },
  {
    name: 'RS512 signed with the key the JWKS publishes for RS256',
    make: async (f, use) => {
      const payload = payloadOf(await valid(f, use));
      return new SignJWT(payload).setProtectedHeader({ alg: 'RS512', kid: f.idp.keys[0]!.kid }).sign(await publishedKeyAs(f.idp, 'RS512'));
    },
  },
  {
    name: 'PS256 signed with the key the JWKS publishes for RS256',
    make: async (f, use) => {
      const payload = payloadOf(await valid(f, use));
      return new SignJWT(payload).setProtectedHeader({ alg: 'PS256', kid: f.idp.keys[0]!.kid }).sign(await publishedKeyAs(f.idp, 'PS256'));
    },
  },
  {
    name: 'a jku header naming another key server (attacker key)',
    make: (f, use) => attackerSigned(f, use, { jku: `${f.elsewhere}/jwks.json` }),
  },
  {
    name: 'an x5u header naming another server (attacker key)',
    make: (f, use) => attackerSigned(f, use, { x5u: `${f.elsewhere}/cert.pem` }),
  },
  {
    name: 'an embedded jwk header (attacker key)',
    make: async (f, use) => {
      const key = await attacker();
      return valid(f, use, {}, { key, header: { kid: key.kid, jwk: key.publicJwk } });
    },
  },
  {
    name: 'an embedded jwk header under the published kid (attacker key)',
    make: async (f, use) => {
      const key = await attacker(f.idp.keys[0]!.kid);
      return valid(f, use, {}, { key, header: { jwk: key.publicJwk } });
    },
  },
  {
    name: 'a jku header on a token signed by the real key',
    make: (f, use) => valid(f, use, {}, { header: { jku: `${f.elsewhere}/jwks.json` } }),
  },
  {
    name: 'an x5u header on a token signed by the real key',
    make: (f, use) => valid(f, use, {}, { header: { x5u: `${f.elsewhere}/cert.pem` } }),
  },
  {
    name: 'an x5c header on a token signed by the real key',
    make: (f, use) => valid(f, use, {}, { header: { x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'] } }),
  },
  { name: "another pool's issuer", make: (f, use) => valid(f, use, { iss: f.idp.issuer.replace(f.idp.poolId, 'us-west-2_OtherPool9') }) },
  { name: 'the issuer with a trailing slash', make: (f, use) => valid(f, use, { iss: `${f.idp.issuer}/` }) },
  { name: 'the issuer on another host', make: (f, use) => valid(f, use, { iss: f.idp.issuer.replace(/\/\/[^/]+/, '//evil.example.com') }) },
  { name: 'no issuer', make: (f, use) => valid(f, use, { iss: undefined }) },
  {
    name: 'another app client (client_id or aud)',
    make: (f, use) => valid(f, use, use === 'access' ? { client_id: 'otherclient999' } : { aud: 'otherclient999' }),
  },
  { name: 'the other token type (ID token for access and the reverse)', make: (f, use) => valid(f, use === 'access' ? 'id' : 'access') },
  { name: 'no token_use', make: (f, use) => valid(f, use, { token_use: undefined }) },
  {
    name: 'expired',
    make: (f, use) => valid(f, use, { exp: Math.floor(Date.now() / 1000) - 120, iat: Math.floor(Date.now() / 1000) - 1020 }),
  },
  { name: 'not yet valid (nbf an hour ahead)', make: (f, use) => valid(f, use, { nbf: Math.floor(Date.now() / 1000) + 3600 }) },
  { name: 'no exp', make: (f, use) => valid(f, use, { exp: undefined }) },
  { name: 'exp as a string', make: (f, use) => valid(f, use, { exp: String(Math.floor(Date.now() / 1000) + 900) }) },
  { name: 'no sub', make: (f, use) => valid(f, use, { sub: undefined }) },
  {
    name: 'no kid',
    make: async (f, use) =>
      new SignJWT(payloadOf(await valid(f, use))).setProtectedHeader({ alg: 'RS256' }).sign(f.idp.keys[0]!.privateKey),
  },
  { name: 'one segment', make: async () => b64({ alg: 'RS256' }) },
  {
    name: 'two segments',
    make: async (f, use) =>
      segments(await valid(f, use))
        .slice(0, 2)
        .join('.'),
  },
  { name: 'four segments', make: async (f, use) => `${await valid(f, use)}.${b64('extra')}` },
  { name: 'five segments (a JWE shape)', make: async (f, use) => `${await valid(f, use)}.${b64('iv')}.${b64('tag')}` },
  { name: 'segments that are not base64url', make: async () => '!!!*.???@.###~' },
  {
    name: 'a header that is not JSON',
    make: async (f, use) => {
      const [, p, s] = segments(await valid(f, use));
      return `${b64('not json {')}.${p}.${s}`;
    },
  },
  {
    name: 'a payload that is not JSON',
    make: async (f, use) => {
      const [h, , s] = segments(await valid(f, use));
      return `${h}.${b64('[1,2')}.${s}`;
    },
  },
  {
    name: 'a payload that is a JSON array',
    make: async (f, use) => {
      const [h, , s] = segments(await valid(f, use));
      return `${h}.${b64([1, 2])}.${s}`;
    },
  },
  {
    name: 'a header that is JSON null',
    make: async (f, use) => {
      const [, p, s] = segments(await valid(f, use));
      return `${b64('null')}.${p}.${s}`;
    },
  },
  {
    name: 'a huge token (6 KB claim, under the header budget) with a broken signature',
    make: async (f, use) => {
      const [h, p, s] = segments(await valid(f, use, { filler: 'x'.repeat(6_000) }));
      return `${h}.${p}.${s.split('').reverse().join('')}`;
    },
  },
];

describe.each(RUNTIMES)('JWT attacks (%s)', (kind) => {
  describe.each(ISSUER_MODES)('issuer %s', (mode) => {
    let idp: FakeIdp;
    let harness: AttackHarness;
    let elsewhere: Awaited<ReturnType<typeof startCountingServer>>;
    const forge = (claims: Record<string, unknown> = {}): Forge => ({ idp, elsewhere: elsewhere.url, claims });

    beforeAll(async () => {
      idp = await startFakeIdp(mode);
      elsewhere = await startCountingServer();
      harness = buildAttackHarness(kind, idp, { mode });
    });
    afterEach(() => {
      idp.reset();
      // A case with an unknown kid sends aws-jwt-verify's cache into its penalty box; the next case starts afresh.
      harness.penaltyBox.release(harness.config.cognito.jwksUri);
    });
    afterAll(async () => {
      if (idp) expectCleanLogs(idp);
      await idp?.close();
      await elsewhere?.close();
    });

    it('accepts a token the IdP issued (the control every refusal below is measured against)', async () => {
      const token = await valid(forge(), 'access');
      const bearer = await harness.target.request('GET', '/tests', { headers: { Authorization: `Bearer ${token}` } });
      expect(bearer.status).toBe(200);
      expect(bearer.body.user.sub).toBe(idp.user.sub);
      const cookie = await harness.target.request('GET', '/auth/session', { headers: { Cookie: `__Host-bff-at=${token}` } });
      expect(cookie.status).toBe(200);
      const browser = new Browser(harness);
      const { callback } = await signIn(harness, browser);
      expect(callback.status).toBe(302);
      expect(callback.headers.location).toBe(harness.config.postLoginUrl);
      expect(sessionCookiesSet(callback).sort()).toEqual(['__Host-bff-at', '__Host-bff-session', '__Secure-bff-rt']);
    });

    it.each(CASES)('/tests and /auth/session refuse $name, as Bearer and as cookie', async ({ make }) => {
      const token = await make(forge(), 'access');
      const bearer = await harness.target.request('GET', '/tests', { headers: { Authorization: `Bearer ${token}` } });
      expect(bearer.status).toBe(401);
      expect(bearer.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expect(bearer.body.error).toBe('invalid_token');
      const cookie = await harness.target.request('GET', '/tests', { headers: { Cookie: `__Host-bff-at=${token}` } });
      expect(cookie.status).toBe(401);
      expect(cookie.body.error).toBe('invalid_token');
      const session = await harness.target.request('GET', '/auth/session', { headers: { Cookie: `__Host-bff-at=${token}` } });
      expect(session.status).toBe(401);
      expect(session.body).toEqual({ authenticated: false });
      expect(elsewhere.count()).toBe(0);
      expectNoLeak(harness, [bearer, cookie, session], [token]);
    });

    it.each(CASES)('the callback refuses $name in the token response (as access and as ID token)', async ({ make }) => {
      for (const use of ['access', 'id'] as const) {
        const browser = new Browser(harness);
        const { authorizeUrl, state } = await startLogin(browser);
        const nonce = new URL(authorizeUrl).searchParams.get('nonce')!;
        // The forged token is right in everything but the case's defect: the ID token carries the login's nonce.
        const token = await make(forge(use === 'id' ? { nonce } : {}), use);
        idp.tokenFault = { kind: 'override', respond: (issued) => ({ ...issued, [`${use}_token`]: token }) };
        const code = idp.issueCode(authorizeUrl);
        const callback = await browser.send('GET', callbackPath(harness, { code, state }));
        expectRefusedSignIn(harness, callback, 'invalid_token');
        // The browser holds no session afterwards.
        expect((await browser.send('GET', '/auth/session')).status).toBe(401);
        expect(elsewhere.count()).toBe(0);
        expectNoLeak(harness, [callback], [token, code]);
      }
    });

    it('never fetched keys from a jku or x5u location', () => {
      expect(elsewhere.count()).toBe(0);
    });
  });

  describe('key lookup', () => {
    let idp: FakeIdp;
    beforeAll(async () => {
      idp = await startFakeIdp();
    });
    afterEach(() => idp.reset());
    afterAll(async () => {
      if (idp) expectCleanLogs(idp);
      await idp?.close();
    });

    it('refetches the JWKS once for an unknown kid, then holds off (aws-jwt-verify penalty box)', async () => {
      const harness = buildAttackHarness(kind, idp);
      const f: Forge = { idp, elsewhere: 'http://127.0.0.1:9', claims: {} };
      const bearer = (token: string) => harness.target.request('GET', '/tests', { headers: { Authorization: `Bearer ${token}` } });

      expect((await bearer(await valid(f, 'access'))).status).toBe(200);
      const warm = idp.jwksFetches;
      const first = await attacker('unknown-kid-1');
      expect((await bearer(await valid(f, 'access', {}, { key: first }))).status).toBe(401);
      expect(idp.jwksFetches).toBe(warm + 1);
      const second = await attacker('unknown-kid-2');
      expect((await bearer(await valid(f, 'access', {}, { key: second }))).status).toBe(401);
      expect(idp.jwksFetches).toBe(warm + 1);
      // A flood of unknown kids costs the IdP nothing more, and known keys keep working meanwhile.
      const flood = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => bearer(await valid(f, 'access', {}, { key: await attacker(`flood-${i}`) }))),
      );
      expect(flood.map((r) => r.status)).toEqual(Array(20).fill(401));
      expect(idp.jwksFetches).toBe(warm + 1);
      expect((await bearer(await valid(f, 'access'))).status).toBe(200);
    });

    it('accepts a rotated key (a new kid in the JWKS) with one refetch, and still the old key', async () => {
      const harness = buildAttackHarness(kind, idp);
      const f: Forge = { idp, elsewhere: 'http://127.0.0.1:9', claims: {} };
      const bearer = (token: string) => harness.target.request('GET', '/tests', { headers: { Authorization: `Bearer ${token}` } });
      const oldToken = await valid(f, 'access');
      expect((await bearer(oldToken)).status).toBe(200);
      const before = idp.jwksFetches;
      idp.keys = [await newKeyPair('rotated-' + randomUUID()), ...idp.keys];
      expect((await bearer(await valid(f, 'access'))).status).toBe(200);
      expect(idp.jwksFetches).toBe(before + 1);
      expect((await bearer(oldToken)).status).toBe(200);
      // A whole sign-in with tokens under the new key.
      const { callback } = await signIn(harness, new Browser(harness));
      expect(callback.status).toBe(302);
      expect(callback.headers.location).toBe(harness.config.postLoginUrl);
    });
  });

  describe('claims that are not ASCII', () => {
    let harness: AttackHarness;
    useAttackTarget(kind, (started) => ({ harness } = started), { resetAfterEach: false });

    it('carries a username and e-mail with emoji, RTL and CJK characters through /auth/session and /tests intact', async () => {
      const user = { sub: randomUUID(), username: 'זואי‏😀 Zoë', email: 'zoë.😀@例え.テスト', groups: ['équipe', 'مجموعة'] };
      const browser = new Browser(harness);
      const { callback } = await signIn(harness, browser, { user });
      expect(callback.status).toBe(302);
      expect(callback.headers.location).toBe(harness.config.postLoginUrl);
      const session = await browser.send('GET', '/auth/session');
      expect(session.status).toBe(200);
      expect(session.body.user).toEqual({ sub: user.sub, username: user.username, email: user.email, groups: user.groups });
      const tests = await browser.send('GET', '/tests');
      expect(tests.status).toBe(200);
      expect(tests.body.user).toMatchObject({ sub: user.sub, username: user.username, groups: user.groups });
      expectNoLeak(harness, [withoutSetCookie(callback), session, tests], [browser.jar.get('__Host-bff-at')!.value]);
    });
  });

  describe('the API Gateway authorizer', () => {
    let idp: FakeIdp;
    let harness: AttackHarness;
    useAttackTarget(kind, (started) => ({ idp, harness } = started), { resetAfterEach: false });

    it('refuses a request whose authorizer names another user than the token, and ignores a forged authorizer header', async () => {
      const token = await idp.signAccessToken();
      const headers = { Authorization: `Bearer ${token}` };
      const matching = await harness.target.request('GET', '/tests', { headers, authorizerClaims: { sub: idp.user.sub } });
      expect(matching.status).toBe(200);
      // A client cannot pose as the authorizer: the internal header is stripped (Lambda) or never read (HTTP).
      const forged = await harness.target.request('GET', '/tests', {
        headers: { ...headers, 'X-Cognito-Bff-Authorizer-Sub': 'someone-else' },
      });
      expect(forged.status).toBe(200);
      const mismatch = await harness.target.request('GET', '/tests', { headers, authorizerClaims: { sub: randomUUID() } });
      if (kind === 'lambda') {
        expect(mismatch.status).toBe(401);
        expect(mismatch.body.error).toBe('invalid_token');
        expect(harness.logs.join('\n')).toContain('identity_mismatch');
      } else {
        // The HTTP server has no authorizer in front of it: there are no claims to compare.
        expect(mismatch.status).toBe(200);
      }
    });
  });
});
