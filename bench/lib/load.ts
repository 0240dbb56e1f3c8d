/**
 * One load run with autocannon against a loopback server: throughput from the count of 2xx responses over the
 * measured time, latency percentiles from every response's own timing (autocannon's histogram has 1 ms resolution,
 * too coarse on loopback, so the per-response times are kept instead).
 */
import autocannon from 'autocannon';
import { median, percentileSorted, round } from './stats';

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

/** A load target and the server process answering it, whose own CPU time is read around each run. */
export interface RoundTarget {
  request: LoadRequest;
  server: { stats(): Promise<{ cpuMicros: number }> };
}

/** Per target, one value a round: throughput and the server's own CPU microseconds per answered request. */
export type RoundSeries<N extends string> = Record<N, { rps: number[]; cpuMicrosPerRequest: number[] }>;
type Measure = keyof RoundSeries<string>[string];

/** Each target's median over rounds of `of`, rounded to `digits` decimals. */
export function roundMedians<N extends string>(series: RoundSeries<N>, of: Measure, digits: number): Record<N, number> {
  const medians = {} as Record<N, number>;
  for (const name of Object.keys(series) as N[]) medians[name] = round(median(series[name][of]), digits);
  return medians;
}

/** The median over rounds of `a`'s `of` ÷ `b`'s in the same round: a ratio the rounds' shared load cancels out of. */
export function roundRatio<N extends string>(series: RoundSeries<N>, of: Measure, a: N, b: N): number {
  return round(median(series[a][of].map((value, index) => value / series[b][of][index]!)), 3);
}

/**
 * Interleaved rounds, the benchmark's one method for comparing targets: a warm-up per target, then `rounds` rounds in
 * which each target runs once, in a different order each round, so load from elsewhere on the machine hits every
 * target alike. A non-2xx answer or a transport error ends the run: a figure of failures means nothing.
 */
export async function interleavedRounds<N extends string>(
  section: string,
  targets: Record<N, RoundTarget>,
  options: { rounds: number; seconds: number; warmupSeconds: number; log: (line: string) => void },
): Promise<RoundSeries<N>> {
  const names = Object.keys(targets) as N[];
  const series = {} as RoundSeries<N>;
  for (const name of names) series[name] = { rps: [], cpuMicrosPerRequest: [] };
  options.log(`${section}: warm-up ${options.warmupSeconds} s per target, then ${options.rounds} rounds of ${options.seconds} s`);
  for (const name of names) await runLoad(targets[name].request, { seconds: options.warmupSeconds });
  for (let index = 0; index < options.rounds; index += 1) {
    const order = names.map((_, i) => names[(i + index) % names.length]!);
    for (const name of order) {
      const { request, server } = targets[name];
      const before = await server.stats();
      const result = await runLoad(request, { seconds: options.seconds });
      const after = await server.stats();
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${section} ${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      series[name].rps.push(result.rps);
      series[name].cpuMicrosPerRequest.push((after.cpuMicros - before.cpuMicros) / Math.max(1, result.requests));
    }
    const line = names.map(
      (name) => `${name} ${series[name].rps[index]!.toFixed(0)} (${series[name].cpuMicrosPerRequest[index]!.toFixed(0)} µs)`,
    );
    options.log(`${section} round ${index + 1}/${options.rounds}: ${line.join(', ')} req/s (server CPU per request)`);
  }
  return series;
}
