/**
 * Creates the sessions table when it is missing (the local stack and the tests; in AWS the CDK construct owns it):
 * `pk` (S) partition key, `sk` (S) sort key, on-demand. Idempotent: an existing table is left as it is.
 *
 * TTL on `expiresAt` is asked for, but dynalite has no UpdateTimeToLive and deletes nothing by TTL: the store checks
 * `expiresAt` on every read, so expiry holds without it.
 */
import { CreateTableCommand, DescribeTableCommand, UpdateTimeToLiveCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { setTimeout as delay } from 'node:timers/promises';

export const TTL_ATTRIBUTE = 'expiresAt';

export async function ensureSessionTable(
  client: Pick<DynamoDBClient, 'send'>,
  table: string,
  options: { timeoutMs?: number } = {},
): Promise<'created' | 'existed'> {
  let outcome: 'created' | 'existed' = 'created';
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'ResourceInUseException') throw error;
    outcome = 'existed';
  }
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    if (Table?.TableStatus === 'ACTIVE') break;
    if (Date.now() > deadline) throw new Error(`table ${table} is not ACTIVE (${Table?.TableStatus ?? 'unknown'})`);
    await delay(50);
  }
  if (outcome === 'created') {
    try {
      await client.send(
        new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }),
      );
    } catch {
      // dynalite: UnknownOperationException. Expiry is checked on every read regardless.
    }
  }
  return outcome;
}
