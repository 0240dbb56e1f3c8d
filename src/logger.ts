/**
 * A small structured logger: one JSON object a line. Call sites pass only what is safe to log; as a second line of
 * defence, anything that looks like a JWT or a sealed cookie value is masked before the line is written.
 */
import type { IncomingMessage } from 'node:http';
import { currentRequest, requestContextOf } from './http/request-context';
import type { BffLogger, LogFields, LogLevel } from './options';

export type { LogFields } from './options';

/** What every module logs through: the library's `logger` option, or the logger below. */
export type Logger = BffLogger;

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

// A compact JWS/JWE (three or five base64url segments) or one of our sealed values (v1.<base64url>).
const SECRET_LOOKING = /\beyJ[\w-]*\.[\w-]+\.[\w-]*(?:\.[\w-]*\.[\w-]*)?|\bv1\.[\w-]{24,}/g;

/** Masks token-shaped substrings. Exported for tests. */
export function maskSecrets(text: string): string {
  return text.replace(SECRET_LOOKING, '[redacted]');
}

export function createLogger(options: { level: LogLevel; write?: (line: string) => void; now?: () => number }): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const now = options.now ?? Date.now;
  const threshold = RANK[options.level];
  const log = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (RANK[level] < threshold) return;
    // The id of the request being served, when there is one: every line of a request can be found by it.
    const requestId = currentRequest()?.requestId;
    const line = JSON.stringify({
      time: new Date(now()).toISOString(),
      level,
      msg: message,
      ...(requestId ? { requestId } : {}),
      ...fields,
    });
    write(maskSecrets(line));
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), enabled: (level) => RANK[level] >= threshold };
}

/** `logger` with every line given the id of the request `req`, or of the request being served when there is none. */
function withRequestIdOf(logger: Logger, requestId: () => string | undefined): Logger {
  const log =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      const id = requestId();
      logger[level](message, id ? { requestId: id, ...fields } : fields);
    };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    ...(logger.enabled ? { enabled: (level: LogLevel) => logger.enabled!(level) } : {}),
  };
}

/** An application's own logger (the `logger` option): its lines get the request id as the built-in logger's do. */
export function withRequestId(logger: Logger): Logger {
  return withRequestIdOf(logger, () => currentRequest()?.requestId);
}

/** The logger for lines about `req`: they carry its id wherever they are written from (src/http/request-context.ts). */
export function requestLogger(logger: Logger, req: IncomingMessage): Logger {
  return withRequestIdOf(logger, () => requestContextOf(req).requestId);
}
