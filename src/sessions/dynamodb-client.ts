/**
 * The DynamoDB document client the session store talks through, built once per process (or warm Lambda container).
 *
 * Bounded: a store that does not answer must become a quick `503 session_store_unavailable`, not a request that hangs
 * for the SDK's default of minutes. Retries are the SDK's own (with backoff, throttling included), capped low for the
 * same reason. With an emulator endpoint on loopback: region `local` unless one is given, and emulator credentials
 * (src/net/emulator-credentials.ts: the environment's or the shared files', else placeholders dynalite accepts).
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { emulatorCredentials } from '../net/emulator-credentials';
import { isLoopbackHost } from '../net/loopback';

export interface DynamoDbClientOptions {
  /** Endpoint override (`DYNAMODB_ENDPOINT`); undefined: the SDK's regional endpoint. */
  endpoint: string | undefined;
  /** Undefined: the SDK's default (AWS_REGION); `local` for a loopback endpoint. */
  region?: string;
  /** Bound on connecting, and on one attempt's answer. @default 1000 / 2000 ms */
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Attempts per call, the first included. @default 2 */
  maxAttempts?: number;
  /** For tests: a request handler of their own (fault injection at the HTTP layer, below the SDK's parsing). */
  requestHandler?: DynamoDBClientConfig['requestHandler'];
}

export function createDocumentClient(options: DynamoDbClientOptions): DynamoDBDocumentClient {
  const loopback = options.endpoint !== undefined && isLoopbackHost(new URL(options.endpoint).hostname);
  const config: DynamoDBClientConfig = {
    maxAttempts: options.maxAttempts ?? 2,
    requestHandler: options.requestHandler ?? {
      connectionTimeout: options.connectTimeoutMs ?? 1000,
      requestTimeout: options.requestTimeoutMs ?? 2000,
    },
  };
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  const region = options.region ?? (loopback ? 'local' : undefined);
  if (region !== undefined) config.region = region;
  if (loopback) config.credentials = emulatorCredentials;
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), { marshallOptions: { removeUndefinedValues: true } });
}
