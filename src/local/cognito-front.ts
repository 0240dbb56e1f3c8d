/**
 * A small HTTP front for cognito-local that serves what the emulator lacks and Cognito has, so the local stack's
 * sign-out works end to end:
 *
 * - `GET /logout?client_id&logout_uri`: Cognito's sign-out endpoint. Redirects to `logout_uri` only when it is one of
 *   the app client's registered sign-out URLs (exact match, as Cognito compares them); anything else is a 400 page,
 *   never a redirect. (cognito-local keeps no sign-in session of its own, so there is nothing else to end.)
 * - `POST /oauth2/revoke`: Cognito's revocation endpoint. Authenticates the client (Basic or form, as Cognito does),
 *   answers 200 for any refresh token, known or not (RFC 7009), and remembers it as revoked.
 * - `POST /oauth2/token`: a `refresh_token` grant for a revoked token gets Cognito's answer, `400 invalid_grant`;
 *   every other token request goes to the emulator unchanged.
 *
 * Everything else (the sign-in form, the admin API, the JWKS) is forwarded to cognito-local as it came. The front
 * listens where the user expects the emulator (`EMULATOR_PORT`), the emulator itself on a private loopback port, its
 * token issuer pinned to the front's URL, so tokens, JWKS and endpoints share one origin.
 *
 * Not emulated: `/logout` with `redirect_uri` and `response_type` (sign out, then sign in again), the refresh-token
 * family (revoking one token does not end the access tokens already issued; Cognito ends them for its user-pool API,
 * which the BFF does not call). Revoked tokens are kept as SHA-256 digests, in `revokedFile` when given.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalStackError } from './errors';

export interface FrontClient {
  clientId: string;
  /** When set, revocation requires it (Basic or `client_secret` in the form), as Cognito does for a client with a secret. */
  clientSecret?: string;
  /** The app client's sign-out URLs: the only targets `/logout` redirects to. */
  logoutUrls: readonly string[];
}

export interface CognitoFrontOptions {
  /** cognito-local's base URL (`http://127.0.0.1:<private port>`); may be given later with `setUpstream`. */
  upstream?: string;
  /** Where the front listens. Loopback only: neither it nor the emulator checks who calls. */
  host: string;
  port: number;
  /**
   * A file that keeps the revoked tokens' SHA-256 digests, one a line, so a revocation survives a restart of the
   * local stack (cognito-local keeps its refresh tokens across restarts). @default in memory only
   */
  revokedFile?: string;
}

export interface CognitoFront {
  /** The front's base URL: the OAuth endpoints, the sign-in form and the token issuer's origin. */
  url: string;
  port: number;
  /** Where to forward from now on (the local stack binds the front first, then starts the emulator). */
  setUpstream(url: string): void;
  /** Makes an app client known to `/logout` and `/oauth2/revoke` (the bootstrap registers the one it set up). */
  registerClient(client: FrontClient): void;
  close(): Promise<void>;
}

/** Form bodies here are a token or two: Cognito's refresh tokens are under 2 KB. */
const MAX_FORM_BYTES = 16_384;

export async function startCognitoFront(options: CognitoFrontOptions): Promise<CognitoFront> {
  let upstream = options.upstream === undefined ? undefined : new URL(options.upstream);
  const clients = new Map<string, FrontClient>();
  /** SHA-256 of each revoked refresh token: the tokens themselves are not kept. */
  const revoked = new Set<string>(options.revokedFile ? readDigests(options.revokedFile) : []);

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: 'internal_error' });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://front.invalid');
    if (url.pathname === '/logout' && (req.method === 'GET' || req.method === 'HEAD')) return logout(url, res);
    if (url.pathname === '/oauth2/revoke' && req.method === 'POST') return revoke(req, res);
    if (url.pathname === '/oauth2/token' && req.method === 'POST') {
      const body = await readBody(req);
      if (body === undefined) return sendJson(res, 413, { error: 'invalid_request' });
      const form = new URLSearchParams(body.toString('utf8'));
      const refreshToken = form.get('refresh_token');
      if (form.get('grant_type') === 'refresh_token' && refreshToken && revoked.has(digest(refreshToken))) {
        return sendJson(res, 400, { error: 'invalid_grant', error_description: 'Refresh Token has been revoked' });
      }
      return forward(req, res, body);
    }
    return forward(req, res);
  }

  function logout(url: URL, res: ServerResponse): void {
    const clientId = url.searchParams.get('client_id');
    const logoutUri = url.searchParams.get('logout_uri');
    const client = clientId ? clients.get(clientId) : undefined;
    if (!client) return sendText(res, 400, 'Sign-out failed: client_id is missing or not an app client of this user pool.');
    if (!logoutUri) return sendText(res, 400, 'Sign-out failed: logout_uri is missing.');
    if (!client.logoutUrls.includes(logoutUri)) {
      return sendText(res, 400, "Sign-out failed: logout_uri is not one of the app client's sign-out URLs.");
    }
    res.writeHead(302, { Location: logoutUri, 'Cache-Control': 'no-store' }).end();
  }

  async function revoke(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isForm(req)) return sendJson(res, 400, { error: 'invalid_request' });
    const body = await readBody(req);
    if (body === undefined) return sendJson(res, 413, { error: 'invalid_request' });
    const form = new URLSearchParams(body.toString('utf8'));
    const credentials = basicCredentials(req.headers.authorization) ?? {
      clientId: form.get('client_id') ?? '',
      clientSecret: form.get('client_secret') ?? undefined,
    };
    const client = clients.get(credentials.clientId);
    if (!client || (client.clientSecret !== undefined && !sameSecret(client.clientSecret, credentials.clientSecret))) {
      return sendJson(res, 401, { error: 'invalid_client' });
    }
    const token = form.get('token');
    if (!token) return sendJson(res, 400, { error: 'invalid_request' });
    // Cognito revokes refresh tokens only; an access or ID token is refused as such.
    if (tokenUse(token) !== undefined) return sendJson(res, 400, { error: 'unsupported_token_type' });
    const entry = digest(token);
    if (!revoked.has(entry)) {
      revoked.add(entry);
      if (options.revokedFile) appendFileSync(options.revokedFile, `${entry}\n`, { mode: 0o600 });
    }
    res.writeHead(200, { 'Cache-Control': 'no-store', 'Content-Length': '0' }).end();
  }

  function forward(req: IncomingMessage, res: ServerResponse, body?: Buffer): void {
    if (!upstream) return sendJson(res, 503, { error: 'emulator_starting' });
    const headers = { ...req.headers };
    if (body !== undefined) {
      headers['content-length'] = String(body.length);
      delete headers['transfer-encoding'];
    }
    const outgoing = http.request(
      { protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    outgoing.on('error', () => {
      if (!res.headersSent) sendJson(res, 502, { error: 'emulator_unavailable' });
      else res.destroy();
    });
    if (body !== undefined) outgoing.end(body);
    else req.pipe(outgoing);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new LocalStackError(`port ${options.port} is already in use (is another cognito-local running?): stop it or set EMULATOR_PORT`)
          : new LocalStackError(`cannot listen on ${options.host}:${options.port}: ${error.message}`, { cause: error }),
      );
    });
    server.listen({ host: options.host, port: options.port, exclusive: true }, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${hostInUrl}:${port}`,
    port,
    setUpstream(url) {
      upstream = new URL(url);
    },
    registerClient(client) {
      clients.set(client.clientId, { ...client, logoutUrls: [...client.logoutUrls] });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readDigests(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => /^[\w-]{43}$/.test(line));
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

function sameSecret(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

function basicCredentials(header: string | undefined): { clientId: string; clientSecret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  // client_secret_basic form-encodes both parts before joining them (RFC 6749 2.3.1).
  const part = (text: string) => {
    try {
      return decodeURIComponent(text.replace(/\+/g, ' '));
    } catch {
      return text;
    }
  };
  return { clientId: part(decoded.slice(0, colon)), clientSecret: part(decoded.slice(colon + 1)) };
}

/** `token_use` of a JWT access or ID token; undefined for anything else (a refresh token). */
function tokenUse(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8'));
    const use = typeof payload === 'object' && payload !== null ? (payload as { token_use?: unknown }).token_use : undefined;
    return use === 'access' || use === 'id' ? use : undefined;
  } catch {
    return undefined;
  }
}

function isForm(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/** The whole body, or undefined when it exceeds MAX_FORM_BYTES. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function sendJson(res: ServerResponse, status: number, body: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}
