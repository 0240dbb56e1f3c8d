/**
 * A rogue-capable Cognito stand-in on loopback, for what cognito-local cannot do: bad signatures, foreign keys,
 * wrong claims, key rotation, JWKS outages, slow or broken token endpoints.
 *
 * Faithful to Cognito where it counts: `/oauth2/token` takes form bodies with client_secret_basic, enforces PKCE S256
 * and single-use codes bound to a redirect_uri, answers 400 `{"error":"invalid_grant"}`; `/oauth2/revoke` answers 200
 * even for unknown tokens; the JWKS lives at `<issuer>/.well-known/jwks.json`; access tokens carry token_use=access,
 * client_id, scope, username and no aud; ID tokens carry token_use=id, aud, cognito:username, email and the nonce;
 * a refresh returns no refresh token unless rotation is on. The cognito-idp JSON API answers `AdminUserGlobalSignOut`
 * at the issuer's origin (`POST /`, `X-Amz-Target`, SigV4-signed, `application/x-amz-json-1.1`): it refuses an unknown
 * pool or user with Cognito's `__type` errors and, like Cognito, invalidates every refresh token of the user.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type CryptoKey } from 'jose';

export interface KeyPair {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface FakeUser {
  sub: string;
  username: string;
  email: string;
  groups: string[];
}

export type TokenFault =
  | { kind: 'status'; status: number; body: string; contentType?: string }
  /** No answer for `ms` (ends early when the client hangs up). */
  | { kind: 'delay'; ms: number }
  /** A 200 whose headers come at once and whose JSON body then drips a byte every `intervalMs` (a stalled proxy). */
  | { kind: 'trickle'; intervalMs: number }
  | { kind: 'override'; respond: (issued: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>> };

export type JwksFault = 'down' | 'malformed' | 'empty' | undefined;

export interface RecordedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  form: URLSearchParams;
}

/** A call to the cognito-idp JSON API, as received. */
export interface RecordedAdminCall {
  /** The operation: `AdminUserGlobalSignOut`. */
  operation: string;
  body: Record<string, unknown>;
  /** The SigV4 credential scope's region and service (`us-west-2/cognito-idp`), or undefined when unsigned. */
  signedFor: string | undefined;
}

/** How the cognito-idp API misbehaves: Cognito's error (`__type`) with its status, or no answer at all. */
export type AdminFault = { status: number; type: string } | { kind: 'hang' };

interface CodeGrant {
  user: FakeUser;
  redirectUri: string;
  codeChallenge: string | undefined;
  nonce: string | undefined;
}

export async function newKeyPair(kid: string = randomUUID()): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, publicJwk };
}

export class FakeIdp {
  readonly poolId = 'us-west-2_FakePool1';
  readonly clientId = 'fakeclient123';
  readonly clientSecret = 'fake-client-secret-value';
  url = '';
  issuer = '';
  /** Keys published in the JWKS; the first signs. */
  keys: KeyPair[] = [];
  tokenFault: TokenFault | undefined;
  jwksFault: JwksFault;
  revokeStatus = 200;
  /** The revoke endpoint answers only after this long (ends early when the client hangs up). */
  revokeDelayMs = 0;
  rotateRefreshTokens = false;
  /** When false, the ID token does not echo the nonce (like cognito-local). */
  echoNonce = true;
  accessTokenSeconds = 900;
  readonly requests: RecordedRequest[] = [];
  /** Calls to the cognito-idp JSON API (AdminUserGlobalSignOut), apart from the OAuth endpoints' `requests`. */
  readonly adminCalls: RecordedAdminCall[] = [];
  adminFault: AdminFault | undefined;
  /** Every code, token and refresh token this IdP handed out: what must never show up in a response body or a log. */
  readonly issued = new Set<string>();
  jwksFetches = 0;
  readonly user: FakeUser = { sub: randomUUID(), username: 'alice', email: 'alice@example.com', groups: ['testers'] };
  private initialKeys: KeyPair[] = [];
  private readonly codes = new Map<string, CodeGrant>();
  private readonly refreshTokens = new Map<string, FakeUser>();
  /** Whom each refresh token was issued to, kept after revocation: what a test asserts a revocation reached. */
  private readonly refreshTokenOwners = new Map<string, FakeUser>();
  private readonly server = http.createServer((req, res) => void this.handle(req, res));

  static async start(): Promise<FakeIdp> {
    const idp = new FakeIdp();
    idp.keys = [await newKeyPair()];
    idp.initialKeys = [...idp.keys];
    await new Promise<void>((resolve) => idp.server.listen(0, '127.0.0.1', resolve));
    const { port } = idp.server.address() as AddressInfo;
    idp.url = `http://127.0.0.1:${port}`;
    idp.issuer = `${idp.url}/${idp.poolId}`;
    return idp;
  }

  /** Back to a well-behaved IdP: no faults, the keys it started with, nonce echoed, recorded requests forgotten. */
  reset(): void {
    this.tokenFault = undefined;
    this.jwksFault = undefined;
    this.revokeStatus = 200;
    this.revokeDelayMs = 0;
    this.rotateRefreshTokens = false;
    this.echoNonce = true;
    this.accessTokenSeconds = 900;
    this.keys = [...this.initialKeys];
    this.requests.length = 0;
    this.adminCalls.length = 0;
    this.adminFault = undefined;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The BFF configuration that points at this IdP. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      COGNITO_USER_POOL_ID: this.poolId,
      COGNITO_CLIENT_ID: this.clientId,
      COGNITO_CLIENT_SECRET: this.clientSecret,
      COGNITO_DOMAIN: this.url,
      COGNITO_ISSUER: this.issuer,
      COOKIE_KEYS: Buffer.alloc(32, 7).toString('base64url'),
      PUBLIC_BASE_URL: 'http://localhost:3000',
      // Generous: a busy machine must never turn a slow answer into idp_timeout. Cases about the bound set a short one.
      IDP_TIMEOUT_MS: '20000',
      LOG_LEVEL: 'debug',
      ...extra,
    };
  }

  /** The user a refresh token was issued to (revoked or not), or undefined for one this IdP never issued. */
  ownerOfRefreshToken(token: string | null | undefined): FakeUser | undefined {
    return token ? this.refreshTokenOwners.get(token) : undefined;
  }

  /** Whether a refresh token is still live here (not revoked). */
  refreshTokenLive(token: string): boolean {
    return this.refreshTokens.has(token);
  }

  /** What the hosted UI does after a successful sign-in: mint a code bound to the authorize request. */
  issueCode(authorizeUrl: string, user: FakeUser = this.user): string {
    const params = new URL(authorizeUrl).searchParams;
    const code = randomBytes(16).toString('hex');
    this.issued.add(code);
    this.codes.set(code, {
      user,
      redirectUri: params.get('redirect_uri') ?? '',
      codeChallenge: params.get('code_challenge') ?? undefined,
      nonce: params.get('nonce') ?? undefined,
    });
    return code;
  }

  /** The claims Cognito puts in both token kinds, for `user`, valid from now for `accessTokenSeconds`. */
  private commonClaims(user: FakeUser): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    return {
      sub: user.sub,
      'cognito:groups': user.groups,
      iss: this.issuer,
      origin_jti: randomUUID(),
      event_id: randomUUID(),
      auth_time: now,
      exp: now + this.accessTokenSeconds,
      iat: now,
      jti: randomUUID(),
    };
  }

  async signAccessToken(
    claims: Record<string, unknown> = {},
    options: { key?: KeyPair; header?: Record<string, unknown>; user?: FakeUser } = {},
  ): Promise<string> {
    const user = options.user ?? this.user;
    return this.sign(
      {
        ...this.commonClaims(user),
        client_id: this.clientId,
        token_use: 'access',
        scope: 'openid email profile',
        username: user.username,
        ...claims,
      },
      options,
    );
  }

  async signIdToken(
    claims: Record<string, unknown> = {},
    options: { key?: KeyPair; header?: Record<string, unknown>; user?: FakeUser } = {},
  ): Promise<string> {
    const user = options.user ?? this.user;
    return this.sign(
      {
        ...this.commonClaims(user),
        email_verified: true,
        'cognito:username': user.username,
        aud: this.clientId,
        token_use: 'id',
        email: user.email,
        ...claims,
      },
      options,
    );
  }

  /** Signs a payload as given: claims set to undefined are left out (a token without exp, say). */
  async sign(payload: Record<string, unknown>, options: { key?: KeyPair; header?: Record<string, unknown> } = {}): Promise<string> {
    const key = options.key ?? this.keys[0]!;
    const clean = Object.fromEntries(Object.entries(payload).filter(([, value]) => value !== undefined));
    const token = await new SignJWT(clean).setProtectedHeader({ alg: 'RS256', kid: key.kid, ...options.header }).sign(key.privateKey);
    this.issued.add(token);
    return token;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = new URL(req.url ?? '/', this.url).pathname;
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };

    if (req.method === 'GET' && path === `/${this.poolId}/.well-known/jwks.json`) {
      this.jwksFetches += 1;
      if (this.jwksFault === 'down') return json(503, { message: 'unavailable' });
      if (this.jwksFault === 'malformed') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return void res.end('{"keys": [ {"kty": ');
      }
      if (this.jwksFault === 'empty') return json(200, { keys: [] });
      return json(200, { keys: this.keys.map((key) => key.publicJwk) });
    }
    if (req.method !== 'POST') return json(404, { message: 'not found' });
    if (path === '/' && typeof req.headers['x-amz-target'] === 'string')
      return this.adminApi(req, res, Buffer.concat(chunks).toString('utf8'));
    this.requests.push({ path, headers: req.headers, form });

    if (path === '/oauth2/revoke') {
      if (this.revokeDelayMs > 0) await untilClosedOr(res, this.revokeDelayMs);
      if (res.destroyed) return;
      if (!this.clientAuthenticated(req, form)) return json(400, { error: 'invalid_client' });
      this.refreshTokens.delete(form.get('token') ?? '');
      res.writeHead(this.revokeStatus);
      return void res.end();
    }
    if (path !== '/oauth2/token') return json(404, { message: 'not found' });

    const fault = this.tokenFault;
    if (fault?.kind === 'delay') await untilClosedOr(res, fault.ms);
    if (fault?.kind === 'trickle') return trickle(res, fault.intervalMs);
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, { 'Content-Type': fault.contentType ?? 'text/html' });
      return void res.end(fault.body);
    }
    if (res.destroyed) return;
    if (!this.clientAuthenticated(req, form)) return json(400, { error: 'invalid_client' });

    let issued: Record<string, unknown>;
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') {
      const grant = this.codes.get(form.get('code') ?? '');
      this.codes.delete(form.get('code') ?? '');
      if (!grant || grant.redirectUri !== form.get('redirect_uri')) return json(400, { error: 'invalid_grant' });
      if (grant.codeChallenge) {
        const verifier = form.get('code_verifier') ?? '';
        if (createHash('sha256').update(verifier).digest('base64url') !== grant.codeChallenge) return json(400, { error: 'invalid_grant' });
      }
      const refreshToken = randomBytes(900).toString('base64url');
      this.issued.add(refreshToken);
      this.refreshTokens.set(refreshToken, grant.user);
      this.refreshTokenOwners.set(refreshToken, grant.user);
      issued = {
        access_token: await this.signAccessToken({}, { user: grant.user }),
        id_token: await this.signIdToken(this.echoNonce && grant.nonce ? { nonce: grant.nonce } : {}, { user: grant.user }),
        refresh_token: refreshToken,
        expires_in: this.accessTokenSeconds,
        token_type: 'Bearer',
      };
    } else if (grantType === 'refresh_token') {
      const user = this.refreshTokens.get(form.get('refresh_token') ?? '');
      if (!user) return json(400, { error: 'invalid_grant' });
      issued = {
        access_token: await this.signAccessToken({}, { user }),
        id_token: await this.signIdToken({}, { user }),
        expires_in: this.accessTokenSeconds,
        token_type: 'Bearer',
      };
      if (this.rotateRefreshTokens) {
        const next = randomBytes(900).toString('base64url');
        this.issued.add(next);
        this.refreshTokens.set(next, user);
        this.refreshTokenOwners.set(next, user);
        issued.refresh_token = next;
      }
    } else {
      return json(400, { error: 'unsupported_grant_type' });
    }
    return json(200, fault?.kind === 'override' ? await fault.respond(issued) : issued);
  }

  /** The cognito-idp JSON API (awsJson1_1): only AdminUserGlobalSignOut, which Cognito authorizes by IAM (SigV4). */
  private async adminApi(req: http.IncomingMessage, res: http.ServerResponse, text: string): Promise<void> {
    const error = (status: number, type: string, message: string) => {
      res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-ErrorType': type });
      res.end(JSON.stringify({ __type: type, message }));
    };
    const operation = String(req.headers['x-amz-target']).replace(/^AWSCognitoIdentityProviderService\./, '');
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return error(400, 'SerializationException', 'Start of structure or map found where not expected.');
    }
    const scope = /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/([^/]+\/[^/]+)\/aws4_request,/.exec(req.headers.authorization ?? '');
    this.adminCalls.push({ operation, body, signedFor: scope?.[1] });
    if (!scope) return error(400, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    if (operation !== 'AdminUserGlobalSignOut') return error(400, 'UnknownOperationException', '');
    const fault = this.adminFault;
    if (fault && 'kind' in fault) return untilClosedOr(res, 60_000);
    if (fault) return error(fault.status, fault.type, 'injected by the test');
    if (body.UserPoolId !== this.poolId)
      return error(400, 'ResourceNotFoundException', `User pool ${String(body.UserPoolId)} does not exist.`);
    const username = body.Username;
    const known = [this.user, ...this.refreshTokenOwners.values()].some((user) => user.username === username);
    if (!known) return error(400, 'UserNotFoundException', 'User does not exist.');
    // Cognito invalidates every refresh token of the user (and its access tokens for the user-pool API).
    for (const [token, user] of this.refreshTokens) if (user.username === username) this.refreshTokens.delete(token);
    res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1' });
    res.end('{}');
  }

  private clientAuthenticated(req: http.IncomingMessage, form: URLSearchParams): boolean {
    const expected = 'Basic ' + Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64');
    return req.headers.authorization === expected && (form.get('client_id') ?? this.clientId) === this.clientId;
  }
}

/** Waits `ms`, or less when the client goes away first (no timer outlives the request). */
function untilClosedOr(res: http.ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    res.once('close', done);
    function done(): void {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    }
  });
}

/** Answers 200 at once, then a JSON body one byte at a time until the client hangs up. */
function trickle(res: http.ServerResponse, intervalMs: number): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  const body = JSON.stringify({ error: 'x'.repeat(10_000) });
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed || sent >= body.length) {
      clearInterval(timer);
      if (!res.destroyed) res.end();
      return;
    }
    res.write(body[sent]);
    sent += 1;
  }, intervalMs);
  res.once('close', () => clearInterval(timer));
}
