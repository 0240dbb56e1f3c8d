/**
 * The per-instance liveness memory: how long "live" is reused (REVOCATION_CHECK_SECONDS), that a local end counts at
 * once, that one token's concurrent misses share one read. A counting store in memory stands in for DynamoDB here:
 * what is under test is when the store is asked, not the store (see dynamodb-store.test.ts for that).
 */
import { describe, expect, it } from 'vitest';
import { SessionStoreUnavailableError } from '../../src/errors';
import { SessionLiveness } from '../../src/sessions/liveness';

function fixture(checkMs = 5000) {
  let now = 1_000_000;
  const live = new Set(['s1', 's2']);
  const reads = { token: 0, session: 0 };
  let down = false;
  const store = {
    async sessionOfToken(_sub: string, key: string) {
      reads.token += 1;
      if (down) throw new SessionStoreUnavailableError('down');
      return { 'j:t1': 's1', 'j:t2': 's2' }[key];
    },
    async get(sub: string, sid: string) {
      reads.session += 1;
      if (down) throw new SessionStoreUnavailableError('down');
      return live.has(sid) ? ({ sub, sid } as never) : undefined;
    },
  };
  const liveness = new SessionLiveness({ store, checkMs, now: () => now });
  return {
    liveness,
    live,
    reads,
    advance: (ms: number) => (now += ms),
    setDown: (value: boolean) => (down = value),
  };
}

describe('session liveness cache', () => {
  it('answers from memory, synchronously, within the check window and asks the store again after it', async () => {
    const f = fixture();
    expect(await f.liveness.isLive('u', 'j:t1')).toBe(true);
    expect(f.liveness.isLive('u', 'j:t1')).toBe(true);
    expect(f.reads).toEqual({ token: 1, session: 1 });
    // Another instance ends s1: this one keeps answering live until the window has passed, then refuses.
    f.live.delete('s1');
    f.advance(4999);
    expect(f.liveness.isLive('u', 'j:t1')).toBe(true);
    f.advance(1);
    expect(await f.liveness.isLive('u', 'j:t1')).toBe(false);
    expect(f.reads).toEqual({ token: 1, session: 2 });
    expect(f.liveness.isLive('u', 'j:t1')).toBe(false);
  });

  it('refuses at once a session this instance ended', async () => {
    const f = fixture();
    expect(await f.liveness.isLive('u', 'j:t2')).toBe(true);
    f.liveness.ended('u', 's2');
    expect(f.liveness.isLive('u', 'j:t2')).toBe(false);
  });

  it('refuses a token the store does not know, and shares one read among concurrent misses', async () => {
    const f = fixture();
    expect(await f.liveness.isLive('u', 'j:unknown')).toBe(false);
    const answers = await Promise.all(Array.from({ length: 20 }, () => f.liveness.isLive('u', 'j:t2')));
    expect(answers.every(Boolean)).toBe(true);
    expect(f.reads.session).toBe(1);
  });

  it('passes a store outage on and recovers without help', async () => {
    const f = fixture(0);
    f.setDown(true);
    await expect(f.liveness.isLive('u', 'j:t1')).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    f.setDown(false);
    expect(await f.liveness.isLive('u', 'j:t1')).toBe(true);
  });
});
