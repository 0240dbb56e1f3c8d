/**
 * The IdP's OAuth endpoints: `/oauth2/token` (code exchange, refresh), `/oauth2/revoke`, and the `/logout` URL.
 *
 * Form bodies are built with URLSearchParams, never by string concatenation. With a client secret the client
 * authenticates with `client_secret_basic` (RFC 6749 2.3.1: each part form-encoded before base64); `client_id` is in
 * the body too, as Cognito accepts and cognito-local requires. One keep-alive agent serves every call, each call is
 * bounded by a timeout, and the answer is parsed by us so that garbage is a clean error, not a crash.
 */
import http from 'node:http';
import https from 'node:https';
import type { AxiosError, AxiosInstance, AxiosStatic } from 'axios';
import { GrantRejectedError, IdpTimeoutError, IdpUnavailableError } from '../errors';
import { logFact } from '../http/log-facts';

export interface TokenSet {
  accessToken: string;
  idToken: string;
  /** Absent on a refresh without rotation. */
  refreshToken: string | undefined;
  expiresIn: number | undefined;
}

export interface IdpClient {
  exchangeCode(input: { code: string; redirectUri: string; codeVerifier: string | undefined }): Promise<TokenSet>;
  refresh(refreshToken: string): Promise<TokenSet>;
  /** Revokes a refresh token; rejects on failure (the caller decides that logout goes on). */
  revoke(refreshToken: string): Promise<void>;
  logoutUrl(logoutUri: string): string;
}

export interface IdpClientOptions {
  domain: string;
  clientId: string;
  clientSecret: string | undefined;
  timeoutMs: number;
  /** For tests and the benchmark: an axios instance of their own. */
  http?: AxiosInstance;
}

const MAX_RESPONSE_BYTES = 256 * 1024;

/**
 * axios, loaded on the first call to the IdP rather than at start: most requests (`/tests`, `/auth/session`) never talk
 * to the IdP, and evaluating axios is a sizeable part of a Lambda cold start (see bench/). Loaded once per process.
 */
interface AxiosModule {
  default: AxiosStatic;
  isAxiosError(error: unknown): error is AxiosError;
}
let axiosModule: Promise<AxiosModule> | undefined;
const loadAxios = (): Promise<AxiosModule> => (axiosModule ??= import('axios') as Promise<unknown> as Promise<AxiosModule>);

/** One agent pair per process: warm Lambdas and servers reuse connections to the IdP. */
const keepAliveAgents = {
  httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
  httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

function basicCredentials(clientId: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return 'Basic ' + Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64');
}

function parseJsonObject(body: unknown): Record<string, unknown> | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function toTokenSet(body: Record<string, unknown>, requireRefresh: boolean): TokenSet {
  const { access_token, id_token, refresh_token, expires_in, token_type } = body;
  if (typeof access_token !== 'string' || access_token === '')
    throw new IdpUnavailableError('idp_bad_response', 'token response without access_token');
  if (typeof id_token !== 'string' || id_token === '') throw new IdpUnavailableError('idp_bad_response', 'token response without id_token');
  if (token_type !== undefined && (typeof token_type !== 'string' || token_type.toLowerCase() !== 'bearer')) {
    throw new IdpUnavailableError('idp_bad_response', 'token response with an unexpected token_type');
  }
  if (refresh_token !== undefined && typeof refresh_token !== 'string')
    throw new IdpUnavailableError('idp_bad_response', 'malformed refresh_token');
  if (requireRefresh && !refresh_token) throw new IdpUnavailableError('idp_bad_response', 'token response without refresh_token');
  return {
    accessToken: access_token,
    idToken: id_token,
    refreshToken: refresh_token || undefined,
    expiresIn: typeof expires_in === 'number' ? expires_in : undefined,
  };
}

export function createIdpClient(options: IdpClientOptions): IdpClient {
  let client: Promise<AxiosInstance> | undefined = options.http ? Promise.resolve(options.http) : undefined;
  const http = (): Promise<AxiosInstance> =>
    (client ??= loadAxios().then(({ default: axios }) =>
      axios.create({
        ...keepAliveAgents,
        timeout: options.timeoutMs,
        maxContentLength: MAX_RESPONSE_BYTES,
        maxRedirects: 0,
        // Never route to the IdP through a proxy taken from the environment.
        proxy: false,
        // We read the body ourselves: a 200 with HTML or broken JSON must become a clean error.
        responseType: 'text',
        transformResponse: [(data: unknown) => data],
        validateStatus: () => true,
      }),
    ));
  const authHeaders: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' };
  if (options.clientSecret) authHeaders.Authorization = basicCredentials(options.clientId, options.clientSecret);

  async function post(path: string, form: URLSearchParams): Promise<{ status: number; body: unknown }> {
    // axios's `timeout` only bounds an idle socket: an IdP that answers 200 and then drips its body would hold the
    // request (and the user) for as long as it likes. The signal bounds the whole call, body included.
    const deadline = AbortSignal.timeout(options.timeoutMs);
    try {
      const response = await (await http()).post(options.domain + path, form.toString(), { headers: authHeaders, signal: deadline });
      return { status: response.status, body: response.data };
    } catch (error) {
      const { isAxiosError } = await loadAxios();
      if (isAxiosError(error) && (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT' || deadline.aborted)) {
        throw new IdpTimeoutError(`${path}: no answer within ${options.timeoutMs} ms`);
      }
      const code = isAxiosError(error) ? (error.code ?? 'network error') : 'network error';
      throw new IdpUnavailableError('idp_unavailable', `${path}: ${code}`);
    }
  }

  /** Maps a token-endpoint answer to a TokenSet or the error its status says. */
  function readTokenResponse(path: string, status: number, raw: unknown, requireRefresh: boolean): TokenSet {
    const body = parseJsonObject(raw);
    if (status === 200) {
      if (!body) throw new IdpUnavailableError('idp_bad_response', `${path}: 200 without a JSON object`);
      return toTokenSet(body, requireRefresh);
    }
    const oauthError = typeof body?.error === 'string' ? logFact(body.error) : undefined;
    if (status === 400 && oauthError === 'invalid_grant') throw new GrantRejectedError(`${path}: invalid_grant`);
    if (status >= 500) throw new IdpUnavailableError('idp_unavailable', `${path}: status ${status}`);
    // invalid_client, unauthorized_client, invalid_request: our client or configuration is wrong, not the user.
    throw new IdpUnavailableError('idp_error', `${path}: status ${status} ${oauthError ?? 'without an OAuth error'}`);
  }

  return {
    async exchangeCode({ code, redirectUri, codeVerifier }) {
      const form = new URLSearchParams({ grant_type: 'authorization_code', client_id: options.clientId, code, redirect_uri: redirectUri });
      if (codeVerifier) form.set('code_verifier', codeVerifier);
      const { status, body } = await post('/oauth2/token', form);
      return readTokenResponse('/oauth2/token', status, body, true);
    },
    async refresh(refreshToken) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', client_id: options.clientId, refresh_token: refreshToken });
      const { status, body } = await post('/oauth2/token', form);
      return readTokenResponse('/oauth2/token', status, body, false);
    },
    async revoke(refreshToken) {
      const form = new URLSearchParams({ token: refreshToken, client_id: options.clientId });
      const { status } = await post('/oauth2/revoke', form);
      // Cognito answers 200 even for an unknown token; anything else is worth a log line.
      if (status !== 200) throw new IdpUnavailableError('idp_error', `/oauth2/revoke: status ${status}`);
    },
    logoutUrl(logoutUri) {
      const url = new URL(options.domain + '/logout');
      url.searchParams.set('client_id', options.clientId);
      url.searchParams.set('logout_uri', logoutUri);
      return url.href;
    },
  };
}
