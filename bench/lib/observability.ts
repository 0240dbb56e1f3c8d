/**
 * What observability costs on the hot path: authenticated `/tests` (session cookies) on bare Express (the ceiling),
 * on the BFF as it ships (no OpenTelemetry SDK: the API's spans are no-ops, metrics go nowhere), and on the BFF in a
 * process that registered an OpenTelemetry SDK (every span sampled and recorded, every metric aggregated, nothing
 * exported: bench/servers/bff.ts with BENCH_OTEL=1). Each in its own child process; rounds interleave the three (a
 * different order each round), ratios are taken within a round, then the median.
 */
import type { FakeIdp } from '../../test/support/fake-idp';
import { startServer } from './children';
import { get } from './http';
import { runLoad, type LoadRequest } from './load';
import { signIn } from './signin';
import { median, round } from './stats';

type Target = 'bare' | 'bff' | 'bffObserved';

export interface ObservabilityFigures {
  rps: Record<Target, number>;
  /** The server's own CPU time per answered request, microseconds: steadier than req/s on a shared machine. */
  cpuMicrosPerRequest: Record<Target, number>;
  /** CPU per request of the BFF without an SDK over with one: what recording costs the server, as a ratio. */
  observedCpuVsPlain: number;
  /** Median over rounds of the BFF with an SDK over bare Express: the issue's target (≥ 0.95). */
  observedVsBare: number;
  /** The same for the BFF without an SDK. */
  plainVsBare: number;
  /** The BFF with an SDK over the BFF without one: what recording spans and metrics costs. */
  observedVsPlain: number;
  rounds: number;
  roundSeconds: number;
}

export async function measureObservability(
  idp: FakeIdp,
  options: { rounds: number; seconds: number; warmupSeconds: number; log: (line: string) => void },
): Promise<ObservabilityFigures> {
  const env = JSON.stringify(idp.env({ LOG_LEVEL: 'info' }));
  const plain = await startServer('bff-plain', 'bff', { BENCH_ENV: env });
  const observed = await startServer('bff-otel', 'bff', { BENCH_ENV: env, BENCH_OTEL: '1' });
  try {
    const headersFor = async (url: string) => ({ cookie: (await signIn(url, idp)).forApi, accept: 'application/json' });
    const plainHeaders = await headersFor(plain.url);
    const body = (await get(`${plain.url}/tests`, plainHeaders)).body;
    const bare = await startServer('bare-observability', 'bare', { BENCH_BODY: body });
    try {
      const targets: Record<Target, LoadRequest> = {
        // The same cookies as the BFF gets: parsing a 1.3 KB Cookie header is part of every request's cost.
        bare: { url: bare.url, path: '/tests', headers: plainHeaders },
        bff: { url: plain.url, path: '/tests', headers: plainHeaders },
        bffObserved: { url: observed.url, path: '/tests', headers: await headersFor(observed.url) },
      };
      for (const [name, target] of Object.entries(targets)) {
        const answer = await get(target.url + target.path, target.headers);
        if (answer.status !== 200 || answer.body !== body)
          throw new Error(`observability ${name}: ${answer.status} ${answer.body.slice(0, 200)}`);
      }
      options.log(`observability: warm-up ${options.warmupSeconds} s per target, then ${options.rounds} rounds of ${options.seconds} s`);
      for (const target of Object.values(targets)) await runLoad(target, { seconds: options.warmupSeconds });
      const names = Object.keys(targets) as Target[];
      const results: Record<Target, number[]> = { bare: [], bff: [], bffObserved: [] };
      const cpu: Record<Target, number[]> = { bare: [], bff: [], bffObserved: [] };
      const servers: Record<Target, { stats(): Promise<{ cpuMicros: number }> }> = { bare, bff: plain, bffObserved: observed };
      for (let index = 0; index < options.rounds; index += 1) {
        const order = names.map((_, i) => names[(i + index) % names.length]!);
        for (const name of order) {
          const before = await servers[name].stats();
          const result = await runLoad(targets[name], { seconds: options.seconds });
          const after = await servers[name].stats();
          if (result.non2xx > 0 || result.errors > 0)
            throw new Error(`observability ${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
          results[name].push(result.rps);
          cpu[name].push((after.cpuMicros - before.cpuMicros) / Math.max(1, result.requests));
        }
        options.log(
          `observability round ${index + 1}/${options.rounds}: ${names.map((name) => `${name} ${results[name][index]!.toFixed(0)}`).join(', ')} req/s`,
        );
      }
      const ratio = (a: Target, b: Target) => round(median(results[a].map((value, index) => value / results[b][index]!)), 3);
      return {
        rps: {
          bare: round(median(results.bare), 0),
          bff: round(median(results.bff), 0),
          bffObserved: round(median(results.bffObserved), 0),
        },
        cpuMicrosPerRequest: {
          bare: round(median(cpu.bare), 1),
          bff: round(median(cpu.bff), 1),
          bffObserved: round(median(cpu.bffObserved), 1),
        },
        observedCpuVsPlain: round(median(cpu.bff.map((value, index) => value / cpu.bffObserved[index]!)), 3),
        observedVsBare: ratio('bffObserved', 'bare'),
        plainVsBare: ratio('bff', 'bare'),
        observedVsPlain: ratio('bffObserved', 'bff'),
        rounds: options.rounds,
        roundSeconds: options.seconds,
      };
    } finally {
      await bare.stop();
    }
  } finally {
    await Promise.all([plain.stop(), observed.stop()]);
  }
}

export function observabilityChecks(figures: ObservabilityFigures) {
  return [
    {
      target: 'BFF /tests with an OpenTelemetry SDK (spans and metrics recorded, no exporter) ≥ 0.95 × bare Express',
      measured: figures.observedVsBare,
      met: figures.observedVsBare >= 0.95,
      unit: '×',
    },
  ];
}

export function renderObservability(figures: ObservabilityFigures): string[] {
  return [
    '| `/tests`, session cookies | req/s | ÷ bare Express | server CPU µs/request |',
    '| --- | ---: | ---: | ---: |',
    `| bare Express (no authentication, the same cookies) | ${figures.rps.bare} | 1 | ${figures.cpuMicrosPerRequest.bare} |`,
    `| BFF, no OpenTelemetry SDK (as shipped) | ${figures.rps.bff} | ${figures.plainVsBare} | ${figures.cpuMicrosPerRequest.bff} |`,
    `| BFF with an OpenTelemetry SDK: spans and metrics recorded, nothing exported | ${figures.rps.bffObserved} | ${figures.observedVsBare} | ${figures.cpuMicrosPerRequest.bffObserved} |`,
    '',
    `With the SDK ÷ without: ${figures.observedVsPlain} × in req/s, ${figures.observedCpuVsPlain} × in CPU per request (${figures.rounds} rounds of ${figures.roundSeconds} s, medians of per-round ratios)`,
  ];
}
