/** What the relay answers when the upstream, or the request itself, is the problem. */
import { AppError, InvalidRequestError } from '../errors';

/** The upstream failed the call: a 502 or 504 with a stable code; `logInfo` names the failure (an error code). */
export class UpstreamError extends AppError {
  constructor(
    readonly status: 502 | 504,
    code: 'upstream_unavailable' | 'upstream_timeout' | 'upstream_response_too_large',
    message: string,
    logInfo?: string,
  ) {
    super(code, message, logInfo);
  }
}

/** Unreachable, reset, or not speaking HTTP. */
export const upstreamUnavailable = (logInfo: string) =>
  new UpstreamError(502, 'upstream_unavailable', 'The upstream API could not be reached.', logInfo);

/** No whole answer (headers and body) within the relay's bound (`apiProxyTimeoutMs`). */
export const upstreamTimeout = (logInfo: string) =>
  new UpstreamError(504, 'upstream_timeout', 'The upstream API did not answer in time.', logInfo);

/** Lambda only: an answer that would not fit in the function's response payload. */
export const upstreamResponseTooLarge = (logInfo: string) =>
  new UpstreamError(502, 'upstream_response_too_large', 'The upstream API answered with more than this runtime can return.', logInfo);

/** A path that tries to leave the upstream's base path or to smuggle a separator past it. */
export const invalidPath = (logInfo: string) => new InvalidRequestError('invalid_path', 'The request path is not allowed.', logInfo);

/** Lambda only: a request body larger than the function's payload limit. */
export const payloadTooLarge = (logInfo: string) =>
  new InvalidRequestError('payload_too_large', 'The request body is too large.', logInfo, 413);
