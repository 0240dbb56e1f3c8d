/**
 * Settings as a dotenv file that `node --env-file` reads unchanged: the bootstrap's file for the BFF container, and
 * `.local/stack.env`, everything the local stack derived, so a second BFF process can join the same emulators.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LocalStackError } from './errors';

/** What `node --env-file` reads unquoted and unchanged: no spaces, quotes, `#`, `$` or line breaks. */
const ENV_FILE_VALUE = /^[A-Za-z0-9_.:/@%+=,-]*$/;

export function renderSettings(settings: Record<string, string>, header: readonly string[]): string {
  const lines = [...header];
  for (const [name, value] of Object.entries(settings)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new LocalStackError(`not an environment variable name: ${name}`);
    if (!ENV_FILE_VALUE.test(value)) throw new LocalStackError(`${name} has characters an env file would change`);
    lines.push(`${name}=${value}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Written whole or not at all (a temporary file renamed into place), readable by its owner only. */
export function writeSettingsFile(file: string, settings: Record<string, string>, header: readonly string[]): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, renderSettings(settings, header), { mode: 0o600 });
  renameSync(temporary, file);
}
