/**
 * A real upstream API on 127.0.0.1 for the token relay: it records exactly what reached it (method, raw path and
 * query, raw headers, body bytes) and answers as the case tells it: JSON, an echo of the body, a given status, cookies
 * and hop-by-hop headers, a large streamed body, or a fault (never answering, answering the headers and then stalling,
 * resetting the connection).
 */
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedRequest {
  method: string;
  /** The request target as sent, path and query. */
  url: string;
  path: string;
  /** The query string without `?`, as sent. */
  query: string;
  /** Lower-case names; a name sent twice keeps both values. */
  headers: Record<string, string[]>;
  body: Buffer;
}

/** Answers a recorded request. Receives the raw response to do anything a server can. */
export type Behaviour = (received: ReceivedRequest, res: http.ServerResponse) => void;

export const behaviours = {
  /** `200` JSON describing what arrived (method, path, query, body length). */
  json(): Behaviour {
    return (received, res) => {
      const text = JSON.stringify({ method: received.method, path: received.path, query: received.query, bytes: received.body.length });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(text);
    };
  },
  /** The received body back, byte for byte, with the given content type. */
  echo(contentType = 'application/octet-stream'): Behaviour {
    return (received, res) => {
      res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': received.body.length });
      res.end(received.body);
    };
  },
  /** A status with a JSON body and extra headers (a 401 with its WWW-Authenticate, a 404, a 503…). */
  status(status: number, headers: http.OutgoingHttpHeaders = {}, body = '{"from":"upstream"}'): Behaviour {
    return (_received, res) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(body);
    };
  },
  /** A body of `bytes` bytes (a repeating, position-dependent pattern) written in 64 KiB chunks as the socket drains. */
  large(bytes: number, contentType = 'application/octet-stream', chunked = false): Behaviour {
    return (_received, res) => {
      res.writeHead(200, { 'Content-Type': contentType, ...(chunked ? {} : { 'Content-Length': bytes }) });
      let sent = 0;
      const write = (): void => {
        while (sent < bytes) {
          const size = Math.min(65_536, bytes - sent);
          const chunk = pattern(sent, size);
          sent += size;
          if (!res.write(chunk)) return void res.once('drain', write);
        }
        res.end();
      };
      write();
    };
  },
  /** Never answers (the connection stays open until the client gives up or the server closes). */
  hang(): Behaviour {
    return () => {};
  },
  /** Headers at once, then part of the body, then nothing more. */
  stallBody(): Behaviour {
    return (_received, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': 1_000_000 });
      res.write(Buffer.alloc(1024, 1));
    };
  },
  /** The first part of a body, then the rest only once `release()` is called: shows whether a relay streams. */
  gated(first: Buffer, rest: Buffer): { behaviour: Behaviour; release: () => void } {
    const gate = new EventEmitter();
    return {
      behaviour: (_received, res) => {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        res.write(first);
        gate.once('release', () => res.end(rest));
      },
      release: () => void gate.emit('release'),
    };
  },
  /** Closes the connection with a TCP reset, no answer at all. */
  reset(): Behaviour {
    return (_received, res) => {
      res.socket?.resetAndDestroy();
    };
  },
  /** Headers and part of the body, then a reset. */
  resetMidBody(): Behaviour {
    return (_received, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': 1_000_000 });
      res.write(Buffer.alloc(1024, 2), () => res.socket?.resetAndDestroy());
    };
  },
};

/** `size` bytes of the pattern that starts at `offset`: any shifted or dropped chunk shows. */
export function pattern(offset: number, size: number): Buffer {
  const chunk = Buffer.allocUnsafe(size);
  for (let index = 0; index < size; index += 1) chunk[index] = (offset + index) % 251;
  return chunk;
}

export interface Upstream {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /**
   * `body-start` when the first body bytes of a request arrive, `request` (a ReceivedRequest) when a whole request
   * has, `aborted` when the client closed a request before the answer was complete.
   */
  readonly events: EventEmitter;
  readonly received: ReceivedRequest[];
  /** The answer for every following request (default: `behaviours.json()`). */
  behave(behaviour: Behaviour): void;
  /** The last request that reached the upstream (fails the case when none did). */
  last(): ReceivedRequest;
  /** Connections currently open to the upstream (a relay that gave up must close its own). */
  openConnections(): number;
  reset(): void;
  close(): Promise<void>;
}

function headersOf(raw: string[]): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (let index = 0; index < raw.length; index += 2) (headers[raw[index]!.toLowerCase()] ??= []).push(raw[index + 1]!);
  return headers;
}

export async function startUpstream(): Promise<Upstream> {
  let behaviour: Behaviour = behaviours.json();
  const received: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const events = new EventEmitter();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.once('data', () => events.emit('body-start'));
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('close', () => {
      if (!res.writableFinished) events.emit('aborted');
    });
    req.on('end', () => {
      const url = req.url ?? '';
      const queryAt = url.indexOf('?');
      const request: ReceivedRequest = {
        method: req.method ?? '',
        url,
        path: queryAt < 0 ? url : url.slice(0, queryAt),
        query: queryAt < 0 ? '' : url.slice(queryAt + 1),
        headers: headersOf(req.rawHeaders),
        body: Buffer.concat(chunks),
      };
      received.push(request);
      events.emit('request', request);
      behaviour(request, res);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    events,
    received,
    behave(next) {
      behaviour = next;
    },
    last() {
      const request = received.at(-1);
      if (!request) throw new Error('no request reached the upstream');
      return request;
    },
    openConnections: () => [...sockets].filter((socket) => !socket.destroyed).length,
    reset() {
      behaviour = behaviours.json();
      received.length = 0;
    },
    async close() {
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback URL where nothing listens (a port just bound and released). */
export async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
