import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPA_DIR } from '../../src/local/spa-dir';

const read = (file: string) => readFileSync(path.join(SPA_DIR, file), 'utf8');

describe('the demo SPA', () => {
  it('lives in SPA_DIR with its page, script and stylesheet', () => {
    expect(path.isAbsolute(SPA_DIR)).toBe(true);
    for (const file of ['index.html', 'app.js', 'style.css']) expect(existsSync(path.join(SPA_DIR, file))).toBe(true);
  });

  it('has the element ids end-to-end tests target', () => {
    const html = read('index.html');
    for (const id of ['status', 'user', 'sign-in', 'call-tests', 'tests-result', 'refresh', 'sign-out', 'error']) {
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

  it('stores nothing in the browser and sends cookies and the CSRF header on unsafe calls', () => {
    const script = read('app.js');
    expect(script).not.toMatch(/localStorage|sessionStorage|document\.cookie|innerHTML/);
    expect(script).toContain("credentials: 'include'");
    expect(script).toContain("headers['X-CSRF'] = '1'");
  });
});
