/**
 * One refresh at a time, against a real dynalite: several "instances" (each its own RefreshLease and store client)
 * race for one session; a holder that dies; rotation; an IdP that refuses or fails. The clock is injected: a lease
 * runs out by moving the clock, never by waiting.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSealer } from '../../src/auth/sealing';
import { GrantRejectedError, IdpUnavailableError, SessionStoreUnavailableError, UnauthenticatedError } from '../../src/errors';
import { createDynamoDbSessionStore } from '../../src/sessions/dynamodb-store';
import { RefreshLease, type Renewal } from '../../src/sessions/refresh-lease';
import type { SessionStore, StoredSession } from '../../src/sessions/session-store';
import { startTestDynalite, testClient, type TestDynalite } from '../support/dynalite';

const KEY = Buffer.alloc(32, 5);
let nowMs = Date.UTC(2030, 0, 1);
const clock = () => nowMs;
const LEASE_MS = 10_000;

describe('refresh lease (real dynalite, several instances)', () => {
  let dynalite: TestDynalite;
  const stores: SessionStore[] = [];
  const clients: ReturnType<typeof testClient>[] = [];

  function instance(): { store: SessionStore; lease: RefreshLease } {
    const client = testClient(dynalite.url);
    clients.push(client);
    const store = createDynamoDbSessionStore({ client, table: dynalite.table, sealer: createSealer([KEY]), now: clock });
    stores.push(store);
    return { store, lease: new RefreshLease({ store, now: clock, leaseMs: LEASE_MS, pollMs: 5 }) };
  }

  async function newSession(store: SessionStore): Promise<StoredSession> {
    const now = Math.floor(nowMs / 1000);
    const session: StoredSession = {
      sub: randomUUID(),
      sid: randomUUID(),
      createdAt: now,
      lastSeenAt: now,
      userAgent: undefined,
      expiresAt: now + 86_400,
      user: { sub: 's', username: 'alice', groups: [] },
      refreshToken: 'refresh-0',
      accessToken: 'access-0',
      accessExpiresAt: now + 60,
      generation: 0,
      lease: undefined,
    };
    await store.create(session, { key: 'j:0', expiresAt: session.accessExpiresAt });
    return session;
  }

  /** An IdP stand-in that counts calls and answers after the test lets it (so every caller is in the race). */
  function idp(options: { rotate?: boolean } = {}) {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const renew = async (refreshToken: string): Promise<Renewal> => {
      calls += 1;
      const n = calls;
      await gate;
      return {
        accessToken: `access-${n}-from-${refreshToken}`,
        accessExpiresAt: Math.floor(nowMs / 1000) + 3600,
        refreshToken: options.rotate ? `refresh-${n}` : undefined,
        user: { sub: 's', username: 'alice', groups: [] },
        token: { key: `j:${n}`, expiresAt: Math.floor(nowMs / 1000) + 3600 },
      };
    };
    return { renew, release, calls: () => calls };
  }

  beforeAll(async () => {
    dynalite = await startTestDynalite();
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await dynalite?.stop();
  });

  it('lets 60 concurrent refreshes on three instances reach the IdP once, and hands every caller the renewed tokens', async () => {
    const instances = [instance(), instance(), instance()];
    const session = await newSession(instances[0]!.store);
    const fake = idp({ rotate: true });
    const results = Array.from({ length: 60 }, (_, i) => instances[i % 3]!.lease.refresh(session.sub, session.sid, 0, fake.renew));
    setTimeout(fake.release, 50);
    const renewed = await Promise.all(results);
    expect(fake.calls()).toBe(1);
    expect(new Set(renewed.map((s) => s.accessToken))).toEqual(new Set(['access-1-from-refresh-0']));
    expect(renewed.every((s) => s.generation === 1)).toBe(true);
    const stored = await instances[1]!.store.get(session.sub, session.sid);
    expect(stored).toMatchObject({ refreshToken: 'refresh-1', generation: 1, lease: undefined });
    // A caller whose cookies predate that refresh gets the newer tokens without another IdP call.
    const late = await instances[2]!.lease.refresh(session.sub, session.sid, 0, fake.renew);
    expect(late.accessToken).toBe('access-1-from-refresh-0');
    expect(fake.calls()).toBe(1);
    // A caller with the current generation refreshes again, with the rotated refresh token.
    const again = idp({ rotate: true });
    again.release();
    expect((await instances[0]!.lease.refresh(session.sub, session.sid, 1, again.renew)).accessToken).toBe('access-1-from-refresh-1');
  });

  it('takes over from a holder that died mid-refresh once its lease runs out, with the old refresh token intact', async () => {
    const [a, b] = [instance(), instance()];
    const session = await newSession(a.store);
    expect(await a.store.acquireLease(session.sub, session.sid, 'crashed-process', nowMs, nowMs + LEASE_MS)).toBe('acquired');
    const fake = idp();
    fake.release();
    const waiting = b.lease.refresh(session.sub, session.sid, 0, fake.renew);
    // The waiter polls; the lease runs out on the injected clock.
    setTimeout(() => (nowMs += LEASE_MS + 1), 30);
    const renewed = await waiting;
    expect(fake.calls()).toBe(1);
    expect(renewed.accessToken).toBe('access-1-from-refresh-0');
    expect((await a.store.get(session.sub, session.sid))?.refreshToken).toBe('refresh-0');
  });

  it('ends the session when the IdP refuses its refresh token', async () => {
    const { store, lease } = instance();
    const session = await newSession(store);
    const refused = lease.refresh(session.sub, session.sid, 0, () => Promise.reject(new GrantRejectedError('invalid_grant')));
    await expect(refused).rejects.toMatchObject({ code: 'refresh_refused' });
    await expect(refused).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(await store.get(session.sub, session.sid)).toBeUndefined();
  });

  it('keeps the session and frees the lease when the IdP is down', async () => {
    const { store, lease } = instance();
    const session = await newSession(store);
    await expect(
      lease.refresh(session.sub, session.sid, 0, () => Promise.reject(new IdpUnavailableError('idp_unavailable'))),
    ).rejects.toBeInstanceOf(IdpUnavailableError);
    expect(await store.get(session.sub, session.sid)).toMatchObject({ refreshToken: 'refresh-0', lease: undefined });
  });

  it('refuses a session that has ended, and gives up waiting within its bound', async () => {
    const { store, lease } = instance();
    const session = await newSession(store);
    await store.end(session.sub, session.sid);
    await expect(lease.refresh(session.sub, session.sid, 0, idp().renew)).rejects.toMatchObject({ code: 'refresh_refused' });

    const held = await newSession(store);
    // A lease that never runs out on this clock and never completes: the waiter stops at its bound.
    expect(await store.acquireLease(held.sub, held.sid, 'stuck', nowMs, nowMs + 10 * LEASE_MS)).toBe('acquired');
    let slept = 0;
    const bounded = new RefreshLease({
      store,
      now: clock,
      leaseMs: LEASE_MS,
      sleep: async () => {
        slept += 1;
        nowMs += 1000;
      },
    });
    await expect(bounded.refresh(held.sub, held.sid, 0, idp().renew)).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    expect(slept).toBeGreaterThan(10);
    expect(slept).toBeLessThan(25);
  });
});
