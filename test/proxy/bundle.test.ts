/**
 * The token relay in the shipped Lambda bundle: `API_PROXY` from the environment, as Lambda's module scope reads it,
 * and undici loaded from its own file beside `index.js` on the first relayed request (scripts/bundle-lambda.mjs).
 */
import { SimplePenaltyBox } from 'aws-jwt-verify/jwk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, signIn, type AttackHarness } from '../attack/support';
import { FakeIdp } from '../support/fake-idp';
import { BASE_URLS, buildBundleHarness } from '../support/harness';
import { behaviours, pattern, startUpstream, type Upstream } from '../support/upstream';

describe('token relay in the built Lambda bundle', () => {
  let idp: FakeIdp;
  let upstream: Upstream;
  let harness: AttackHarness;
  let browser: Browser;

  beforeAll(async () => {
    idp = await FakeIdp.start();
    upstream = await startUpstream();
    const bundle = await buildBundleHarness({
      ...idp.env(),
      PUBLIC_BASE_URL: BASE_URLS.lambda,
      API_PROXY: `/api/orders=${upstream.url}/v1`,
      LOG_LEVEL: 'debug',
    });
    harness = { ...bundle, kind: 'lambda', idp, metrics: [], penaltyBox: new SimplePenaltyBox(), cookieValues: new Set() };
    browser = new Browser(harness);
    const { callback } = await signIn(harness, browser);
    expect(callback.status).toBe(302);
  }, 60_000);
  afterAll(async () => {
    await upstream?.close();
    await idp?.close();
  });

  it('relays with the verified token, and a binary body intact both ways', async () => {
    upstream.behave(behaviours.echo());
    const body = pattern(11, 100_000);
    const response = await browser.send('PUT', '/api/orders/7?x=1', {
      headers: { 'X-CSRF': '1', 'Content-Type': 'application/octet-stream' },
      body,
    });
    expect(response.status, response.text).toBe(200);
    expect(upstream.last().url).toBe('/v1/7?x=1');
    expect(upstream.last().headers.authorization).toEqual([`Bearer ${browser.jar.get('__Host-bff-at')!.value}`]);
    expect(upstream.last().headers.cookie).toBeUndefined();
    expect(upstream.last().body.equals(body)).toBe(true);
    expect(response.raw.equals(body)).toBe(true);
    for (const secret of [...idp.issued, ...harness.cookieValues]) expect(harness.logs.join('\n')).not.toContain(secret);
  });
});
