/**
 * The request-header budget: one rule for every way in, so a request near the gateways' limits gets the same answer
 * whichever front door carried it.
 *
 * API Gateway (REST and HTTP APIs) refuses requests with more than about 10 KB of headers before the function runs;
 * an ALB passes up to 64 KB to a Lambda target, a Function URL more, and Node's HTTP server refuses above 16 KB with a
 * bare 431 and no body. Left alone, the same request would be a gateway's own error at one door, a normal answer at
 * another and an error page at a third. So the app enforces the gateways' budget itself: headers whose names and
 * values (plus ": " and CRLF, as on the wire) add up to more than 10 KiB get `431 {"error":"request_headers_too_large"}`
 * at every door and on the HTTP server alike. Headers a gateway, load balancer or CDN adds on its way (X-Forwarded-*,
 * X-Amzn-Trace-Id, Via, CloudFront-*, X-Amz-Cf-Id, …) differ per door, not per request: their first 256 bytes each
 * are not counted (a client that sends them itself gains no more than that).
 *
 * The session cookies stay within their own, smaller budget (under 8 KB of Cookie header), so the BFF's own cookies
 * never push a browser over this one.
 */
import type { Request, RequestHandler } from 'express';
import { InvalidRequestError } from '../errors';

/** Bytes of request headers the app accepts: API Gateway's limit (10240). */
export const REQUEST_HEADER_BUDGET_BYTES = 10_240;

/** Headers added on the way in (by API Gateway, an ALB, CloudFront, a proxy, this handler), not by the client. */
const ADDED_ON_THE_WAY =
  /^(?:x-forwarded-(?:for|proto|port|host)|x-amzn-(?:trace-id|tls-version|tls-cipher-suite|vpce-id|vpce-config|mtls-[\w-]+)|x-amz-cf-id|via|forwarded|cloudfront-[\w-]+|x-cognito-bff-authorizer-sub)$/;

/** How much of each such header goes uncounted. */
const ADDED_ALLOWANCE_BYTES = 256;

/** The wire size of one header line: `name: value\r\n`. Node hands header bytes over as latin1, one char a byte. */
function lineBytes(name: string, value: string | string[] | undefined): number {
  if (value === undefined) return 0;
  if (Array.isArray(value)) return value.reduce((sum, item) => sum + name.length + item.length + 4, 0);
  return name.length + value.length + 4;
}

/** The counted size of a request's headers. */
export function countedHeaderBytes(headers: Record<string, string | string[] | undefined>): number {
  let total = 0;
  for (const name in headers) {
    const bytes = lineBytes(name, headers[name]);
    total += ADDED_ON_THE_WAY.test(name) ? Math.max(0, bytes - ADDED_ALLOWANCE_BYTES) : bytes;
  }
  return total;
}

/**
 * `exempt` names requests that must get through whatever they carry: `POST /auth/logout`, so that a browser still
 * holding oversized cookies (from an older version, or planted) can always be signed out and have them cleared.
 */
export function headerBudget(limit = REQUEST_HEADER_BUDGET_BYTES, exempt?: (req: Request) => boolean): RequestHandler {
  return (req, _res, next) => {
    if (exempt?.(req)) return next();
    const bytes = countedHeaderBytes(req.headers);
    if (bytes > limit) {
      throw new InvalidRequestError(
        'request_headers_too_large',
        `The request headers are too large (the limit is ${limit} bytes).`,
        `${bytes} bytes of headers`,
        431,
      );
    }
    next();
  };
}
