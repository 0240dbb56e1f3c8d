/**
 * Builds API Gateway REST API (v1) proxy events the way API Gateway does (multiValueHeaders and headers,
 * multiValueQueryStringParameters and queryStringParameters, pathParameters for `{proxy+}` resources, requestContext
 * with stage, request id and the path with the stage, isBase64Encoded), and reads results back as HTTP responses.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

export interface EventInput {
  method: string;
  /** Path and query as a browser sends them, below the stage: `/auth/login?returnTo=%2F`. */
  url: string;
  headers?: Record<string, string>;
  /** A Buffer is sent base64-encoded, as API Gateway sends a binary body. */
  body?: string | Buffer;
  base64Body?: boolean;
  stage?: string;
  authorizerClaims?: Record<string, string>;
}

/** The resource each path hits, as infra/ defines the REST API. */
function resourceFor(path: string): { resource: string; pathParameters: Record<string, string> | null } {
  if (path.startsWith('/auth/')) return { resource: '/auth/{proxy+}', pathParameters: { proxy: path.slice('/auth/'.length) } };
  if (path === '/tests' || path === '/healthz') return { resource: path, pathParameters: null };
  return { resource: '/{proxy+}', pathParameters: { proxy: path.slice(1) } };
}

export function restApiEvent(input: EventInput): APIGatewayProxyEvent {
  const url = new URL(input.url, 'https://api.example.com');
  const stage = input.stage ?? 'dev';
  const path = decodeURIComponent(url.pathname);
  const multiValueHeaders: Record<string, string[]> = {};
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries({
    Host: 'abc123.execute-api.us-west-2.amazonaws.com',
    'X-Forwarded-Proto': 'https',
    ...input.headers,
  })) {
    multiValueHeaders[name] = [value];
    headers[name] = value;
  }
  // Null prototypes: a parameter named `__proto__` is a parameter like any other (as in the JSON API Gateway sends).
  const multiValueQueryStringParameters: Record<string, string[]> = Object.create(null);
  const queryStringParameters: Record<string, string> = Object.create(null);
  for (const [name, value] of url.searchParams) {
    (multiValueQueryStringParameters[name] ??= []).push(value);
    // API Gateway keeps the last value in the single-value map.
    queryStringParameters[name] = value;
  }
  const hasQuery = url.searchParams.size > 0;
  const { resource, pathParameters } = resourceFor(path);
  const base64 = Boolean(input.base64Body || Buffer.isBuffer(input.body));
  const body = input.body === undefined ? null : base64 ? Buffer.from(input.body).toString('base64') : String(input.body);
  return {
    resource,
    path,
    httpMethod: input.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? queryStringParameters : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQueryStringParameters : null,
    pathParameters,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      authorizer: input.authorizerClaims ? { claims: input.authorizerClaims } : null,
      protocol: 'HTTP/1.1',
      httpMethod: input.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '203.0.113.7',
        user: null,
        userAgent: input.headers?.['User-Agent'] ?? 'test',
        userArn: null,
      },
      path: `/${stage}${path}`,
      stage,
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'res123',
      resourcePath: resource,
    },
    body,
    isBase64Encoded: base64 && input.body !== undefined,
  } as APIGatewayProxyEvent;
}

/** The HTTP response a client behind API Gateway receives for a v1 result. */
export function resultHeaders(result: APIGatewayProxyResult): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    const key = name.toLowerCase();
    headers[key] = key === 'set-cookie' ? values.map(String) : values.map(String).join(', ');
  }
  return headers;
}
