/**
 * A real dynalite for a test: a child process on a free loopback port, its LevelDB data in a temporary folder, the
 * sessions table created. `kill()` and `restart()` (same port, same data) let a test take the store away mid-run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynalite, type RunningDynalite } from '../../src/local/dynalite';
import { createDocumentClient, type DynamoDbClientOptions } from '../../src/sessions/dynamodb-client';
import { ensureSessionTable } from '../../src/sessions/table';
import { freePort } from './cognito-local';

export const TEST_TABLE = 'cognito-bff-sessions';

export interface TestDynalite {
  url: string;
  table: string;
  /** A document client for the test's own look into the table. */
  client: DynamoDBDocumentClient;
  /** The settings a BFF needs to use it (SESSION_STORE, SESSION_TABLE, DYNAMODB_ENDPOINT). */
  env: Record<string, string>;
  /** Stops the process (the data stays). */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function testClient(url: string, extra: Partial<DynamoDbClientOptions> = {}): DynamoDBDocumentClient {
  return createDocumentClient({ endpoint: url, ...extra });
}

export async function startTestDynalite(): Promise<TestDynalite> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cognito-bff-dynalite-'));
  const port = await freePort();
  let running: RunningDynalite | undefined = await startDynalite({ port, dataDir: path.join(dataDir, 'data') });
  const url = running.url;
  const client = testClient(url);
  await ensureSessionTable(client, TEST_TABLE);
  return {
    url,
    table: TEST_TABLE,
    client,
    env: { SESSION_STORE: 'dynamodb', SESSION_TABLE: TEST_TABLE, DYNAMODB_ENDPOINT: url },
    async kill() {
      await running?.stop();
      running = undefined;
    },
    async restart() {
      running ??= await startDynalite({ port, dataDir: path.join(dataDir, 'data') });
    },
    async stop() {
      client.destroy();
      await running?.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
