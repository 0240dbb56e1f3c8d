/**
 * The groups authorizer (infra/authorizer/groups-authorizer.js), evaluated from its file as Lambda loads it, on REST
 * REQUEST-authorizer events and HTTP API payload 2.0 events, with tokens signed by a real RSA key. Only AWS itself is
 * faked: the pool's JWKS endpoint is a `fetch` that serves the test key and counts its calls.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContext, runInContext } from 'node:vm';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { GROUPS_AUTHORIZER_DIR } from '../../infra/lib/groups-authorizer.js';

const ISSUER = 'https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbC123';
const CLIENT_ID = 'bffclient123';
const METHOD_ARN = 'arn:aws:execute-api:us-west-2:123456789012:abcdef1234/live/GET/admin/users';
const KID = 'key-1';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
let signingKey: KeyPair;
let otherKey: KeyPair;
let publicJwk: JWK;

beforeAll(async () => {
  signingKey = await generateKeyPair('RS256', { extractable: true });
  otherKey = await generateKeyPair('RS256', { extractable: true });
  publicJwk = { ...(await exportJWK(signingKey.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
});

interface Loaded {
  handler: (event: unknown) => Promise<unknown>;
  jwksCalls: string[];
}

/** A fresh module instance (its own JWKS cache), configured like the construct configures it. */
function load(env: Record<string, string> = {}): Loaded {
  const jwksCalls: string[] = [];
  const fetch = async (url: string) => {
    jwksCalls.push(url);
    return { ok: true, status: 200, json: async () => ({ keys: [publicJwk] }) };
  };
  const module = { exports: {} as Record<string, unknown> };
  const sandbox = createContext({
    require,
    module,
    exports: module.exports,
    Buffer,
    fetch,
    Date,
    process: {
      env: { ISSUER, CLIENT_IDS: CLIENT_ID, REQUIRED_SCOPES: 'openid', REQUIRED_GROUPS: 'admins,auditors', ...env },
    },
  });
  runInContext(readFileSync(join(GROUPS_AUTHORIZER_DIR, 'groups-authorizer.js'), 'utf8'), sandbox);
  return { handler: module.exports.handler as Loaded['handler'], jwksCalls };
}

async function token(claims: Record<string, unknown> = {}, options: { key?: KeyPair; kid?: string; expiresIn?: number } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: ISSUER,
    sub: 'user-1',
    token_use: 'access',
    client_id: CLIENT_ID,
    scope: 'openid email',
    username: 'ada',
    'cognito:groups': ['admins'],
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? KID })
    .setIssuedAt(now - 60)
    .setExpirationTime(now + (options.expiresIn ?? 600))
    .sign((options.key ?? signingKey).privateKey);
}

const restEvent = (authorization?: string) => ({
  type: 'REQUEST',
  methodArn: METHOD_ARN,
  headers: authorization === undefined ? {} : { Authorization: authorization },
});
const httpEvent = (authorization: string) => ({ version: '2.0', type: 'REQUEST', routeArn: METHOD_ARN, headers: { authorization } });

interface Policy {
  principalId: string;
  policyDocument: { Statement: Array<{ Effect: string; Action: string; Resource: string }> };
  context: Record<string, string>;
}

describe('groups authorizer, REST API', () => {
  it('allows this method for a valid access token in a required group', async () => {
    const { handler } = load();
    const result = (await handler(restEvent(`Bearer ${await token()}`))) as Policy;
    expect(result.principalId).toBe('user-1');
    expect(result.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN }]);
    expect(result.context).toEqual({ sub: 'user-1', username: 'ada', groups: 'admins' });
  });

  it.each([
    ['in no required group', { 'cognito:groups': ['users'] }],
    ['in no group at all', { 'cognito:groups': undefined }],
    ['without a required scope', { scope: 'email profile' }],
  ])('denies (403) a valid token %s', async (_label, claims) => {
    const { handler } = load();
    const result = (await handler(restEvent(`Bearer ${await token(claims)}`))) as Policy;
    expect(result.policyDocument.Statement[0]?.Effect).toBe('Deny');
  });

  it.each([
    ['no Authorization header', async () => undefined],
    ['a Basic credential', async () => 'Basic dXNlcjpwYXNz'],
    ['a token that is not a JWT', async () => 'Bearer not-a-token'],
    ['an ID token', async () => `Bearer ${await token({ token_use: 'id' })}`],
    ["another client's token", async () => `Bearer ${await token({ client_id: 'someone-else' })}`],
    ["another pool's token", async () => `Bearer ${await token({ iss: 'https://cognito-idp.us-west-2.amazonaws.com/us-west-2_Other' })}`],
    ['an expired token', async () => `Bearer ${await token({}, { expiresIn: -5 })}`],
    ['a token signed by another key under the same kid', async () => `Bearer ${await token({}, { key: otherKey })}`],
    ['a token with an unknown kid', async () => `Bearer ${await token({}, { kid: 'key-2' })}`],
  ])('refuses (401) %s', async (_label, authorization) => {
    const { handler } = load();
    await expect(handler(restEvent(await authorization()))).rejects.toThrow('Unauthorized');
  });

  it('refuses an unsigned token (alg none)', async () => {
    const { handler } = load();
    const valid = await token();
    const [, payload] = valid.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'none', kid: KID })).toString('base64url');
    await expect(handler(restEvent(`Bearer ${header}.${payload}.AAAA`))).rejects.toThrow('Unauthorized');
  });

  it('fetches the JWKS once for many calls, and an unknown kid does not refetch it on every request', async () => {
    const { handler, jwksCalls } = load();
    for (let call = 0; call < 3; call++) await handler(restEvent(`Bearer ${await token()}`));
    expect(jwksCalls).toEqual([`${ISSUER}/.well-known/jwks.json`]);
    for (let call = 0; call < 3; call++) await expect(handler(restEvent(`Bearer ${await token({}, { kid: 'forged' })}`))).rejects.toThrow();
    expect(jwksCalls).toHaveLength(1);
  });

  it('requires no scope when the route names none', async () => {
    const { handler } = load({ REQUIRED_SCOPES: '' });
    const result = (await handler(restEvent(`Bearer ${await token({ scope: 'email' })}`))) as Policy;
    expect(result.policyDocument.Statement[0]?.Effect).toBe('Allow');
  });
});

describe('groups authorizer, HTTP API (simple responses)', () => {
  it('authorizes a member of a required group', async () => {
    const { handler } = load();
    expect(await handler(httpEvent(`Bearer ${await token({ 'cognito:groups': ['auditors'] })}`))).toEqual({
      isAuthorized: true,
      context: { sub: 'user-1', username: 'ada' },
    });
  });

  it('refuses a non-member and an invalid token alike', async () => {
    const { handler } = load();
    expect(await handler(httpEvent(`Bearer ${await token({ 'cognito:groups': ['users'] })}`))).toEqual({ isAuthorized: false });
    expect(await handler(httpEvent('Bearer a.b.c'))).toEqual({ isAuthorized: false });
  });
});
