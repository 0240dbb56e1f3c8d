/**
 * The standalone app is a consumer of the library: its /tests is a route behind requireAuth, and the demo SPA is
 * served only when SERVE_DEMO_SPA says so (the local stack turns it on; a production container does not).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';
import { FakeIdp } from '../support/fake-idp';
import { buildHarness } from '../support/harness';

describe('the standalone app', () => {
  let idp: FakeIdp;
  beforeAll(async () => {
    idp = await FakeIdp.start();
  });
  afterAll(async () => {
    await idp.close();
  });

  it('does not serve the demo SPA by default', async () => {
    expect(parseConfig(idp.env()).serveDemoSpa).toBe(false);
    const { target } = buildHarness('http', idp.env());
    const page = await target.request('GET', '/');
    expect(page.status).toBe(404);
    expect(page.body).toMatchObject({ error: 'not_found' });
  });

  it('serves the demo SPA with SERVE_DEMO_SPA=true, under its security headers', async () => {
    const { target } = buildHarness('http', idp.env({ SERVE_DEMO_SPA: 'true' }));
    const page = await target.request('GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect((await target.request('GET', '/app.js')).status).toBe(200);
  });

  it('guards /tests with requireAuth: 401 with WWW-Authenticate, then the caller from a Bearer token', async () => {
    const { target } = buildHarness('http', idp.env());
    const refused = await target.request('GET', '/tests');
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Bearer');
    const token = await idp.signAccessToken();
    const served = await target.request('GET', '/tests', { headers: { Authorization: `Bearer ${token}` } });
    expect(served.status).toBe(200);
    expect(served.body.user).toEqual({ sub: idp.user.sub, username: 'alice', groups: ['testers'], scope: ['openid', 'email', 'profile'] });
  });
});
