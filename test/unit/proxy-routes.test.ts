/** Relay routes as users write them (every form of the apiProxy option), and the upstream path a request maps to. */
import { describe, expect, it } from 'vitest';
import { proxyRoutesOf, type ProxyRouteOptions } from '../../src/proxy/routes';
import { upstreamPath } from '../../src/proxy/upstream-url';

function validated(value: unknown): { routes: ReturnType<typeof proxyRoutesOf>; problems: string[] } {
  const problems: string[] = [];
  const routes = proxyRoutesOf(value, (problem) => problems.push(problem));
  return { routes, problems };
}

describe('proxyRoutesOf', () => {
  it('takes the list form with scopes and groups, https upstreams and loopback http, longest prefix first', () => {
    const { routes, problems } = validated([
      { prefix: '/api', upstream: 'https://api.internal' },
      { prefix: '/api/orders', upstream: 'https://orders.internal/v1/' },
      { prefix: '/local', upstream: 'http://127.0.0.1:8080', scopes: ['orders.read'], groups: ['admins'] },
    ] satisfies ProxyRouteOptions[]);
    expect(problems).toEqual([]);
    expect(routes).toEqual([
      {
        prefix: '/api/orders',
        upstream: 'https://orders.internal/v1',
        origin: 'https://orders.internal',
        basePath: '/v1',
        scopes: [],
        groups: [],
      },
      {
        prefix: '/local',
        upstream: 'http://127.0.0.1:8080',
        origin: 'http://127.0.0.1:8080',
        basePath: '',
        scopes: ['orders.read'],
        groups: ['admins'],
      },
      { prefix: '/api', upstream: 'https://api.internal', origin: 'https://api.internal', basePath: '', scopes: [], groups: [] },
    ]);
  });

  it('takes the map form and the variable form alike', () => {
    const expected = [{ prefix: '/api/orders', upstream: 'https://orders.internal/v1' }];
    expect(validated({ '/api/orders': 'https://orders.internal/v1' }).routes).toMatchObject(expected);
    expect(validated(' /api/orders=https://orders.internal/v1 , ').routes).toMatchObject(expected);
    expect(validated(undefined)).toEqual({ routes: [], problems: [] });
    expect(validated('')).toEqual({ routes: [], problems: [] });
  });

  it('names a pair of the variable that is not PREFIX=URL', () => {
    expect(validated('/api/orders,=https://x.example,/a=').problems).toEqual([
      '"/api/orders" is not PREFIX=UPSTREAM_URL',
      '"=https://x.example" is not PREFIX=UPSTREAM_URL',
      '"/a=" is not PREFIX=UPSTREAM_URL',
    ]);
  });

  it.each([
    [{ prefix: 'api', upstream: 'https://a.example' }, 'must be a path'],
    [{ prefix: '/api/', upstream: 'https://a.example' }, 'must be a path'],
    [{ prefix: '/', upstream: 'https://a.example' }, 'must be a path'],
    [{ prefix: '/api//x', upstream: 'https://a.example' }, 'must be a path'],
    [{ prefix: '/api/%2e', upstream: 'https://a.example' }, 'must be a path'],
    [{ prefix: '/api/..', upstream: 'https://a.example' }, 'without . or .. segments'],
    [{ prefix: '/auth/x', upstream: 'https://a.example' }, 'would shadow'],
    [{ prefix: '/HealthZ', upstream: 'https://a.example' }, 'would shadow'],
    [{ prefix: '/api', upstream: 'http://orders.internal' }, 'must use https'],
    [{ prefix: '/api', upstream: 'ftp://a.example' }, 'must be an https URL'],
    [{ prefix: '/api', upstream: 'https://user:pw@a.example' }, 'credentials'],
    [{ prefix: '/api', upstream: 'https://a.example/v1?x=1' }, 'query or fragment'],
    [{ prefix: '/api', upstream: 'not a url' }, 'not a URL'],
    [{ prefix: '/api', upstream: 'https://a.example', scopes: ['a b'] }, 'scopes must be'],
    [{ prefix: '/api', upstream: 'https://a.example', groups: 'admins' as unknown as string[] }, 'groups must be'],
  ])('refuses %j, naming the route', (entry, problem) => {
    const { problems } = validated([entry]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^route "/);
    expect(problems[0]).toContain(problem);
  });

  it('refuses a prefix given twice, and a value of no known form', () => {
    expect(validated({ '/api': 'https://a.example', '/API': 'https://b.example' }).problems).toEqual([
      'route "/API": prefix is given twice',
    ]);
    expect(validated(42).problems).toHaveLength(1);
  });
});

describe('upstreamPath', () => {
  const route = {
    prefix: '/api/orders',
    upstream: 'https://orders.internal/v1',
    origin: 'https://orders.internal',
    basePath: '/v1',
    scopes: [],
    groups: [],
  };

  it.each([
    ['', 'https://orders.internal/v1'],
    ['/', 'https://orders.internal/v1/'],
    ['?a=1&b=%2F', 'https://orders.internal/v1?a=1&b=%2F'],
    ['/42/lines?sort=desc', 'https://orders.internal/v1/42/lines?sort=desc'],
    ['/a%20b/c.d/..e/...', 'https://orders.internal/v1/a%20b/c.d/..e/...'],
    ['/100%25', 'https://orders.internal/v1/100%25'],
    ['/bad%zzencoding', 'https://orders.internal/v1/bad%zzencoding'],
  ])('maps %j to %s', (rest, url) => {
    expect(route.origin + upstreamPath(route, rest)).toBe(url);
  });

  it('maps onto an upstream without a base path', () => {
    expect(upstreamPath({ ...route, basePath: '' }, '')).toBe('/');
    expect(upstreamPath({ ...route, basePath: '' }, '/x')).toBe('/x');
  });

  it.each([
    'x',
    's/../x',
    '/..',
    '/../admin',
    '/a/../../b',
    '/.',
    '/%2e%2E',
    '/%2e',
    '/%252e%252e',
    '/%25252e%25252e',
    '/a%2fb',
    '/a%2Fb',
    '/a%5cb',
    '/a%00b',
    '/a\\b',
    '/a b',
    '//evil.example/x',
    '/a//b',
    '/a?b#c',
    '/a%2525252e',
  ])('refuses %j with invalid_path', (rest) => {
    expect(() => upstreamPath(route, rest)).toThrow(expect.objectContaining({ code: 'invalid_path', status: 400 }));
  });
});
