/*
 * Lambda authorizer for `CognitoBff.addApi(path, target, { groups })`: API Gateway's Cognito authorizers check a
 * token's scopes but never its groups, so routes that require a group use this instead. It verifies the access token
 * itself, the way the BFF does (RS256 signature against the pool's JWKS, issuer, `token_use: access`, the app client,
 * `exp`), then requires one of the route's scopes and one of its groups (`cognito:groups`).
 *
 * - REST API (REQUEST authorizer): a missing or invalid token throws "Unauthorized" (API Gateway answers 401); a valid
 *   token without the scope or group gets a Deny policy (403); otherwise an Allow policy for this method only.
 * - HTTP API (payload 2.0, simple responses): `{ isAuthorized }`; a missing header is refused by API Gateway (401).
 *
 * Configuration from the environment: ISSUER (`https://cognito-idp.<region>.amazonaws.com/<pool id>`), CLIENT_IDS,
 * REQUIRED_SCOPES and REQUIRED_GROUPS (comma-separated). No dependencies: Node's crypto and fetch only.
 */
'use strict';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- Lambda loads this file as is, as CommonJS (no bundler)
const { createPublicKey, verify } = require('node:crypto');

/* An unknown key id refetches the JWKS at most this often (a key rotation, or a forged kid). */
const JWKS_REFETCH_MS = 10000;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

function list(value) {
  return (value || '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

const settings = {
  issuer: process.env.ISSUER,
  clientIds: list(process.env.CLIENT_IDS),
  scopes: list(process.env.REQUIRED_SCOPES),
  groups: list(process.env.REQUIRED_GROUPS),
};

let jwks = { fetchedAt: 0, keys: new Map() };

async function keyFor(kid) {
  if (!jwks.keys.has(kid) && Date.now() - jwks.fetchedAt >= JWKS_REFETCH_MS) {
    const response = await fetch(`${settings.issuer}/.well-known/jwks.json`);
    if (!response.ok) throw new Error(`JWKS answered ${response.status}`);
    const body = await response.json();
    const keys = new Map();
    for (const jwk of body.keys || []) {
      if (jwk.kty === 'RSA' && typeof jwk.kid === 'string') keys.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
    }
    jwks = { fetchedAt: Date.now(), keys };
  }
  return jwks.keys.get(kid);
}

function decode(segment) {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

/** The verified claims of `token`, or `undefined` when it is not a valid access token of this pool and client. */
async function verifiedClaims(token) {
  if (!JWT_SHAPE.test(token)) return undefined;
  const [headerPart, payloadPart, signaturePart] = token.split('.');
  let header;
  let claims;
  try {
    header = decode(headerPart);
    claims = decode(payloadPart);
  } catch {
    return undefined;
  }
  if (header.alg !== 'RS256' || typeof header.kid !== 'string') return undefined;
  const key = await keyFor(header.kid);
  if (key === undefined) return undefined;
  const signed = verify('RSA-SHA256', Buffer.from(`${headerPart}.${payloadPart}`), key, Buffer.from(signaturePart, 'base64url'));
  if (!signed) return undefined;
  const now = Math.floor(Date.now() / 1000);
  const valid =
    claims.iss === settings.issuer &&
    claims.token_use === 'access' &&
    settings.clientIds.includes(claims.client_id) &&
    typeof claims.exp === 'number' &&
    claims.exp > now &&
    (typeof claims.nbf !== 'number' || claims.nbf <= now);
  return valid ? claims : undefined;
}

/** The route's requirements: one of its scopes and one of its groups. */
function permitted(claims) {
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
  const groups = Array.isArray(claims['cognito:groups']) ? claims['cognito:groups'] : [];
  const hasScope = settings.scopes.length === 0 || settings.scopes.some((scope) => scopes.includes(scope));
  const hasGroup = settings.groups.some((group) => groups.includes(group));
  return hasScope && hasGroup;
}

function bearerToken(headers) {
  const value = (headers && (headers.authorization || headers.Authorization)) || '';
  const match = /^Bearer ([^\s]+)$/.exec(value);
  return match ? match[1] : '';
}

function policy(effect, methodArn, claims) {
  return {
    principalId: claims.sub,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: methodArn }] },
    context: { sub: claims.sub, username: claims.username || '', groups: (claims['cognito:groups'] || []).join(',') },
  };
}

module.exports.handler = async (event) => {
  const claims = await verifiedClaims(bearerToken(event.headers));
  if (event.version === '2.0') {
    const isAuthorized = claims !== undefined && permitted(claims);
    return isAuthorized ? { isAuthorized, context: { sub: claims.sub, username: claims.username || '' } } : { isAuthorized };
  }
  if (claims === undefined) throw new Error('Unauthorized');
  return policy(permitted(claims) ? 'Allow' : 'Deny', event.methodArn, claims);
};
