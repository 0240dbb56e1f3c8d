/** One log line a request: method, path (never the query: it carries codes and state), status, duration. */
import type { RequestHandler } from 'express';
import { requestLogger, type Logger } from '../logger';
import { logFact, MAX_LOGGED_PATH } from './log-facts';

export function requestLog(logger: Logger, now: () => number): RequestHandler {
  return (req, res, next) => {
    const started = now();
    res.on('finish', () => {
      requestLogger(logger, req).debug('request', {
        method: req.method,
        path: logFact(req.path, MAX_LOGGED_PATH),
        status: res.statusCode,
        ms: now() - started,
      });
    });
    next();
  };
}
