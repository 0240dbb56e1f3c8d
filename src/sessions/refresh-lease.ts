/**
 * One refresh at a time per session, across tabs, instances and processes.
 *
 * The caller that wins the conditional write on the session item (the lease) calls the IdP; the others wait, bounded,
 * for its result and answer with the renewed tokens from the store. A cookie issued before the latest refresh (its
 * generation is older) gets the newer tokens without another IdP call. The renewed tokens replace the old ones in the
 * same write that releases the lease, and only while the lease is still held: a process that dies mid-refresh leaves
 * the old refresh token in place, and its lease runs out so that the next caller can take over.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { GrantRejectedError, SessionStoreUnavailableError, UnauthenticatedError } from '../errors';
import type { RenewedTokens, SessionStore, StoredSession } from './session-store';

/** What one IdP refresh yields, before the store takes it. */
export type Renewal = Omit<RenewedTokens, 'refreshToken' | 'now'> & { refreshToken: string | undefined };

export interface RefreshLeaseOptions {
  store: SessionStore;
  /** Epoch milliseconds. */
  now: () => number;
  /** How long a lease holds: longer than one whole IdP call (IDP_TIMEOUT_MS) plus verification. */
  leaseMs: number;
  /** How often a waiting caller looks again. @default 25 */
  pollMs?: number;
  /** For tests: how a waiting caller waits. @default timers */
  sleep?: (ms: number) => Promise<void>;
  /** Identifies this instance in lease owners (logs, debugging). @default random */
  instanceId?: string;
}

export const sessionEnded = () => new UnauthenticatedError('refresh_refused', 'The session has ended; sign in again.');

export class RefreshLease {
  private readonly pending = new Map<string, Promise<StoredSession>>();
  private readonly instanceId: string;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: RefreshLeaseOptions) {
    this.instanceId = options.instanceId ?? randomUUID();
    this.sleep = options.sleep ?? ((ms) => delay(ms));
  }

  /**
   * The session with tokens newer than `seenGeneration` (the generation the caller's cookies were issued at), renewed
   * with `renew` by exactly one caller. Rejects with refresh_refused (401) when the session has ended or the IdP
   * refused its refresh token, SessionStoreUnavailableError (503) when the store fails or the wait runs out, and
   * with whatever `renew` rejects with otherwise (the session is kept).
   */
  refresh(sub: string, sid: string, seenGeneration: number, renew: (refreshToken: string) => Promise<Renewal>): Promise<StoredSession> {
    // Callers on this instance share one attempt: one lease, one poll loop.
    const id = `${sub}\n${sid}\n${seenGeneration}`;
    let pending = this.pending.get(id);
    if (!pending) {
      pending = this.attempt(sub, sid, seenGeneration, renew).finally(() => this.pending.delete(id));
      this.pending.set(id, pending);
    }
    return pending;
  }

  private async attempt(
    sub: string,
    sid: string,
    seenGeneration: number,
    renew: (refreshToken: string) => Promise<Renewal>,
  ): Promise<StoredSession> {
    const { store, now, leaseMs } = this.options;
    const owner = `${this.instanceId}:${randomUUID()}`;
    // Waiting is bounded by one lease that runs out plus one whole refresh of our own.
    const deadline = now() + 2 * leaseMs;
    let session = await store.get(sub, sid);
    for (;;) {
      if (!session) throw sessionEnded();
      if (session.generation > seenGeneration && session.accessExpiresAt > now() / 1000) return session;
      const outcome = await store.acquireLease(sub, sid, owner, now(), now() + leaseMs);
      if (outcome === 'gone') throw sessionEnded();
      if (outcome === 'acquired') return this.renewUnderLease(session, owner, renew);
      // Someone else is refreshing: wait for a newer generation, a released lease, or the end of the session.
      const waitingFor = session.generation;
      do {
        if (now() > deadline) throw new SessionStoreUnavailableError('gave up waiting for another refresh of this session');
        await this.sleep(this.options.pollMs ?? 25);
        session = await store.get(sub, sid);
      } while (session && session.generation === waitingFor && session.lease && session.lease.until >= now());
    }
  }

  private async renewUnderLease(
    session: StoredSession,
    owner: string,
    renew: (refreshToken: string) => Promise<Renewal>,
  ): Promise<StoredSession> {
    const { store, now } = this.options;
    let renewal: Renewal;
    try {
      renewal = await renew(session.refreshToken);
    } catch (error) {
      if (error instanceof GrantRejectedError) {
        // The IdP ended it (revoked, expired, signed out elsewhere): so does the store.
        await store.end(session.sub, session.sid);
        throw sessionEnded();
      }
      await store.releaseLease(session.sub, session.sid, owner).catch(() => undefined);
      throw error;
    }
    const renewed: RenewedTokens = {
      ...renewal,
      refreshToken: renewal.refreshToken ?? session.refreshToken,
      now: Math.floor(now() / 1000),
    };
    if (!(await store.completeRefresh(session.sub, session.sid, owner, renewed))) {
      // The session ended meanwhile, or our lease ran out and another caller took over.
      const latest = await store.get(session.sub, session.sid);
      if (!latest) throw sessionEnded();
      if (latest.generation > session.generation) return latest;
      throw new SessionStoreUnavailableError('refresh lease lost before the renewed tokens were written');
    }
    return {
      ...session,
      accessToken: renewed.accessToken,
      accessExpiresAt: renewed.accessExpiresAt,
      refreshToken: renewed.refreshToken,
      user: renewed.user,
      lastSeenAt: renewed.now,
      generation: session.generation + 1,
      lease: undefined,
    };
  }
}
