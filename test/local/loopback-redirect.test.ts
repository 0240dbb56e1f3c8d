/**
 * Local stack: a browser on the other loopback spelling (127.0.0.1 vs localhost) is sent to PUBLIC_BASE_URL's origin,
 * so the sign-in's cookies stay on one origin (src/local/loopback-redirect.ts), over a real HTTP server.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackRedirect } from '../../src/local/loopback-redirect';

describe('loopbackRedirect', () => {
  let server: http.Server;
  let port = 0;
  let redirect: ReturnType<typeof loopbackRedirect> = () => false;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (!redirect(req, res)) res.writeHead(200, { 'Content-Type': 'text/plain' }).end('served');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** A request to 127.0.0.1 that says it is for `host`, as a browser opening that URL would. */
  function get(host: string, path: string, headers: Record<string, string> = {}, method = 'GET') {
    return new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
      const request = http.request({ host: '127.0.0.1', port, path, method, headers: { host, ...headers } }, (response) => {
        response.resume();
        resolve({ status: response.statusCode ?? 0, location: response.headers.location });
      });
      request.on('error', reject);
      request.end();
    });
  }

  it('sends 127.0.0.1 to the configured localhost origin, path and query kept', async () => {
    redirect = loopbackRedirect(`http://localhost:${port}`);
    expect(await get(`127.0.0.1:${port}`, '/')).toEqual({ status: 302, location: `http://localhost:${port}/` });
    expect(await get(`127.0.0.1:${port}`, '/auth/login?returnTo=%2Fx')).toEqual({
      status: 302,
      location: `http://localhost:${port}/auth/login?returnTo=%2Fx`,
    });
    expect(await get(`[::1]:${port}`, '/app.js')).toEqual({ status: 302, location: `http://localhost:${port}/app.js` });
  });

  it('works the other way round when PUBLIC_BASE_URL says 127.0.0.1', async () => {
    redirect = loopbackRedirect(`http://127.0.0.1:${port}`);
    expect(await get(`localhost:${port}`, '/')).toEqual({ status: 302, location: `http://127.0.0.1:${port}/` });
    expect((await get(`127.0.0.1:${port}`, '/')).status).toBe(200);
  });

  it('leaves alone the configured spelling, Bearer clients, the health check, non-GET requests and proxied requests', async () => {
    redirect = loopbackRedirect(`http://localhost:${port}`);
    expect((await get(`localhost:${port}`, '/')).status).toBe(200);
    expect((await get(`LOCALHOST:${port}`, '/')).status).toBe(200);
    expect((await get(`127.0.0.1:${port}`, '/tests', { authorization: 'Bearer x' })).status).toBe(200);
    expect((await get(`127.0.0.1:${port}`, '/healthz')).status).toBe(200);
    expect((await get(`127.0.0.1:${port}`, '/auth/logout', {}, 'POST')).status).toBe(200);
    expect((await get(`127.0.0.1:${port}`, '/', { 'x-forwarded-host': 'app.example.com' })).status).toBe(200);
    expect((await get(`127.0.0.1:${port + 1}`, '/')).status).toBe(200);
    expect((await get('app.example.com', '/')).status).toBe(200);
  });

  it('never redirects off this origin: a path that would read as another host stays', async () => {
    redirect = loopbackRedirect(`http://localhost:${port}`);
    expect((await get(`127.0.0.1:${port}`, '//evil.example/')).status).toBe(200);
  });

  it('does nothing when PUBLIC_BASE_URL is not a loopback URL (a tunnel or proxy in front)', async () => {
    redirect = loopbackRedirect('https://dev.example.com');
    expect((await get(`127.0.0.1:${port}`, '/')).status).toBe(200);
    expect((await get(`localhost:${port}`, '/')).status).toBe(200);
  });
});
