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
import { interleavedRounds, roundMedians, roundRatio, type LoadRequest } from './load';
import { signIn } from './signin';

type Target = 'bare' | 'bff' | 'bffObserved';

export interface ObservabilityFigures {
  rps: Record<Target, number>;
  /** The server's own CPU time per answered request, microseconds: steadier than req/s on a shared machine. */
  cpuMicrosPerRequest: Record<Target, number>;
  /** CPU per request of the BFF without an SDK over with one: what recording costs the server, as a ratio. */
  observedCpuVsPlain: number;
  /** Median over rounds of the BFF with an SDK over bare Express: the target (≥ 0.95). */
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
      const series = await interleavedRounds(
        'observability',
        {
          bare: { request: targets.bare, server: bare },
          bff: { request: targets.bff, server: plain },
          bffObserved: { request: targets.bffObserved, server: observed },
        },
        options,
      );
      return {
        rps: roundMedians(series, 'rps', 0),
        cpuMicrosPerRequest: roundMedians(series, 'cpuMicrosPerRequest', 1),
        observedCpuVsPlain: roundRatio(series, 'cpuMicrosPerRequest', 'bff', 'bffObserved'),
        observedVsBare: roundRatio(series, 'rps', 'bffObserved', 'bare'),
        plainVsBare: roundRatio(series, 'rps', 'bff', 'bare'),
        observedVsPlain: roundRatio(series, 'rps', 'bffObserved', 'bff'),
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
