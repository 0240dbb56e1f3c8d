/**
 * Facts about input the BFF has not verified, made fit for a log line: bounded in length and reduced to a plain
 * charset. A log line carries what happened (a reason code, an algorithm name, a key id), never kilobytes of what an
 * attacker chose to send, nor characters meant to fool whoever reads the log.
 */

/** The longest fact kept; longer input is cut and marked. */
export const MAX_FACT_LENGTH = 64;
/** Request paths are facts too (a path can be kilobytes long): kept to this many characters. */
export const MAX_LOGGED_PATH = 160;

/** `value` as at most `max` characters of `[A-Za-z0-9._:/-]` (others become `?`), `…` when cut; non-strings by type. */
export function logFact(value: unknown, max = MAX_FACT_LENGTH): string {
  if (typeof value !== 'string') return value === undefined ? 'absent' : `(${value === null ? 'null' : typeof value})`;
  const kept = value.slice(0, max).replace(/[^\w.:/-]/g, '?');
  return value.length > max ? `${kept}…` : kept;
}
