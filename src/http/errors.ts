/**
 * The one error middleware: every failure becomes `{"error": "<stable code>", "message": "<human text>"}` with the
 * right status. Detail goes to the log (logInfo), never to the client; an unexpected error is a 500 with no detail.
 */
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { AppError, InvalidRequestError, NotFoundError, UnauthenticatedError } from '../errors';
import { requestLogger, type Logger } from '../logger';
import { logFact, MAX_LOGGED_PATH } from './log-facts';
import { REFUSAL_LOCAL, type Refusal } from '../metrics/outcomes';

/** Errors raised by Express's body parser carry a `type`; map them to our codes. */
function fromBodyParser(error: unknown): AppError | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) return undefined;
  switch ((error as { type: unknown }).type) {
    case 'entity.too.large':
      return new InvalidRequestError('payload_too_large', 'The request body is too large.', undefined, 413);
    case 'entity.parse.failed':
      return new InvalidRequestError('invalid_json', 'The request body is not valid JSON.');
    case 'encoding.unsupported':
      return new InvalidRequestError('unsupported_content_encoding', 'Send the body without Content-Encoding.', undefined, 415);
    case 'charset.unsupported':
      return new InvalidRequestError('unsupported_media_type', 'The request body encoding is not supported.', undefined, 415);
    default:
      return new InvalidRequestError('invalid_request', 'The request body could not be read.');
  }
}

/** Any other client error that an HTTP library raised (http-errors: a 4xx status, `expose`): the client's fault, not ours. */
function fromHttpError(error: unknown): AppError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, expose } = error as { status?: unknown; expose?: unknown };
  if (typeof status !== 'number' || status < 400 || status > 499 || expose !== true) return undefined;
  return new InvalidRequestError('invalid_request', 'The request could not be read.', `client error ${status}`, status === 413 ? 413 : 400);
}

export const notFound: RequestHandler = () => {
  throw new NotFoundError();
};

export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    sendError(error, req, res, logger);
  };
}

/** Answers `error` as JSON (also used by middleware that must answer by itself: requireAuth in a team's app). */
export function sendError(error: unknown, req: Request, res: Response, sharedLogger: Logger): void {
  const logger = requestLogger(sharedLogger, req);
  let known = error instanceof AppError ? error : (fromBodyParser(error) ?? fromHttpError(error));
  if (!known && error instanceof URIError) known = new InvalidRequestError('invalid_request', 'The request URL is malformed.');
  if (!known) {
    logger.error('unexpected error', {
      path: logFact(req.path, MAX_LOGGED_PATH),
      error: error instanceof Error ? error.name : typeof error,
      detail: error instanceof Error ? error.message : undefined,
    });
    res.status(500).json({ error: 'internal_error', message: 'Something went wrong.' });
    return;
  }
  // What the metrics read once the response is finished (src/metrics/outcomes.ts).
  res.locals[REFUSAL_LOCAL] = { code: known.code, reason: known.logInfo } satisfies Refusal;
  const level = known.status >= 500 ? 'error' : 'info';
  logger[level]('request refused', {
    path: logFact(req.path, MAX_LOGGED_PATH),
    status: known.status,
    code: known.code,
    reason: known.logInfo,
  });
  if (known instanceof UnauthenticatedError) {
    res.setHeader('WWW-Authenticate', known.bearerError ? `Bearer error="${known.bearerError}"` : 'Bearer');
  }
  res.status(known.status).json({ error: known.code, message: known.message });
}
