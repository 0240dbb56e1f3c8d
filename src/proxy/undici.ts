/**
 * undici, loaded on the first relayed request: a BFF with no relay routes (and a Lambda cold start) never loads or
 * runs the HTTP client's code.
 */
import type { Agent, Dispatcher } from 'undici';

type Undici = typeof import('undici');
let undici: Promise<Undici> | undefined;

/**
 * In the Lambda bundle undici is a separate CommonJS file (scripts/bundle-lambda.mjs) whose exports an ES `import()`
 * sees only as `default`; under Node or tsx its named exports are there too.
 */
export const loadUndici = (): Promise<Undici> =>
  (undici ??= import('undici').then((loaded: Undici & { default?: Undici }) => (loaded.Agent ? loaded : loaded.default!)));

/** How long an idle keep-alive connection to an upstream is kept (below the common 5 s server-side default). */
const KEEP_ALIVE_MS = 4_000;
/** Connecting is part of the call; a black-holed upstream is refused sooner than the whole call's bound. */
const CONNECT_TIMEOUT_MS = 10_000;

/** One connection pool per upstream origin, shared by every route; built on first use. */
export function lazyUpstreamAgent(timeoutMs: number): () => Promise<Dispatcher> {
  let agent: Promise<Agent> | undefined;
  return () =>
    (agent ??= loadUndici().then(
      ({ Agent }) =>
        new Agent({
          keepAliveTimeout: KEEP_ALIVE_MS,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          connect: { timeout: Math.min(timeoutMs, CONNECT_TIMEOUT_MS) },
        }),
    ));
}
