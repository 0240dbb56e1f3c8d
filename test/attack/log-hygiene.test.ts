/**
 * Log hygiene (OWASP ASVS V7; log injection): what the BFF has not verified reaches a log line only as a bounded,
 * charset-filtered fact: a token's `alg` and `kid`, a request path, an Origin, a Content-Encoding, an IdP's error code.
 * Every case sends kilobytes of attacker text with a marker past the bound, and characters meant to fool a log reader.
 */
import { describe, expect, it } from 'vitest';
import type { FakeIdp } from '../support/fake-idp';
import { RUNTIMES } from '../support/harness';
import { Browser, callbackPath, expectRefusedSignIn, startLogin, type AttackHarness, useAttackTarget } from './support';

const MARKER = 'MARKER-PAST-THE-BOUND';
/** Attacker text: quotes, a newline, a fake JSON log line and escapes, a kilobyte of padding, then the marker. */
const HOSTILE = `x"\n{"level":"error","msg":"forged"}\u001b[31m\u202e${'A'.repeat(2000)}${MARKER}`;
/** The longest log line any of these requests may cause. */
const MAX_LINE = 1_000;

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe.each(RUNTIMES)('log hygiene (%s)', (kind) => {
  let idp: FakeIdp;
  let harness: AttackHarness;
  useAttackTarget(kind, (started) => ({ idp, harness } = started));

  /** The log lines written since `from`, checked for size and content; returned for more checks. */
  function linesSince(from: number): string[] {
    const lines = harness.logs.slice(from);
    for (const line of lines) {
      expect(line.length, line.slice(0, 200)).toBeLessThanOrEqual(MAX_LINE);
      expect(line).not.toContain(MARKER);
      // eslint-disable-next-line no-control-regex -- an escape character is exactly what must not reach the log
      expect(line).not.toMatch(/[\u001b\u202e]/);
      // One JSON object a line: nothing the attacker sent split it or forged a field.
      expect((JSON.parse(line) as { msg?: unknown }).msg).not.toBe('forged');
    }
    return lines;
  }

  /** Tokens whose unverified header carries hostile text in every field a log line might name. */
  async function hostileTokens(): Promise<[string, string][]> {
    const payload = b64({ sub: 'x', exp: Math.floor(Date.now() / 1000) + 600, token_use: 'access' });
    return [
      ['a valid signature under a kilobyte-long kid', await idp.signAccessToken({}, { header: { kid: HOSTILE } })],
      ['a kilobyte-long alg', `${b64({ alg: HOSTILE, kid: idp.keys[0]!.kid })}.${payload}.c2ln`],
      ['a hostile kid and alg, bad signature', `${b64({ alg: 'RS256', kid: HOSTILE, typ: HOSTILE })}.${payload}.c2ln`],
      ['a non-string kid', `${b64({ alg: 'RS256', kid: { nested: HOSTILE } })}.${payload}.c2ln`],
      ['a jku pointing at hostile text', await idp.signAccessToken({}, { header: { jku: HOSTILE } })],
      ['a hostile issuer under a valid signature', await idp.signAccessToken({ iss: HOSTILE })],
    ];
  }

  it('logs a reason code and bounded alg/kid facts for a refused token, never the header verbatim', async () => {
    const from = harness.logs.length;
    for (const [name, token] of await hostileTokens()) {
      for (const headers of [{ Authorization: `Bearer ${token}` }, { Cookie: `__Host-bff-at=${token}` }] as Record<string, string>[]) {
        const tests = await harness.target.request('GET', '/tests', { headers });
        expect(tests.status, name).toBe(401);
        expect((await harness.target.request('GET', '/auth/session', { headers })).status, name).toBe(401);
      }
      // A new kid costs one JWKS refetch, then aws-jwt-verify waits: end the wait so every case takes the same path.
      harness.penaltyBox.release(harness.config.cognito.jwksUri);
    }
    const lines = linesSince(from);
    const reasons = lines.filter((line) => line.includes('"reason"')).join('\n');
    expect(reasons).toMatch(/kid_not_found \(alg=RS256, kid=x\?\?/);
    expect(reasons).toMatch(/alg_not_allowed|malformed|invalid/);
  });

  it('logs the same bounded facts when the IdP itself hands over such a token at sign-in', async () => {
    const from = harness.logs.length;
    for (const [name, token] of await hostileTokens()) {
      const browser = new Browser(harness);
      const { authorizeUrl, state } = await startLogin(browser);
      idp.tokenFault = { kind: 'override', respond: (issued) => ({ ...issued, access_token: token }) };
      const callback = await browser.send('GET', callbackPath(harness, { code: idp.issueCode(authorizeUrl), state }));
      expectRefusedSignIn(harness, callback);
      expect(callback.status, name).toBe(302);
      harness.penaltyBox.release(harness.config.cognito.jwksUri);
    }
    idp.tokenFault = { kind: 'status', status: 400, body: JSON.stringify({ error: HOSTILE }), contentType: 'application/json' };
    const browser = new Browser(harness);
    const { authorizeUrl, state } = await startLogin(browser);
    expectRefusedSignIn(
      harness,
      await browser.send('GET', callbackPath(harness, { code: idp.issueCode(authorizeUrl), state })),
      'idp_error',
    );
    expect(linesSince(from).some((line) => line.includes('sign_in_failed'))).toBe(true);
  });

  it('bounds the path, Origin and Content-Encoding of a refused request in its log line', async () => {
    const from = harness.logs.length;
    const long = encodeURIComponent(HOSTILE).slice(0, 6000) + MARKER;
    for (const path of [`/auth/${long}`, `/nothing/${long}`, `/auth/login/${long}`]) {
      expect((await harness.target.request('GET', path)).status, path.slice(0, 20)).toBeLessThan(500);
    }
    const origin = `https://${'o'.repeat(3000)}${MARKER}.example`;
    expect((await harness.target.request('POST', '/auth/refresh', { headers: { Origin: origin, 'X-CSRF': '1' } })).status).toBe(403);
    const encoding = `gzip${' ,x'.repeat(1000)}${MARKER}`;
    const post = await harness.target.request('POST', '/auth/callback', {
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': encoding },
      body: '{}',
    });
    expect(post.status).toBe(415);
    const lines = linesSince(from);
    expect(lines.filter((line) => line.includes('request refused')).length).toBeGreaterThanOrEqual(5);
  });
});
