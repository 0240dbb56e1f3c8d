/**
 * The token relay under test: the product (either runtime) against the fake IdP, with relay routes to real upstream
 * servers on loopback, and a signed-in browser.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimplePenaltyBox } from 'aws-jwt-verify/jwk';
import { createApp } from '../../src/app';
import { createLambdaHandler } from '../../src/aws-lambda/handler';
import { parseConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import type { ProxyRouteOptions } from '../../src/proxy';
import { proxyRoutesOf } from '../../src/proxy/routes';
import { createRuntime } from '../../src/runtime';
import { Browser, signIn, type AttackHarness } from '../attack/support';
import type { FakeIdp } from '../support/fake-idp';
import { BASE_URLS, type RuntimeKind } from '../support/harness';
import { restApiEvent, resultHeaders } from '../support/api-gateway-event';
import { httpTarget, lambdaTarget, type TargetResponse } from '../support/targets';

export interface RelayHarness extends AttackHarness {
  /** The HTTP runtime listening on loopback (http kind only): for raw requests and streamed answers. */
  listen(): Promise<{ port: number; close: () => Promise<void> }>;
}

export function buildRelayHarness(
  kind: RuntimeKind,
  idp: FakeIdp,
  routes: ProxyRouteOptions[],
  options: { timeoutMs?: number } = {},
): RelayHarness {
  // The option form (scopes and groups per route) through the same validation createBff runs.
  const problems: string[] = [];
  const apiProxy = proxyRoutesOf(routes, (problem) => problems.push(problem));
  if (problems.length > 0) throw new Error(problems.join('; '));
  const env = {
    ...idp.env(),
    PUBLIC_BASE_URL: BASE_URLS[kind],
    ...(options.timeoutMs ? { API_PROXY_TIMEOUT_MS: String(options.timeoutMs) } : {}),
  };
  const config = { ...parseConfig(env), apiProxy };
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(line) });
  const deps = { config, ...createRuntime(config), logger };
  const base = { kind, idp, config, logs, metrics: [] as string[], penaltyBox: new SimplePenaltyBox(), cookieValues: new Set<string>() };
  if (kind === 'http') {
    const app = createApp(deps);
    return {
      ...base,
      target: httpTarget(app),
      app,
      async listen() {
        const server = http.createServer(app);
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        return {
          port: (server.address() as AddressInfo).port,
          close: async () => {
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
          },
        };
      },
    };
  }
  const handler = createLambdaHandler(deps);
  return {
    ...base,
    target: lambdaTarget(handler, config.basePath),
    handler,
    listen: () => Promise.reject(new Error('the Lambda runtime does not listen')),
  };
}

/** A browser signed in through the fake IdP, and the access token its cookie carries. */
export async function signedInBrowser(harness: RelayHarness): Promise<{ browser: Browser; accessToken: string }> {
  const browser = new Browser(harness);
  const { callback } = await signIn(harness, browser);
  if (callback.status !== 302) throw new Error(`sign-in failed: ${callback.status} ${callback.text}`);
  const accessToken = browser.jar.get('__Host-bff-at')?.value;
  if (!accessToken) throw new Error('no access-token cookie after sign-in');
  return { browser, accessToken };
}

/**
 * A Lambda request whose `event.path` is exactly `path` (decoded, as API Gateway passes it), dot segments and all:
 * the event builder's URL parsing would resolve them before the app saw them.
 */
export async function rawLambdaRequest(harness: RelayHarness, method: string, path: string, cookie: string): Promise<TargetResponse> {
  const event = restApiEvent({
    method,
    url: '/placeholder',
    stage: harness.config.basePath.slice(1) || 'dev',
    headers: { Cookie: cookie },
  });
  event.path = path;
  event.pathParameters = { proxy: path.slice(1) };
  event.requestContext.path = `/${event.requestContext.stage}${path}`;
  const result = await harness.handler!(event, { awsRequestId: event.requestContext.requestId } as never);
  const raw = Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    body = undefined;
  }
  return { status: result.statusCode, headers: resultHeaders(result), text: raw.toString('utf8'), body, raw };
}
