/**
 * The token relay's figures: an authenticated `GET` relayed by the BFF (`API_PROXY`, session cookies, the verified
 * token added as Bearer) against the same upstream behind bare http-proxy-middleware (no authentication), in
 * interleaved rounds; then the BFF's memory over many relayed requests. Upstream, relays and the load generator each
 * run in their own process (see children.ts).
 */
import type { FakeIdp } from '../../test/support/fake-idp';
import { startServer, type ServerChild } from './children';
import { get } from './http';
import { runLoad, type LoadRequest, type LoadResult } from './load';
import { signIn } from './signin';
import { median, round } from './stats';

/** The prefix both relays serve; the upstream answers every path with the same JSON. */
const PREFIX = '/api/tests';
const PATH = `${PREFIX}/items?page=1`;

export interface RelaySettings {
  idp: FakeIdp;
  /** The BFF's configuration (the fake IdP's settings), to which API_PROXY is added. */
  bffEnv: Record<string, string>;
  body: string;
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  memoryWarmupRequests: number;
  memoryRequests: number;
  log: (message: string) => void;
}

export interface RelayFigures {
  bffRps: number;
  hpmRps: number;
  bffP99Ms: number;
  hpmP99Ms: number;
  bffCpuMicrosPerRequest: number;
  hpmCpuMicrosPerRequest: number;
  /** Median over rounds of BFF ÷ http-proxy-middleware, each pair measured back to back. */
  ratio: number;
  rounds: { bff: number; hpm: number }[];
  /** Decimal megabytes, as the rest of the benchmark. */
  memory: {
    requests: number;
    rssAfterWarmupMB: number;
    heapUsedAfterWarmupMB: number;
    legs: { requests: number; rssMB: number; heapUsedMB: number }[];
    rssGrowthMB: number;
    heapGrowthMB: number;
  };
}

async function expectOk(request: LoadRequest, label: string): Promise<void> {
  const response = await get(request.url + request.path, request.headers);
  if (response.status !== 200) throw new Error(`${label}: ${response.status} ${response.body.slice(0, 200)}`);
}

function checked(result: LoadResult, label: string): LoadResult {
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${label}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result;
}

/** A load run plus the relay process's own CPU time per request (the least sensitive figure on a busy machine). */
interface Measured extends LoadResult {
  cpuMicrosPerRequest: number;
}

/** The relay's targets: ≥ 0.8 × bare http-proxy-middleware, memory flat over the relayed requests. */
export function relayChecks(relay: RelayFigures): { target: string; measured: number; met: boolean; unit: string }[] {
  return [
    {
      target: 'Relayed GET (BFF, authenticated) ≥ 0.8 × bare http-proxy-middleware',
      measured: relay.ratio,
      met: relay.ratio >= 0.8,
      unit: '×',
    },
    {
      target: `RSS growth < 10 MB over ${(relay.memory.requests / 1000).toFixed(0)}k relayed requests`,
      measured: relay.memory.rssGrowthMB,
      met: relay.memory.rssGrowthMB < 10,
      unit: 'MB',
    },
  ];
}

/** The relay's rows of the "Other measure" table. */
export function renderRelay(relay: RelayFigures): string[] {
  const fmt = (value: number, digits = 2) => value.toFixed(digits);
  const m = relay.memory;
  return [
    `| Relayed GET: BFF (session cookie, token relayed as Bearer) vs bare http-proxy-middleware (no auth), same upstream | ${relay.bffRps.toLocaleString('en-US')} vs ${relay.hpmRps.toLocaleString('en-US')} req/s = ${fmt(relay.ratio, 3)}×; relay CPU ${fmt(relay.bffCpuMicrosPerRequest, 0)} vs ${fmt(relay.hpmCpuMicrosPerRequest, 0)} µs/req; p99 ${fmt(relay.bffP99Ms, 3)} vs ${fmt(relay.hpmP99Ms, 3)} ms |`,
    `| RSS after warm-up → after ${m.requests.toLocaleString('en-US')} relayed requests (readings every quarter, after a GC) | ${fmt(m.rssAfterWarmupMB, 1)} → ${m.legs.map((leg) => fmt(leg.rssMB, 1)).join(' → ')} MB (${m.rssGrowthMB >= 0 ? '+' : ''}${fmt(m.rssGrowthMB, 2)} MB); heap used ${fmt(m.heapUsedAfterWarmupMB, 2)} → ${fmt(m.legs.at(-1)?.heapUsedMB ?? 0, 2)} MB |`,
  ];
}

export async function measureRelay(settings: RelaySettings): Promise<RelayFigures> {
  const children: ServerChild[] = [];
  try {
    const upstream = await startServer('upstream', 'upstream', { BENCH_BODY: settings.body });
    children.push(upstream);
    const bffEnv = { ...settings.bffEnv, API_PROXY: `${PREFIX}=${upstream.url}` };
    const [bff, hpm] = await Promise.all([
      startServer('bff-relay', 'bff', { BENCH_ENV: JSON.stringify(bffEnv) }),
      startServer('hpm', 'hpm', { BENCH_UPSTREAM: upstream.url }),
    ]);
    children.push(bff, hpm);
    const browser = await signIn(bff.url, settings.idp);
    const targets = {
      bff: { url: bff.url, path: PATH, headers: { cookie: browser.forApi, accept: 'application/json' } },
      hpm: { url: hpm.url, path: PATH, headers: { cookie: browser.forApi, accept: 'application/json' } },
    };
    await expectOk(targets.bff, 'BFF relay');
    await expectOk(targets.hpm, 'http-proxy-middleware');

    settings.log(`relay: warm-up 2 × ${settings.warmupSeconds} s each, then ${settings.rounds} rounds of ${settings.seconds} s`);
    // Twice over, alternating: both relays and the shared upstream reach their steady state (JIT, undici's
    // WebAssembly parser tiering up, connection pools filled) before anything is measured.
    for (let pass = 0; pass < 2; pass += 1)
      for (const target of Object.values(targets)) await runLoad(target, { seconds: settings.warmupSeconds });
    const servers = { bff, hpm };
    const results: Record<'bff' | 'hpm', Measured>[] = [];
    for (let index = 0; index < settings.rounds; index += 1) {
      // Alternate which goes first, so neither always runs on a machine the other has just warmed or loaded.
      const order = index % 2 === 0 ? (['bff', 'hpm'] as const) : (['hpm', 'bff'] as const);
      const round: Partial<Record<'bff' | 'hpm', Measured>> = {};
      for (const name of order) {
        const before = await servers[name].stats();
        const result = checked(await runLoad(targets[name], { seconds: settings.seconds }), name);
        const after = await servers[name].stats();
        round[name] = { ...result, cpuMicrosPerRequest: (after.cpuMicros - before.cpuMicros) / Math.max(1, result.requests) };
      }
      results.push(round as Record<'bff' | 'hpm', Measured>);
      settings.log(
        `relay round ${index + 1}: BFF ${round.bff!.rps.toFixed(0)} (${round.bff!.cpuMicrosPerRequest.toFixed(0)} µs), ` +
          `http-proxy-middleware ${round.hpm!.rps.toFixed(0)} (${round.hpm!.cpuMicrosPerRequest.toFixed(0)} µs) req/s (relay CPU per request)`,
      );
    }
    await Promise.all([bff.stop(), hpm.stop()]);

    settings.log(`relay memory: ${settings.memoryWarmupRequests} warm-up + ${settings.memoryRequests} relayed requests on a fresh BFF`);
    const fresh = await startServer('bff-relay-memory', 'bff', { BENCH_ENV: JSON.stringify(bffEnv) }, { exposeGc: true });
    children.push(fresh);
    const memoryTarget = { ...targets.bff, url: fresh.url };
    checked(await runLoad(memoryTarget, { amount: settings.memoryWarmupRequests }), 'relay memory warm-up');
    const warm = await fresh.stats({ gc: true });
    const legs: RelayFigures['memory']['legs'] = [];
    let served = 0;
    let last = warm;
    for (let leg = 0; leg < 4; leg += 1) {
      served += checked(await runLoad(memoryTarget, { amount: settings.memoryRequests / 4 }), 'relay memory').requests;
      last = await fresh.stats({ gc: true });
      legs.push({ requests: served, rssMB: round(last.rss / 1e6, 2), heapUsedMB: round(last.heapUsed / 1e6, 2) });
    }
    return {
      bffRps: round(median(results.map((r) => r.bff.rps)), 0),
      hpmRps: round(median(results.map((r) => r.hpm.rps)), 0),
      bffP99Ms: round(median(results.map((r) => r.bff.p99Ms)), 3),
      hpmP99Ms: round(median(results.map((r) => r.hpm.p99Ms)), 3),
      bffCpuMicrosPerRequest: round(median(results.map((r) => r.bff.cpuMicrosPerRequest)), 1),
      hpmCpuMicrosPerRequest: round(median(results.map((r) => r.hpm.cpuMicrosPerRequest)), 1),
      ratio: round(median(results.map((r) => r.bff.rps / r.hpm.rps)), 3),
      rounds: results.map((r) => ({ bff: round(r.bff.rps, 0), hpm: round(r.hpm.rps, 0) })),
      memory: {
        requests: served,
        rssAfterWarmupMB: round(warm.rss / 1e6, 2),
        heapUsedAfterWarmupMB: round(warm.heapUsed / 1e6, 2),
        legs,
        rssGrowthMB: round((last.rss - warm.rss) / 1e6, 2),
        heapGrowthMB: round((last.heapUsed - warm.heapUsed) / 1e6, 2),
      },
    };
  } finally {
    await Promise.all(children.map((child) => child.stop()));
  }
}
