/**
 * Application Load Balancer events (a Lambda target group), with multi-value headers on or off.
 *
 * The target group's setting shows in the event: `multiValueHeaders` and `multiValueQueryStringParameters` when on,
 * `headers` and `queryStringParameters` (the last value of a repeated name) when off, and the load balancer reads
 * the response field of the same form, so the answer mirrors the event. The load balancer does not decode the query:
 * names and values arrive percent-encoded as the client sent them and are passed on as they are.
 *
 * With multi-value headers off, one header name holds one value, yet a sign-in sets several cookies. Each Set-Cookie
 * then goes under its own spelling of the name (`set-cookie`, `Set-cookie`, `sEt-cookie`, …): distinct JSON keys,
 * the same header to a browser, as adapters long used before multi-value headers existed (Mangum for ALB, the .NET
 * Lambda adapter for API Gateway). Turning multi-value headers on is the documented way and is recommended.
 */
import {
  bodyFrom,
  headersFrom,
  isObject,
  onTheWirePath,
  rawQueryFrom,
  responseHeaderLists,
  stringField,
  withAuthorizerSub,
  type FrontDoorResult,
  type JsonObject,
  type RequestValues,
  type ResponseValues,
} from './request-values';

/** The `index`-th spelling of a header name that differs only in letter case (index 0 is the name itself). */
export function caseVariant(name: string, index: number): string {
  let bit = 0;
  let variant = '';
  for (const char of name) {
    const lower = char.toLowerCase();
    if (lower === char.toUpperCase()) {
      variant += char;
      continue;
    }
    variant += (index >> bit) & 1 ? char.toUpperCase() : lower;
    bit += 1;
  }
  return variant;
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  302: 'Found',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export const albEventSource = {
  getRequest({ event }: { event: JsonObject }): RequestValues {
    // An ALB has no authorizer of ours: nobody may pose as one.
    const headers = withAuthorizerSub(headersFrom(event.headers, event.multiValueHeaders), undefined);
    const body = bodyFrom(event, headers);
    const query = rawQueryFrom(event.queryStringParameters, event.multiValueQueryStringParameters);
    return {
      method: stringField(event, 'httpMethod') ?? 'GET',
      headers,
      body,
      // The load balancer puts the client's address in X-Forwarded-For only.
      remoteAddress: '',
      path: onTheWirePath(stringField(event, 'path') || '/') + (query ? `?${query}` : ''),
    };
  },
  getResponse({ event, statusCode, body, headers, isBase64Encoded }: ResponseValues & { event: JsonObject }): FrontDoorResult {
    const lists = responseHeaderLists(headers);
    const statusDescription = `${statusCode} ${STATUS_TEXT[statusCode] ?? 'Status'}`;
    if (isObject(event.multiValueHeaders)) {
      return { statusCode, statusDescription, multiValueHeaders: Object.fromEntries(lists), body, isBase64Encoded };
    }
    const single: Record<string, string> = {};
    for (const [name, values] of lists) {
      if (name === 'set-cookie') values.forEach((value, index) => (single[caseVariant(name, index)] = value));
      else single[name] = values.join(', ');
    }
    return { statusCode, statusDescription, headers: single, body, isBase64Encoded };
  },
};
