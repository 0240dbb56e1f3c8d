/**
 * How an API Gateway REST API (v1) proxy event becomes a request for Express, and the response a v1 result.
 *
 * serverless-express builds the path from `pathParameters.proxy` when present, so behind `/auth/{proxy+}` Express
 * would see `/login` instead of `/auth/login`: the path is taken from `event.path` instead (the resource path; with a
 * custom domain it carries the base path, which the app also serves under). Several Set-Cookie headers travel in
 * `multiValueHeaders`. The authorizer's `sub`, when there is one, is passed on in an internal header that is always
 * stripped from what the client sent, so it cannot be forged.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

export const AUTHORIZER_SUB_HEADER = 'x-cognito-bff-authorizer-sub';

interface RequestValues {
  method: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  remoteAddress: string;
  path: string;
}

function headersOf(event: APIGatewayProxyEvent): Record<string, string> {
  const headers: Record<string, string> = {};
  if (event.multiValueHeaders) {
    for (const [name, values] of Object.entries(event.multiValueHeaders)) {
      if (!values) continue;
      // Cookie headers join with "; ", others with ", " (RFC 9110 field-line joining).
      headers[name.toLowerCase()] = values.join(name.toLowerCase() === 'cookie' ? '; ' : ', ');
    }
  } else if (event.headers) {
    for (const [name, value] of Object.entries(event.headers)) if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  return headers;
}

function queryOf(event: APIGatewayProxyEvent): string {
  const query = new URLSearchParams();
  if (event.multiValueQueryStringParameters) {
    for (const [name, values] of Object.entries(event.multiValueQueryStringParameters))
      for (const value of values ?? []) query.append(name, value);
  } else if (event.queryStringParameters) {
    for (const [name, value] of Object.entries(event.queryStringParameters)) if (value !== undefined) query.append(name, value);
  }
  const text = query.toString();
  return text ? `?${text}` : '';
}

function authorizerSub(event: APIGatewayProxyEvent): string | undefined {
  const claims = event.requestContext?.authorizer?.claims as Record<string, unknown> | undefined;
  return claims && typeof claims.sub === 'string' ? claims.sub : undefined;
}

export const restApiV1EventSource = {
  getRequest({ event }: { event: APIGatewayProxyEvent }): RequestValues {
    const headers = headersOf(event);
    delete headers[AUTHORIZER_SUB_HEADER];
    const sub = authorizerSub(event);
    if (sub !== undefined) headers[AUTHORIZER_SUB_HEADER] = sub;
    let body: Buffer | undefined;
    if (event.body) {
      body = Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
      headers['content-length'] = String(body.length);
    }
    // The path as the client sent it, percent-encoding kept; never rebuilt from pathParameters.
    const path = encodeURI(event.path || '/').replace(/%25([0-9A-Fa-f]{2})/g, '%$1');
    return {
      method: event.httpMethod,
      headers,
      body,
      remoteAddress: event.requestContext?.identity?.sourceIp ?? '',
      path: path + queryOf(event),
    };
  },
  getResponse({
    statusCode,
    body,
    headers,
    isBase64Encoded,
  }: {
    statusCode: number;
    body: string;
    headers: Record<string, string | string[] | number>;
    isBase64Encoded: boolean;
  }): APIGatewayProxyResult {
    const multiValueHeaders: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(headers)) {
      const key = name.toLowerCase();
      if (key === 'transfer-encoding') continue; // API Gateway does not do chunked responses.
      multiValueHeaders[key] = Array.isArray(value) ? value.map(String) : [String(value)];
    }
    return { statusCode, body, multiValueHeaders, isBase64Encoded };
  },
};
