/**
 * Typed readers for CDK context values.
 *
 * Context reaches the app as strings from `-c key=value` and as JSON values from `cdk.json` or `cdk.context.json`, so
 * every reader accepts both forms. A malformed value stops synthesis with a message that names the context key, the
 * way the BFF's config module names the environment variable.
 */

/** Reads one raw context value (`node.tryGetContext` in the app, a plain object in tests). */
export type ContextSource = (key: string) => unknown;

/** A context value that cannot be used; the message names the key and what is wrong. */
export class ContextError extends Error {
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`Invalid context "${key}": ${problem}`);
    this.name = 'ContextError';
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
}

/** A trimmed string; `undefined` when unset or blank. */
export function optionalString(read: ContextSource, key: string): string | undefined {
  const value = read(key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new ContextError(key, `expected a string, got ${describe(value)}`);
  }
  const text = String(value).trim();
  return text === '' ? undefined : text;
}

/** A string matching `pattern`; `undefined` when unset. */
export function optionalMatching(read: ContextSource, key: string, pattern: RegExp, expected: string): string | undefined {
  const value = optionalString(read, key);
  if (value !== undefined && !pattern.test(value)) {
    throw new ContextError(key, `expected ${expected}, got ${describe(value)}`);
  }
  return value;
}

/** One of `allowed` (case-insensitive); `fallback` when unset. */
export function oneOf<T extends string>(read: ContextSource, key: string, allowed: readonly T[], fallback: T): T {
  const value = optionalString(read, key);
  if (value === undefined) return fallback;
  const match = allowed.find((candidate) => candidate === value.toLowerCase());
  if (match === undefined) {
    throw new ContextError(key, `expected one of ${allowed.join(', ')}, got ${describe(value)}`);
  }
  return match;
}

/** A whole number in `[min, max]`; `fallback` when unset. */
export function wholeNumber(read: ContextSource, key: string, range: { min: number; max: number; fallback: number }): number {
  const value = optionalString(read, key);
  if (value === undefined) return range.fallback;
  return parseWholeNumber(key, value, range);
}

export function parseWholeNumber(key: string, text: string, range: { min: number; max: number }): number {
  const number = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < range.min || number > range.max) {
    throw new ContextError(key, `expected a whole number from ${range.min} to ${range.max}, got ${describe(text)}`);
  }
  return number;
}

/** `true`/`false` in the usual spellings; `fallback` when unset. */
export function flag(read: ContextSource, key: string, fallback: boolean): boolean {
  const value = read(key);
  if (typeof value === 'boolean') return value;
  const text = optionalString(read, key)?.toLowerCase();
  if (text === undefined) return fallback;
  if (['true', 'yes', 'on', '1'].includes(text)) return true;
  if (['false', 'no', 'off', '0'].includes(text)) return false;
  throw new ContextError(key, `expected true or false, got ${describe(value)}`);
}

/** A JSON array of strings or a comma-separated string; `[]` when unset. */
export function stringList(read: ContextSource, key: string): string[] {
  const value = read(key);
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : undefined;
  if (items === undefined || items.some((item) => typeof item !== 'string')) {
    throw new ContextError(key, `expected a comma-separated string or a list of strings, got ${describe(value)}`);
  }
  return (items as string[]).map((item) => item.trim()).filter((item) => item !== '');
}
