/**
 * The relay when the upstream misbehaves or the bodies are large: a bound on the whole call (headers and body), large
 * bodies streamed by the HTTP server and buffered within Lambda's payload limit, a caller that hangs up. The bound is
 * made small here, and only here.
 */
import { once } from 'node:events';
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectJsonError, type Browser } from '../attack/support';
import { FakeIdp } from '../support/fake-idp';
import { RUNTIMES } from '../support/harness';
import type { TargetResponse } from '../support/targets';
import { behaviours, pattern, startUpstream, type Upstream } from '../support/upstream';
import { buildRelayHarness, signedInBrowser, type RelayHarness } from './support';

/** Small enough to keep the suite quick, large enough for a loaded machine to answer a healthy call within it. */
const TIMEOUT_MS = 400;
const MiB = 1024 * 1024;

/** A relayed answer of 1,000,000 announced bytes whose upstream failed midway: the caller's connection is cut short. */
async function expectCut(pending: Promise<TargetResponse>): Promise<void> {
  const outcome = await pending.then(
    (response) => response.raw.length,
    () => 'cut',
  );
  expect(outcome === 'cut' || (typeof outcome === 'number' && outcome < 1_000_000)).toBe(true);
}

describe.each(RUNTIMES)('token relay faults and limits (%s)', (kind) => {
  let idp: FakeIdp;
  let upstream: Upstream;
  /** The default bound (30 s), and one made small for the timeout cases. */
  let harness: RelayHarness;
  let browser: Browser;
  let hurried: RelayHarness;
  let hurriedBrowser: Browser;

  beforeAll(async () => {
    idp = await FakeIdp.start();
    upstream = await startUpstream();
    const routes = [{ prefix: '/api/files', upstream: `${upstream.url}/files` }];
    harness = buildRelayHarness(kind, idp, routes);
    ({ browser } = await signedInBrowser(harness));
    hurried = buildRelayHarness(kind, idp, routes, { timeoutMs: TIMEOUT_MS });
    ({ browser: hurriedBrowser } = await signedInBrowser(hurried));
  });
  afterEach(() => upstream.reset());
  afterAll(async () => {
    const logs = [...harness.logs, ...hurried.logs].join('\n');
    for (const secret of [...idp.issued, ...harness.cookieValues, ...hurried.cookieValues])
      expect(logs.includes(secret), `a log line holds ${secret.slice(0, 8)}…`).toBe(false);
    await upstream?.close();
    await idp?.close();
  });

  it('answers 504 upstream_timeout when the upstream sends no headers within the bound', async () => {
    upstream.behave(behaviours.hang());
    expectJsonError(await hurriedBrowser.send('GET', '/api/files/slow'), 504, 'upstream_timeout');
    expect(hurried.logs.some((line) => line.includes('"code":"upstream_timeout"'))).toBe(true);
  });

  it('bounds the body too: a stalled answer is cut (HTTP) or answered 504 (Lambda)', async () => {
    upstream.behave(behaviours.stallBody());
    if (kind === 'lambda') {
      expectJsonError(await hurriedBrowser.send('GET', '/api/files/stall'), 504, 'upstream_timeout');
      return;
    }
    // Headers went out before the stall: the connection is cut, never a complete-looking answer.
    await expectCut(hurriedBrowser.send('GET', '/api/files/stall'));
  });

  it('cuts (HTTP) or answers 502 (Lambda) when the upstream resets in the middle of its body', async () => {
    upstream.behave(behaviours.resetMidBody());
    if (kind === 'lambda') {
      expectJsonError(await browser.send('GET', '/api/files/reset'), 502, 'upstream_unavailable');
      return;
    }
    await expectCut(browser.send('GET', '/api/files/reset'));
  });

  it('relays a large answer intact, chunked and with a length', async () => {
    // Within Lambda's limit once base64-encoded (4.5 MiB × 4/3 = 6 MiB is the ceiling).
    const bytes = kind === 'http' ? 12 * MiB : 4 * MiB;
    for (const chunked of [true, false]) {
      upstream.behave(behaviours.large(bytes, 'application/octet-stream', chunked));
      const response = await browser.send('GET', '/api/files/big');
      expect(response.status).toBe(200);
      expect(response.raw.length).toBe(bytes);
      expect(response.raw.equals(pattern(0, bytes))).toBe(true);
    }
  });

  it.runIf(kind === 'lambda')('answers 502 upstream_response_too_large for an answer Lambda could not return', async () => {
    upstream.behave(behaviours.large(5 * MiB, 'application/octet-stream', true));
    expectJsonError(await browser.send('GET', '/api/files/huge'), 502, 'upstream_response_too_large');
    upstream.behave(behaviours.large(7 * MiB, 'text/plain', false));
    expectJsonError(await browser.send('GET', '/api/files/huge'), 502, 'upstream_response_too_large');
  });

  it.runIf(kind === 'lambda')('answers 413 payload_too_large for a request body above the payload limit', async () => {
    const response = await browser.send('POST', '/api/files/upload', {
      headers: { 'X-CSRF': '1', 'Content-Type': 'application/octet-stream' },
      body: pattern(0, 6 * MiB + 1),
    });
    expectJsonError(response, 413, 'payload_too_large');
    expect(upstream.received).toHaveLength(0);
  });

  it.runIf(kind === 'http')('streams a large request body to the upstream', async () => {
    upstream.behave(behaviours.echo());
    const body = pattern(3, 16 * MiB);
    const response = await browser.send('PUT', '/api/files/upload', {
      headers: { 'X-CSRF': '1', 'Content-Type': 'application/octet-stream' },
      body,
    });
    expect(response.status).toBe(200);
    expect(upstream.last().body.equals(body)).toBe(true);
    expect(response.raw.equals(body)).toBe(true);
  });

  describe.runIf(kind === 'http')('over a real connection', () => {
    let bff: { port: number; close: () => Promise<void> };
    beforeAll(async () => {
      bff = await harness.listen();
    });
    afterAll(() => bff?.close());

    function open(method: string, path: string, headers: Record<string, string> = {}): http.ClientRequest {
      return http.request({ host: '127.0.0.1', port: bff.port, method, path, headers: { cookie: browser.cookieHeader(path), ...headers } });
    }

    it('streams the answer: the first bytes reach the caller before the upstream has finished', async () => {
      const first = pattern(0, 10_000);
      const rest = pattern(10_000, 10_000);
      const gate = behaviours.gated(first, rest);
      upstream.behave(gate.behaviour);
      const request = open('GET', '/api/files/stream');
      request.end();
      const [response] = (await once(request, 'response')) as [http.IncomingMessage];
      const chunks: Buffer[] = [];
      let received = 0;
      await new Promise<void>((resolve) =>
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          received += chunk.length;
          if (received >= first.length) resolve();
        }),
      );
      // Only now may the upstream finish: had the relay buffered, the caller would still be waiting.
      gate.release();
      await once(response, 'end');
      expect(Buffer.concat(chunks).equals(Buffer.concat([first, rest]))).toBe(true);
    });

    it('streams the request body: the upstream sees its first bytes before the caller has sent the rest', async () => {
      upstream.behave(behaviours.echo());
      const request = open('POST', '/api/files/upload', { 'x-csrf': '1', 'content-type': 'application/octet-stream' });
      const started = once(upstream.events, 'body-start');
      request.write(pattern(0, 5_000));
      await started;
      request.end(pattern(5_000, 5_000));
      const [response] = (await once(request, 'response')) as [http.IncomingMessage];
      response.resume();
      await once(response, 'end');
      expect(upstream.last().body.equals(pattern(0, 10_000))).toBe(true);
    });

    it('ends the upstream call when the caller hangs up', async () => {
      upstream.behave(behaviours.hang());
      const request = open('GET', '/api/files/abandoned');
      request.on('error', () => {});
      const reached = once(upstream.events, 'request');
      request.end();
      await reached;
      const aborted = once(upstream.events, 'aborted');
      request.destroy();
      await aborted;
    });

    it('refuses an absolute-form request target naming another host (400), before the upstream', async () => {
      const request = http.request({
        host: '127.0.0.1',
        port: bff.port,
        method: 'GET',
        path: `http://evil.example/api/files/x`,
        headers: { cookie: browser.cookieHeader('/api/files/x') },
      });
      request.end();
      const [response] = (await once(request, 'response')) as [http.IncomingMessage];
      response.resume();
      await once(response, 'end');
      expect(response.statusCode).toBe(400);
      expect(upstream.received).toHaveLength(0);
    });
  });
});
