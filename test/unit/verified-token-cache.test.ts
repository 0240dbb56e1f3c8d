import { SimpleJwksCache, type JwksCache } from 'aws-jwt-verify/jwk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createJwksFetcher } from '../../src/auth/jwks-fetcher';
import { VerifiedTokenCache } from '../../src/auth/verified-token-cache';
import { createTokenVerifiers, TokenVerificationError } from '../../src/auth/verifiers';
import { parseConfig } from '../../src/config';
import { countingJwksCache } from '../support/counting-jwks-cache';
import { FakeIdp, newKeyPair } from '../support/fake-idp';

/** A key as the JWKS cache holds it: an object whose identity is what counts. */
interface Key {
  kid: string;
}

function cacheWith(options: { now: () => number; maxEntries?: number; current?: Set<Key> }) {
  const current = options.current ?? new Set<Key>();
  const cache = new VerifiedTokenCache<string, Key>({
    now: options.now,
    maxEntries: options.maxEntries,
    keyIsCurrent: (key) => current.has(key),
  });
  return { cache, current };
}

describe('VerifiedTokenCache', () => {
  const key: Key = { kid: 'k1' };
  let clock = 0;
  const now = () => clock;
  beforeEach(() => {
    clock = 1_700_000_000_000;
  });

  it('answers for a remembered token until just before its exp, by the injected clock, and then forgets it', () => {
    const { cache } = cacheWith({ now, current: new Set([key]) });
    const exp = clock / 1000 + 60;
    cache.remember('token-a', 'claims-a', exp, key);
    expect(cache.get('token-a')).toBe('claims-a');
    clock = exp * 1000 - 1;
    expect(cache.get('token-a')).toBe('claims-a');
    clock = exp * 1000;
    expect(cache.get('token-a')).toBeUndefined();
    expect(cache.size).toBe(0);
    // Turning the clock back does not resurrect it.
    clock = exp * 1000 - 30_000;
    expect(cache.get('token-a')).toBeUndefined();
  });

  it('does not remember a token that is already expired, or whose exp is not a number', () => {
    const { cache } = cacheWith({ now, current: new Set([key]) });
    cache.remember('expired', 'x', clock / 1000, key);
    cache.remember('long-expired', 'x', clock / 1000 - 3600, key);
    cache.remember('nan', 'x', Number.NaN, key);
    cache.remember('infinite', 'x', Number.POSITIVE_INFINITY, key);
    expect(cache.size).toBe(0);
    expect(cache.get('expired')).toBeUndefined();
  });

  it('is bounded: beyond maxEntries the least recently used entry goes first', () => {
    const { cache } = cacheWith({ now, maxEntries: 3, current: new Set([key]) });
    const exp = clock / 1000 + 600;
    for (const token of ['t1', 't2', 't3']) cache.remember(token, `claims-${token}`, exp, key);
    expect(cache.get('t1')).toBe('claims-t1'); // t1 is now the most recently used
    cache.remember('t4', 'claims-t4', exp, key);
    expect(cache.size).toBe(3);
    expect(cache.get('t2')).toBeUndefined();
    expect(cache.get('t1')).toBe('claims-t1');
    expect(cache.get('t3')).toBe('claims-t3');
    expect(cache.get('t4')).toBe('claims-t4');
    for (let index = 0; index < 1000; index += 1) cache.remember(`many-${index}`, 'x', exp, key);
    expect(cache.size).toBe(3);
  });

  it('keeps a token in use however many other tokens come and go', () => {
    const { cache } = cacheWith({ now, maxEntries: 4, current: new Set([key]) });
    const exp = clock / 1000 + 600;
    cache.remember('hot', 'claims-hot', exp, key);
    for (let index = 0; index < 100; index += 1) {
      expect(cache.get('hot')).toBe('claims-hot');
      cache.remember(`cold-${index}`, 'x', exp, key);
      expect(cache.size).toBeLessThanOrEqual(4);
    }
    expect(cache.get('cold-0')).toBeUndefined();
  });

  it('refuses a nonsensical bound', () => {
    expect(() => cacheWith({ now, maxEntries: 0 })).toThrow(RangeError);
    expect(() => cacheWith({ now, maxEntries: 1.5 })).toThrow(RangeError);
  });

  it('ends an entry once the key that verified it is no longer current, and remembers nothing for a stale key', () => {
    const { cache, current } = cacheWith({ now, current: new Set([key]) });
    const exp = clock / 1000 + 600;
    cache.remember('token-a', 'claims-a', exp, key);
    current.delete(key);
    expect(cache.get('token-a')).toBeUndefined();
    // The same kid back with another key object (a refetched JWKS) does not revive it either.
    current.add({ kid: 'k1' });
    expect(cache.get('token-a')).toBeUndefined();
    cache.remember('token-b', 'claims-b', exp, key);
    expect(cache.size).toBe(0);
  });

  it('keys by the whole token: tokens differing in one character, or one a prefix of the other, never share an entry', () => {
    const { cache } = cacheWith({ now, current: new Set([key]) });
    const exp = clock / 1000 + 600;
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl';
    cache.remember(token, 'claims-a', exp, key);
    expect(cache.get(token.slice(0, -1) + 'm')).toBeUndefined();
    expect(cache.get(token.slice(0, -1))).toBeUndefined();
    expect(cache.get(token + 'A')).toBeUndefined();
    expect(cache.get(token.split('.').slice(0, 2).join('.') + '.')).toBeUndefined();
    cache.remember(token + 'A', 'claims-b', exp, key);
    expect(cache.get(token)).toBe('claims-a');
    expect(cache.get(token + 'A')).toBe('claims-b');
  });

  it("does not answer for a token that shares the remembered one's signature but not its header or payload", () => {
    const { cache } = cacheWith({ now, current: new Set([key]) });
    const exp = clock / 1000 + 600;
    const signature = 'S'.repeat(342);
    const genuine = `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.${signature}`;
    const forged = `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.${signature}`;
    cache.remember(genuine, 'claims-alice', exp, key);
    expect(cache.get(forged)).toBeUndefined();
    // The forgery's lookup leaves the genuine entry alone.
    expect(cache.get(genuine)).toBe('claims-alice');
    expect(cache.get(genuine.slice(1))).toBeUndefined();
    expect(cache.get('x' + genuine)).toBeUndefined();
  });

  it('remembers nothing for a string that is not well-formed UTF-16', () => {
    const { cache } = cacheWith({ now, current: new Set([key]) });
    cache.remember('token-\ud800', 'x', clock / 1000 + 600, key);
    expect(cache.size).toBe(0);
  });
});

describe('the verifiers with their token cache (fake IdP, real RS256 tokens)', () => {
  let idp: FakeIdp;
  beforeAll(async () => {
    idp = await FakeIdp.start();
  });
  afterAll(async () => {
    await idp.close();
  });
  beforeEach(() => {
    idp.reset();
  });

  /** Verifiers whose JWKS cache counts the key look-ups: one per verification that actually runs. */
  function build(clock: () => number = Date.now) {
    const config = parseConfig(idp.env());
    const lookups = { count: 0 };
    const jwksCache = countingJwksCache(new SimpleJwksCache({ fetcher: createJwksFetcher() }), lookups);
    const counter = {
      get verifications() {
        return lookups.count;
      },
    };
    const verifiers = createTokenVerifiers(config.cognito, { jwksCache, tokenCache: { now: clock } });
    return { verifiers, counter };
  }

  it('verifies a token once and then answers from the cache with the same, frozen claims', async () => {
    const { verifiers, counter } = build();
    const token = await idp.signAccessToken();
    const first = await verifiers.verifyAccessToken(token);
    const second = await verifiers.verifyAccessToken(token);
    expect(counter.verifications).toBe(1);
    expect(second).toBe(first);
    expect(first.sub).toBe(idp.user.sub);
    expect(Object.isFrozen(first) && Object.isFrozen(first.groups) && Object.isFrozen(first.scope)).toBe(true);
  });

  it('never caches a failed verification, and a cached token does not vouch for a tampered copy', async () => {
    const { verifiers, counter } = build();
    const token = await idp.signAccessToken();
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flipped = signature.slice(0, 10) + (signature[10] === 'A' ? 'B' : 'A') + signature.slice(11);
    const forged = `${header}.${payload}.${flipped}`;
    await expect(verifiers.verifyAccessToken(forged)).rejects.toBeInstanceOf(TokenVerificationError);
    await expect(verifiers.verifyAccessToken(forged)).rejects.toBeInstanceOf(TokenVerificationError);
    expect(counter.verifications).toBe(2);
    await verifiers.verifyAccessToken(token);
    await expect(verifiers.verifyAccessToken(forged)).rejects.toBeInstanceOf(TokenVerificationError);
    // An ID token signed by the same key is still not an access token, cached sibling or not.
    await expect(verifiers.verifyAccessToken(await idp.signIdToken())).rejects.toBeInstanceOf(TokenVerificationError);
    expect(counter.verifications).toBe(5);
  });

  it('verifies again once the token is past exp by the injected clock', async () => {
    let clock = Date.now();
    const { verifiers, counter } = build(() => clock);
    const token = await idp.signAccessToken();
    const exp = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')).exp as number;
    await verifiers.verifyAccessToken(token);
    clock = exp * 1000 - 1;
    await verifiers.verifyAccessToken(token);
    expect(counter.verifications).toBe(1);
    clock = exp * 1000;
    await verifiers.verifyAccessToken(token);
    expect(counter.verifications).toBe(2);
  });

  it('refuses a cached token once a JWKS refetch no longer holds its key', async () => {
    const { verifiers } = build();
    const oldToken = await idp.signAccessToken();
    await verifiers.verifyAccessToken(oldToken);
    // The IdP rotates: the old key leaves the JWKS. A token under the new key makes the verifier refetch the JWKS.
    const newKey = await newKeyPair();
    idp.keys = [newKey];
    await verifiers.verifyAccessToken(await idp.signAccessToken({}, { key: newKey }));
    await expect(verifiers.verifyAccessToken(oldToken)).rejects.toBeInstanceOf(TokenVerificationError);
  });

  it('keeps the entries of keys still in the JWKS when one token with an unknown kid makes the verifier refetch it', async () => {
    const { verifiers, counter } = build();
    const token = await idp.signAccessToken();
    await verifiers.verifyAccessToken(token);
    const fetches = idp.jwksFetches;
    // Anyone can send a token under a made-up kid: it costs one JWKS refetch, and must cost nobody their cache entry.
    const stranger = await newKeyPair();
    await expect(verifiers.verifyAccessToken(await idp.signAccessToken({}, { key: stranger }))).rejects.toBeInstanceOf(
      TokenVerificationError,
    );
    expect(idp.jwksFetches).toBe(fetches + 1);
    expect(counter.verifications).toBe(2);
    await verifiers.verifyAccessToken(token);
    expect(counter.verifications).toBe(2);
  });

  it('ends an entry (verifies again) when the refetched JWKS holds other key material under the same kid', async () => {
    const { verifiers, counter } = build();
    const token = await idp.signAccessToken();
    await verifiers.verifyAccessToken(token);
    const original = idp.keys[0]!;
    const impostor = await newKeyPair(original.kid);
    idp.keys = [impostor];
    await expect(verifiers.verifyAccessToken(await idp.signAccessToken({}, { key: await newKeyPair() }))).rejects.toBeInstanceOf(
      TokenVerificationError,
    );
    // The entry ended: the token is verified again (whose outcome is aws-jwt-verify's: it keeps the key object it
    // built for a kid, so a kid reused for other material, which Cognito never does, is not noticed there).
    await verifiers.verifyAccessToken(token).catch(() => undefined);
    expect(counter.verifications).toBe(3);
  });

  it('works for Cognito issuers too (the JWKS cache is looked up under the URI the Cognito verifier uses)', async () => {
    const env = idp.env();
    delete env.COGNITO_ISSUER;
    const config = parseConfig(env);
    const inner = new SimpleJwksCache({ fetcher: { fetch: () => Promise.reject(new Error('no network in this test')) } });
    inner.addJwks(config.cognito.jwksUri, { keys: idp.keys.map((key) => key.publicJwk as never) });
    let lookups = 0;
    const jwksCache: JwksCache = {
      getJwk: (uri, jwt) => {
        lookups += 1;
        return inner.getJwk(uri, jwt);
      },
      getCachedJwk: (uri, jwt) => inner.getCachedJwk(uri, jwt),
      addJwks: (uri, jwks) => inner.addJwks(uri, jwks),
      getJwks: (uri) => inner.getJwks(uri),
    };
    const verifiers = createTokenVerifiers(config.cognito, { jwksCache });
    const token = await idp.signAccessToken({ iss: config.cognito.issuer });
    await verifiers.verifyAccessToken(token);
    await verifiers.verifyAccessToken(token);
    expect(lookups).toBe(1);
  });

  it('can be switched off', async () => {
    const config = parseConfig(idp.env());
    const verifiers = createTokenVerifiers(config.cognito, { tokenCache: false });
    const token = await idp.signAccessToken();
    const first = await verifiers.verifyAccessToken(token);
    expect(await verifiers.verifyAccessToken(token)).not.toBe(first);
  });
});
