/**
 * The JWKS fetcher. aws-jwt-verify's own fetcher speaks only https; an emulator on this machine speaks plain http.
 * Plain http is allowed for loopback hosts only, so a misconfiguration can never fetch keys over the network
 * unprotected. Responses are bounded in time and size.
 */
import http from 'node:http';
import { SimpleFetcher, type Fetcher } from 'aws-jwt-verify/https';
import { FetchError } from 'aws-jwt-verify/error';
import { isLoopbackHost } from '../net/loopback';

const MAX_JWKS_BYTES = 64 * 1024;
const TIMEOUT_MS = 3000;

function fetchLoopbackHttp(uri: string): Promise<ArrayBuffer> {
  return new Promise((resolve, reject) => {
    const request = http.get(uri, { timeout: TIMEOUT_MS }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new FetchError(uri, `Status code is ${response.statusCode}, expected 200`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_JWKS_BYTES) {
          request.destroy(new FetchError(uri, 'Response too large'));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
      });
      response.on('error', (error) => reject(new FetchError(uri, error.message)));
    });
    request.on('timeout', () => request.destroy(new FetchError(uri, `Timed out after ${TIMEOUT_MS} ms`)));
    request.on('error', (error) => reject(error instanceof FetchError ? error : new FetchError(uri, error.message)));
  });
}

export function createJwksFetcher(): Fetcher {
  const https = new SimpleFetcher({ defaultRequestOptions: { timeout: TIMEOUT_MS, responseTimeout: TIMEOUT_MS } });
  return {
    fetch(uri, requestOptions, data) {
      const url = new URL(uri);
      if (url.protocol === 'https:') return https.fetch(uri, requestOptions, data);
      if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return fetchLoopbackHttp(uri);
      return Promise.reject(new FetchError(uri, 'JWKS must be fetched over https (plain http only on loopback)'));
    },
  };
}
