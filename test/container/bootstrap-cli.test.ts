/**
 * The CLI docker-compose.yml runs, against a real cognito-local on a free loopback port: `emulator` pins the token
 * issuer through .cognito/config.json (whatever HOST says), and `bootstrap` writes the env file the BFF starts from,
 * after checking that the emulator signs with the issuer the BFF will expect.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseEnv } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';
import {
  bffSettings,
  parseCliArgs,
  renderEnvFile,
  runBootstrap,
  writeEmulatorConfig,
  type BootstrapCliOptions,
} from '../../src/local/bootstrap-cli';
import { LocalStackError } from '../../src/local/errors';
import { freePort } from '../support/cognito-local';
import { REPO_ROOT } from './support';

const DEMO_PASSWORD = 'Cli-Test.Passw0rd';

describe('bootstrap-cli arguments', () => {
  it('reads the two commands as docker-compose.yml writes them', () => {
    expect(parseCliArgs(['emulator', '--issuer-domain', 'http://127.0.0.1:9229'])).toEqual({
      command: 'emulator',
      issuerDomain: 'http://127.0.0.1:9229',
    });
    expect(parseCliArgs(['bootstrap', '--out', '/data/local-stack/local-stack.env'])).toEqual({
      command: 'bootstrap',
      endpoint: 'http://127.0.0.1:9229',
      issuerDomain: 'http://127.0.0.1:9229',
      out: '/data/local-stack/local-stack.env',
      keyDir: '/data/local-stack',
    });
  });

  it.each([
    [[], /no command/],
    [['serve'], /unknown command serve/],
    [['emulator'], /--issuer-domain/],
    [['emulator', '--issuer-domain', 'http://cognito:9229'], /loopback/],
    [['emulator', '--issuer-domain', 'http://127.0.0.1:9229/pool'], /origin/],
    [['bootstrap'], /--out/],
    [['bootstrap', '--out', 'x.env', '--endpoint', 'http://10.0.0.5:9229'], /loopback/],
    [['bootstrap', '--out', 'x.env', '--verbose'], /Unknown option/],
  ])('refuses %j with a message and the usage', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(LocalStackError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});

describe('the emulator config file', () => {
  it('pins TokenConfig.IssuerDomain and keeps the rest of an existing file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cognito-bff-cli-'));
    try {
      mkdirSync(path.join(dir, '.cognito'));
      writeFileSync(path.join(dir, '.cognito', 'config.json'), JSON.stringify({ TokenConfig: { Other: 1 }, UserPoolDefaults: { X: 2 } }));
      const file = writeEmulatorConfig(dir, 'http://127.0.0.1:9229');
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
        TokenConfig: { Other: 1, IssuerDomain: 'http://127.0.0.1:9229' },
        UserPoolDefaults: { X: 2 },
      });
      writeFileSync(file, 'not json');
      expect(() => writeEmulatorConfig(dir, 'http://127.0.0.1:9229')).toThrow(/not a JSON object/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes env files only with values node --env-file reads back unchanged', () => {
    const settings = { COGNITO_DOMAIN: 'http://127.0.0.1:9229', COOKIE_KEYS: 'AbC-_1' };
    expect(parseEnv(renderEnvFile(settings))).toEqual(settings);
    expect(() => renderEnvFile({ X: 'a b' })).toThrow(/characters/);
    expect(() => renderEnvFile({ X: 'a#b' })).toThrow(/characters/);
    expect(() => renderEnvFile({ X: 'a\nY=b' })).toThrow(/characters/);
  });
});

describe('bootstrap-cli against cognito-local', () => {
  let root: string;
  let port: number;
  let emulator: ChildProcess | undefined;
  let emulatorOutput = '';
  /** The issuer the emulator is pinned to: `localhost`, where HOST=127.0.0.1 alone would give `127.0.0.1`. */
  let pinnedDomain: string;
  let options: BootstrapCliOptions;

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'cognito-bff-cli-'));
    port = await freePort();
    pinnedDomain = `http://localhost:${port}`;
    const workDir = path.join(root, 'emulator');
    mkdirSync(workDir);
    // As the compose service runs it (`node dist/local/bootstrap-cli.js emulator ...`), from the sources.
    emulator = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('tsx/cjs'),
        path.join(REPO_ROOT, 'src/local/bootstrap-cli.ts'),
        'emulator',
        '--issuer-domain',
        pinnedDomain,
      ],
      {
        cwd: workDir,
        env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    emulator.stdout?.on('data', (chunk: Buffer) => (emulatorOutput += chunk.toString()));
    emulator.stderr?.on('data', (chunk: Buffer) => (emulatorOutput += chunk.toString()));
    options = {
      endpoint: `http://127.0.0.1:${port}`,
      issuerDomain: pinnedDomain,
      out: path.join(root, 'local-stack', 'local-stack.env'),
      keyDir: path.join(root, 'local-stack'),
      publicBaseUrl: 'http://localhost:3000',
      demoPassword: DEMO_PASSWORD,
      readyTimeoutMs: 90_000,
    };
  });

  afterAll(async () => {
    if (emulator && emulator.exitCode === null && emulator.signalCode === null) {
      const exited = new Promise((resolve) => emulator!.once('exit', resolve));
      emulator.kill('SIGTERM');
      await Promise.race([exited, delay(5_000).then(() => emulator!.kill('SIGKILL'))]);
    }
    rmSync(root, { recursive: true, force: true });
  });

  it('bootstraps, checks the pinned issuer and writes an env file the BFF accepts', async () => {
    const result = await runBootstrap(options);
    expect(emulatorOutput).toContain(`token issuer pinned to ${pinnedDomain}`);

    const text = readFileSync(options.out, 'utf8');
    expect(statSync(options.out).mode & 0o777).toBe(0o600);
    const written = parseEnv(text);
    expect(written).toEqual(result.settings);
    expect(written).toEqual(bffSettings(options, result.pool, readFileSync(path.join(options.keyDir, 'cookie-keys'), 'utf8').trim()));
    expect(text).not.toContain(DEMO_PASSWORD);

    const config = parseConfig(written);
    expect(config.cognito.issuer).toBe(`${pinnedDomain}/${result.pool.userPoolId}`);
    expect(config.cognito.domain).toBe(options.endpoint);
    expect(config.requireNonce).toBe(false);
    expect(config.publicBaseUrl).toBe('http://localhost:3000');
  });

  it('finds the same pool and keeps the cookie key on the next run', async () => {
    const first = parseEnv(readFileSync(options.out, 'utf8'));
    const again = await runBootstrap(options);
    expect(again.settings.COGNITO_USER_POOL_ID).toBe(first.COGNITO_USER_POOL_ID);
    expect(again.settings.COGNITO_CLIENT_ID).toBe(first.COGNITO_CLIENT_ID);
    expect(again.settings.COOKIE_KEYS).toBe(first.COOKIE_KEYS);
  });

  it('refuses to write settings whose issuer the emulator does not sign with', async () => {
    const out = path.join(root, 'mismatch', 'local-stack.env');
    // Without the pin's domain the BFF would expect http://127.0.0.1:<port>/<pool>: every token would be refused.
    await expect(runBootstrap({ ...options, issuerDomain: options.endpoint, out, keyDir: path.dirname(out) })).rejects.toThrow(
      new RegExp(`signs tokens with issuer "${pinnedDomain}/local_\\w+", but the BFF would expect "${options.endpoint}/local_`),
    );
    expect(() => statSync(out)).toThrow(/ENOENT/);
  });
});
