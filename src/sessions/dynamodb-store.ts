/**
 * SessionStore on one DynamoDB table (locally the embedded dynalite).
 *
 * Table: partition key `pk` (S) = the user's `sub`, sort key `sk` (S); TTL attribute `expiresAt` (N, epoch seconds).
 * All of a user's items share a partition, so listing or ending every session is one Query, without an index.
 *
 *   session  sk = `session#<sid>`  createdAt, lastSeenAt, userAgent, expiresAt, user (map), accessExpiresAt,
 *                                   generation, tokens (sealed {refreshToken, accessToken}), leaseOwner, leaseUntil
 *   token    sk = `token#<key>`     sid, expiresAt: ties an access token (by origin_jti or jti, see tokenKey) to its
 *                                   session, so that a copied Bearer token dies with the session
 *
 * DynamoDB deletes expired items late (up to days), dynalite never: every read checks `expiresAt` itself. Only
 * conditional single-item writes are used (dynalite has no transactions): the refresh lease is a conditional update,
 * and renewed tokens replace the old ones in the same write that releases the lease. Every SDK failure other than a
 * lost condition becomes SessionStoreUnavailableError (503), after the SDK's own bounded retries.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SessionUser } from '../auth/session-cookies';
import type { Sealer } from '../auth/sealing';
import { SessionStoreUnavailableError } from '../errors';
import type { LeaseOutcome, RenewedTokens, SessionStore, SessionSummary, StoredSession } from './session-store';

export interface DynamoDbStoreOptions {
  /**
   * The document client, or how to make it on first use: the AWS SDK is then loaded only by an instance that keeps
   * sessions (a Lambda in cookie mode, or the bundle outside Lambda, never loads it).
   */
  client: DynamoDBDocumentClient | (() => Promise<DynamoDBDocumentClient>);
  table: string;
  /** Seals the tokens in each session item (the cookie keys: the first seals, all open). */
  sealer: Sealer;
  /** Epoch milliseconds. */
  now: () => number;
}

const SESSION_PREFIX = 'session#';
const TOKEN_PREFIX = 'token#';
/** Queries page through at most this many pages: a partition holds one user's sessions, never many. */
const MAX_PAGES = 20;
const USER_AGENT_MAX = 256;

interface SessionItem {
  pk: string;
  sk: string;
  createdAt: number;
  lastSeenAt: number;
  userAgent?: string;
  expiresAt: number;
  user: SessionUser;
  accessExpiresAt: number;
  generation: number;
  tokens: string;
  leaseOwner?: string;
  leaseUntil?: number;
}

/** The sealing purpose binds the sealed tokens to their item: a blob copied into another user's item does not open. */
const tokensPurpose = (sub: string, sid: string) => `session-tokens:${sub}:${sid}`;

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown';
}

function conditionFailed(error: unknown): boolean {
  return errorName(error) === 'ConditionalCheckFailedException';
}

type LibDynamodb = typeof import('@aws-sdk/lib-dynamodb');
interface Sdk {
  client: DynamoDBDocumentClient;
  lib: LibDynamodb;
}

export function createDynamoDbSessionStore(options: DynamoDbStoreOptions): SessionStore {
  const { table, sealer } = options;
  const nowSeconds = () => Math.floor(options.now() / 1000);
  let sdk: Promise<Sdk> | undefined;
  const loadSdk = (): Promise<Sdk> =>
    (sdk ??= Promise.all([
      typeof options.client === 'function' ? options.client() : Promise.resolve(options.client),
      import('@aws-sdk/lib-dynamodb') as Promise<unknown> as Promise<LibDynamodb>,
    ]).then(([client, lib]) => ({ client, lib })));

  /** Runs one store call; anything but a lost condition (which the caller handles) is the store being unavailable. */
  async function call<T>(what: string, run: (sdk: Sdk) => Promise<T>): Promise<T> {
    try {
      return await run(await loadSdk());
    } catch (error) {
      if (conditionFailed(error)) throw error;
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const code = (error as { code?: string }).code;
      throw new SessionStoreUnavailableError(`${what}: ${errorName(error)}${code ? ` ${code}` : ''}${status ? ` (HTTP ${status})` : ''}`);
    }
  }

  const key = (sub: string, sid: string) => ({ pk: sub, sk: SESSION_PREFIX + sid });

  function toSession(item: SessionItem): StoredSession | undefined {
    const sid = item.sk.slice(SESSION_PREFIX.length);
    if (!(item.expiresAt > nowSeconds())) return undefined;
    const opened = sealer.open(tokensPurpose(item.pk, sid), item.tokens);
    if (opened === undefined) return undefined; // sealed under a key no longer configured: the session cannot go on
    const tokens = JSON.parse(opened) as { refreshToken: string; accessToken: string };
    return {
      sub: item.pk,
      sid,
      createdAt: item.createdAt,
      lastSeenAt: item.lastSeenAt,
      userAgent: item.userAgent,
      expiresAt: item.expiresAt,
      user: item.user,
      refreshToken: tokens.refreshToken,
      accessToken: tokens.accessToken,
      accessExpiresAt: item.accessExpiresAt,
      generation: item.generation,
      lease:
        item.leaseOwner !== undefined && item.leaseUntil !== undefined ? { owner: item.leaseOwner, until: item.leaseUntil } : undefined,
    };
  }

  const sealTokens = (sub: string, sid: string, refreshToken: string, accessToken: string) =>
    sealer.seal(tokensPurpose(sub, sid), JSON.stringify({ refreshToken, accessToken }));

  async function putToken(sub: string, sid: string, token: { key: string; expiresAt: number }): Promise<void> {
    await call('put token', ({ client, lib }) =>
      client.send(
        new lib.PutCommand({ TableName: table, Item: { pk: sub, sk: TOKEN_PREFIX + token.key, sid, expiresAt: token.expiresAt } }),
      ),
    );
  }

  async function queryPartition(sub: string, prefix: string, projection?: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const result = await call('query', ({ client, lib }) =>
        client.send(
          new lib.QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': sub, ':prefix': prefix },
            ConsistentRead: true,
            ...(projection ? { ProjectionExpression: projection } : {}),
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      items.push(...(result.Items ?? []));
      start = result.LastEvaluatedKey;
      if (!start) break;
    }
    return items;
  }

  async function get(sub: string, sid: string): Promise<StoredSession | undefined> {
    const result = await call('get session', ({ client, lib }) =>
      client.send(new lib.GetCommand({ TableName: table, Key: key(sub, sid), ConsistentRead: true })),
    );
    return result.Item ? toSession(result.Item as SessionItem) : undefined;
  }

  async function end(sub: string, sid: string): Promise<StoredSession | undefined> {
    const result = await call('end session', ({ client, lib }) =>
      client.send(new lib.DeleteCommand({ TableName: table, Key: key(sub, sid), ReturnValues: 'ALL_OLD' })),
    );
    return result.Attributes ? toSession(result.Attributes as SessionItem) : undefined;
  }

  return {
    async create(session, token) {
      const item: SessionItem = {
        ...key(session.sub, session.sid),
        createdAt: session.createdAt,
        lastSeenAt: session.lastSeenAt,
        userAgent: session.userAgent?.slice(0, USER_AGENT_MAX),
        expiresAt: session.expiresAt,
        user: session.user,
        accessExpiresAt: session.accessExpiresAt,
        generation: session.generation,
        tokens: sealTokens(session.sub, session.sid, session.refreshToken, session.accessToken),
      };
      // The token's lookup item first: by the time anyone holds the token, it resolves.
      await putToken(session.sub, session.sid, token);
      await call('create session', ({ client, lib }) =>
        client.send(new lib.PutCommand({ TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' })),
      );
    },

    get,

    async sessionOfToken(sub, tokenKey) {
      const result = await call('get token', ({ client, lib }) =>
        client.send(new lib.GetCommand({ TableName: table, Key: { pk: sub, sk: TOKEN_PREFIX + tokenKey }, ConsistentRead: true })),
      );
      const item = result.Item as { sid?: unknown; expiresAt?: unknown } | undefined;
      if (!item || typeof item.sid !== 'string' || typeof item.expiresAt !== 'number' || !(item.expiresAt > nowSeconds())) return undefined;
      return item.sid;
    },

    async list(sub) {
      const items = await queryPartition(sub, SESSION_PREFIX, 'sk, createdAt, lastSeenAt, userAgent, expiresAt');
      const now = nowSeconds();
      return items
        .filter((item) => typeof item.expiresAt === 'number' && item.expiresAt > now)
        .map((item): SessionSummary => ({
          sid: String(item.sk).slice(SESSION_PREFIX.length),
          createdAt: Number(item.createdAt),
          lastSeenAt: Number(item.lastSeenAt),
          userAgent: typeof item.userAgent === 'string' ? item.userAgent : undefined,
        }))
        .sort((a, b) => b.createdAt - a.createdAt);
    },

    end,

    async endAll(sub) {
      const items = await queryPartition(sub, SESSION_PREFIX, 'sk');
      const ended = await Promise.all(items.map((item) => end(sub, String(item.sk).slice(SESSION_PREFIX.length))));
      return ended.filter((session): session is StoredSession => session !== undefined);
    },

    async acquireLease(sub, sid, owner, nowMs, untilMs): Promise<LeaseOutcome> {
      try {
        await call('acquire lease', ({ client, lib }) =>
          client.send(
            new lib.UpdateCommand({
              TableName: table,
              Key: key(sub, sid),
              UpdateExpression: 'SET leaseOwner = :owner, leaseUntil = :until',
              ConditionExpression: 'attribute_exists(pk) AND expiresAt > :nowS AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
              ExpressionAttributeValues: { ':owner': owner, ':until': untilMs, ':now': nowMs, ':nowS': Math.floor(nowMs / 1000) },
            }),
          ),
        );
        return 'acquired';
      } catch (error) {
        if (!conditionFailed(error)) throw error;
        // Which condition failed: dynalite does not return the item on a failed condition, so look.
        return (await get(sub, sid)) ? 'held' : 'gone';
      }
    },

    async completeRefresh(sub, sid, owner, renewed: RenewedTokens) {
      await putToken(sub, sid, renewed.token);
      try {
        await call('complete refresh', ({ client, lib }) =>
          client.send(
            new lib.UpdateCommand({
              TableName: table,
              Key: key(sub, sid),
              UpdateExpression:
                'SET tokens = :tokens, accessExpiresAt = :exp, #user = :user, lastSeenAt = :now, generation = generation + :one ' +
                'REMOVE leaseOwner, leaseUntil',
              ConditionExpression: 'attribute_exists(pk) AND leaseOwner = :owner',
              ExpressionAttributeNames: { '#user': 'user' },
              ExpressionAttributeValues: {
                ':tokens': sealTokens(sub, sid, renewed.refreshToken, renewed.accessToken),
                ':exp': renewed.accessExpiresAt,
                ':user': renewed.user,
                ':now': renewed.now,
                ':one': 1,
                ':owner': owner,
              },
            }),
          ),
        );
        return true;
      } catch (error) {
        if (conditionFailed(error)) return false;
        throw error;
      }
    },

    async releaseLease(sub, sid, owner) {
      try {
        await call('release lease', ({ client, lib }) =>
          client.send(
            new lib.UpdateCommand({
              TableName: table,
              Key: key(sub, sid),
              UpdateExpression: 'REMOVE leaseOwner, leaseUntil',
              ConditionExpression: 'leaseOwner = :owner',
              ExpressionAttributeValues: { ':owner': owner },
            }),
          ),
        );
      } catch (error) {
        if (!conditionFailed(error)) throw error;
      }
    },
  };
}
