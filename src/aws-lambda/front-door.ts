/**
 * Which front door an event came through, told from the event alone (one function may sit behind several):
 *
 * - `alb`: `requestContext.elb` (an Application Load Balancer target group);
 * - `function-url`: payload 2.0 on a `*.lambda-url.*` domain;
 * - `http-api`: payload 2.0 otherwise (API Gateway HTTP API);
 * - `rest-api`: `httpMethod` and `path` with a `requestContext` (API Gateway REST API, or an HTTP API sending payload
 *   format 1.0, which has the same shape).
 *
 * An event must also carry every field its event source reads, of the right type: anything else (an S3 or SQS
 * record, a test event from the console, `null`) is `undefined`, and the handler answers it without running the app.
 */
import { isObject, stringField, type JsonObject } from './request-values';

export type FrontDoor = 'rest-api' | 'http-api' | 'function-url' | 'alb';

const METHOD = /^[A-Za-z]{1,16}$/;

/** An optional field: absent, null, or of the given kind. */
function optional(value: unknown, kind: 'object' | 'string' | 'boolean' | 'array'): boolean {
  if (value === undefined || value === null) return true;
  if (kind === 'object') return isObject(value);
  if (kind === 'array') return Array.isArray(value);
  return typeof value === kind;
}

/** The fields every event source reads for the body and headers. */
function hasValidCommonFields(event: JsonObject): boolean {
  return (
    optional(event.headers, 'object') &&
    optional(event.body, 'string') &&
    optional(event.isBase64Encoded, 'boolean') &&
    optional(event.queryStringParameters, 'object')
  );
}

function hasValidV1Fields(event: JsonObject): boolean {
  return (
    METHOD.test(stringField(event, 'httpMethod') ?? '') &&
    typeof event.path === 'string' &&
    hasValidCommonFields(event) &&
    optional(event.multiValueHeaders, 'object') &&
    optional(event.multiValueQueryStringParameters, 'object')
  );
}

export function detectFrontDoor(event: unknown): FrontDoor | undefined {
  if (!isObject(event) || !isObject(event.requestContext)) return undefined;
  const context = event.requestContext;
  if (isObject(context.elb)) return hasValidV1Fields(event) ? 'alb' : undefined;
  if (event.version === '2.0') {
    const valid =
      isObject(context.http) &&
      METHOD.test(stringField(context.http, 'method') ?? '') &&
      typeof event.rawPath === 'string' &&
      optional(event.rawQueryString, 'string') &&
      optional(event.cookies, 'array') &&
      hasValidCommonFields(event);
    if (!valid) return undefined;
    return (stringField(context, 'domainName') ?? '').includes('.lambda-url.') ? 'function-url' : 'http-api';
  }
  return hasValidV1Fields(event) ? 'rest-api' : undefined;
}
