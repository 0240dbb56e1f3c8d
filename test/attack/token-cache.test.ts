/**
 * Cache flushing: anyone can send a token under a made-up `kid`, which makes the verifier refetch the JWKS once. That
 * must cost nobody else their verified-token cache entry: entries whose key is still in the refetched JWKS stay, so a
 * flood of such tokens does not turn every signed-in user's next request into a full RS256 verification. Counted by
 * the JWKS cache's key look-ups, one per verification that really runs.
 */
import { describe, expect, it } from 'vitest';
import { newKeyPair, type FakeIdp } from '../support/fake-idp';
import { countingJwksCache } from '../support/counting-jwks-cache';
import { RUNTIMES } from '../support/harness';
import { type AttackHarness, useAttackTarget } from './support';

describe.each(RUNTIMES)('verified-token cache under unknown kids (%s)', (kind) => {
  let idp: FakeIdp;
  let harness: AttackHarness;
  const lookups = { count: 0 };
  useAttackTarget(kind, (started) => ({ idp, harness } = started), { wrapJwksCache: (inner) => countingJwksCache(inner, lookups) });

  const call = (token: string) => harness.target.request('GET', '/tests', { headers: { Authorization: `Bearer ${token}` } });

  it('keeps every signed-in user’s entry when a token with an unknown kid makes the verifier refetch the JWKS', async () => {
    const users = await Promise.all([idp.signAccessToken(), idp.signAccessToken(), idp.signAccessToken({ 'cognito:groups': ['x'] })]);
    for (const token of users) expect((await call(token)).status).toBe(200);
    const verified = lookups.count;
    const fetches = idp.jwksFetches;
    for (let i = 0; i < 5; i += 1) {
      const stranger = await newKeyPair();
      expect((await call(await idp.signAccessToken({}, { key: stranger }))).status).toBe(401);
      harness.penaltyBox.release(harness.config.cognito.jwksUri);
    }
    expect(idp.jwksFetches).toBe(fetches + 5);
    const strangers = lookups.count - verified;
    for (const token of users) expect((await call(token)).status).toBe(200);
    // Served from the cache: no key look-up, no verification beyond the strangers' own.
    expect(lookups.count - verified).toBe(strangers);
  });

  it('still ends an entry whose key has left the refetched JWKS (rotation), refusing the token', async () => {
    const token = await idp.signAccessToken();
    expect((await call(token)).status).toBe(200);
    const next = await newKeyPair();
    idp.keys = [next];
    expect((await call(await idp.signAccessToken({}, { key: next }))).status).toBe(200);
    expect((await call(token)).status).toBe(401);
  });
});
