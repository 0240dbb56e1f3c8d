/**
 * The one error middleware: every failure becomes `{"error": "<stable code>", "message": "<human text>"}` with the
 * right status. Detail goes to the log (logInfo), never to the client; an unexpected error is a 500 with no detail.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, InvalidRequestError, NotFoundError, UnauthenticatedError } from '../errors';
import type { Logger } from '../logger';

/** Errors raised by Express's body parser carry a `type`; map them to our codes. */
function fromBodyParser(error: unknown): AppError | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) return undefined;
  switch ((error as { type: unknown }).type) {
    case 'entity.too.large':
      return new InvalidRequestError('payload_too_large', 'The request body is too large.', undefined, 413);
    case 'entity.parse.failed':
      return new InvalidRequestError('invalid_json', 'The request body is not valid JSON.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new InvalidRequestError('unsupported_media_type', 'The request body encoding is not supported.', undefined, 415);
    default:
      return new InvalidRequestError('invalid_request', 'The request body could not be read.');
  }
}

export const notFound: RequestHandler = () => {
  throw new NotFoundError();
};

export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    let known = error instanceof AppError ? error : fromBodyParser(error);
    if (!known && error instanceof URIError) known = new InvalidRequestError('invalid_request', 'The request URL is malformed.');
    if (!known) {
      logger.error('unexpected error', {
        path: req.path,
        error: error instanceof Error ? error.name : typeof error,
        detail: error instanceof Error ? error.message : undefined,
      });
      res.status(500).json({ error: 'internal_error', message: 'Something went wrong.' });
      return;
    }
    const level = known.status >= 500 ? 'error' : 'info';
    logger[level]('request refused', { path: req.path, status: known.status, code: known.code, reason: known.logInfo });
    if (known instanceof UnauthenticatedError) {
      res.setHeader('WWW-Authenticate', known.bearerError ? `Bearer error="${known.bearerError}"` : 'Bearer');
    }
    res.status(known.status).json({ error: known.code, message: known.message });
  };
}
