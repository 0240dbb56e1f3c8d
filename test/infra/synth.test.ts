/**
 * `npm run synth` end to end: the real entry point (infra/bin/app.ts) in a child process, with every AWS_* and CDK_*
 * variable removed from its environment, writing into a temporary directory instead of cdk.out/ so it races nothing.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CUSTOM_DOMAIN_CONTEXT, InfraFixture } from './fixture.js';

const run = promisify(execFile);
const REPO_ROOT = resolve(__dirname, '..', '..');
const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

const fixture = new InfraFixture();
afterAll(() => fixture.dispose());

/** The parent's environment without credentials, profiles, regions or CDK settings. */
function credentialFreeEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(([name]) => !/^(AWS_|CDK_)/.test(name));
  return { ...Object.fromEntries(kept), ...extra };
}

async function synth(
  args: string[],
  outdir: string,
  extraEnvironment: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(TSX, [join(REPO_ROOT, 'infra', 'bin', 'app.ts'), ...args], {
      cwd: REPO_ROOT,
      env: credentialFreeEnvironment({ CDK_OUTDIR: outdir, ...extraEnvironment }),
      // A hang guard under the test's own timeout (vitest.config.mts), not a speed check.
      timeout: 110_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('npm run synth', () => {
  it('synthesizes the dev stack offline, without AWS credentials', async () => {
    const outdir = mkdtempSync(join(fixture.root, 'cdk.out-'));
    const result = await synth(['-c', `lambdaAssetDir=${fixture.lambdaAssetDir}`], outdir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Synthesized CognitoBff-dev');

    const templateFile = join(outdir, 'CognitoBff-dev.template.json');
    expect(existsSync(templateFile)).toBe(true);
    const template = JSON.parse(readFileSync(templateFile, 'utf8')) as { Resources: Record<string, { Type: string }> };
    expect(Object.values(template.Resources).map((resource) => resource.Type)).toContain('AWS::Cognito::UserPool');
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { missing?: unknown[] };
    expect(manifest.missing ?? []).toEqual([]);
  });

  it('takes context from -c arguments', async () => {
    const outdir = mkdtempSync(join(fixture.root, 'cdk.out-'));
    const context = { ...CUSTOM_DOMAIN_CONTEXT, env: 'prod', lambdaAssetDir: fixture.lambdaAssetDir };
    const args = Object.entries(context).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
    // Schema validation ran in the test above (and for this configuration in nag.test.ts); this one is about arguments.
    const result = await synth(args, outdir, { CDK_VALIDATION: 'false' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const template = JSON.parse(readFileSync(join(outdir, 'CognitoBff-prod.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    };
    const domains = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::ApiGateway::DomainName');
    expect(domains.map((domain) => domain.Properties?.DomainName)).toEqual(['prod-api.test.com']);
  });

  it('stops with "run npm run build first" when the Lambda bundle is missing', async () => {
    const outdir = mkdtempSync(join(fixture.root, 'cdk.out-'));
    const empty = mkdtempSync(join(fixture.root, 'no-bundle-'));
    const result = await synth(['-c', `lambdaAssetDir=${empty}`], outdir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(join(empty, 'index.js'));
    expect(result.stderr).toContain('run npm run build first');
    expect(result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('stops with a message that names a malformed context key', async () => {
    const outdir = mkdtempSync(join(fixture.root, 'cdk.out-'));
    const result = await synth(['-c', `lambdaAssetDir=${fixture.lambdaAssetDir}`, '-c', 'mfa=sometimes'], outdir);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('Invalid context "mfa": expected one of off, optional, required, got "sometimes"');
  });

  it('is also the CDK CLI app (cdk.json), run through tsx', () => {
    const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { app: string };
    expect(cdkJson.app).toBe('npx tsx infra/bin/app.ts');
  });
});
