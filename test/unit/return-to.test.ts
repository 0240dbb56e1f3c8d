import { describe, expect, it } from 'vitest';
import { resolveReturnTo } from '../../src/auth/return-to';

const options = { publicBaseUrl: 'https://api.example.com/dev', allowedOrigins: ['https://api.example.com', 'https://app.example.com'] };

describe('resolveReturnTo', () => {
  it.each([
    ['/', 'https://api.example.com/dev/'],
    ['/dashboard?tab=2#top', 'https://api.example.com/dev/dashboard?tab=2#top'],
    ['https://app.example.com/after-login', 'https://app.example.com/after-login'],
    ['https://api.example.com/elsewhere', 'https://api.example.com/elsewhere'],
  ])('accepts %s', (input, expected) => {
    expect(resolveReturnTo(input, options)).toBe(expected);
  });

  it.each([
    '//evil.com',
    '/\\evil.com',
    '\\\\evil.com',
    '/%2F%2Fevil.com',
    '%2F%2Fevil.com',
    '/%5Cevil.com',
    '/\tevil',
    '/ /evil.com',
    '/\n/evil.com',
    'https://evil.com',
    'https://app.example.com.evil.com/',
    'https://evil.com@app.example.com/',
    'https://user:pass@app.example.com/',
    'http://app.example.com/',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'evil.com',
    '',
    '%E0%A4%A',
    'x'.repeat(3000),
  ])('refuses %j', (input) => {
    expect(resolveReturnTo(input, options)).toBeUndefined();
  });

  it('refuses anything that is not a string (duplicated parameters arrive as arrays)', () => {
    expect(resolveReturnTo(['/a', '/b'], options)).toBeUndefined();
    expect(resolveReturnTo({ a: 1 }, options)).toBeUndefined();
    expect(resolveReturnTo(undefined, options)).toBeUndefined();
  });
});

describe('resolveReturnTo with dot-segments', () => {
  it.each([
    '/..',
    '/../',
    '/../x',
    '/./../x',
    '/a/../../x',
    '/a/b/../../../x',
    '/%2e%2e/x',
    '/%2E%2E/x',
    '/.%2e/x',
    '/%2e./x',
    '/a/%2e%2e/%2E%2e/x',
    '/..%2fx',
    '/%2e%2e%2fx',
    '/%252e%252e/x',
    '/%252e%252e%252fx',
  ])('keeps %j from climbing above the base path (falls back)', (input) => {
    expect(resolveReturnTo(input, options)).toBeUndefined();
  });

  it.each([
    ['/a/../b', 'https://api.example.com/dev/b'],
    ['/a/./b', 'https://api.example.com/dev/a/b'],
    ['/a/%2e%2e/b', 'https://api.example.com/dev/b'],
    ['/..a/b', 'https://api.example.com/dev/..a/b'],
  ])('resolves %j below the base path', (input, expected) => {
    expect(resolveReturnTo(input, options)).toBe(expected);
  });

  it('lets a base URL without a path resolve dot-segments to its root', () => {
    const root = { ...options, publicBaseUrl: 'https://api.example.com' };
    expect(resolveReturnTo('/../../x', root)).toBe('https://api.example.com/x');
  });
});
