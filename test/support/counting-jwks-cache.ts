/** A JWKS cache that counts its key look-ups: aws-jwt-verify makes one per verification that really runs. */
import type { JwksCache } from 'aws-jwt-verify/jwk';

export function countingJwksCache(inner: JwksCache, counter: { count: number }): JwksCache {
  return {
    getJwk: (uri, jwt) => {
      counter.count += 1;
      return inner.getJwk(uri, jwt);
    },
    getCachedJwk: (uri, jwt) => inner.getCachedJwk(uri, jwt),
    addJwks: (uri, jwks) => inner.addJwks(uri, jwks),
    getJwks: (uri) => inner.getJwks(uri),
  };
}
