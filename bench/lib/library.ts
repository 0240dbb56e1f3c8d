/**
 * The library's guard in a team's app (bench/servers/team.ts): the same route with and without `requireAuth()`, with
 * the session cookies of a real sign-in and with the same access token as a Bearer header, in one server process.
 * Rounds interleave the four targets (a different order each round); ratios are taken within a round, then the median.
 */
import type { FakeIdp } from '../../test/support/fake-idp';
import { startServer } from './children';
import { get } from './http';
import { interleavedRounds, roundMedians, roundRatio, type LoadRequest, type RoundTarget } from './load';
import { signIn } from './signin';

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

    const onTeam = (name: keyof LibraryFigures['rps']): RoundTarget => ({ request: targets[name], server: team });
    const series = await interleavedRounds(
      'library',
      {
        openCookie: onTeam('openCookie'),
        guardedCookie: onTeam('guardedCookie'),
        openBearer: onTeam('openBearer'),
        guardedBearer: onTeam('guardedBearer'),
      },
      options,
    );
    return {
      rps: roundMedians(series, 'rps', 0),
      cpuMicrosPerRequest: roundMedians(series, 'cpuMicrosPerRequest', 1),
      cookieGuardedVsOpen: roundRatio(series, 'rps', 'guardedCookie', 'openCookie'),
      bearerGuardedVsOpen: roundRatio(series, 'rps', 'guardedBearer', 'openBearer'),
      cookieCpuOpenVsGuarded: roundRatio(series, 'cpuMicrosPerRequest', 'openCookie', 'guardedCookie'),
      bearerCpuOpenVsGuarded: roundRatio(series, 'cpuMicrosPerRequest', 'openBearer', 'guardedBearer'),
      rounds: options.rounds,
      roundSeconds: options.seconds,
    };
  } finally {
    await team.stop();
  }
}

/** The target for the guard: at least 0.95 × the unguarded route's throughput, cookies and Bearer alike. */
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
