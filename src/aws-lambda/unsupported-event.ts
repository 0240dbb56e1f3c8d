/**
 * An event of no known front door (an S3 record, a console test event, `null`, a REST event missing its method): the
 * function was wired to something it does not serve. It is answered without running the app, in the REST (v1)
 * result shape with single-value headers, which every HTTP front door also accepts, and said once in the log with
 * bounded facts about its shape: never the event itself, which may hold cookies, tokens or codes.
 */
import type { Logger } from '../logger';
import { isObject, type FrontDoorResult } from './request-values';

const MAX_KEYS = 8;
const MAX_KEY_LENGTH = 32;

export const UNSUPPORTED_EVENT_RESULT: FrontDoorResult = {
  statusCode: 400,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  body: JSON.stringify({
    error: 'unsupported_event',
    message: 'This function serves HTTP requests from API Gateway, a function URL or a load balancer.',
  }),
  isBase64Encoded: false,
};

/** What kind of value the event is, and up to a few of its top-level field names (sanitised, shortened). */
export function describeEventShape(event: unknown): { type: string; keys?: string; keyCount?: number } {
  if (event === null) return { type: 'null' };
  if (Array.isArray(event)) return { type: 'array' };
  if (!isObject(event)) return { type: typeof event };
  const names = Object.keys(event);
  const keys = names
    .slice(0, MAX_KEYS)
    .map((name) => name.replace(/[^\w$.-]/g, '_').slice(0, MAX_KEY_LENGTH))
    .join(',');
  return { type: 'object', keys, keyCount: names.length };
}

export function answerUnsupportedEvent(event: unknown, logger: Logger): FrontDoorResult {
  logger.warn('unsupported Lambda event: not from a known front door', describeEventShape(event));
  return { ...UNSUPPORTED_EVENT_RESULT, headers: { ...UNSUPPORTED_EVENT_RESULT.headers } };
}
