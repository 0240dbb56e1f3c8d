/**
 * The server-side sessions section (SESSION_STORE=dynamodb on a real dynalite child process):
 * - authenticated `/tests` with cookies on a BFF in dynamodb mode, on a BFF in cookie mode, and on bare Express
 *   serving the same JSON, in interleaved rounds, ratios taken within each round (in dynamodb mode the liveness
 *   memory answers most requests; one store read per session per REVOCATION_CHECK_SECONDS);
 * - 200 concurrent `POST /auth/refresh` for 20 sessions, spread over two BFF instances sharing the store: how many
 *   refresh calls reach the IdP, counted at the fake IdP (the refresh lease makes it one per session);
 * - the Cookie header a signed-in browser sends, in bytes, in both modes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDynalite } from '../../src/local/dynalite';
import { createDocumentClient } from '../../src/sessions/dynamodb-client';
import { ensureSessionTable } from '../../src/sessions/table';
import { freePort } from '../../test/support/cognito-local';
import type { FakeIdp } from '../../test/support/fake-idp';
import { startServer, type ServerChild } from './children';
import { get, post } from './http';
import { interleavedRounds, type LoadRequest } from './load';
import { signIn } from './signin';
import { median, round } from './stats';

const SESSIONS = 20;
const REFRESHES = 200;
const TABLE = 'bench-sessions';

export interface SessionFigures {
  /** Medians over rounds of the per-round ratio to bare Express. */
  dynamodbVsBare: number;
  cookieVsBare: number;
  rps: PerTarget;
  /** Each server process's own CPU time per answered request, median over rounds (the figure a busy machine moves least). */
  cpuMicrosPerRequest: PerTarget;
  rounds: { rps: PerTarget; cpuMicrosPerRequest: PerTarget }[];
  refreshes: { requests: number; sessions: number; instances: number; idpRefreshCalls: number; non200: number };
  /** Bytes of the Cookie header a browser sends to `/tests` (Path=/ cookies) and to `/auth/*`. */
  cookieHeaderBytes: { cookie: { api: number; auth: number }; dynamodb: { api: number; auth: number } };
}

type PerTarget = { bare: number; cookie: number; dynamodb: number };
type Check = { target: string; measured: number; met: boolean; unit: string };

/** The issue's targets: dynamodb mode ≥ 0.9 ×, cookie mode ≥ 0.95 × bare Express; one IdP refresh per session. */
export function sessionChecks(figures: SessionFigures): Check[] {
  const { refreshes } = figures;
  return [
    {
      target: 'BFF /tests (cookies, SESSION_STORE=dynamodb) ≥ 0.9 × bare Express',
      measured: figures.dynamodbVsBare,
      met: figures.dynamodbVsBare >= 0.9,
      unit: '×',
    },
    {
      target: 'BFF /tests (cookies, SESSION_STORE=cookie, sessions section) ≥ 0.95 × bare Express',
      measured: figures.cookieVsBare,
      met: figures.cookieVsBare >= 0.95,
      unit: '×',
    },
    {
      target: `${refreshes.requests} concurrent refreshes of ${refreshes.sessions} sessions (${refreshes.instances} instances): IdP refresh calls = ${refreshes.sessions}`,
      measured: refreshes.idpRefreshCalls,
      met: refreshes.idpRefreshCalls === refreshes.sessions && refreshes.non200 === 0,
      unit: 'calls',
    },
  ];
}

/** The sessions rows of the "Other measure" table. */
export function renderSessions(figures: SessionFigures): string[] {
  const fmt = (value: number) => value.toFixed(3);
  const { rps, refreshes } = figures;
  const cpu = figures.cpuMicrosPerRequest;
  const bytes = figures.cookieHeaderBytes;
  return [
    `| BFF /tests, cookies, SESSION_STORE=dynamodb (dynalite) and =cookie vs bare Express, same run: req/s (server CPU µs/req) | dynamodb ${rps.dynamodb.toLocaleString('en-US')} (${cpu.dynamodb}) = ${fmt(figures.dynamodbVsBare)}×; cookie ${rps.cookie.toLocaleString('en-US')} (${cpu.cookie}) = ${fmt(figures.cookieVsBare)}×; bare ${rps.bare.toLocaleString('en-US')} (${cpu.bare}) |`,
    `| ${refreshes.requests} concurrent POST /auth/refresh, ${refreshes.sessions} sessions, ${refreshes.instances} instances sharing dynalite | ${refreshes.idpRefreshCalls} IdP refresh calls, ${refreshes.non200} answers other than 200 |`,
    `| Cookie header of a signed-in session (to /tests; to /auth/*) | cookie mode ${bytes.cookie.api} B; ${bytes.cookie.auth} B · dynamodb mode ${bytes.dynamodb.api} B; ${bytes.dynamodb.auth} B |`,
  ];
}

export function roundSessions(figures: SessionFigures): SessionFigures {
  const whole = (r: PerTarget): PerTarget => ({ bare: round(r.bare, 0), cookie: round(r.cookie, 0), dynamodb: round(r.dynamodb, 0) });
  return {
    ...figures,
    dynamodbVsBare: round(figures.dynamodbVsBare, 3),
    cookieVsBare: round(figures.cookieVsBare, 3),
    rps: whole(figures.rps),
    cpuMicrosPerRequest: whole(figures.cpuMicrosPerRequest),
    rounds: figures.rounds.map((r) => ({ rps: whole(r.rps), cpuMicrosPerRequest: whole(r.cpuMicrosPerRequest) })),
  };
}

async function expectOk(request: LoadRequest, label: string): Promise<string> {
  const response = await get(request.url + request.path, request.headers);
  if (response.status !== 200) throw new Error(`sessions ${label}: ${response.status} ${response.body.slice(0, 200)}`);
  return response.body;
}

const refreshCalls = (idp: FakeIdp) => idp.requests.filter((request) => request.form.get('grant_type') === 'refresh_token').length;

export async function measureSessions(
  idp: FakeIdp,
  options: { rounds: number; seconds: number; warmupSeconds: number; log: (message: string) => void },
): Promise<SessionFigures> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cognito-bff-bench-dynalite-'));
  const dynalite = await startDynalite({ port: await freePort(), dataDir });
  const children: ServerChild[] = [];
  try {
    const client = createDocumentClient({ endpoint: dynalite.url });
    await ensureSessionTable(client, TABLE);
    client.destroy();
    const cookieEnv = idp.env({ LOG_LEVEL: 'info', SESSION_STORE: 'cookie', IDP_TIMEOUT_MS: '20000' });
    const dynamodbEnv = { ...cookieEnv, SESSION_STORE: 'dynamodb', SESSION_TABLE: TABLE, DYNAMODB_ENDPOINT: dynalite.url };
    options.log('sessions: starting BFFs (one in cookie mode, two in dynamodb mode sharing a dynalite child) and bare Express');
    const [cookieBff, first, second] = await Promise.all([
      startServer('bff-cookie-mode', 'bff', { BENCH_ENV: JSON.stringify(cookieEnv) }),
      startServer('bff-dynamodb', 'bff', { BENCH_ENV: JSON.stringify(dynamodbEnv) }),
      startServer('bff-dynamodb-2', 'bff', { BENCH_ENV: JSON.stringify(dynamodbEnv) }),
    ]);
    children.push(cookieBff, first, second);
    const cookieBrowser = await signIn(cookieBff.url, idp);
    const browser = await signIn(first.url, idp);
    const cookieModeRequest = { url: cookieBff.url, path: '/tests', headers: { cookie: cookieBrowser.forApi, accept: 'application/json' } };
    const dynamodbRequest = { url: first.url, path: '/tests', headers: { cookie: browser.forApi, accept: 'application/json' } };
    const body = await expectOk(dynamodbRequest, 'dynamodb');
    await expectOk(cookieModeRequest, 'cookie');
    const bare = await startServer('bare-sessions', 'bare', { BENCH_BODY: body });
    children.push(bare);

    // --- throughput: interleaved rounds, a different order each round ----------------------------------------------
    const series = await interleavedRounds(
      'sessions',
      {
        bare: { request: { ...dynamodbRequest, url: bare.url }, server: bare },
        cookie: { request: cookieModeRequest, server: cookieBff },
        dynamodb: { request: dynamodbRequest, server: first },
      },
      options,
    );
    const inRound = (of: 'rps' | 'cpuMicrosPerRequest', index: number): PerTarget => ({
      bare: series.bare[of][index]!,
      cookie: series.cookie[of][index]!,
      dynamodb: series.dynamodb[of][index]!,
    });
    const rounds: SessionFigures['rounds'] = series.bare.rps.map((_, index) => ({
      rps: inRound('rps', index),
      cpuMicrosPerRequest: inRound('cpuMicrosPerRequest', index),
    }));
    const medianOf = (pick: (round: SessionFigures['rounds'][number]) => PerTarget): PerTarget => ({
      bare: median(rounds.map((r) => pick(r).bare)),
      cookie: median(rounds.map((r) => pick(r).cookie)),
      dynamodb: median(rounds.map((r) => pick(r).dynamodb)),
    });

    // --- one refresh per session, across two instances -----------------------------------------------------------
    options.log(`sessions: ${REFRESHES} concurrent refreshes of ${SESSIONS} sessions on two instances`);
    const browsers = await Promise.all(Array.from({ length: SESSIONS }, () => signIn(first.url, idp)));
    const before = refreshCalls(idp);
    const answers = await Promise.all(
      Array.from({ length: REFRESHES }, (_, i) =>
        post(`${(i % 2 ? second : first).url}/auth/refresh`, {
          cookie: browsers[i % SESSIONS]!.forAuth,
          'x-csrf': '1',
          accept: 'application/json',
        }),
      ),
    );
    const idpRefreshCalls = refreshCalls(idp) - before;

    return {
      dynamodbVsBare: median(rounds.map((r) => r.rps.dynamodb / r.rps.bare)),
      cookieVsBare: median(rounds.map((r) => r.rps.cookie / r.rps.bare)),
      rps: medianOf((r) => r.rps),
      cpuMicrosPerRequest: medianOf((r) => r.cpuMicrosPerRequest),
      rounds,
      refreshes: {
        requests: REFRESHES,
        sessions: SESSIONS,
        instances: 2,
        idpRefreshCalls,
        non200: answers.filter((answer) => answer.status !== 200).length,
      },
      cookieHeaderBytes: {
        cookie: { api: Buffer.byteLength(cookieBrowser.forApi), auth: Buffer.byteLength(cookieBrowser.forAuth) },
        dynamodb: { api: Buffer.byteLength(browser.forApi), auth: Buffer.byteLength(browser.forAuth) },
      },
    };
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    await dynalite.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
