/**
 * Slow and idle clients against the real HTTP server (the Lambda runtime has none: API Gateway bounds them there):
 * a body or headers dripped a byte at a time, a connection that sends nothing, an idle keep-alive connection, and more
 * connections than the cap. The server runs with small injected limits; every drip here would go on for longer than
 * the test may run, so a test that ends is the configured bound at work, not Node's defaults (minutes, checked every
 * 30 s). No durations are asserted.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createLimitedServer, DEFAULT_SERVER_LIMITS, type ServerLimits } from '../../src/http/server-limits';
import { parseConfig } from '../../src/config';
import type { FakeIdp } from '../support/fake-idp';
import { type AttackHarness, useAttackTarget } from './support';

const SHORT: ServerLimits = { headersTimeoutMs: 200, requestTimeoutMs: 400, keepAliveTimeoutMs: 200, maxConnections: 50 };

interface Connection {
  socket: net.Socket;
  /** Everything the server sent. */
  received: () => string;
  /** Resolves when the server has closed the connection (or it broke). */
  closed: Promise<void>;
  /** Sends `text` one byte every `everyMs` until the connection closes. */
  drip: (text: string, everyMs: number) => void;
}

describe('slow and idle clients (http)', () => {
  let idp: FakeIdp;
  let harness: AttackHarness;
  useAttackTarget('http', (started) => ({ idp, harness } = started));
  const servers: Server[] = [];
  const sockets: net.Socket[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  async function serve(limits: ServerLimits): Promise<number> {
    const server = createLimitedServer(harness.app!, limits);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  async function connect(port: number): Promise<Connection> {
    const socket = net.connect(port, '127.0.0.1');
    sockets.push(socket);
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    const closed = new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.once('error', () => resolve());
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const drip = (text: string, everyMs: number) => {
      let sent = 0;
      const timer = setInterval(() => {
        if (socket.destroyed || !socket.writable) return clearInterval(timer);
        socket.write(text[sent % text.length]!);
        sent += 1;
      }, everyMs);
      void closed.then(() => clearInterval(timer));
    };
    return { socket, received: () => data, closed, drip };
  }

  it('cuts off a body dripped a byte at a time (408), however long the client would go on', async () => {
    const port = await serve(SHORT);
    const connection = await connect(port);
    connection.socket.write(
      'POST /auth/callback HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{',
    );
    // 100 KB at a byte every 20 ms: more than half an hour.
    connection.drip('"x":1,', 20);
    await connection.closed;
    expect(connection.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(idp.requests).toHaveLength(0);
  });

  it('cuts off headers dripped a byte at a time, and a connection that sends nothing', async () => {
    const port = await serve(SHORT);
    const dripping = await connect(port);
    dripping.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
    dripping.drip('X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n', 20);
    const silent = await connect(port);
    await Promise.all([dripping.closed, silent.closed]);
    expect(dripping.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(silent.received()).not.toMatch(/^HTTP\/1\.1 2/);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const port = await serve(SHORT);
    const connection = await connect(port);
    connection.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n');
    await connection.closed;
    expect(connection.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(connection.received()).toMatch(/Keep-Alive: timeout=0\b|Connection: keep-alive/i);
  });

  it('closes connections beyond the cap as they arrive, and serves again once below it', async () => {
    // Long timeouts here: the held connections must stay open while the cap is tried.
    const port = await serve({ headersTimeoutMs: 20_000, requestTimeoutMs: 20_000, keepAliveTimeoutMs: 20_000, maxConnections: 2 });
    const held = [await connect(port), await connect(port)];
    for (const connection of held) connection.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
    const refused = await connect(port);
    refused.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await refused.closed;
    expect(refused.received()).toBe('');
    held[0]!.socket.destroy();
    await held[0]!.closed;
    // The server counts the closed connection out asynchronously: retry until one is served (bounded by the test).
    for (;;) {
      const next = await connect(port);
      next.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      await next.closed;
      if (next.received().startsWith('HTTP/1.1 200 ')) break;
    }
  });

  it('reads the limits from HTTP_* settings with documented defaults, and names a bad one', () => {
    const env = idp.env();
    const defaults = parseConfig(env);
    expect(defaults.serverLimits).toEqual(DEFAULT_SERVER_LIMITS);
    expect(DEFAULT_SERVER_LIMITS.requestTimeoutMs).toBeLessThan(300_000);
    const set = parseConfig({
      ...env,
      HTTP_HEADERS_TIMEOUT_MS: '2000',
      HTTP_REQUEST_TIMEOUT_MS: '4000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '65000',
      HTTP_MAX_CONNECTIONS: '64',
    });
    expect(set.serverLimits).toEqual({ headersTimeoutMs: 2000, requestTimeoutMs: 4000, keepAliveTimeoutMs: 65000, maxConnections: 64 });
    for (const [name, value] of [
      ['HTTP_HEADERS_TIMEOUT_MS', 'soon'],
      ['HTTP_HEADERS_TIMEOUT_MS', '50000'],
      ['HTTP_REQUEST_TIMEOUT_MS', '0'],
      ['HTTP_KEEP_ALIVE_TIMEOUT_MS', '-1'],
      ['HTTP_MAX_CONNECTIONS', '0'],
    ] as const) {
      expect(() => parseConfig({ ...env, [name]: value }), `${name}=${value}`).toThrow(new RegExp(name));
    }
  });
});
