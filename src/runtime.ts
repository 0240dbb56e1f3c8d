/**
 * The long-lived parts both entry points build once per process (or warm Lambda container): the IdP client with its
 * keep-alive agent and the token verifiers with their JWKS cache.
 */
import { createIdpClient, type IdpClient } from './auth/idp-client';
import { createJwksFetcher } from './auth/jwks-fetcher';
import { createTokenVerifiers, type TokenVerifiers } from './auth/verifiers';
import type { Config } from './options';
import type { Logger } from './logger';
import { noMetrics, type MetricsRecorder } from './metrics/recorder';
import { instrumentJwksFetcher } from './tracing/instrument';
import { createTracing } from './tracing/tracing';

export interface Runtime {
  idp: IdpClient;
  verifiers: TokenVerifiers;
}

/**
 * The IdP client and the verifiers. The JWKS download is measured here (`JwksLatency` into `metrics`, a span): it
 * happens inside the verifiers. The IdP client is measured where the BFF is assembled (src/bff.ts), like an injected one.
 */
export function createRuntime(config: Config, telemetry: { metrics?: MetricsRecorder } = {}): Runtime {
  const jwksFetcher = instrumentJwksFetcher(createJwksFetcher(), { metrics: telemetry.metrics ?? noMetrics, tracing: createTracing() });
  return {
    idp: createIdpClient({
      domain: config.cognito.domain,
      clientId: config.cognito.clientId,
      clientSecret: config.cognito.clientSecret,
      timeoutMs: config.idpTimeoutMs,
    }),
    verifiers: createTokenVerifiers(config.cognito, { jwksFetcher }),
  };
}

/** Loads the JWKS ahead of the first request. A failure is not fatal: requests fail closed until keys load. */
export async function hydrate(runtime: Runtime, logger: Logger): Promise<void> {
  try {
    await runtime.verifiers.hydrate();
  } catch (error) {
    logger.warn('could not load the JWKS at start; tokens are refused until it loads', {
      reason: error instanceof Error ? error.message : 'unknown',
    });
  }
}

/** Every setting that weakens a check against real Cognito is said out loud at start. */
export function announceDegradations(config: Config, logger: Logger): void {
  if (!config.requireNonce) {
    logger.warn(
      'REQUIRE_NONCE=false: ID tokens without a nonce are accepted (only for an emulator that does not echo it, such as cognito-local)',
    );
  }
  if (config.cognito.customIssuer) {
    logger.info('custom token issuer configured', { issuer: config.cognito.issuer });
  }
}
