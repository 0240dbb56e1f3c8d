/**
 * One suite, two runtimes: a Target sends a request either through the Express app over real HTTP (supertest) or
 * through the Lambda handler as the event of one of its front doors (API Gateway REST v1 by default, HTTP API,
 * Function URL, ALB with or without multi-value headers), and answers the same normalised response.
 */
import type { Express } from 'express';
import request from 'supertest';
import type { LambdaHandler } from '../../src/aws-lambda/handler';
import { frontDoorEvent, frontDoorResultHeaders, requestIdOf, type LambdaFrontDoor } from './front-door-events';

export interface TargetResponse {
  status: number;
  /** Lower-case names; set-cookie is always an array. */
  headers: Record<string, string | string[]>;
  text: string;
  body: any;
  /** The body's bytes as the client received them (binary answers). */
  raw: Buffer;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: string | Buffer;
  base64Body?: boolean;
  authorizerClaims?: Record<string, string>;
}

export interface Target {
  name: 'http' | 'lambda';
  /** The front door a Lambda target's events come through. */
  door?: LambdaFrontDoor;
  request(method: string, url: string, options?: RequestOptions): Promise<TargetResponse>;
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function httpTarget(app: Express): Target {
  return {
    name: 'http',
    async request(method, url, options = {}) {
      let call = request(app)[method.toLowerCase() as 'get'](url).redirects(0);
      for (const [name, value] of Object.entries(options.headers ?? {})) call = call.set(name, value);
      if (options.body !== undefined) call = call.send(options.body);
      const response = await call.buffer(true).parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(response.headers as Record<string, string | string[]>))
        headers[name.toLowerCase()] = value;
      if (headers['set-cookie'] !== undefined && !Array.isArray(headers['set-cookie'])) headers['set-cookie'] = [headers['set-cookie']];
      const raw = Buffer.isBuffer(response.body) ? response.body : Buffer.alloc(0);
      const text = raw.toString('utf8');
      return { status: response.status, headers, text, body: parseBody(text), raw };
    },
  };
}

/**
 * The Lambda handler behind `door`, reached at a base URL whose path is `basePath` (`/dev`: the stage); `door` may
 * also be a function of the request (a function behind several doors at once).
 */
export function lambdaTarget(
  handler: LambdaHandler,
  basePath = '/dev',
  door: LambdaFrontDoor | ((method: string, url: string) => LambdaFrontDoor) = 'rest-api',
): Target {
  return {
    name: 'lambda',
    ...(typeof door === 'string' ? { door } : {}),
    async request(method, url, options = {}) {
      const event = frontDoorEvent(typeof door === 'string' ? door : door(method, url), { method, url, basePath, ...options });
      const result = await handler(event, { awsRequestId: requestIdOf(event) } as never);
      const raw = Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
      const text = raw.toString('utf8');
      return { status: result.statusCode, headers: frontDoorResultHeaders(result), text, body: parseBody(text), raw };
    },
  };
}
