/**
 * The library's main entry as a team uses it: createBff in an Express app of their own, with its own routes guarded
 * by requireAuth, against the fake IdP (real HTTP, real tokens signed with a generated key), and createHandler around
 * that app for API Gateway events.
 */
import express, { type Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBff, BffConfigError, optionsFromEnv, type AuthenticatedRequest, type BffOptions } from '../../src/index';
import { createHandler } from '../../src/create-handler';
import { restApiEvent, resultHeaders } from '../support/api-gateway-event';
import { CookieJar } from '../support/cookie-jar';
import { FakeIdp } from '../support/fake-idp';

const KEY = Buffer.alloc(32, 9).toString('base64url');

function optionsFor(idp: FakeIdp, extra: Partial<BffOptions> = {}): BffOptions {
  return {
    publicBaseUrl: 'http://localhost:3000',
    userPoolId: idp.poolId,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    cognitoDomain: idp.url,
    issuer: idp.issuer,
    cookieKeys: [KEY],
    allowedOrigins: ['http://localhost:5173'],
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    ...extra,
  };
}

function problemsOf(run: () => unknown): BffConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof BffConfigError) return error;
    throw error;
  }
  throw new Error('expected a BffConfigError');
}

/** A team's app: the router at /, one open route, one for signed-in users, one for a group, one unsafe. */
function teamApp(options: BffOptions): Express {
  const bff = createBff(options);
  const app = express();
  app.use(express.json());
  app.use(bff.router);
  app.get('/api/open', (_req, res) => void res.json({ open: true }));
  app.get('/api/me', bff.requireAuth(), (req, res) => void res.json({ auth: (req as AuthenticatedRequest).auth }));
  app.get('/api/testers', bff.requireAuth({ groups: ['testers'] }), (_req, res) => void res.json({ ok: true }));
  app.get('/api/admins', bff.requireAuth({ groups: ['admins'] }), (_req, res) => void res.json({ ok: true }));
  app.get('/api/orders', bff.requireAuth({ scopes: ['orders.read'] }), (_req, res) => void res.json({ ok: true }));
  app.post('/api/notes', bff.requireAuth(), (req, res) => void res.status(201).json({ note: req.body as unknown }));
  return app;
}

describe('createBff options', () => {
  let idp: FakeIdp;
  beforeAll(async () => {
    idp = await FakeIdp.start();
  });
  afterAll(async () => {
    await idp.close();
  });

  it('names every bad option at once, by its option name, with a stable code', () => {
    const error = problemsOf(() =>
      createBff({
        ...optionsFor(idp),
        userPoolId: '',
        cookieKeys: ['short'],
        idpTimeoutMs: 10,
        cognitoDomain: 'http://auth.example.com',
        clientID: 'typo',
      } as BffOptions),
    );
    expect(error.code).toBe('BFF_CONFIG_INVALID');
    const options = error.problems.map((problem) => problem.option);
    expect(options).toEqual(expect.arrayContaining(['userPoolId', 'cookieKeys', 'idpTimeoutMs', 'cognitoDomain', 'clientID']));
    expect(error.message).toContain('userPoolId: is required');
    expect(error.message).toContain('cookieKeys: key #1 is not 32 bytes');
    expect(error.message).not.toContain('COGNITO_USER_POOL_ID');
    expect(error.problems.find((problem) => problem.option === 'userPoolId')?.variable).toBe('COGNITO_USER_POOL_ID');
  });

  it.each<[string, Partial<BffOptions> | Record<string, unknown>, string]>([
    ['sessionStore', { sessionStore: 'redis' }, 'one of cookie, dynamodb'],
    ['sessionTable', { sessionStore: 'dynamodb' }, 'required with sessionStore dynamodb'],
    ['dynamodbEndpoint', { dynamodbEndpoint: 'http://dynamo.example.com' }, 'https'],
    ['revocationCheckSeconds', { revocationCheckSeconds: 2.5 }, 'whole number'],
    ['revocationCheckSeconds', { revocationCheckSeconds: 7200 }, 'between 0 and 3600'],
    ['apiProxy', { apiProxy: { '/auth/x': 'https://up.example.com' } }, 'shadow'],
    ['apiProxy', { apiProxy: { 'api/x': 'https://up.example.com' } }, 'must be a path'],
    ['apiProxy', { apiProxy: { '/api/x': 'http://up.example.com' } }, 'https'],
    ['apiProxy', { apiProxy: '/api/x' }, 'PREFIX=UPSTREAM_URL'],
    ['apiProxyTimeoutMs', { apiProxyTimeoutMs: 1.5 }, 'whole number'],
    ['serveDemoSpa', { serveDemoSpa: 'maybe' }, 'true or false'],
    ['requireNonce', { requireNonce: 'no' }, 'true or false'],
    ['cognitoGlobalSignOut', { cognitoGlobalSignOut: 'off' }, 'true or false'],
    ['logLevel', { logLevel: 'verbose' }, 'one of'],
    ['allowedOrigins', { allowedOrigins: ['https://app.example.com/path'] }, 'not an origin'],
    ['scopes', { scopes: ['email'] }, 'openid'],
    ['logger', { logger: { info() {} } }, 'debug, info, warn and error'],
    ['metrics', { metrics: 'cloudwatch' }, 'one of opentelemetry, emf, none'],
    ['metricsNamespace', { metricsNamespace: '{}' }, 'letters, digits'],
  ])('refuses a bad %s (%o)', (option, change, words) => {
    const error = problemsOf(() => createBff({ ...optionsFor(idp), ...change } as BffOptions));
    const mine = error.problems.filter((problem) => problem.option === option);
    expect(mine.length, error.message).toBeGreaterThan(0);
    expect(mine.map((problem) => problem.message).join('\n')).toContain(words);
  });

  it('accepts the typed forms and the variables’ string forms alike', () => {
    expect(() =>
      createBff(
        optionsFor(idp, {
          cookieKeys: [Buffer.alloc(32, 1), KEY],
          scopes: 'openid email',
          apiProxy: '/api/orders=https://orders.example.com/v1, /api/local=http://127.0.0.1:9/x',
          sessionStore: 'dynamodb',
          sessionTable: 'bff-sessions',
          dynamodbEndpoint: 'http://127.0.0.1:8000',
          revocationCheckSeconds: 0,
        }),
      ),
    ).not.toThrow();
  });

  it('optionsFromEnv names the VARIABLE, and its options build a BFF', () => {
    const error = problemsOf(() =>
      optionsFromEnv({ ...idp.env(), COOKIE_KEYS: 'short', SESSION_STORE: 'dynamodb', IDP_TIMEOUT_MS: 'soon' }),
    );
    expect(error.message).toContain('COOKIE_KEYS: key #1');
    expect(error.message).toContain('SESSION_TABLE: is required');
    expect(error.message).toContain('IDP_TIMEOUT_MS: must be a whole number');
    expect(error.message).not.toMatch(/\bcookieKeys\b/);

    const options = optionsFromEnv(
      idp.env({
        ALLOWED_ORIGINS: 'http://localhost:5173',
        REQUIRE_NONCE: 'false',
        API_PROXY: '/api/a=http://127.0.0.1:9',
        IDP_TIMEOUT_MS: '1500',
      }),
    );
    expect(options).toMatchObject({
      userPoolId: idp.poolId,
      allowedOrigins: ['http://localhost:5173'],
      requireNonce: false,
      idpTimeoutMs: 1500,
      apiProxy: { '/api/a': 'http://127.0.0.1:9' },
    });
    expect(options.cookieKeys).toEqual([Buffer.alloc(32, 7).toString('base64url')]);
    expect(() => createBff({ ...options, logger: optionsFor(idp).logger })).not.toThrow();
  });

  it('does no I/O when created; ready() loads the JWKS', async () => {
    idp.reset();
    const before = idp.jwksFetches;
    const bff = createBff(optionsFor(idp));
    expect(idp.jwksFetches).toBe(before);
    expect(idp.requests).toEqual([]);
    await bff.ready();
    expect(idp.jwksFetches).toBe(before + 1);
  });

  it('ready() rejects when the keys cannot be had', async () => {
    const bff = createBff(optionsFor(idp, { issuer: 'http://127.0.0.1:9/nothing-listens-here' }));
    await expect(bff.ready()).rejects.toThrow();
  });

  it('refuses a malformed requireAuth option at construction', () => {
    const bff = createBff(optionsFor(idp));
    expect(() => bff.requireAuth({ groups: 'admins' as unknown as string[] })).toThrow(BffConfigError);
  });
});

describe('a team’s app with requireAuth', () => {
  let idp: FakeIdp;
  let app: Express;
  beforeAll(async () => {
    idp = await FakeIdp.start();
    app = teamApp(optionsFor(idp));
  });
  afterAll(async () => {
    await idp.close();
  });
  beforeEach(() => idp.reset());

  /** Signs in through the router as a browser would; returns the jar. */
  async function signIn(): Promise<CookieJar> {
    const jar = new CookieJar();
    const login = await request(app).get('/auth/login');
    jar.apply(login.headers);
    const authorize = String(login.headers.location);
    const params = new URLSearchParams({ code: idp.issueCode(authorize), state: new URL(authorize).searchParams.get('state')! });
    const callback = await request(app).get(`/auth/callback?${params}`).set('Cookie', jar.header('/auth/callback'));
    expect(callback.status).toBe(302);
    jar.apply(callback.headers);
    return jar;
  }

  it('leaves open routes open and answers its own /healthz', async () => {
    expect((await request(app).get('/api/open')).body).toEqual({ open: true });
    expect((await request(app).get('/healthz')).body).toEqual({ status: 'ok' });
  });

  it('refuses a caller without credentials with 401 and WWW-Authenticate: Bearer', async () => {
    const response = await request(app).get('/api/me');
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.body).toMatchObject({ error: 'unauthenticated' });
  });

  it('refuses a bad Bearer token as invalid_token', async () => {
    const forged = (await idp.signAccessToken()).slice(0, -4) + 'AAAA';
    const response = await request(app).get('/api/me').set('Authorization', `Bearer ${forged}`);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(response.text).not.toContain(forged);
  });

  it('sets req.auth from a Bearer token', async () => {
    const token = await idp.signAccessToken();
    const response = await request(app).get('/api/me').set('Authorization', `Bearer ${token}`);
    expect(response.status).toBe(200);
    expect(response.body.auth).toEqual({
      sub: idp.user.sub,
      username: idp.user.username,
      groups: ['testers'],
      scopes: ['openid', 'email', 'profile'],
      clientId: idp.clientId,
      via: 'bearer',
    });
  });

  it('sets req.auth from the session cookie after a sign-in through the router', async () => {
    const jar = await signIn();
    const response = await request(app).get('/api/me').set('Cookie', jar.header('/api/me'));
    expect(response.status).toBe(200);
    expect(response.body.auth).toMatchObject({ sub: idp.user.sub, via: 'cookie' });
    const session = await request(app).get('/auth/session').set('Cookie', jar.header('/auth/session'));
    expect(session.body).toMatchObject({ authenticated: true, user: { sub: idp.user.sub } });
  });

  it('takes the access-token cookie only under its own name, even for a token it verified before', async () => {
    const token = await idp.signAccessToken();
    expect((await request(app).get('/api/me').set('Authorization', `Bearer ${token}`)).status).toBe(200); // now cached
    const lookalike = await request(app).get('/api/me').set('Cookie', `x__Host-bff-at=${token}`);
    expect(lookalike.status).toBe(401);
    const own = await request(app).get('/api/me').set('Cookie', `theme=dark;  __Host-bff-at=${token}`);
    expect(own.status).toBe(200);
    expect(own.body.auth).toMatchObject({ via: 'cookie' });
  });

  it('answers 403 forbidden without a required group and 403 insufficient_scope without a required scope', async () => {
    const token = await idp.signAccessToken();
    const testers = await request(app).get('/api/testers').set('Authorization', `Bearer ${token}`);
    expect(testers.status).toBe(200);
    const admins = await request(app).get('/api/admins').set('Authorization', `Bearer ${token}`);
    expect(admins.status).toBe(403);
    expect(admins.body).toMatchObject({ error: 'forbidden' });
    const orders = await request(app).get('/api/orders').set('Authorization', `Bearer ${token}`);
    expect(orders.status).toBe(403);
    expect(orders.body).toMatchObject({ error: 'insufficient_scope' });
    expect(orders.headers['www-authenticate']).toContain('error="insufficient_scope"');
    const withScope = await idp.signAccessToken({ scope: 'openid orders.read' });
    expect((await request(app).get('/api/orders').set('Authorization', `Bearer ${withScope}`)).status).toBe(200);
  });

  it('needs X-CSRF: 1 and an allowed Origin for an unsafe method authenticated by the cookie', async () => {
    const jar = await signIn();
    const cookie = jar.header('/api/notes');
    const withoutHeader = await request(app).post('/api/notes').set('Cookie', cookie).send({ text: 'hi' });
    expect(withoutHeader.status).toBe(403);
    expect(withoutHeader.body).toMatchObject({ error: 'csrf_check_failed' });
    const foreign = await request(app)
      .post('/api/notes')
      .set('Cookie', cookie)
      .set('X-CSRF', '1')
      .set('Origin', 'https://evil.example.com')
      .send({ text: 'hi' });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ error: 'origin_not_allowed' });
    const good = await request(app)
      .post('/api/notes')
      .set('Cookie', cookie)
      .set('X-CSRF', '1')
      .set('Origin', 'http://localhost:5173')
      .send({ text: 'hi' });
    expect(good.status).toBe(201);
    expect(good.body).toEqual({ note: { text: 'hi' } });
  });

  it('puts its HTTP policy on its own routes only, and leaves the team’s 404s to the team', async () => {
    const own = await request(app).get('/auth/session');
    expect(own.headers['cache-control']).toBe('no-store');
    expect(own.headers['x-content-type-options']).toBe('nosniff');
    const theirs = await request(app).get('/api/open');
    expect(theirs.headers['content-security-policy']).toBeUndefined();
    const missing = await request(app).get('/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/text\/html/); // Express's own 404, not ours
    const unknownAuth = await request(app).get('/auth/nowhere');
    expect(unknownAuth.status).toBe(404);
    expect(unknownAuth.body).toMatchObject({ error: 'not_found' });
  });
});

describe('createHandler around a team’s app', () => {
  let idp: FakeIdp;
  let handler: ReturnType<typeof createHandler>;
  beforeAll(async () => {
    idp = await FakeIdp.start();
    handler = createHandler(teamApp(optionsFor(idp, { publicBaseUrl: 'https://abc123.execute-api.us-west-2.amazonaws.com/dev' })));
  });
  afterAll(async () => {
    await idp.close();
  });

  async function call(path: string, headers: Record<string, string>, authorizerClaims?: Record<string, string>) {
    const event = restApiEvent({ method: 'GET', url: path, headers, ...(authorizerClaims ? { authorizerClaims } : {}) });
    const result = await handler(event, { awsRequestId: 'test' } as never);
    return { status: result.statusCode, headers: resultHeaders(result), body: JSON.parse(result.body) as Record<string, unknown> };
  }

  it('serves the team’s guarded route when the authorizer agrees with the token', async () => {
    const token = await idp.signAccessToken();
    const response = await call('/api/me', { Authorization: `Bearer ${token}` }, { sub: idp.user.sub });
    expect(response.status).toBe(200);
    expect(response.body.auth).toMatchObject({ sub: idp.user.sub, via: 'bearer' });
  });

  it('refuses a request whose authorizer sub differs from the verified token’s', async () => {
    const token = await idp.signAccessToken();
    const response = await call('/api/me', { Authorization: `Bearer ${token}` }, { sub: 'someone-else' });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: 'invalid_token' });
  });

  it('ignores a client-sent copy of the internal authorizer header', async () => {
    const token = await idp.signAccessToken();
    const response = await call('/api/me', { Authorization: `Bearer ${token}`, 'x-cognito-bff-authorizer-sub': 'forged' });
    expect(response.status).toBe(200);
  });
});
