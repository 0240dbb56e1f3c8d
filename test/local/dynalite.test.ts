/** The embedded dynalite: starts on loopback, refuses a busy port clearly, keeps its data across restarts, stops. */
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { startDynalite } from '../../src/local/dynalite';
import { ensureSessionTable } from '../../src/sessions/table';
import { freePort } from '../support/cognito-local';
import { testClient } from '../support/dynalite';
import { isAlive, tempDir } from './helpers';

describe('embedded dynalite', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('serves DynamoDB on 127.0.0.1, creates the table idempotently, keeps data across a restart, and stops', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const port = await freePort();
    const dataDir = path.join(dir, 'dynalite');
    const first = await startDynalite({ port, dataDir });
    expect(first.url).toBe(`http://127.0.0.1:${port}`);
    const client = testClient(first.url);
    try {
      expect(await ensureSessionTable(client, 'sessions')).toBe('created');
      expect(await ensureSessionTable(client, 'sessions')).toBe('existed');
      await client.send(new PutCommand({ TableName: 'sessions', Item: { pk: 'u', sk: 's', n: 1 } }));
      await expect(startDynalite({ port, dataDir: path.join(dir, 'other') })).rejects.toThrow(/port \d+ is already in use/);
      await first.stop();
      expect(isAlive(first.pid)).toBe(false);

      const second = await startDynalite({ port, dataDir });
      try {
        expect(await ensureSessionTable(client, 'sessions')).toBe('existed');
        const { Item } = await client.send(new GetCommand({ TableName: 'sessions', Key: { pk: 'u', sk: 's' } }));
        expect(Item?.n).toBe(1);
      } finally {
        await second.stop();
      }
    } finally {
      client.destroy();
      await first.stop();
    }
  });
});
