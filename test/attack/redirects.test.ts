/**
 * Open redirects through `returnTo` (RFC 9700 4.11, OWASP ASVS 5.1.5) and CORS from foreign origins. Each `returnTo`
 * attempt goes through a whole sign-in: where the callback finally sends the browser is what counts.
 */
import { describe, expect, it } from 'vitest';
import { RUNTIMES } from '../support/harness';
import { Browser, buildAttackHarness, expectJsonError, signIn, type AttackHarness, useAttackTarget } from './support';

const SPA_ORIGIN = 'https://app.example.com';

/** `returnTo` values as they appear in the query string (already percent-encoded where a browser would). */
function openRedirects(publicOrigin: string): string[] {
  const host = new URL(publicOrigin).host;
  const raw = [
    '//evil.com',
    '///evil.com',
    '////evil.com/',
    '/\\evil.com',
    '\\\\evil.com',
    '\\/evil.com',
    '/\\/evil.com',
    'https://evil.com',
    'http://evil.com',
    'HTTPS://EVIL.COM',
    'https:evil.com',
    'https:/evil.com',
    `${publicOrigin}.evil.com`,
    `${publicOrigin}.evil.com/`,
    `https://evil.com@${host}`,
    `${publicOrigin}@evil.com`,
    `https://${host}:@evil.com`,
    `https://evil.com#${publicOrigin}`,
    `https://evil.com?${publicOrigin}`,
    `${SPA_ORIGIN}.evil.com`,
    `https://evil.com\\@${new URL(SPA_ORIGIN).host}`,
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    'ftp://evil.com',
    '/\t/evil.com',
    '/\n/evil.com',
    '/\r\n/evil.com',
    '\t//evil.com',
    ' //evil.com',
    '/%09/evil.com',
    '/%5Cevil.com',
    '/%2F%2Fevil.com',
    '%2F%2Fevil.com',
    '%252F%252Fevil.com',
    '/%2fevil.com',
    '//evil%E3%80%82com',
    '/\u2028/evil.com',
    '//evil.com\u0000',
    'evil.com',
    '.evil.com',
    `${'/'.repeat(3000)}evil.com`,
  ];
  return raw
    .map((value) => encodeURIComponent(value))
    .concat([
      // Sent without encoding the slashes and percent signs a second time: the server sees these after one decoding.
      '//evil.com',
      '/%2F%2Fevil.com',
      '%2F%2Fevil.com',
      '/%5C%5Cevil.com',
      '%5C%5Cevil.com',
      '/%09/evil.com',
      'https:%2F%2Fevil.com',
    ]);
}

describe.each(RUNTIMES)('redirect and CORS attacks (%s)', (kind) => {
  let harness: AttackHarness;
  useAttackTarget(kind, (started) => ({ harness } = started), { env: { ALLOWED_ORIGINS: SPA_ORIGIN } });

  async function landing(rawReturnTo: string): Promise<string> {
    const { callback } = await signIn(harness, new Browser(harness), { rawQuery: `returnTo=${rawReturnTo}` });
    expect(callback.status).toBe(302);
    return String(callback.headers.location);
  }

  it('lands on same-origin paths and allowed origins (the control)', async () => {
    expect(await landing(encodeURIComponent('/account?tab=1#top'))).toBe(`${harness.config.publicBaseUrl}/account?tab=1#top`);
    expect(await landing(encodeURIComponent(`${SPA_ORIGIN}/after`))).toBe(`${SPA_ORIGIN}/after`);
    expect(await landing(encodeURIComponent(`${harness.config.publicOrigin}/x`))).toBe(`${harness.config.publicOrigin}/x`);
  });

  it('falls back to the default target for every open-redirect attempt', async () => {
    const attempts = openRedirects(harness.config.publicOrigin);
    const landed = await Promise.all(attempts.map(async (attempt) => ({ attempt, location: await landing(attempt) })));
    expect(landed.filter(({ location }) => location !== harness.config.postLoginUrl)).toEqual([]);
    expect(landed).toHaveLength(attempts.length);
  });

  it('keeps a relative returnTo below the base path, whatever dot-segments it holds (plain, encoded, mixed)', async () => {
    // On http, a base URL with a path of its own; on Lambda, the stage is the base path.
    const based =
      kind === 'lambda' ? harness : buildAttackHarness('http', harness.idp, { env: { PUBLIC_BASE_URL: 'http://localhost:3000/app' } });
    const base = based.config.publicBaseUrl;
    const land = async (raw: string) => {
      const { callback } = await signIn(based, new Browser(based), { rawQuery: `returnTo=${raw}` });
      expect(callback.status).toBe(302);
      return String(callback.headers.location);
    };
    const climbing = [
      '/..',
      '/../',
      '/../elsewhere',
      '/./../elsewhere',
      '/a/../../elsewhere',
      '/%2e%2e/elsewhere',
      '/%2E%2E/elsewhere',
      '/.%2e/elsewhere',
      '/%2e./elsewhere',
      '/a/%2e%2e/%2E%2e/elsewhere',
      '/..%2felsewhere',
      '/%2e%2e%2felsewhere',
      '/%252e%252e/elsewhere',
      '/%252e%252e%252felsewhere',
      '/..\\elsewhere',
      '/%2e%2e%5celsewhere',
      '/.%2E/.%2E/.%2E/elsewhere',
    ];
    const attempts = [...climbing.map((value) => encodeURIComponent(value)), ...climbing.filter((value) => !value.includes('\\'))];
    const landed = await Promise.all(attempts.map(async (attempt) => ({ attempt, location: await land(attempt) })));
    expect(landed.filter(({ location }) => location !== based.config.postLoginUrl)).toEqual([]);
    // The control: dot-segments that stay below the base path resolve there.
    expect(await land(encodeURIComponent('/a/../b?x=1'))).toBe(`${base}/b?x=1`);
    expect(await land(encodeURIComponent('/a/%2e%2e/b'))).toBe(`${base}/b`);
  });

  it('never puts a raw CR or LF into the Location header', async () => {
    const browser = new Browser(harness);
    const login = await browser.send('GET', '/auth/login?returnTo=%2Ffoo%0D%0ASet-Cookie:%20injected=1');
    expect(login.status).toBe(302);
    expect(String(login.headers.location)).not.toMatch(/[\r\n]/);
    expect(JSON.stringify(login.headers)).not.toContain('injected');
  });

  it('gives a preflight from a foreign origin no CORS headers', async () => {
    for (const origin of [
      'https://evil.com',
      'null',
      `${SPA_ORIGIN}.evil.com`,
      SPA_ORIGIN.replace('https:', 'http:'),
      `${SPA_ORIGIN}:443`,
      `${SPA_ORIGIN}/`,
    ]) {
      const preflight = await harness.target.request('OPTIONS', '/auth/session', {
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-csrf' },
      });
      expectJsonError(preflight, 403, 'origin_not_allowed');
      for (const header of Object.keys(preflight.headers)) expect(header.startsWith('access-control-')).toBe(false);
    }
  });

  it('gives a simple request from a foreign origin no CORS headers (the browser then hides the response)', async () => {
    const response = await harness.target.request('GET', '/auth/session', { headers: { Origin: 'https://evil.com' } });
    expect(response.status).toBe(401);
    for (const header of Object.keys(response.headers)) expect(header.startsWith('access-control-')).toBe(false);
    expect(String(response.headers.vary)).toMatch(/Origin/i);
  });

  it('echoes an allowed origin exactly, with credentials, never *', async () => {
    const preflight = await harness.target.request('OPTIONS', '/auth/refresh', {
      headers: { Origin: SPA_ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-csrf' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(SPA_ORIGIN);
    expect(preflight.headers['access-control-allow-credentials']).toBe('true');
    expect(String(preflight.headers['access-control-allow-headers'])).toMatch(/X-CSRF/i);
  });

  it('refuses Origin: null on every unsafe route', async () => {
    for (const path of ['/auth/refresh', '/auth/logout', '/auth/callback']) {
      const response = await harness.target.request('POST', path, {
        headers: { Origin: 'null', 'X-CSRF': '1', 'Content-Type': 'application/json' },
        body: '{}',
      });
      expectJsonError(response, 403, 'origin_not_allowed');
    }
  });
});
