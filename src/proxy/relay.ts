/**
 * The relay for one route: the caller's request, as the guard accepted it, sent on to the route's upstream with
 * undici and the answer sent back. In the HTTP server both bodies stream; in Lambda (serverless-express, where the
 * request body is already in memory and the response is returned whole) both are buffered within the function's
 * payload limit. One deadline covers the whole call, response body included.
 */
import { EventEmitter } from 'node:events';
import type { OutgoingHttpHeaders } from 'node:http';
import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import type { Request, RequestHandler, Response } from 'express';
import type { Dispatcher } from 'undici';
import { AppError, UnauthenticatedError } from '../errors';
import { requestContextOf } from '../http/request-context';
import { requestLogger, type Logger } from '../logger';
import { SPAN_KIND } from '../tracing/opentelemetry-api';
import { errorType, type Telemetry } from '../tracing/outbound';
import { invalidPath, payloadTooLarge, upstreamResponseTooLarge, upstreamTimeout, upstreamUnavailable } from './errors';
import { browserResponseHeaders, upstreamRequestHeaders } from './headers';
import { LAMBDA_MAX_REQUEST_BYTES, lambdaResponseFits } from './lambda-limits';
import type { ProxyRoute } from './routes';
import { upstreamPath } from './upstream-url';

export interface RelayOptions {
  /** Bound on one relayed call, from sending the request to the last byte of the answer. */
  timeoutMs: number;
  /** The BFF's public base URL: what the upstream is told in X-Forwarded-Proto/Host. */
  publicBaseUrl: string;
  logger: Logger;
  /** The access token the guard verified for this request (the guard runs first). */
  accessToken: (req: Request) => string | undefined;
  /** The connection pool (built on first use). */
  dispatcher: () => Promise<Dispatcher>;
  /** Each relayed call: a client span (its trace context sent upstream) and `ProxyCalls` by route and status class. */
  telemetry: Telemetry;
}

/** `2xx`, `4xx`, …: the status class a relayed call is counted under. */
function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}

/** Why a call was aborted: the deadline, or the caller hung up before the answer began. */
const DEADLINE = Symbol('deadline');
const CALLER_GONE = Symbol('caller gone');

/** serverless-express hands Express a request whose socket is a plain object, not a network socket. */
function isBufferedRuntime(req: Request): boolean {
  return !(req.socket instanceof Socket);
}

/** What follows the route's prefix in the request target, as sent; undefined when the request is not this route's. */
function restOf(req: Request, route: ProxyRoute): string | undefined {
  // An absolute-form target (`GET http://other.host/...`) names a host: never the relay's to follow.
  if (!req.originalUrl.startsWith('/')) throw invalidPath('absolute-form request target');
  // Express matches mount paths case-insensitively; the relay wants its prefix exactly as configured.
  if (!req.baseUrl.endsWith(route.prefix) || !req.originalUrl.startsWith(req.baseUrl)) return undefined;
  return req.originalUrl.slice(req.baseUrl.length);
}

/** The body to send upstream: the request stream itself, or (Lambda) the bytes serverless-express already holds. */
function requestBody(req: Request, buffered: boolean): { body: Buffer | Request | undefined; contentLength: string | undefined } {
  const chunked = req.headers['transfer-encoding'] !== undefined;
  const length = req.headers['content-length'];
  if (buffered) {
    const bytes = Buffer.isBuffer(req.body) ? req.body : undefined;
    if (bytes && bytes.length > LAMBDA_MAX_REQUEST_BYTES) throw payloadTooLarge(`request body of ${bytes.length} bytes`);
    return { body: bytes && bytes.length > 0 ? bytes : undefined, contentLength: undefined };
  }
  if (!chunked && (length === undefined || length === '0')) return { body: undefined, contentLength: undefined };
  return { body: req, contentLength: chunked ? undefined : length };
}

/** undici's own bounds (the pool's headers, body and connect timeouts), by their stable error codes. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** Maps a failed call to the contract's answers. The reason logged is an error code, never a URL or a header. */
function upstreamError(error: unknown, abortReason: symbol | undefined): AppError {
  if (abortReason === DEADLINE) return upstreamTimeout('deadline');
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) return upstreamTimeout(code);
  return upstreamUnavailable(typeof code === 'string' ? code : error instanceof Error ? error.name : 'unknown');
}

/**
 * The abort signal undici watches, as an EventEmitter (which undici accepts): an AbortController costs an EventTarget
 * and more per relayed request.
 */
class AbortEmitter extends EventEmitter {
  reason: symbol | undefined;
  get aborted(): boolean {
    return this.reason !== undefined;
  }
  abort(reason: symbol): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.emit('abort');
  }
}

/** Lambda: the answer kept in memory, refused (the call aborted) as soon as it would not fit the function's result. */
class CappedCollector extends Writable {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  constructor(
    readonly statusCode: number,
    readonly headers: OutgoingHttpHeaders,
    private readonly fits: (bytes: number) => boolean,
  ) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.size += chunk.length;
    if (!this.fits(this.size)) return done(upstreamResponseTooLarge(`more than ${this.size} bytes`));
    this.chunks.push(chunk);
    done();
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}

export function relay(route: ProxyRoute, options: RelayOptions): RequestHandler {
  const base = new URL(options.publicBaseUrl);
  const proto = base.protocol.slice(0, -1);

  return async (req: Request, res: Response, next) => {
    const rest = restOf(req, route);
    if (rest === undefined) return next();
    const path = upstreamPath(route, rest);
    const accessToken = options.accessToken(req);
    if (accessToken === undefined) throw new UnauthenticatedError('unauthenticated', 'Sign in first.', 'relay without a verified token');
    const buffered = isBufferedRuntime(req);
    const { body, contentLength } = requestBody(req, buffered);
    const headers = upstreamRequestHeaders(req.headers, {
      accessToken,
      clientAddress: req.socket.remoteAddress,
      proto,
      host: base.host,
      contentLength,
    });

    const { tracing, metrics } = options.telemetry;
    const span = tracing.start(
      `${req.method} ${route.prefix}`,
      SPAN_KIND.client,
      {
        'http.request.method': req.method,
        'server.address': new URL(route.origin).hostname,
        'cognito_bff.relay_prefix': route.prefix,
      },
      requestContextOf(req),
    );
    // The trace goes on upstream (W3C traceparent), when the application runs an OpenTelemetry SDK.
    tracing.inject(headers, span);
    /** The status the caller gets: the upstream's, or the relay's own error answer. */
    let answeredStatus: number | undefined;
    let failureType: string | undefined;

    const abort = new AbortEmitter();
    const deadline = setTimeout(() => abort.abort(DEADLINE), options.timeoutMs);
    // Once the answer has begun, undici sees the caller hang up through the response it writes to; before, only this.
    const onClose = () => {
      if (!res.writableFinished) abort.abort(CALLER_GONE);
    };
    if (!buffered) res.once('close', onClose);
    let collected: CappedCollector | undefined;
    /** Upstream headers already on the response: taken off again should the error answer go out instead. */
    const applied: string[] = [];
    try {
      const dispatcher = await options.dispatcher();
      // undici writes the answer straight into what the factory returns, and aborts the call if that fails or
      // closes early (the caller hung up): no intermediate stream.
      await dispatcher.stream(
        { origin: route.origin, path, method: req.method as Dispatcher.HttpMethod, headers, body, signal: abort },
        ({ statusCode, headers: answered }) => {
          answeredStatus = statusCode;
          const upstreamHeaders = browserResponseHeaders(answered, (name) => {
            const value = res.getHeader(name);
            return value === undefined ? undefined : String(value);
          });
          if (buffered) {
            const fits = (bytes: number) => lambdaResponseFits(bytes, upstreamHeaders);
            const declared = Number(answered['content-length']);
            if (Number.isFinite(declared) && !fits(declared)) throw upstreamResponseTooLarge(`declared ${declared} bytes`);
            collected = new CappedCollector(statusCode, upstreamHeaders, fits);
            return collected;
          }
          res.status(statusCode);
          for (const name in upstreamHeaders) {
            res.setHeader(name, upstreamHeaders[name]!);
            applied.push(name);
          }
          return res;
        },
      );
    } catch (error) {
      const failure = upstreamError(error, abort.reason);
      failureType = errorType(failure);
      if (!res.headersSent && !res.destroyed) {
        answeredStatus = failure.status;
        for (const name of applied) res.removeHeader(name);
        throw failure;
      }
      // Headers are out: the only honest signal left is the cut connection (undici has destroyed the response).
      if (abort.reason !== CALLER_GONE && (error as { code?: unknown })?.code !== 'ERR_STREAM_PREMATURE_CLOSE')
        requestLogger(options.logger, req).warn('relay: upstream answer cut short', {
          prefix: route.prefix,
          code: failure.code,
          reason: failure.logInfo,
        });
      return;
    } finally {
      clearTimeout(deadline);
      res.off('close', onClose);
      if (answeredStatus !== undefined) span?.span.setAttribute('http.response.status_code', answeredStatus);
      tracing.end(span, failureType ?? (answeredStatus !== undefined && answeredStatus >= 500 ? String(answeredStatus) : undefined));
      metrics.record('ProxyCalls', 1, {
        route: route.prefix,
        status: answeredStatus === undefined ? 'other' : statusClass(answeredStatus),
      });
    }
    if (collected) {
      res.status(collected.statusCode);
      for (const name in collected.headers) res.setHeader(name, collected.headers[name]!);
      res.end(collected.bytes());
    }
  };
}
