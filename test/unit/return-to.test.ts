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
