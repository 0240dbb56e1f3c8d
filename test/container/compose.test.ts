/**
 * Static checks of docker-compose.yml against the code and the Dockerfile (no Docker engine here): the services use
 * stages that exist, run commands the build emits, share one network namespace so that every URL means the same
 * inside the containers and in the host's browser, and hand the BFF a configuration the config module accepts.
 */
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config';
import { isLoopbackHost } from '../../src/net/loopback';
import { bffSettings, parseCliArgs, renderEnvFile } from '../../src/local/bootstrap-cli';
import type { LocalPool } from '../../src/local/bootstrap';
import {
  command,
  environment,
  instructions,
  interpolations,
  loadCompose,
  mounts,
  parseDockerfile,
  publishedPorts,
  read,
  service,
  sourceOfEmitted,
  stage,
  stageChain,
  volumeOf,
  type ComposeService,
} from './support';

const compose = loadCompose();
const dockerfile = parseDockerfile(read('Dockerfile'));
const finalStage = dockerfile.stages[dockerfile.stages.length - 1]!;
const cognito = service(compose, 'cognito');
const bootstrap = service(compose, 'bootstrap');
const bff = service(compose, 'bff');
const dynalite = service(compose, 'dynalite');

const CLI = 'dist/local/bootstrap-cli.js';

/** `node dist/local/bootstrap-cli.js <command> ...`, read by the CLI's own argument parser. */
function cliCommand(s: ComposeService) {
  const [node, script, ...args] = command(s);
  expect(node).toBe('node');
  expect(script).toBe(CLI);
  return parseCliArgs(args);
}

const emulatorCli = cliCommand(cognito);
const bootstrapCli = cliCommand(bootstrap);
const emulatorPort = Number(environment(cognito).PORT);

/** What the BFF container's process environment holds: the env file the bootstrap writes, then compose's settings. */
function bffEnvironment(): { env: Record<string, string>; envFile: string } {
  if (bootstrapCli.command !== 'bootstrap') throw new Error('the bootstrap service does not run `bootstrap`');
  // A pool as the bootstrap finds or creates it; the settings are derived from it exactly as the CLI derives them.
  const pool: LocalPool = {
    userPoolId: 'local_AbC123xy',
    clientId: 'a1b2c3d4e5f6g7h8i9j0k1l2m3',
    clientSecret: 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0',
    demoUsername: 'demo@example.com',
    demoPassword: 'not-in-the-env-file',
  };
  const publicBaseUrl = environment(bootstrap).PUBLIC_BASE_URL ?? 'http://localhost:3000';
  const settings = bffSettings({ ...bootstrapCli, publicBaseUrl }, pool, Buffer.alloc(32, 1).toString('base64url'));
  const envFile = renderEnvFile(settings);
  // Node's own parser, the one `node --env-file` uses; variables set by compose win over the file (as in Node).
  return { env: { ...parseEnv(envFile), ...environment(bff) } as Record<string, string>, envFile };
}

describe('docker-compose.yml', () => {
  it('has the emulator, dynalite, the one-shot bootstrap and the BFF', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['bff', 'bootstrap', 'cognito', 'dynalite']);
  });

  it('runs dynalite on the loopback of the shared namespace, where the bootstrap creates the table and the BFF keeps sessions', () => {
    expect(dynalite.build).toMatchObject({ context: '.', target: 'local' });
    expect(dynalite.network_mode).toBe('service:cognito');
    expect(dynalite.ports).toBeUndefined();
    const [node, cli, ...args] = command(dynalite);
    expect(node).toBe('node');
    // The npm package's own CLI, installed in the local stage (a development dependency).
    expect(cli).toBe('node_modules/dynalite/cli.js');
    const flag = (name: string) => args[args.indexOf(name) + 1];
    expect(flag('--host')).toBe('127.0.0.1');
    if (bootstrapCli.command !== 'bootstrap') throw new Error('the bootstrap service does not run `bootstrap`');
    expect(bootstrapCli.dynamodbEndpoint).toBe(`http://127.0.0.1:${flag('--port')}`);
    // A named volume: sessions survive `docker compose down`.
    expect(Object.keys(compose.volumes ?? {})).toContain(volumeOf(dynalite, flag('--path')!)?.volume);
    const { env } = bffEnvironment();
    expect(env).toMatchObject({ SESSION_STORE: 'dynamodb', DYNAMODB_ENDPOINT: bootstrapCli.dynamodbEndpoint });
    expect(env.SESSION_TABLE).toBeTruthy();
  });

  it('builds each service from a stage of the Dockerfile: the BFF from the final (shipped) one', () => {
    expect(bff.build?.target).toBe(finalStage.name);
    for (const s of [cognito, bootstrap]) {
      expect(s.build?.context).toBe('.');
      expect(s.build?.target).toBe('local');
      // The local stage extends the build stage: dist/ and the dev dependencies (cognito-local, the AWS SDK) are there.
      expect(stageChain(dockerfile, 'local').map((st) => st.name)).toContain('build');
    }
    expect(bff.build?.context).toBe('.');
  });

  it('runs commands the build emits: the bootstrap CLI and the server, as the Dockerfile starts it', () => {
    expect(sourceOfEmitted(CLI)).toBe('src/local/bootstrap-cli.ts');
    const [node, envFileFlag, server, ...rest] = command(bff);
    expect(node).toBe('node');
    expect(envFileFlag).toMatch(/^--env-file=\/\S+$/);
    expect(rest).toEqual([]);
    // The image's own CMD, with the env file in front.
    const [cmd] = instructions(finalStage, 'CMD');
    expect(JSON.parse(cmd!)).toEqual([node, server]);
    expect(sourceOfEmitted(server!)).toBe('src/server.ts');
  });

  it('shares the emulator service’s network namespace, so 127.0.0.1:9229 is the emulator for the BFF too', () => {
    expect(bootstrap.network_mode).toBe('service:cognito');
    expect(bff.network_mode).toBe('service:cognito');
    // Ports of a shared namespace are published by its owner only.
    expect(bootstrap.ports).toBeUndefined();
    expect(bff.ports).toBeUndefined();
  });

  it('publishes the emulator port and the BFF port on the host loopback, at the same numbers as inside', () => {
    const ports = publishedPorts(cognito);
    const bffPort = parseConfig(bffEnvironment().env).port;
    expect(emulatorPort).toBe(9229);
    expect(bffPort).toBe(3000);
    expect(ports.map((p) => p.target).sort()).toEqual([bffPort, emulatorPort].sort());
    for (const port of ports) {
      // Same number outside: the URLs the browser is sent to are the URLs the BFF uses.
      expect(port.published).toBe(port.target);
      // Loopback only: the emulator checks no credentials.
      expect(port.hostIp).toBe('127.0.0.1');
    }
  });

  it('lets the emulator listen on all interfaces (published ports forward to the container’s interface, not its loopback)', () => {
    expect(environment(cognito).HOST).toBe('0.0.0.0');
  });

  it('pins the emulator’s token issuer to a loopback URL on its published port, which the bootstrap hands the BFF', () => {
    expect(emulatorCli.command).toBe('emulator');
    if (emulatorCli.command !== 'emulator' || bootstrapCli.command !== 'bootstrap') return;
    const issuerDomain = new URL(emulatorCli.issuerDomain);
    expect(issuerDomain.protocol).toBe('http:');
    expect(isLoopbackHost(issuerDomain.hostname)).toBe(true);
    expect(Number(issuerDomain.port)).toBe(emulatorPort);
    // The bootstrap talks to the emulator on the same loopback URL and expects the same issuer.
    expect(bootstrapCli.endpoint).toBe(`http://127.0.0.1:${emulatorPort}`);
    expect(bootstrapCli.issuerDomain).toBe(emulatorCli.issuerDomain);
  });

  it('keeps the emulator’s data (and its .cognito/config.json) in a named volume owned by the image’s user', () => {
    const dataVolume = volumeOf(cognito, `${cognito.working_dir}/.cognito/config.json`);
    expect(dataVolume?.volume).toBeTruthy();
    expect(Object.keys(compose.volumes ?? {})).toContain(dataVolume!.volume);
    // The local stage creates the mount point and gives it to its non-root user.
    const runs = instructions(stage(dockerfile, 'local'), 'RUN').join('\n');
    expect(runs).toContain(cognito.working_dir);
    expect(runs).toMatch(/chown node:node/);
  });

  it('passes the env file from the bootstrap to the BFF through a shared named volume (read-only for the BFF)', () => {
    if (bootstrapCli.command !== 'bootstrap') throw new Error('bootstrap service runs `bootstrap`');
    const envFile = command(bff)[1]!.slice('--env-file='.length);
    expect(envFile).toBe(bootstrapCli.out);
    const written = volumeOf(bootstrap, bootstrapCli.out);
    const read = volumeOf(bff, envFile);
    expect(written).toBeDefined();
    expect(read).toEqual(written);
    expect(Object.keys(compose.volumes ?? {})).toContain(written!.volume);
    expect(mounts(bff).find((m) => m.source === read!.volume)?.readOnly).toBe(true);
    // The cookie key is kept next to it: sessions survive a restart.
    expect(volumeOf(bootstrap, `${bootstrapCli.keyDir}/cookie-keys`)?.volume).toBe(written!.volume);
    const runs = instructions(stage(dockerfile, 'local'), 'RUN').join('\n');
    expect(runs).toContain(bootstrapCli.keyDir);
  });

  it('gives the BFF every variable the config module requires, and a configuration it accepts', () => {
    let required: string[] = [];
    try {
      parseConfig({});
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      required = error.problems.map((problem) => problem.variable ?? problem.option);
    }
    expect(required).toEqual(expect.arrayContaining(['COGNITO_USER_POOL_ID', 'COGNITO_CLIENT_ID', 'COGNITO_DOMAIN', 'COOKIE_KEYS']));
    const { env, envFile } = bffEnvironment();
    for (const name of required) expect(env[name], `${name} reaches the BFF`).toBeTruthy();
    // The demo password is not the BFF's configuration.
    expect(envFile).not.toContain('DEMO_PASSWORD');
    expect(envFile).not.toContain('not-in-the-env-file');

    const config = parseConfig(env);
    expect(config.publicBaseUrl).toBe('http://localhost:3000');
    expect(config.redirectUri).toBe('http://localhost:3000/auth/callback');
    expect(config.cognito.domain).toBe(`http://127.0.0.1:${emulatorPort}`);
    expect(config.cognito.issuer).toBe(`http://127.0.0.1:${emulatorPort}/local_AbC123xy`);
    expect(config.cognito.jwksUri).toBe(`http://127.0.0.1:${emulatorPort}/local_AbC123xy/.well-known/jwks.json`);
    expect(config.cognito.clientSecret).toBeTruthy();
    expect(config.requireNonce).toBe(false); // cognito-local does not echo the nonce; `npm start` sets the same
    expect(config.cookieKeys).toHaveLength(1);
  });

  it('registers the app client for the same public base URL the BFF serves', () => {
    const shared = environment(bootstrap).PUBLIC_BASE_URL;
    expect(shared).toBe('http://localhost:3000');
    expect(environment(bff).PUBLIC_BASE_URL).toBe(shared);
    expect(new URL(shared!).port).toBe(environment(bff).PORT);
  });

  it('starts in order: emulator healthy, then the bootstrap, then the BFF once the bootstrap succeeded', () => {
    expect(bootstrap.depends_on).toEqual({ cognito: { condition: 'service_healthy' }, dynalite: { condition: 'service_healthy' } });
    expect(bff.depends_on).toMatchObject({
      cognito: { condition: 'service_healthy' },
      bootstrap: { condition: 'service_completed_successfully' },
    });
    const test = cognito.healthcheck?.test;
    expect(Array.isArray(test)).toBe(true);
    expect((test as string[])[0]).toBe('CMD');
    expect((test as string[]).join(' ')).toContain(`http://127.0.0.1:${emulatorPort}/health`);
  });

  it('needs no .env: every ${VARIABLE} has a default', () => {
    const text = read('docker-compose.yml');
    for (const expression of interpolations(text)) expect(expression).toMatch(/^\$\{\w+:?-[^}]*\}$/);
  });
});
