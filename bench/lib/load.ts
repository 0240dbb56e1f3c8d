/**
 * One load run with autocannon against a loopback server: throughput from the count of 2xx responses over the
 * measured time, latency percentiles from every response's own timing (autocannon's histogram has 1 ms resolution,
 * too coarse on loopback, so the per-response times are kept instead).
 */
import autocannon from 'autocannon';
import { percentileSorted } from './stats';

export interface LoadRequest {
  url: string;
  path: string;
  headers: Record<string, string>;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

export const CONNECTIONS = 16;

export function runLoad(target: LoadRequest, limit: { seconds: number } | { amount: number }): Promise<LoadResult> {
  if (!target.url.startsWith('http://127.0.0.1:')) return Promise.reject(new Error('load goes only to 127.0.0.1'));
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    let ok = 0;
    let non2xx = 0;
    const started = process.hrtime.bigint();
    const instance = autocannon(
      {
        url: target.url + target.path,
        method: 'GET',
        headers: target.headers,
        connections: CONNECTIONS,
        pipelining: 1,
        timeout: 10,
        ...('seconds' in limit ? { duration: limit.seconds } : { amount: limit.amount, duration: 120 }),
      },
      (error, result) => {
        if (error) return reject(error);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const sorted = Float64Array.from(latencies).sort();
        resolve({
          requests: ok,
          seconds,
          rps: ok / seconds,
          p50Ms: percentileSorted(sorted, 50),
          p99Ms: percentileSorted(sorted, 99),
          non2xx,
          errors: result.errors + result.timeouts,
        });
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode >= 200 && statusCode < 300) {
        ok += 1;
        latencies.push(responseTime);
      } else {
        non2xx += 1;
      }
    });
  });
}
