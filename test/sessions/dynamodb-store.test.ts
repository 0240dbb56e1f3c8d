/**
 * The DynamoDB session store against a real dynalite process: items, expiry on every read, the refresh lease, what
 * is sealed, and faults (the process stopped mid-run; throttling injected below the SDK).
 */
import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSealer } from '../../src/auth/sealing';
import { SessionStoreUnavailableError } from '../../src/errors';
import { createDynamoDbSessionStore } from '../../src/sessions/dynamodb-store';
import type { SessionStore, StoredSession } from '../../src/sessions/session-store';
import { tokenKey } from '../../src/sessions/session-store';
import { startTestDynalite, testClient, type TestDynalite } from '../support/dynalite';
import { FaultyRequestHandler, THROTTLING } from '../support/dynamodb-faults';

const KEY = Buffer.alloc(32, 3);
let nowMs = Date.UTC(2030, 0, 1);
const clock = () => nowMs;

function newSession(overrides: Partial<StoredSession> = {}): StoredSession {
  const now = Math.floor(nowMs / 1000);
  return {
    sub: randomUUID(),
    sid: randomUUID(),
    createdAt: now,
    lastSeenAt: now,
    userAgent: 'Mozilla/5.0 test',
    expiresAt: now + 3600,
    user: { sub: 'x', username: 'alice', email: 'alice@example.com', groups: ['testers'] },
    refreshToken: `refresh-${randomUUID()}`,
    accessToken: `access-${randomUUID()}`,
    accessExpiresAt: now + 300,
    generation: 0,
    lease: undefined,
    ...overrides,
  };
}

describe('DynamoDB session store (real dynalite)', () => {
  let dynalite: TestDynalite;
  let store: SessionStore;

  beforeAll(async () => {
    dynalite = await startTestDynalite();
    store = createDynamoDbSessionStore({ client: dynalite.client, table: dynalite.table, sealer: createSealer([KEY]), now: clock });
  });
  afterAll(async () => {
    await dynalite?.stop();
  });

  it('stores a session, reads it back, and keeps its tokens sealed in the table', async () => {
    const session = newSession();
    await store.create(session, { key: 'j:first', expiresAt: session.accessExpiresAt });
    expect(await store.get(session.sub, session.sid)).toEqual(session);
    const scan = await dynalite.client.send(new ScanCommand({ TableName: dynalite.table }));
    const raw = JSON.stringify(scan.Items);
    expect(raw).not.toContain(session.refreshToken);
    expect(raw).not.toContain(session.accessToken);
    expect(await store.sessionOfToken(session.sub, 'j:first')).toBe(session.sid);
    expect(await store.sessionOfToken(session.sub, 'j:unknown')).toBeUndefined();
    // Another user's partition never resolves this token.
    expect(await store.sessionOfToken('someone-else', 'j:first')).toBeUndefined();
  });

  it('treats an expired session and an expired token item as gone although the table still holds them', async () => {
    const session = newSession();
    await store.create(session, { key: 'j:short', expiresAt: session.accessExpiresAt });
    nowMs += 301_000;
    try {
      expect(await store.sessionOfToken(session.sub, 'j:short')).toBeUndefined();
      expect(await store.get(session.sub, session.sid)).toBeDefined();
      nowMs += 3300_000;
      expect(await store.get(session.sub, session.sid)).toBeUndefined();
      expect(await store.list(session.sub)).toEqual([]);
    } finally {
      nowMs -= 3601_000;
    }
  });

  it('refuses tokens sealed under another key or copied into another item', async () => {
    const session = newSession();
    await store.create(session, { key: 'j:k', expiresAt: session.accessExpiresAt });
    const otherKeyStore = createDynamoDbSessionStore({
      client: dynalite.client,
      table: dynalite.table,
      sealer: createSealer([Buffer.alloc(32, 9)]),
      now: clock,
    });
    expect(await otherKeyStore.get(session.sub, session.sid)).toBeUndefined();
  });

  it('lists a user`s sessions newest first and ends one, or all', async () => {
    const sub = randomUUID();
    const older = newSession({ sub, createdAt: Math.floor(nowMs / 1000) - 100 });
    const newer = newSession({ sub });
    await store.create(older, { key: 'j:a', expiresAt: older.accessExpiresAt });
    await store.create(newer, { key: 'j:b', expiresAt: newer.accessExpiresAt });
    expect((await store.list(sub)).map((s) => s.sid)).toEqual([newer.sid, older.sid]);
    expect((await store.end(sub, older.sid))?.refreshToken).toBe(older.refreshToken);
    expect(await store.end(sub, older.sid)).toBeUndefined();
    expect((await store.list(sub)).map((s) => s.sid)).toEqual([newer.sid]);
    const third = newSession({ sub });
    await store.create(third, { key: 'j:c', expiresAt: third.accessExpiresAt });
    const ended = await store.endAll(sub);
    expect(ended.map((s) => s.refreshToken).sort()).toEqual([newer.refreshToken, third.refreshToken].sort());
    expect(await store.list(sub)).toEqual([]);
    expect(await store.get(sub, newer.sid)).toBeUndefined();
  });

  it('grants the refresh lease to one owner at a time, until it expires', async () => {
    const session = newSession();
    await store.create(session, { key: 'j:l', expiresAt: session.accessExpiresAt });
    const outcomes = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((owner) => store.acquireLease(session.sub, session.sid, owner, nowMs, nowMs + 10_000)),
    );
    expect(outcomes.filter((o) => o === 'acquired')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'held')).toHaveLength(4);
    // The holder crashed: after the lease runs out another takes over, and the crashed one can no longer write.
    const holder = ['a', 'b', 'c', 'd', 'e'][outcomes.indexOf('acquired')]!;
    expect(await store.acquireLease(session.sub, session.sid, 'late', nowMs + 10_001, nowMs + 20_000)).toBe('acquired');
    const renewed = {
      accessToken: 'access-2',
      accessExpiresAt: session.accessExpiresAt + 300,
      refreshToken: 'refresh-2',
      user: session.user,
      token: { key: 'j:l2', expiresAt: session.accessExpiresAt + 300 },
      now: session.createdAt + 10,
    };
    expect(await store.completeRefresh(session.sub, session.sid, holder, renewed)).toBe(false);
    // The old refresh token is still there until the lease holder writes the new one.
    expect((await store.get(session.sub, session.sid))?.refreshToken).toBe(session.refreshToken);
    expect(await store.completeRefresh(session.sub, session.sid, 'late', renewed)).toBe(true);
    const after = await store.get(session.sub, session.sid);
    expect(after).toMatchObject({ refreshToken: 'refresh-2', accessToken: 'access-2', generation: 1, lease: undefined });
    expect(await store.sessionOfToken(session.sub, 'j:l2')).toBe(session.sid);
    // Released: the next refresh may start at once.
    expect(await store.acquireLease(session.sub, session.sid, 'next', nowMs, nowMs + 10_000)).toBe('acquired');
    await store.releaseLease(session.sub, session.sid, 'not-the-holder');
    expect(await store.acquireLease(session.sub, session.sid, 'other', nowMs, nowMs + 10_000)).toBe('held');
    await store.releaseLease(session.sub, session.sid, 'next');
    expect(await store.acquireLease(session.sub, session.sid, 'other', nowMs, nowMs + 10_000)).toBe('acquired');
  });

  it('answers gone for the lease of an ended session, and never writes tokens into it', async () => {
    const session = newSession();
    await store.create(session, { key: 'j:g', expiresAt: session.accessExpiresAt });
    expect(await store.acquireLease(session.sub, session.sid, 'me', nowMs, nowMs + 10_000)).toBe('acquired');
    await store.end(session.sub, session.sid);
    expect(
      await store.completeRefresh(session.sub, session.sid, 'me', {
        accessToken: 'a',
        accessExpiresAt: 1,
        refreshToken: 'r',
        user: session.user,
        token: { key: 'j:g2', expiresAt: 1 },
        now: 1,
      }),
    ).toBe(false);
    expect(await store.get(session.sub, session.sid)).toBeUndefined();
    expect(await store.acquireLease(session.sub, session.sid, 'me', nowMs, nowMs + 10_000)).toBe('gone');
  });

  it('keys tokens by origin_jti when Cognito sends one, else by jti', () => {
    expect(tokenKey({ jti: 'j', originJti: 'o' })).toBe('o:o');
    expect(tokenKey({ jti: 'j' })).toBe('j:j');
    expect(tokenKey({})).toBeUndefined();
  });

  it('reports throttling as unavailable (after the SDK`s retries) and recovers when it stops', async () => {
    const handler = new FaultyRequestHandler();
    const client = testClient(dynalite.url, { requestHandler: handler });
    const throttled = createDynamoDbSessionStore({ client, table: dynalite.table, sealer: createSealer([KEY]), now: clock });
    const session = newSession();
    await throttled.create(session, { key: 'j:t', expiresAt: session.accessExpiresAt });
    for (const fault of Object.values(THROTTLING)) {
      handler.fault = fault;
      const error = await throttled.get(session.sub, session.sid).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessionStoreUnavailableError);
      expect((error as SessionStoreUnavailableError).logInfo).toContain(fault.type.split('#')[1]);
    }
    expect(handler.faulted).toBeGreaterThanOrEqual(4);
    handler.fault = undefined;
    expect((await throttled.get(session.sub, session.sid))?.sid).toBe(session.sid);
    client.destroy();
  });

  it('reports a stopped dynalite as unavailable and works again once it is back, without a new client', async () => {
    const session = newSession();
    await store.create(session, { key: 'j:d', expiresAt: session.accessExpiresAt });
    await dynalite.kill();
    try {
      await expect(store.get(session.sub, session.sid)).rejects.toBeInstanceOf(SessionStoreUnavailableError);
      await expect(store.list(session.sub)).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    } finally {
      await dynalite.restart();
    }
    expect((await store.get(session.sub, session.sid))?.refreshToken).toBe(session.refreshToken);
  });
});
