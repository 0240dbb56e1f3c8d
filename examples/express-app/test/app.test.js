// The example's own suite: a real sign-in through the Cognito hosted UI (locally: cognito-local's form), then the
// team's routes with the session cookies the BFF set. Configuration comes from the environment (optionsFromEnv);
// EXAMPLE_USERNAME and EXAMPLE_PASSWORD name a user of the pool who is in the group `testers` and not in `admins`.
const assert = require('node:assert/strict');
const { before, describe, it } = require('node:test');
const request = require('supertest');
const { optionsFromEnv } = require('cognito-bff');
const { createApp } = require('../app');

/** The cookies a browser would keep (the BFF's cookies are Secure; browsers send them to http://localhost too). */
class Jar {
  cookies = new Map();
  apply(response) {
    for (const header of response.headers['set-cookie'] ?? []) {
      const [pair] = header.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      if (/;\s*max-age=0/i.test(header) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** What a browser does on the hosted UI: fill in the form and follow the redirect back to the app's callback. */
async function signInOnHostedUi(authorizeUrl, username, password) {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  assert.equal(page.status, 200, 'the sign-in form');
  const html = await page.text();
  const action = new URL(/<form[^>]*action="([^"]*)"/i.exec(html)?.[1] ?? authorizeUrl, authorizeUrl);
  const fields = new URLSearchParams();
  for (const [, name, value] of html.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/gi)) fields.set(name, value);
  fields.set('username', username);
  fields.set('password', password);
  const submitted = await fetch(action.href.replace(/&amp;/g, '&'), { method: 'POST', redirect: 'manual', body: fields });
  assert.equal(submitted.status, 302, 'the form redirects back to the app');
  return new URL(submitted.headers.get('location'), action);
}

describe('the example app', () => {
  let app;
  const jar = new Jar();

  before(async () => {
    const created = createApp(optionsFromEnv(process.env));
    app = created.app;
    await created.ready();
  });

  it('serves its open route to anyone', async () => {
    const response = await request(app).get('/api/hello');
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { hello: 'world' });
  });

  it('refuses its signed-in route without a session: 401 with WWW-Authenticate: Bearer', async () => {
    const response = await request(app).get('/api/me');
    assert.equal(response.status, 401);
    assert.equal(response.headers['www-authenticate'], 'Bearer');
    assert.equal(response.body.error, 'unauthenticated');
  });

  it('signs in through the hosted UI and the BFF routes', async () => {
    const login = await request(app).get('/auth/login?returnTo=/after');
    assert.equal(login.status, 302);
    jar.apply(login);
    const callback = await signInOnHostedUi(login.headers.location, process.env.EXAMPLE_USERNAME, process.env.EXAMPLE_PASSWORD);
    const landed = await request(app)
      .get(callback.pathname + callback.search)
      .set('Cookie', jar.header());
    assert.equal(landed.status, 302);
    assert.match(landed.headers.location, /\/after$/);
    jar.apply(landed);
    const session = await request(app).get('/auth/session').set('Cookie', jar.header());
    assert.equal(session.status, 200);
    assert.equal(session.body.authenticated, true);
  });

  it('serves its signed-in route with req.auth from the session cookie', async () => {
    const response = await request(app).get('/api/me').set('Cookie', jar.header());
    assert.equal(response.status, 200);
    assert.equal(response.body.via, 'cookie');
    assert.ok(response.body.sub);
    assert.ok(response.body.groups.includes('testers'));
  });

  it('serves its group route to a member and refuses a non-member with 403 forbidden', async () => {
    const member = await request(app).get('/api/reports').set('Cookie', jar.header());
    assert.equal(member.status, 200);
    assert.deepEqual(member.body, { reports: ['weekly', 'monthly'] });
    const other = await request(app).get('/api/admin').set('Cookie', jar.header());
    assert.equal(other.status, 403);
    assert.equal(other.body.error, 'forbidden');
  });

  it('signs out: the session ends for its routes', async () => {
    const logout = await request(app).post('/auth/logout').set('Cookie', jar.header()).set('X-CSRF', '1');
    assert.equal(logout.status, 200);
    jar.apply(logout);
    assert.equal((await request(app).get('/api/me').set('Cookie', jar.header())).status, 401);
  });
});
