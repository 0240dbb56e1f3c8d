import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPA_DIR } from '../../src/local/spa-dir';

const read = (file: string) => readFileSync(path.join(SPA_DIR, file), 'utf8');
/** The SPA's own ES modules, loaded as the browser loads them (a computed specifier: TypeScript leaves .js files alone). */
const load = async <T>(file: string): Promise<T> => (await import(path.join(SPA_DIR, file) as string)) as T;

describe('the demo SPA', () => {
  it('lives in SPA_DIR with its page, modules and stylesheet', () => {
    expect(path.isAbsolute(SPA_DIR)).toBe(true);
    for (const file of ['index.html', 'app.js', 'auth-errors.js', 'user-name.js', 'style.css']) {
      expect(existsSync(path.join(SPA_DIR, file))).toBe(true);
    }
  });

  it('has the element ids end-to-end tests target', () => {
    const html = read('index.html');
    for (const id of [
      'status',
      'user',
      'sign-in',
      'call-tests',
      'tests-result',
      'refresh',
      'sign-out',
      'sign-out-everywhere',
      'error',
      'sessions',
    ]) {
      expect(html).toContain(`id="${id}"`);
    }
  });

  it("works under `default-src 'self'`: no inline script, inline style or style attribute", () => {
    const html = read('index.html');
    for (const [script] of html.matchAll(/<script\b[^>]*>[\s\S]*?<\/script>/gi)) {
      expect(script).toMatch(/^<script src="[^"]+"[^>]*><\/script>$/);
    }
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/\son[a-z]+=/i); // no inline event handlers
  });

  it('stores nothing in the browser, writes no HTML from strings, and talks to the BFF through the browser client', () => {
    for (const file of ['app.js', 'auth-errors.js', 'user-name.js']) {
      expect(read(file)).not.toMatch(/localStorage|sessionStorage|document\.cookie|innerHTML|outerHTML|insertAdjacentHTML/);
    }
    const script = read('app.js');
    expect(script).toContain("from './bff-client.js'");
    expect(script).toContain('createBffClient(');
  });
});

describe('auth_error messages (issue 16.11)', () => {
  type Module = { authErrorMessage(code: string | null): string; GENERIC_AUTH_ERROR: string };

  it('has a sentence of its own for every code the callback reports, and for the IdP’s OAuth errors', async () => {
    const { authErrorMessage, GENERIC_AUTH_ERROR } = await load<Module>('auth-errors.js');
    const codes = ['invalid_state', 'invalid_request', 'invalid_grant', 'invalid_token', 'idp_unavailable', 'idp_timeout', 'idp_error'];
    for (const code of [...codes, 'idp_bad_response', 'session_too_large', 'access_denied', 'server_error', 'temporarily_unavailable']) {
      const message = authErrorMessage(code);
      expect(message, code).not.toBe(GENERIC_AUTH_ERROR);
      expect(message, code).not.toContain(code);
    }
  });

  it('shows the generic sentence for anything else, never the text it was given', async () => {
    const { authErrorMessage, GENERIC_AUTH_ERROR } = await load<Module>('auth-errors.js');
    for (const code of [
      'Your account is locked: call +1 555 0100',
      '<img src=x onerror=alert(1)>',
      '',
      null,
      'constructor',
      '__proto__',
      'toString',
    ]) {
      expect(authErrorMessage(code), String(code)).toBe(GENERIC_AUTH_ERROR);
    }
  });
});

describe('the name the SPA greets the user by (issue 15.4)', () => {
  type Module = { displayName(user: { sub?: string; username?: string; email?: string }): string };

  it('is the username where Cognito has one, the e-mail where the username is the sub (cognito-local)', async () => {
    const { displayName } = await load<Module>('user-name.js');
    expect(displayName({ sub: 's-1', username: 'alice', email: 'alice@example.com' })).toBe('alice');
    expect(displayName({ sub: 's-1', username: 's-1', email: 'alice@example.com' })).toBe('alice@example.com');
    expect(displayName({ sub: 's-1', username: 's-1' })).toBe('s-1');
  });
});
