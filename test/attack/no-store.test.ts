/**
 * No answer is cacheable (RFC 9111; browser-based-apps BFF draft: responses carrying session state must not be
 * cached): every answer of every auth route carries `Cache-Control: no-store`, however the path was spelled (the base
 * path, another letter case, a trailing slash, encoded characters), whatever the status, on both runtimes.
 */
import { describe, expect, it } from 'vitest';
import type { FakeIdp } from '../support/fake-idp';
import { RUNTIMES } from '../support/harness';
import type { TargetResponse } from '../support/targets';
import express from 'express';
import { createBff } from '../../src/index';
import { httpTarget } from '../support/targets';
import { Browser, buildAttackHarness, signIn, type AttackHarness, useAttackTarget } from './support';

const BASE = '/base';

/** The same route in every spelling Express (or a proxy in front of it) may accept. */
function spellings(path: string, basePath: string): string[] {
  const upper = path.toUpperCase();
  const mixed = path.replace(/(^|\/)([a-z])/g, (_m, slash: string, letter: string) => slash + letter.toUpperCase());
  const encoded = path.replace(/[a-z]$/, (letter) => `%${letter.charCodeAt(0).toString(16)}`);
  const forms = [
    path,
    upper,
    mixed,
    `${path}/`,
    `${upper}/`,
    encoded,
    path.replace('/auth/', '/auth//'),
    path.replace('/auth/', '/auth/./'),
  ];
  return basePath ? [...forms, ...forms.map((form) => basePath + form), ...forms.map((form) => basePath.toUpperCase() + form)] : forms;
}

describe.each(RUNTIMES)('no-store on every answer (%s)', (kind) => {
  let idp: FakeIdp;
  let harness: AttackHarness;
  useAttackTarget(kind, (started) => ({ idp, harness } = started));

  /** The harness under test: on http, one whose PUBLIC_BASE_URL has a path, so that the base-path spellings exist too. */
  function target(): { harness: AttackHarness; basePath: string } {
    if (kind === 'lambda') return { harness, basePath: harness.config.basePath };
    const based = buildAttackHarness('http', idp, { env: { PUBLIC_BASE_URL: `http://localhost:3000${BASE}` } });
    return { harness: based, basePath: BASE };
  }

  function expectNoStore(response: TargetResponse, what: string): void {
    expect(response.status, what).toBeLessThan(500);
    expect(response.headers['cache-control'], `${what} (${response.status})`).toBe('no-store');
  }

  it('on every auth route, every spelling of its path, every outcome', async () => {
    const { harness: h, basePath } = target();
    const json = { 'Content-Type': 'application/json' };
    const requests: [string, string, Record<string, string>, string?][] = [
      ['GET', '/auth/login', {}],
      ['GET', '/auth/login?returnTo=%2Fx', {}],
      ['GET', '/auth/callback?code=c&state=s', {}],
      ['GET', '/auth/callback?error=access_denied', {}],
      ['POST', '/auth/callback', json, '{"code":"c","redirectUri":"x"}'],
      ['POST', '/auth/callback', json, 'not json'],
      ['POST', '/auth/callback', { 'Content-Type': 'text/plain' }, 'x'],
      ['GET', '/auth/session', {}],
      ['GET', '/auth/session', { Cookie: '__Host-bff-at=garbage' }],
      ['POST', '/auth/refresh', { 'X-CSRF': '1' }],
      ['POST', '/auth/refresh', { Cookie: '__Host-bff-session=x' }],
      ['POST', '/auth/logout', { 'X-CSRF': '1' }],
      ['POST', '/auth/logout', { Origin: 'https://evil.example' }],
      ['OPTIONS', '/auth/session', { Origin: h.config.publicOrigin, 'Access-Control-Request-Method': 'POST' }],
      ['OPTIONS', '/auth/refresh', { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' }],
      ['GET', '/auth/nothing-here', {}],
      ['PUT', '/auth/session', {}],
    ];
    let checked = 0;
    for (const [method, url, headers, body] of requests) {
      const [path = '', query] = url.split('?');
      for (const spelled of spellings(path, basePath)) {
        const sent = query === undefined ? spelled : `${spelled}?${query}`;
        expectNoStore(await h.target.request(method, sent, { headers, ...(body === undefined ? {} : { body }) }), `${method} ${sent}`);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('on a signed-in session and its refresh, the sign-in redirect, and every other route', async () => {
    const { harness: h, basePath } = target();
    const browser = new Browser(h);
    const { callback } = await signIn(h, browser);
    expect(callback.status).toBe(302);
    expectNoStore(callback, 'callback');
    for (const path of spellings('/auth/session', basePath)) expectNoStore(await browser.send('GET', path), path);
    expectNoStore(await browser.send('POST', '/auth/refresh', { headers: { 'X-CSRF': '1' } }), 'refresh');
    for (const path of ['/tests', '/TESTS', '/tests/', '/healthz', '/nothing', `${basePath}/tests`]) {
      expectNoStore(await browser.send('GET', path), path);
    }
    expectNoStore(await browser.send('POST', '/auth/logout', { headers: { 'X-CSRF': '1' } }), 'logout');
  });
});

describe("no-store on every answer of the library router in a team's app", () => {
  let idp: FakeIdp;
  let harness: AttackHarness;
  useAttackTarget('http', (started) => ({ idp, harness } = started));

  it("on every auth answer the router gives, in every spelling that reaches it, the team's routes left alone", async () => {
    const bff = createBff({
      publicBaseUrl: 'http://localhost:3000/base',
      userPoolId: idp.poolId,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      cognitoDomain: idp.url,
      issuer: idp.issuer,
      cookieKeys: harness.config.cookieKeys.map((key) => key.toString('base64url')),
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const app = express();
    app.use(bff.router);
    app.get('/team/page', (_req, res) => void res.set('Cache-Control', 'max-age=60').send('team'));
    const target = httpTarget(app);
    let answeredByBff = 0;
    for (const [method, path] of [
      ['GET', '/auth/login'],
      ['GET', '/auth/session'],
      ['POST', '/auth/refresh'],
      ['POST', '/auth/logout'],
      ['GET', '/auth/callback'],
      ['GET', '/auth/nothing'],
    ] as const) {
      for (const spelled of spellings(path, BASE)) {
        const response = await target.request(method, spelled);
        expect(response.status).toBeLessThan(500);
        // A spelling the router does not take (another letter case of its prefix) is the team's app's to answer.
        if (!String(response.headers['content-type']).startsWith('application/json') && response.status !== 302) continue;
        answeredByBff += 1;
        expect(response.headers['cache-control'], `${method} ${spelled} (${response.status})`).toBe('no-store');
      }
    }
    expect(answeredByBff).toBeGreaterThan(40);
    expect((await target.request('GET', '/team/page')).headers['cache-control']).toBe('max-age=60');
  });
});
