/**
 * Lambda's payload limits for a relayed call. A synchronous invocation carries at most 6 MB each way (the whole
 * event or result, JSON included; API Gateway itself takes request bodies up to 10 MB, so Lambda's limit is the one
 * that binds). A body that API Gateway must see as binary travels base64-encoded, four bytes for every three.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { isBinaryBody } from '../aws-lambda/binary-body';

const LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** Room for the rest of the result: status, headers (cookies included), JSON framing. */
const RESULT_OVERHEAD_BYTES = 64 * 1024;

/** The largest request body the relay takes in Lambda (decoded bytes); above it, `413 payload_too_large`. */
export const LAMBDA_MAX_REQUEST_BYTES = LAMBDA_PAYLOAD_BYTES - RESULT_OVERHEAD_BYTES;

/** Whether an answer of `bytes` with these headers fits in the function's result once encoded. */
export function lambdaResponseFits(bytes: number, headers: OutgoingHttpHeaders): boolean {
  const encoded = isBinaryBody(headers) ? Math.ceil(bytes / 3) * 4 : bytes;
  return encoded <= LAMBDA_PAYLOAD_BYTES - RESULT_OVERHEAD_BYTES;
}
