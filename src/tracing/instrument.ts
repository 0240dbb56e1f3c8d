/**
 * Telemetry around the BFF's outbound calls, added by wrapping the parts that make them (the IdP client, the JWKS
 * fetcher, the session store) rather than inside them: the parts stay about their one job, and a part a test or the
 * benchmark injects is measured exactly like the real one. The token relay measures its own calls (src/proxy/relay.ts):
 * it needs the upstream's status.
 */
import type { Fetcher } from 'aws-jwt-verify/https';
import type { IdpClient } from '../auth/idp-client';
import type { SessionStore } from '../sessions/session-store';
import { outbound, type Telemetry } from './outbound';

/** The IdP's token and revoke endpoints: `cognito.token` and `cognito.revoke` spans, `IdpLatency`. */
export function instrumentIdp(idp: IdpClient, telemetry: Telemetry): IdpClient {
  const grant = (name: 'authorization_code' | 'refresh_token') => ({
    span: 'cognito.token',
    latency: 'IdpLatency' as const,
    attributes: { 'cognito_bff.grant_type': name },
  });
  return {
    exchangeCode: (input) => outbound(telemetry, grant('authorization_code'), () => idp.exchangeCode(input)),
    refresh: (refreshToken) => outbound(telemetry, grant('refresh_token'), () => idp.refresh(refreshToken)),
    revoke: (refreshToken) => outbound(telemetry, { span: 'cognito.revoke', latency: 'IdpLatency' }, () => idp.revoke(refreshToken)),
    logoutUrl: (logoutUri) => idp.logoutUrl(logoutUri),
  };
}

/** Cognito's AdminUserGlobalSignOut (logout "everywhere"): a `cognito.global_sign_out` span and `IdpLatency`. */
export function instrumentGlobalSignOut(
  signOut: (username: string) => Promise<void>,
  telemetry: Telemetry,
): (username: string) => Promise<void> {
  return (username) => outbound(telemetry, { span: 'cognito.global_sign_out', latency: 'IdpLatency' }, () => signOut(username));
}

/** The token keys' download: a `cognito.jwks` span and `JwksLatency` (a cold start, a new key, a `kid` nobody has). */
export function instrumentJwksFetcher(fetcher: Fetcher, telemetry: Telemetry): Fetcher {
  return {
    fetch: (uri, requestOptions, data) =>
      outbound(telemetry, { span: 'cognito.jwks', latency: 'JwksLatency' }, () => fetcher.fetch(uri, requestOptions, data)),
  };
}

/** Every operation of the store, by name: the compiler says so when the interface gains one. */
const STORE_OPERATIONS: Record<keyof SessionStore, true> = {
  create: true,
  get: true,
  sessionOfToken: true,
  list: true,
  end: true,
  endAll: true,
  acquireLease: true,
  completeRefresh: true,
  releaseLease: true,
};

/** Every session-store operation: a `session_store.<operation>` span and `SessionStoreLatency`. */
export function instrumentSessionStore(store: SessionStore, telemetry: Telemetry): SessionStore {
  const wrapped = {} as Record<keyof SessionStore, unknown>;
  for (const operation of Object.keys(STORE_OPERATIONS) as (keyof SessionStore)[]) {
    const call = { span: `session_store.${operation}`, latency: 'SessionStoreLatency' as const, attributes: { 'db.system': 'dynamodb' } };
    const method = store[operation] as (...args: unknown[]) => Promise<unknown>;
    wrapped[operation] = (...args: unknown[]) => outbound(telemetry, call, () => method.apply(store, args));
  }
  return wrapped as SessionStore;
}
