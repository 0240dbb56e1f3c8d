/**
 * Integration-test helpers around a real cognito-local: start one on a free port with fresh data, and do what a
 * browser does on its sign-in form. No mocks: these talk HTTP to the emulator.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { LocalPool } from '../../src/local/bootstrap';
import type { CognitoFront } from '../../src/local/cognito-front';
import type { RunningEmulator } from '../../src/local/emulator';
import { startLocalStack } from '../../src/local/local-stack';

/** The demo user's password in tests (meets Cognito's default policy). */
export const TEST_DEMO_PASSWORD = 'Test-Passw0rd.local';
export const TEST_PUBLIC_BASE_URL = 'http://localhost:3000';

export interface TestEmulator {
  /** cognito-local itself, on a private port. */
  emulator: RunningEmulator;
  /** What the settings point at: the emulator plus `/logout` and `/oauth2/revoke` (src/local/cognito-front.ts). */
  front: CognitoFront;
  pool: LocalPool;
  /** The same overlay `npm start` gives the BFF config (`COGNITO_*`, `REQUIRE_NONCE`, `COOKIE_KEYS`). */
  settings: Record<string, string>;
  publicBaseUrl: string;
  /** The temporary root of this emulator's data (removed by `stop`). */
  rootDir: string;
  stop(): Promise<void>;
}

export interface TestEmulatorOptions {
  demoPassword?: string;
  /** The emulator's log lines, e.g. `console.log` when debugging a test. */
  onLog?: (line: string) => void;
}

/** Starts cognito-local on a free loopback port with fresh data and bootstraps it for `publicBaseUrl`. */
export async function startTestEmulator(
  publicBaseUrl: string = TEST_PUBLIC_BASE_URL,
  options: TestEmulatorOptions = {},
): Promise<TestEmulator> {
  const rootDir = await mkdtemp(path.join(os.tmpdir(), 'cognito-bff-test-'));
  try {
    const stack = await startLocalStack({
      rootDir,
      emulatorPort: await freePort(),
      publicBaseUrl,
      demoPassword: options.demoPassword ?? TEST_DEMO_PASSWORD,
      onLog: options.onLog,
    });
    return {
      ...stack,
      publicBaseUrl,
      rootDir,
      stop: async () => {
        await stack.stop();
        await rm(rootDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(rootDir, { recursive: true, force: true });
    throw error;
  }
}

/** A loopback port free right now (the OS picks it; the tiny race until someone binds it is accepted in tests). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

export interface AuthorizationRequest {
  /** `${COGNITO_DOMAIN}/oauth2/authorize?…` with PKCE S256. */
  url: string;
  state: string;
  codeVerifier: string;
  redirectUri: string;
}

/** Builds an authorization request as the BFF would (state, PKCE S256), for tests that drive the emulator directly. */
export function buildAuthorizationRequest(
  settings: Record<string, string>,
  redirectUri: string,
  scope = 'openid email profile',
): AuthorizationRequest {
  const state = randomBytes(16).toString('base64url');
  const codeVerifier = randomBytes(32).toString('base64url');
  const url = new URL('/oauth2/authorize', requiredSetting(settings, 'COGNITO_DOMAIN'));
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: requiredSetting(settings, 'COGNITO_CLIENT_ID'),
    redirect_uri: redirectUri,
    scope,
    state,
    code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  return { url: url.toString(), state, codeVerifier, redirectUri };
}

/** Thrown when the form comes back instead of a redirect: wrong username or password. */
export class EmulatorSignInRefused extends Error {
  override readonly name = 'EmulatorSignInRefused';
}

/**
 * Signs in like a browser: GET the authorize URL (the HTML form), POST its hidden fields back with the credentials,
 * and return the `Location` of the 302 (the redirect URI with `code` and `state`).
 */
export async function signInThroughEmulatorForm(authorizeUrl: string, username: string, password: string): Promise<string> {
  const formPage = await fetch(authorizeUrl, { redirect: 'manual' });
  const html = await formPage.text();
  if (formPage.status !== 200 || !formPage.headers.get('content-type')?.includes('text/html')) {
    throw new Error(`GET ${authorizeUrl} answered ${formPage.status}, not the sign-in form: ${html.slice(0, 300)}`);
  }
  const form = parseForm(html, authorizeUrl);
  form.fields.set('username', username);
  form.fields.set('password', password);

  const submitted = await fetch(form.action, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams([...form.fields]),
  });
  const location = submitted.headers.get('location');
  if (submitted.status === 302 && location) return new URL(location, form.action).toString();
  const body = await submitted.text();
  const refusal = /Incorrect username or password\.?/.exec(body);
  if (submitted.status === 200 && refusal) throw new EmulatorSignInRefused(`sign-in refused: ${refusal[0]}`);
  throw new Error(`POST ${form.action} answered ${submitted.status} without a redirect: ${body.slice(0, 300)}`);
}

export interface TokenResponse {
  access_token: string;
  id_token: string;
  refresh_token?: string;
  token_type: string;
  expires_in: number;
}

/** Exchanges a code at `/oauth2/token` the way the BFF does: client_secret_basic, plus `client_id` in the body. */
export async function exchangeCode(
  settings: Record<string, string>,
  request: { code: string; redirectUri: string; codeVerifier: string },
): Promise<TokenResponse> {
  const clientId = requiredSetting(settings, 'COGNITO_CLIENT_ID');
  const basic = Buffer.from(
    `${encodeURIComponent(clientId)}:${encodeURIComponent(requiredSetting(settings, 'COGNITO_CLIENT_SECRET'))}`,
  ).toString('base64');
  const response = await fetch(new URL('/oauth2/token', requiredSetting(settings, 'COGNITO_DOMAIN')), {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: clientId,
      code: request.code,
      redirect_uri: request.redirectUri,
      code_verifier: request.codeVerifier,
    }),
  });
  const body: unknown = await response.json();
  if (!response.ok) throw new Error(`token endpoint answered ${response.status}: ${JSON.stringify(body)}`);
  return body as TokenResponse;
}

interface ParsedForm {
  action: string;
  fields: Map<string, string>;
}

/** Reads the emulator's form: its action and hidden inputs. Tolerant of attribute order and quoting style. */
function parseForm(html: string, pageUrl: string): ParsedForm {
  const formTag = /<form\b[^>]*>/i.exec(html)?.[0];
  if (!formTag) throw new Error(`no <form> on the sign-in page: ${html.slice(0, 300)}`);
  const action = new URL(attribute(formTag, 'action') ?? pageUrl, pageUrl).toString();
  const fields = new Map<string, string>();
  for (const [input] of html.matchAll(/<input\b[^>]*>/gi)) {
    const name = attribute(input, 'name');
    if (name && attribute(input, 'type')?.toLowerCase() === 'hidden') fields.set(name, attribute(input, 'value') ?? '');
  }
  return { action, fields };
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  const raw = match?.[1] ?? match?.[2] ?? match?.[3];
  return raw === undefined ? undefined : decodeHtmlEntities(raw);
}

function decodeHtmlEntities(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCodePoint(parseInt(code, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function requiredSetting(settings: Record<string, string>, name: string): string {
  const value = settings[name];
  if (!value) throw new Error(`settings lack ${name}`);
  return value;
}
