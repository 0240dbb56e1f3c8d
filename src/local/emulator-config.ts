/** cognito-local's configuration file in its working directory, where the local stack pins the token issuer. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LocalStackError } from './errors';

/** cognito-local's configuration file, relative to its working directory. */
export const EMULATOR_CONFIG_FILE = path.join('.cognito', 'config.json');

/**
 * Pins cognito-local's token issuer: sets `TokenConfig.IssuerDomain` in `<workDir>/.cognito/config.json`, keeping
 * whatever else the file holds. cognito-local merges this file over its defaults at start, where the issuer would
 * otherwise be `http://${HOST}:${PORT}`. Returns the file's path.
 */
export function writeEmulatorConfig(workDir: string, issuerDomain: string): string {
  const file = path.join(workDir, EMULATOR_CONFIG_FILE);
  let config: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
      config = parsed as Record<string, unknown>;
    } catch (error) {
      throw new LocalStackError(`${file} is not a JSON object (${(error as Error).message}); fix or delete it`);
    }
  }
  const tokenConfig = typeof config.TokenConfig === 'object' && config.TokenConfig !== null ? config.TokenConfig : {};
  config.TokenConfig = { ...tokenConfig, IssuerDomain: issuerDomain };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}
