/**
 * API Gateway REST API (v1) proxy events, and API Gateway HTTP API events in payload format 1.0 (the same shape).
 *
 * serverless-express builds the path from `pathParameters.proxy` when present, so behind `/auth/{proxy+}` Express
 * would see `/login` instead of `/auth/login`: the path is taken from `event.path` instead (the resource path, stage
 * excluded; with a custom domain it carries the base path, which the app also serves under). API Gateway hands the
 * query decoded, so it is encoded again. Several Set-Cookie headers travel in `multiValueHeaders`. The authorizer's
 * `sub` (a Cognito user-pool authorizer's `claims`, or an HTTP API JWT authorizer's `jwt.claims` in payload 1.0) is
 * passed on in the internal header.
 */
import {
  bodyFrom,
  headersFrom,
  isObject,
  onTheWirePath,
  responseHeaderLists,
  stringField,
  subOf,
  withAuthorizerSub,
  type FrontDoorResult,
  type JsonObject,
  type RequestValues,
  type ResponseValues,
} from './request-values';

function queryOf(event: JsonObject): string {
  const query = new URLSearchParams();
  const multi = event.multiValueQueryStringParameters;
  const single = event.queryStringParameters;
  if (isObject(multi)) {
    for (const [name, values] of Object.entries(multi))
      if (Array.isArray(values)) for (const value of values) if (typeof value === 'string') query.append(name, value);
  } else if (isObject(single)) {
    for (const [name, value] of Object.entries(single)) if (typeof value === 'string') query.append(name, value);
  }
  const text = query.toString();
  return text ? `?${text}` : '';
}

function authorizerSub(event: JsonObject): string | undefined {
  const authorizer = isObject(event.requestContext) ? event.requestContext.authorizer : undefined;
  if (!isObject(authorizer)) return undefined;
  return subOf(authorizer.claims) ?? (isObject(authorizer.jwt) ? subOf(authorizer.jwt.claims) : undefined);
}

export const restApiEventSource = {
  getRequest({ event }: { event: JsonObject }): RequestValues {
    const headers = withAuthorizerSub(headersFrom(event.headers, event.multiValueHeaders), authorizerSub(event));
    const body = bodyFrom(event, headers);
    const identity = isObject(event.requestContext) ? event.requestContext.identity : undefined;
    return {
      method: stringField(event, 'httpMethod') ?? 'GET',
      headers,
      body,
      remoteAddress: stringField(identity, 'sourceIp') ?? '',
      // The path as the client sent it; never rebuilt from pathParameters.
      path: onTheWirePath(stringField(event, 'path') || '/') + queryOf(event),
    };
  },
  getResponse({ statusCode, body, headers, isBase64Encoded }: ResponseValues): FrontDoorResult {
    return { statusCode, body, multiValueHeaders: Object.fromEntries(responseHeaderLists(headers)), isBase64Encoded };
  },
};
