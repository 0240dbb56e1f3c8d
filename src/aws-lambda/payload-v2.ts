/**
 * Payload format 2.0: API Gateway HTTP API and Lambda Function URLs (the same shape; a Function URL has no stage
 * and no authorizer but IAM).
 *
 * The request's cookies arrive in `cookies[]`, not in a header, and the response's cookies go back in `cookies[]`
 * (one Set-Cookie each): `headers` holds one comma-joined value per name, which would break cookies apart. The path
 * comes from `rawPath` and the query from `rawQueryString`, as sent. On the execute-api domain an HTTP API's named
 * stage leads `rawPath` (`/dev/auth/login`) and is taken off, so the app sees the path below the stage as with REST;
 * through a custom domain the stage is not in `rawPath`, and neither is the API mapping's path. A JWT authorizer's
 * `sub` (`requestContext.authorizer.jwt.claims`) is passed on in the internal header, like a REST authorizer's.
 */
import {
  bodyFrom,
  headersFrom,
  isObject,
  onTheWirePath,
  onTheWireQuery,
  responseHeaderLists,
  stringField,
  subOf,
  withAuthorizerSub,
  type FrontDoorResult,
  type JsonObject,
  type RequestValues,
  type ResponseValues,
} from './request-values';

/** The path below the stage: a named stage is the first segment of `rawPath` on the execute-api domain only. */
function pathBelowStage(rawPath: string, context: unknown): string {
  const stage = stringField(context, 'stage');
  const domainName = stringField(context, 'domainName');
  if (!stage || stage === '$default' || (domainName !== undefined && !domainName.includes('.execute-api.'))) return rawPath;
  const prefix = `/${stage}`;
  if (rawPath === prefix) return '/';
  return rawPath.startsWith(`${prefix}/`) ? rawPath.slice(prefix.length) : rawPath;
}

function jwtAuthorizerSub(context: unknown): string | undefined {
  const authorizer = isObject(context) ? context.authorizer : undefined;
  return isObject(authorizer) && isObject(authorizer.jwt) ? subOf(authorizer.jwt.claims) : undefined;
}

export const payloadV2EventSource = {
  getRequest({ event }: { event: JsonObject }): RequestValues {
    const context = event.requestContext;
    const http = isObject(context) ? context.http : undefined;
    const headers = withAuthorizerSub(headersFrom(event.headers, undefined), jwtAuthorizerSub(context));
    if (Array.isArray(event.cookies)) {
      const cookies = event.cookies.filter((cookie): cookie is string => typeof cookie === 'string');
      if (cookies.length > 0) headers.cookie = cookies.join('; ');
      else delete headers.cookie;
    }
    const body = bodyFrom(event, headers);
    const query = stringField(event, 'rawQueryString') ?? '';
    return {
      method: stringField(http, 'method') ?? 'GET',
      headers,
      body,
      remoteAddress: stringField(http, 'sourceIp') ?? '',
      path: onTheWirePath(pathBelowStage(stringField(event, 'rawPath') || '/', context)) + (query ? `?${onTheWireQuery(query)}` : ''),
    };
  },
  getResponse({ statusCode, body, headers, isBase64Encoded }: ResponseValues): FrontDoorResult {
    const lists = responseHeaderLists(headers);
    const cookies = lists.get('set-cookie') ?? [];
    lists.delete('set-cookie');
    const single: Record<string, string> = {};
    for (const [name, values] of lists) single[name] = values.join(', ');
    return { statusCode, headers: single, ...(cookies.length > 0 ? { cookies } : {}), body, isBase64Encoded };
  },
};
