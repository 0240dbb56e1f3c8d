/**
 * The library's guard in a team's app (bench/servers/team.ts): the same route with and without `requireAuth()`, with
 * the session cookies of a real sign-in and with the same access token as a Bearer header, in one server process.
 * Rounds interleave the four targets (a different order each round); ratios are taken within a round, then the median.
 */
import type { FakeIdp } from '../../test/support/fake-idp';
import { startServer } from './children';
import { get } from './http';
import { runLoad, type LoadRequest } from './load';
import { signIn } from './signin';
import { median, round } from './stats';

export interface LibraryFigures {
  rps: Record<'openCookie' | 'guardedCookie' | 'openBearer' | 'guardedBearer', number>;
  /** The server's own CPU time per answered request, microseconds (less sensitive to a busy machine than req/s). */
  cpuMicrosPerRequest: Record<'openCookie' | 'guardedCookie' | 'openBearer' | 'guardedBearer', number>;
  /** Median over rounds of guarded/open throughput, same credentials. */
  cookieGuardedVsOpen: number;
  bearerGuardedVsOpen: number;
  /** The same as a ratio of CPU per request (open/guarded): how much of the server's work the guard adds. */
  cookieCpuOpenVsGuarded: number;
  bearerCpuOpenVsGuarded: number;
  rounds: number;
  roundSeconds: number;
}

export async function measureLibrary(
  idp: FakeIdp,
  options: { rounds: number; seconds: number; warmupSeconds: number; log: (line: string) => void },
): Promise<LibraryFigures> {
  const env = idp.env({ LOG_LEVEL: 'info' });
  const body = JSON.stringify({ tests: [{ id: 'unit', name: 'Unit tests', status: 'passed' }] });
  const team = await startServer('team', 'team', { BENCH_ENV: JSON.stringify(env), BENCH_BODY: body });
  try {
    const browser = await signIn(team.url, idp);
    const cookie = { cookie: browser.forApi, accept: 'application/json' };
    const bearer = { authorization: `Bearer ${browser.accessToken}`, accept: 'application/json' };
    const targets: Record<keyof LibraryFigures['rps'], LoadRequest> = {
      openCookie: { url: team.url, path: '/open', headers: cookie },
      guardedCookie: { url: team.url, path: '/guarded', headers: cookie },
      openBearer: { url: team.url, path: '/open', headers: bearer },
      guardedBearer: { url: team.url, path: '/guarded', headers: bearer },
    };
    for (const [name, target] of Object.entries(targets)) {
      const answer = await get(target.url + target.path, target.headers);
      if (answer.status !== 200 || answer.body !== body) throw new Error(`team app ${name}: ${answer.status} ${answer.body.slice(0, 200)}`);
    }
    const refused = await get(`${team.url}/guarded`, { accept: 'application/json' });
    if (refused.status !== 401) throw new Error(`team app /guarded without credentials: ${refused.status}, not 401`);

    options.log(`library: warm-up ${options.warmupSeconds} s per target, then ${options.rounds} rounds of ${options.seconds} s`);
    for (const target of Object.values(targets)) await runLoad(target, { seconds: options.warmupSeconds });
    const names = Object.keys(targets) as (keyof LibraryFigures['rps'])[];
    const results = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<keyof LibraryFigures['rps'], number[]>;
    const cpu = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<keyof LibraryFigures['rps'], number[]>;
    for (let index = 0; index < options.rounds; index += 1) {
      const order = names.map((_, i) => names[(i + index) % names.length]!);
      for (const name of order) {
        const before = await team.stats();
        const result = await runLoad(targets[name], { seconds: options.seconds });
        const after = await team.stats();
        if (result.non2xx > 0 || result.errors > 0) throw new Error(`team app ${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        results[name].push(result.rps);
        cpu[name].push((after.cpuMicros - before.cpuMicros) / Math.max(1, result.requests));
      }
      options.log(
        `library round ${index + 1}/${options.rounds}: ${names.map((name) => `${name} ${results[name][index]!.toFixed(0)}`).join(', ')} req/s`,
      );
    }
    type Name = keyof LibraryFigures['rps'];
    const ratio = (of: Record<Name, number[]>, a: Name, b: Name) => median(of[a].map((value, index) => value / of[b][index]!));
    return {
      rps: Object.fromEntries(names.map((name) => [name, round(median(results[name]), 0)])) as LibraryFigures['rps'],
      cpuMicrosPerRequest: Object.fromEntries(names.map((name) => [name, round(median(cpu[name]), 1)])) as LibraryFigures['rps'],
      cookieGuardedVsOpen: round(ratio(results, 'guardedCookie', 'openCookie'), 3),
      bearerGuardedVsOpen: round(ratio(results, 'guardedBearer', 'openBearer'), 3),
      cookieCpuOpenVsGuarded: round(ratio(cpu, 'openCookie', 'guardedCookie'), 3),
      bearerCpuOpenVsGuarded: round(ratio(cpu, 'openBearer', 'guardedBearer'), 3),
      rounds: options.rounds,
      roundSeconds: options.seconds,
    };
  } finally {
    await team.stop();
  }
}

/** The issue's target for the guard: at least 0.95 × the unguarded route's throughput, cookies and Bearer alike. */
export function libraryChecks(figures: LibraryFigures) {
  const check = (via: string, measured: number) => ({
    target: `requireAuth (${via}) ≥ 0.95 × the team's unguarded route`,
    measured,
    met: measured >= 0.95,
    unit: '×',
  });
  return [check('cookies', figures.cookieGuardedVsOpen), check('Bearer', figures.bearerGuardedVsOpen)];
}

export function renderLibrary(figures: LibraryFigures): string[] {
  return [
    "| a team's route (bench/servers/team.ts) | req/s | server CPU µs/request |",
    '| --- | ---: | ---: |',
    `| unguarded, cookies | ${figures.rps.openCookie} | ${figures.cpuMicrosPerRequest.openCookie} |`,
    `| \`requireAuth()\`, cookies | ${figures.rps.guardedCookie} | ${figures.cpuMicrosPerRequest.guardedCookie} |`,
    `| unguarded, Bearer | ${figures.rps.openBearer} | ${figures.cpuMicrosPerRequest.openBearer} |`,
    `| \`requireAuth()\`, Bearer | ${figures.rps.guardedBearer} | ${figures.cpuMicrosPerRequest.guardedBearer} |`,
    '',
    `CPU per request, unguarded ÷ guarded: cookies ${figures.cookieCpuOpenVsGuarded} ×, Bearer ${figures.bearerCpuOpenVsGuarded} ×`,
  ];
}
