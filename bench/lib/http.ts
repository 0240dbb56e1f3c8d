/** A minimal keep-alive HTTP client for setup, sanity checks and the sign-in driver (loopback only). */
import http from 'node:http';

export interface SimpleResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export function get(url: string, headers: Record<string, string> = {}): Promise<SimpleResponse> {
  return send('GET', url, headers);
}

/** A POST without a body (POST /auth/refresh). */
export function post(url: string, headers: Record<string, string> = {}): Promise<SimpleResponse> {
  return send('POST', url, headers);
}

function send(method: 'GET' | 'POST', url: string, headers: Record<string, string>): Promise<SimpleResponse> {
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1') return Promise.reject(new Error(`the benchmark only talks to 127.0.0.1, not ${target.hostname}`));
  return new Promise((resolve, reject) => {
    const request = http.request(target, { method, headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    request.setTimeout(10_000, () => request.destroy(new Error(`timeout: ${method} ${target.pathname}`)));
    request.on('error', reject);
    request.end();
  });
}

/** `name=value` pairs of the Set-Cookie headers of a response (attributes dropped), with their Path. */
export function setCookies(response: SimpleResponse): { name: string; value: string; path: string }[] {
  return (response.headers['set-cookie'] ?? []).map((line) => {
    const [pair = '', ...attributes] = line.split(';');
    const index = pair.indexOf('=');
    const pathAttribute = attributes.map((part) => part.trim()).find((part) => part.toLowerCase().startsWith('path='));
    return { name: pair.slice(0, index).trim(), value: pair.slice(index + 1).trim(), path: pathAttribute ? pathAttribute.slice(5) : '/' };
  });
}

export function destroyAgent(): void {
  agent.destroy();
}
