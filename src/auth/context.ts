/** What the /auth routes share: built once per app in createApp. */
import type { Config } from '../config';
import type { Request } from 'express';
import { requestLogger, type Logger } from '../logger';
import type { ServerSessions } from '../sessions/server-sessions';
import type { IdpClient } from './idp-client';
import type { Sealer } from './sealing';
import type { SessionCookies } from './session-cookies';
import type { TokenVerifiers } from './verifiers';

export interface AuthContext {
  config: Config;
  idp: IdpClient;
  verifiers: TokenVerifiers;
  logger: Logger;
  sealer: Sealer;
  cookies: SessionCookies;
  /** Epoch milliseconds. */
  now: () => number;
  random: (size: number) => Buffer;
  /** Server-side sessions (SESSION_STORE=dynamodb); undefined: every session lives in its cookies. */
  sessions?: ServerSessions;
}

export const nowSeconds = (context: AuthContext): number => Math.floor(context.now() / 1000);

/** The context for one request: its log lines carry the request's id (src/http/request-context.ts). */
export function forRequest<T extends { logger: Logger }>(shared: T, req: Request): T {
  return { ...shared, logger: requestLogger(shared.logger, req) };
}
