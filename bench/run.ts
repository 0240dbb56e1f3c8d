/**
 * `npm run bench`: the performance benchmark. See bench/README.md for the method.
 *
 * Everything runs on this machine, on loopback, in one run, so every comparison is a ratio measured side by side:
 * the fake IdP (test/support/fake-idp.ts) signs real RS256 tokens; the BFF, a bare Express route (the ceiling) and
 * express-openid-connect (the peer) each run in their own child process; autocannon drives them from this process.
 * Rounds interleave the targets (a different order each round) and ratios are taken within a round, then the median
 * across rounds, so load from other work on the machine hits every target alike.
 *
 * Knobs for quick runs while developing (the defaults are what the README reports): BENCH_ROUNDS, BENCH_SECONDS,
 * BENCH_MEMORY_REQUESTS, BENCH_PROFILE=1 (writes a CPU profile of the BFF server to a temp dir and prints its path).
 * A run writes bench/results/latest.json (untracked) only; `--update-docs` also rewrites the READMEs' tables and
 * bench/results/published.json; `--only lambda|library|relay|sessions|observability` measures one section alone and writes
 * nothing.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FakeIdp } from '../test/support/fake-idp';
import { pinToCores, startServer, type ServerChild } from './lib/children';
import { destroyAgent, get, setCookies } from './lib/http';
import { buildBundles, measureFirstRequest, measureLoad, sizeBytes } from './lib/lambda';
import { libraryChecks, measureLibrary, renderLibrary } from './lib/library';
import { CONNECTIONS, runLoad, type LoadRequest, type LoadResult } from './lib/load';
import { measureObservability, observabilityChecks, renderObservability, type ObservabilityFigures } from './lib/observability';
import { measurePowertools, renderPowertools, type PowertoolsFigures } from './lib/powertools';
import { measureRelay, relayChecks, renderRelay, type RelayFigures } from './lib/relay';
import { measureSessions, renderSessions, roundSessions, sessionChecks, type SessionFigures } from './lib/sessions';
import { signIn, signInLoop } from './lib/signin';
import { median, round } from './lib/stats';

const RESULTS_DIR = path.join(__dirname, 'results');
/** The READMEs that carry the latest table between the bench:results markers: this folder's and the project's. */
const READMES = [path.join(__dirname, 'README.md'), path.join(__dirname, '..', 'README.md')];

const SECTIONS = ['lambda', 'library', 'relay', 'sessions', 'observability'] as const;
type Section = (typeof SECTIONS)[number];

/** Command line: `--update-docs` (write the READMEs' tables and bench/results/published.json), `--only lambda|library|relay|sessions|observability`. */
const ARGS = parseBenchArgs(process.argv.slice(2));
const PUBLISHED_JSON = path.join(RESULTS_DIR, 'published.json');

function parseBenchArgs(argv: string[]): { updateDocs: boolean; only: Section | undefined } {
  const { values } = parseArgs({ args: argv, strict: true, options: { 'update-docs': { type: 'boolean' }, only: { type: 'string' } } });
  const only = values.only;
  if (only !== undefined && !SECTIONS.includes(only as Section))
    throw new Error(`--only: unknown section "${only}" (known: ${SECTIONS.join(', ')})`);
  if (only && values['update-docs']) throw new Error('--update-docs needs the whole benchmark, not --only');
  return { updateDocs: values['update-docs'] === true, only: only as Section | undefined };
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROUND_SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const WARMUP_SECONDS = 2;
const MEMORY_WARMUP_REQUESTS = 30_000;
const MEMORY_REQUESTS = Number(process.env.BENCH_MEMORY_REQUESTS ?? 100_000);
const SIGN_IN_ROUNDS = 3;
const SIGN_IN_CONCURRENCY = 8;
const LOAD_RUNS = 9;
const FIRST_REQUEST_RUNS = 5;
const STAGE_BASE_URL = 'https://abc123.execute-api.us-west-2.amazonaws.com/dev';

const started = Date.now();
const log = (message: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}\n`);

function machine() {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  return {
    nproc: os.availableParallelism(),
    cpu: model,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    memoryGB: round(os.totalmem() / 1e9, 1),
  };
}

/** A session cookie express-openid-connect accepts: its own session encryption (HKDF + A256GCM JWE) and secret. */
async function eocSession(idp: FakeIdp, accessToken: string, secret: string): Promise<string> {
  const eocCrypto = createRequire(__filename)('express-openid-connect/lib/crypto') as {
    encryption(secret: string): Buffer;
    encryptSync(payload: string, key: Buffer, headers: Record<string, number>): string;
  };
  const now = Math.floor(Date.now() / 1000);
  const session = {
    id_token: await idp.signIdToken(),
    access_token: accessToken,
    // Cognito's refresh token is an opaque JWE of about 1.8 KB.
    refresh_token: randomBytes(1350).toString('base64url'),
    token_type: 'Bearer',
    expires_at: now + idp.accessTokenSeconds,
  };
  return eocCrypto.encryptSync(JSON.stringify(session), eocCrypto.encryption(secret), { iat: now, uat: now, exp: now + 86_400 });
}

interface Target {
  name: string;
  label: string;
  server: ServerChild;
  request: LoadRequest;
}

/** A load run plus the server process's own CPU time per answered request (less sensitive to a busy machine). */
interface Measured extends LoadResult {
  cpuMicrosPerRequest: number;
}

async function measure(target: Target, seconds: number): Promise<Measured> {
  const before = await target.server.stats();
  const result = await runLoad(target.request, { seconds });
  const after = await target.server.stats();
  return { ...result, cpuMicrosPerRequest: (after.cpuMicros - before.cpuMicros) / Math.max(1, result.requests + result.non2xx) };
}

async function expectOk(target: Target): Promise<string> {
  const response = await get(target.request.url + target.request.path, target.request.headers);
  if (response.status !== 200) throw new Error(`${target.label}: ${response.status} ${response.body.slice(0, 200)}`);
  return response.body;
}

interface TargetFigures {
  label: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  cpuMicrosPerRequest: number;
  rounds: Measured[];
}

function summarize(label: string, rounds: Measured[]): TargetFigures {
  return {
    label,
    rps: median(rounds.map((r) => r.rps)),
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    cpuMicrosPerRequest: median(rounds.map((r) => r.cpuMicrosPerRequest)),
    rounds,
  };
}

/** Median over rounds of the per-round ratio candidate/reference. */
function ratio(figures: Record<string, TargetFigures>, candidate: string, reference: string): number {
  const a = figures[candidate]!.rounds;
  const b = figures[reference]!.rounds;
  return median(a.map((result, index) => result.rps / b[index]!.rps));
}

/** Bundle size, load time against the naive bundle and the floor, and cold-start latency, in fresh processes. */
async function measureLambda(idp: FakeIdp) {
  log('Lambda: building the shipped, the naive and the floor bundles, measuring load and first requests in fresh processes');
  const bundles = await buildBundles();
  try {
    // Module scope parses the configuration and starts a JWKS hydration: point it at a closed loopback port.
    const unreachable = 'http://127.0.0.1:1';
    const loadEnv = idp.env({
      COGNITO_DOMAIN: unreachable,
      COGNITO_ISSUER: `${unreachable}/${idp.poolId}`,
      PUBLIC_BASE_URL: STAGE_BASE_URL,
      LOG_LEVEL: 'error',
    });
    const load = await measureLoad(bundles, loadEnv, LOAD_RUNS);
    const liveEnv = idp.env({ PUBLIC_BASE_URL: STAGE_BASE_URL, LOG_LEVEL: 'error' });
    const token = await idp.signAccessToken();
    return {
      bundleBytes: sizeBytes(bundles.shipped),
      naiveBundleBytes: sizeBytes(bundles.naive),
      loadMs: load.shippedMs,
      naiveLoadMs: load.naiveMs,
      loadRatio: load.shippedMs / load.naiveMs,
      floorLoadMs: load.floorMs,
      emptyLoadMs: load.emptyMs,
      floorRatio: load.shippedMs / load.floorMs,
      naiveFloorRatio: load.naiveMs / load.floorMs,
      floorBuiltins: bundles.floorBuiltins,
      loadRuns: load.runs,
      firstHealthz: await measureFirstRequest(bundles.shipped, 'healthz', liveEnv, token, FIRST_REQUEST_RUNS),
      firstTests: await measureFirstRequest(bundles.shipped, 'tests', liveEnv, token, FIRST_REQUEST_RUNS),
      naiveFirstTests: await measureFirstRequest(bundles.naive, 'tests', liveEnv, token, FIRST_REQUEST_RUNS),
    };
  } finally {
    rmSync(bundles.dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const children: ServerChild[] = [];
  const host = machine();
  const pinning = pinToCores();
  const idp = await FakeIdp.start();
  const sectionOptions = { rounds: ROUNDS, seconds: ROUND_SECONDS, warmupSeconds: WARMUP_SECONDS, log };
  if (ARGS.only) {
    // One section alone: its rows and targets on stdout, no file written.
    const sections: Record<Section, () => Promise<{ rows: string[]; checks: Check[] }>> = {
      library: async () => {
        const library = await measureLibrary(idp, sectionOptions);
        return { rows: renderLibrary(library), checks: libraryChecks(library) };
      },
      lambda: async () => {
        const lambda = roundLambda(await measureLambda(idp));
        return { rows: renderLambda(lambda), checks: lambdaChecks(lambda) };
      },
      relay: async () => {
        const relay = await measureRelayFigures(idp, idp.env({ LOG_LEVEL: 'info' }), JSON.stringify({ tests: [] }));
        return { rows: renderRelay(relay), checks: relayChecks(relay) };
      },
      sessions: async () => {
        const sessions = roundSessions(await measureSessions(idp, sectionOptions));
        return { rows: renderSessions(sessions), checks: sessionChecks(sessions) };
      },
      observability: async () => {
        const observability = await measureObservability(idp, sectionOptions);
        const powertools = await measurePowertools({ rounds: ROUNDS, log });
        return {
          rows: [...renderObservability(observability), '', ...renderPowertools(powertools)],
          checks: observabilityChecks(observability),
        };
      },
    };
    try {
      const { rows, checks } = await sections[ARGS.only]();
      process.stdout.write(`${rows.join('\n')}\n\n${renderTargets(checks).join('\n')}\n`);
      log(`done (${ARGS.only} only: nothing written)`);
    } finally {
      destroyAgent();
      await idp.close();
    }
    return;
  }
  try {
    const bffEnv = idp.env({ LOG_LEVEL: 'info' });
    const eocSecret = randomBytes(32).toString('base64url');
    const profileDir = process.env.BENCH_PROFILE ? mkdtempSync(path.join(os.tmpdir(), 'cognito-bff-profile-')) : undefined;

    // --- setup: servers, a real sign-in for the browser's cookies, the peer's session -------------------------------
    log('starting servers (BFF, bare Express, express-openid-connect) in child processes');
    const bff = await startServer('bff', 'bff', { BENCH_ENV: JSON.stringify(bffEnv) }, { cpuProfileDir: profileDir });
    children.push(bff);
    const browser = await signIn(bff.url, idp);
    const bearer = { authorization: `Bearer ${browser.accessToken}`, accept: 'application/json' };
    const cookieHeaders = { cookie: browser.forApi, accept: 'application/json' };
    const body = (await get(`${bff.url}/tests`, bearer)).body;
    const [bare, bareHeaders, eoc] = await Promise.all([
      startServer('bare', 'bare', { BENCH_BODY: body }),
      startServer('bare-headers', 'bare', { BENCH_BODY: body, BENCH_RESPONSE_HEADERS: '1' }),
      startServer('eoc', 'eoc', {
        BENCH_BODY: body,
        BENCH_EOC: JSON.stringify({ issuerBaseURL: idp.issuer, clientID: idp.clientId, clientSecret: idp.clientSecret, secret: eocSecret }),
      }),
    ]);
    children.push(bare, bareHeaders, eoc);
    // The browser's first request carries the session unchunked; express-openid-connect answers with its chunked
    // cookies (appSession.0, .1), which is what a browser sends from then on.
    const first = await get(`${eoc.url}/tests`, {
      cookie: `appSession=${await eocSession(idp, browser.accessToken, eocSecret)}`,
      accept: 'application/json',
    });
    if (first.status !== 200) throw new Error(`express-openid-connect refused its own session: ${first.status}`);
    const eocCookie = setCookies(first)
      .filter((cookie) => cookie.value !== '')
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');

    const targets: Target[] = [
      {
        name: 'bare-cookie',
        server: bare,
        label: 'bare Express, same cookies',
        request: { url: bare.url, path: '/tests', headers: cookieHeaders },
      },
      {
        name: 'bare-bearer',
        server: bare,
        label: 'bare Express, same Bearer header',
        request: { url: bare.url, path: '/tests', headers: bearer },
      },
      {
        name: 'bare-headers-cookie',
        server: bareHeaders,
        label: "bare Express + the BFF's response headers, same cookies",
        request: { url: bareHeaders.url, path: '/tests', headers: cookieHeaders },
      },
      { name: 'bff-cookie', server: bff, label: 'BFF /tests, cookies', request: { url: bff.url, path: '/tests', headers: cookieHeaders } },
      { name: 'bff-bearer', server: bff, label: 'BFF /tests, Bearer', request: { url: bff.url, path: '/tests', headers: bearer } },
      {
        name: 'eoc',
        server: eoc,
        label: 'express-openid-connect /tests',
        request: { url: eoc.url, path: '/tests', headers: { cookie: eocCookie, accept: 'application/json' } },
      },
      {
        name: 'bff-session',
        server: bff,
        label: 'BFF /auth/session, cookies',
        request: { url: bff.url, path: '/auth/session', headers: { cookie: browser.forAuth, accept: 'application/json' } },
      },
    ];
    for (const target of targets) await expectOk(target);
    const bffBody = JSON.parse(body) as unknown;
    if (JSON.stringify(JSON.parse(await expectOk(targets[0]!))) !== JSON.stringify(bffBody))
      throw new Error('the bare route does not serve the same JSON');
    const eocCookieBytes = Buffer.byteLength(eocCookie);

    // --- throughput and latency: interleaved rounds --------------------------------------------------------------
    log(`warm-up: ${WARMUP_SECONDS} s per target`);
    for (const target of targets) await runLoad(target.request, { seconds: WARMUP_SECONDS });
    const results: Record<string, Measured[]> = Object.fromEntries(targets.map((target) => [target.name, []]));
    for (let index = 0; index < ROUNDS; index += 1) {
      const order = targets.map((_, i) => targets[(i + index) % targets.length]!);
      const line: string[] = [];
      for (const target of order) {
        const result = await measure(target, ROUND_SECONDS);
        if (result.non2xx > 0 || result.errors > 0)
          throw new Error(`${target.label}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
        results[target.name]!.push(result);
        line.push(`${target.name} ${result.rps.toFixed(0)} (${result.cpuMicrosPerRequest.toFixed(0)} µs)`);
      }
      log(`round ${index + 1}/${ROUNDS}: ${line.join(', ')} req/s (server CPU per request)`);
    }
    const figures = Object.fromEntries(targets.map((target) => [target.name, summarize(target.label, results[target.name]!)]));
    const ratios = {
      cookieVsBare: ratio(figures, 'bff-cookie', 'bare-cookie'),
      bearerVsBare: ratio(figures, 'bff-bearer', 'bare-bearer'),
      cookieVsEoc: ratio(figures, 'bff-cookie', 'eoc'),
      bearerVsEoc: ratio(figures, 'bff-bearer', 'eoc'),
      eocVsBare: ratio(figures, 'eoc', 'bare-cookie'),
      headersVsBare: ratio(figures, 'bare-headers-cookie', 'bare-cookie'),
      cookieVsBareHeaders: ratio(figures, 'bff-cookie', 'bare-headers-cookie'),
      sessionVsBare: ratio(figures, 'bff-session', 'bare-cookie'),
    };

    // --- sign-in round trips -------------------------------------------------------------------------------------
    log(`sign-in: ${SIGN_IN_ROUNDS} rounds of ${ROUND_SECONDS} s, ${SIGN_IN_CONCURRENCY} browsers`);
    await signInLoop(bff.url, idp, 1, SIGN_IN_CONCURRENCY);
    const signInRounds: { signIns: number; seconds: number; bffCpuMicros: number }[] = [];
    for (let index = 0; index < SIGN_IN_ROUNDS; index += 1) {
      const before = await bff.stats();
      const t0 = process.hrtime.bigint();
      const signIns = await signInLoop(bff.url, idp, ROUND_SECONDS, SIGN_IN_CONCURRENCY);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const after = await bff.stats();
      signInRounds.push({ signIns, seconds, bffCpuMicros: after.cpuMicros - before.cpuMicros });
    }
    const bffMicrosPerSignIn = median(signInRounds.map((r) => r.bffCpuMicros / r.signIns));
    const signInFigures = {
      endToEndPerSecond: median(signInRounds.map((r) => r.signIns / r.seconds)),
      bffCpuMicrosPerSignIn: bffMicrosPerSignIn,
      bffSignInsPerCpuSecond: 1e6 / bffMicrosPerSignIn,
      rounds: signInRounds,
    };
    await bff.stop();
    children.splice(children.indexOf(bff), 1);
    if (profileDir) log(`CPU profile of the BFF server: ${profileDir}`);

    // --- memory: a fresh BFF, RSS after warm-up and after 100k authenticated requests --------------------------------
    log(`memory: ${MEMORY_WARMUP_REQUESTS} warm-up + ${MEMORY_REQUESTS} authenticated requests on a fresh BFF`);
    const fresh = await startServer('bff-memory', 'bff', { BENCH_ENV: JSON.stringify(bffEnv) }, { exposeGc: true });
    children.push(fresh);
    const memoryTarget = { url: fresh.url, path: '/tests', headers: cookieHeaders };
    await runLoad(memoryTarget, { amount: MEMORY_WARMUP_REQUESTS });
    const afterWarmup = await fresh.stats({ gc: true });
    // In four legs, with a reading after each: a leak grows leg after leg, a heap settling in does not.
    const legs: { requests: number; rssMB: number; heapUsedMB: number }[] = [];
    let served = 0;
    let afterLoad = afterWarmup;
    for (let leg = 0; leg < 4; leg += 1) {
      const run = await runLoad(memoryTarget, { amount: MEMORY_REQUESTS / 4 });
      if (run.non2xx > 0 || run.errors > 0) throw new Error(`memory run: ${run.non2xx} non-2xx, ${run.errors} errors`);
      served += run.requests;
      afterLoad = await fresh.stats({ gc: true });
      legs.push({ requests: served, rssMB: round(afterLoad.rss / 1e6, 2), heapUsedMB: round(afterLoad.heapUsed / 1e6, 2) });
    }
    const memory = {
      requests: served,
      rssAfterWarmupMB: afterWarmup.rss / 1e6,
      rssAfterLoadMB: afterLoad.rss / 1e6,
      rssGrowthMB: (afterLoad.rss - afterWarmup.rss) / 1e6,
      heapUsedAfterWarmupMB: afterWarmup.heapUsed / 1e6,
      heapUsedAfterLoadMB: afterLoad.heapUsed / 1e6,
    };
    await fresh.stop();
    children.splice(children.indexOf(fresh), 1);
    await Promise.all(children.map((child) => child.stop()));
    children.length = 0;

    const library = await measureLibrary(idp, sectionOptions);
    const relay = await measureRelayFigures(idp, bffEnv, body);
    const sessions = roundSessions(await measureSessions(idp, sectionOptions));
    const lambda = await measureLambda(idp);
    const observability = await measureObservability(idp, sectionOptions);
    const powertools = await measurePowertools({ rounds: ROUNDS, log });

    // --- report --------------------------------------------------------------------------------------------------
    const checks = [
      { target: 'BFF /tests (cookies) ≥ 0.95 × bare Express', measured: ratios.cookieVsBare, met: ratios.cookieVsBare >= 0.95, unit: '×' },
      { target: 'BFF /tests (Bearer) ≥ 0.95 × bare Express', measured: ratios.bearerVsBare, met: ratios.bearerVsBare >= 0.95, unit: '×' },
      {
        target: 'BFF /tests (cookies) ≥ 2.5 × express-openid-connect',
        measured: ratios.cookieVsEoc,
        met: ratios.cookieVsEoc >= 2.5,
        unit: '×',
      },
      {
        target: 'BFF /tests (Bearer) ≥ 2.5 × express-openid-connect',
        measured: ratios.bearerVsEoc,
        met: ratios.bearerVsEoc >= 2.5,
        unit: '×',
      },
      ...libraryChecks(library),
      ...lambdaChecks(lambda),
      ...relayChecks(relay),
      ...sessionChecks(sessions),
      ...observabilityChecks(observability),
      {
        target: 'RSS growth < 10 MB over 100k requests',
        measured: memory.rssGrowthMB,
        met: memory.rssGrowthMB < 10,
        unit: 'MB',
      },
    ];
    const runtimeSeconds = (Date.now() - started) / 1000;
    const report = {
      date: new Date().toISOString(),
      machine: host,
      method: {
        connections: CONNECTIONS,
        rounds: ROUNDS,
        roundSeconds: ROUND_SECONDS,
        warmupSeconds: WARMUP_SECONDS,
        loadGenerator: 'autocannon (in the orchestrator process), servers in child processes',
        pinning,
      },
      throughput: Object.fromEntries(
        Object.entries(figures).map(([name, f]) => [
          name,
          {
            label: f.label,
            rps: round(f.rps, 0),
            p50Ms: round(f.p50Ms, 3),
            p99Ms: round(f.p99Ms, 3),
            serverCpuMicrosPerRequest: round(f.cpuMicrosPerRequest, 1),
            roundsRps: f.rounds.map((r) => round(r.rps, 0)),
          },
        ]),
      ),
      ratios: Object.fromEntries(Object.entries(ratios).map(([name, value]) => [name, round(value, 3)])),
      eocCookieBytes,
      signIn: {
        endToEndPerSecond: round(signInFigures.endToEndPerSecond, 0),
        bffCpuMicrosPerSignIn: round(signInFigures.bffCpuMicrosPerSignIn, 0),
        bffSignInsPerCpuSecond: round(signInFigures.bffSignInsPerCpuSecond, 0),
        rounds: signInFigures.rounds,
      },
      memory: {
        requests: memory.requests,
        rssAfterWarmupMB: round(memory.rssAfterWarmupMB, 2),
        rssAfterLoadMB: round(memory.rssAfterLoadMB, 2),
        rssGrowthMB: round(memory.rssGrowthMB, 2),
        heapUsedAfterWarmupMB: round(memory.heapUsedAfterWarmupMB, 2),
        heapUsedAfterLoadMB: round(memory.heapUsedAfterLoadMB, 2),
        legs,
      },
      library,
      lambda: roundLambda(lambda),
      relay,
      sessions,
      observability,
      powertools,
      targets: checks.map((check) => ({ ...check, measured: round(check.measured, 3) })),
      runtimeSeconds: round(runtimeSeconds, 0),
    };
    const markdown = renderMarkdown(report);
    mkdirSync(RESULTS_DIR, { recursive: true });
    const tmp = path.join(RESULTS_DIR, 'latest.json.tmp');
    writeFileSync(tmp, JSON.stringify(report, null, 2) + '\n');
    renameSync(tmp, path.join(RESULTS_DIR, 'latest.json'));
    process.stdout.write(markdown + '\n');
    if (ARGS.updateDocs) {
      // The figures behind the published tables, kept with them (latest.json is this machine's last run, untracked).
      writeFileSync(PUBLISHED_JSON, JSON.stringify(report, null, 2) + '\n');
      for (const readme of READMES) await updateReadme(readme, markdown);
      log(
        `done in ${runtimeSeconds.toFixed(0)} s; wrote bench/results/latest.json, ${path.relative(process.cwd(), PUBLISHED_JSON)} and the tables in bench/README.md and README.md`,
      );
    } else {
      log(
        `done in ${runtimeSeconds.toFixed(0)} s; wrote bench/results/latest.json (untracked); \`npm run bench -- --update-docs\` also updates the READMEs`,
      );
    }
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    destroyAgent();
    await idp.close();
  }
}

function roundAll<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).map(([name, v]) => [name, typeof v === 'number' ? round(v, 2) : v])) as T;
}

type LambdaFigures = Awaited<ReturnType<typeof measureLambda>>;

/** The token relay: BFF (authenticated) vs bare http-proxy-middleware on the same upstream, and memory (lib/relay.ts). */
function measureRelayFigures(idp: FakeIdp, bffEnv: Record<string, string>, body: string): Promise<RelayFigures> {
  return measureRelay({
    idp,
    bffEnv,
    body,
    rounds: ROUNDS,
    seconds: ROUND_SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    memoryWarmupRequests: MEMORY_WARMUP_REQUESTS,
    memoryRequests: MEMORY_REQUESTS,
    log,
  });
}
type Check = { target: string; measured: number; met: boolean; unit: string };

function roundLambda(lambda: LambdaFigures): LambdaFigures {
  return {
    ...lambda,
    loadMs: round(lambda.loadMs, 2),
    naiveLoadMs: round(lambda.naiveLoadMs, 2),
    loadRatio: round(lambda.loadRatio, 3),
    floorLoadMs: round(lambda.floorLoadMs, 2),
    emptyLoadMs: round(lambda.emptyLoadMs, 3),
    floorRatio: round(lambda.floorRatio, 3),
    naiveFloorRatio: round(lambda.naiveFloorRatio, 3),
    firstHealthz: roundAll(lambda.firstHealthz),
    firstTests: roundAll(lambda.firstTests),
    naiveFirstTests: roundAll(lambda.naiveFirstTests),
  };
}

function lambdaChecks(lambda: LambdaFigures): Check[] {
  return [
    { target: 'Lambda bundle < 300 KB', measured: lambda.bundleBytes / 1000, met: lambda.bundleBytes < 300_000, unit: 'KB' },
    { target: 'Lambda load time ≤ 0.3 × naive bundle', measured: lambda.loadRatio, met: lambda.loadRatio <= 0.3, unit: '×' },
  ];
}

const fmt = (value: number, digits = 2) => value.toFixed(digits);

/** The Lambda rows of the "Other measure" table. */
function renderLambda(lambda: LambdaFigures): string[] {
  return [
    `| Lambda bundle | ${fmt(lambda.bundleBytes / 1000, 1)} KB (naive: ${fmt(lambda.naiveBundleBytes / 1000, 1)} KB) |`,
    `| Lambda bundle load (\`require\`, fresh process) | ${fmt(lambda.loadMs)} ms vs naive ${fmt(lambda.naiveLoadMs)} ms = ${fmt(lambda.loadRatio, 3)}× |`,
    `| Floor: an empty handler loading the same ${lambda.floorBuiltins.length} Node built-in modules (an empty handler alone: ${fmt(lambda.emptyLoadMs, 2)} ms) | ${fmt(lambda.floorLoadMs)} ms; bundle = ${fmt(lambda.floorRatio, 2)}× the floor (naive: ${fmt(lambda.naiveFloorRatio, 2)}×) |`,
    `| Lambda cold start to first /healthz answer (require + JWKS hydration + event) | ${fmt(lambda.firstHealthz.totalMs)} ms |`,
    `| Lambda cold start to first /tests answer (Bearer token verified) | ${fmt(lambda.firstTests.totalMs)} ms (naive bundle: ${fmt(lambda.naiveFirstTests.totalMs)} ms) |`,
  ];
}

function renderTargets(checks: Check[]): string[] {
  return [
    '| Target | measured | met |',
    '| --- | ---: | :---: |',
    ...checks.map(
      (check) => `| ${check.target} | ${fmt(check.measured, check.unit === '×' ? 3 : 1)} ${check.unit} | ${check.met ? 'yes' : '**no**'} |`,
    ),
  ];
}

type Report = {
  date: string;
  machine: ReturnType<typeof machine>;
  method: { connections: number; rounds: number; roundSeconds: number; pinning: string };
  throughput: Record<string, { label: string; rps: number; p50Ms: number; p99Ms: number; serverCpuMicrosPerRequest: number }>;
  ratios: Record<string, number>;
  eocCookieBytes: number;
  signIn: { endToEndPerSecond: number; bffCpuMicrosPerSignIn: number; bffSignInsPerCpuSecond: number };
  memory: {
    requests: number;
    rssAfterWarmupMB: number;
    rssAfterLoadMB: number;
    rssGrowthMB: number;
    heapUsedAfterWarmupMB: number;
    heapUsedAfterLoadMB: number;
    legs: { requests: number; rssMB: number }[];
  };
  lambda: LambdaFigures;
  relay: RelayFigures;
  sessions: SessionFigures;
  observability: ObservabilityFigures;
  powertools: PowertoolsFigures;
  targets: Check[];
  runtimeSeconds: number;
};

function renderMarkdown(report: Report): string {
  const t = report.throughput;
  const r = report.ratios;
  const m = report.machine;
  const label = (name: string) =>
    name === 'eoc' ? `${t[name]!.label} (${fmt(report.eocCookieBytes / 1000, 1)} KB session cookie)` : t[name]!.label;
  const row = (name: string, vsBare: string, vsEoc: string) =>
    `| ${label(name)} | ${t[name]!.rps.toLocaleString('en-US')} | ${fmt(t[name]!.p50Ms, 3)} | ${fmt(t[name]!.p99Ms, 3)} | ${fmt(t[name]!.serverCpuMicrosPerRequest, 0)} | ${vsBare} | ${vsEoc} |`;
  const lines = [
    `Machine: ${m.nproc} cores (\`nproc\`), ${m.cpu}, ${m.memoryGB} GB, Node.js ${m.node}, ${m.os}. ` +
      `${report.method.rounds} interleaved rounds of ${report.method.roundSeconds} s per target, ${report.method.connections} connections, medians; ${report.method.pinning}; ${report.date}.`,
    '',
    '| Authenticated GET | req/s | p50 ms | p99 ms | server CPU µs/req | × bare Express | × express-openid-connect |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('bare-cookie', '1', ''),
    row('bare-bearer', '1', ''),
    row('bare-headers-cookie', fmt(r.headersVsBare!, 3), ''),
    row('bff-cookie', `${fmt(r.cookieVsBare!, 3)} (${fmt(r.cookieVsBareHeaders!, 3)} × the row above)`, fmt(r.cookieVsEoc!)),
    row('bff-bearer', fmt(r.bearerVsBare!, 3), fmt(r.bearerVsEoc!)),
    row('eoc', fmt(r.eocVsBare!, 3), '1'),
    row('bff-session', fmt(r.sessionVsBare!, 3), ''),
    '',
    '| Other measure | value |',
    '| --- | ---: |',
    `| Sign-in round trip (/auth/login + /auth/callback, fake IdP), BFF CPU per sign-in | ${report.signIn.bffCpuMicrosPerSignIn.toLocaleString('en-US')} µs (${report.signIn.bffSignInsPerCpuSecond.toLocaleString('en-US')} sign-ins per CPU-second) |`,
    `| Sign-in round trips end to end, IdP signing included (2 cores shared) | ${report.signIn.endToEndPerSecond.toLocaleString('en-US')} /s |`,
    ...renderLambda(report.lambda),
    ...renderRelay(report.relay),
    ...renderSessions(report.sessions),
    `| RSS after warm-up → after ${report.memory.requests.toLocaleString('en-US')} authenticated requests (readings every 25,000, after a GC) | ${fmt(report.memory.rssAfterWarmupMB, 1)} → ${report.memory.legs.map((leg) => fmt(leg.rssMB, 1)).join(' → ')} MB (${report.memory.rssGrowthMB >= 0 ? '+' : ''}${fmt(report.memory.rssGrowthMB, 2)} MB); heap used ${fmt(report.memory.heapUsedAfterWarmupMB, 2)} → ${fmt(report.memory.heapUsedAfterLoadMB, 2)} MB |`,
    '',
    ...renderObservability(report.observability),
    '',
    ...renderPowertools(report.powertools),
    '',
    ...renderTargets(report.targets),
    '',
    `Benchmark runtime: ${report.runtimeSeconds} s.`,
  ];
  return lines.join('\n');
}

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

/** Puts the table between the markers of a README, formatted as the repository's Prettier settings want it. */
async function updateReadme(readme: string, markdown: string): Promise<void> {
  if (!existsSync(readme)) return;
  const text = readFileSync(readme, 'utf8');
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from < 0 || to < from) return;
  const updated = `${text.slice(0, from + START.length)}\n${markdown}\n${text.slice(to)}`;
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(readme)) ?? {};
  writeFileSync(readme, await prettier.format(updated, { ...options, filepath: readme }));
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
