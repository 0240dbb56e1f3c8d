// Builds the package's `cognito-bff/cdk` entry: infra/lib compiled to dist/cdk/infra/lib (tsconfig.cdk.json), with the
// files the construct reads at synth time next to it as in the repository (the CloudFront Function's source in
// infra/edge, the groups authorizer's code in infra/authorizer). The construct finds the BFF's Lambda bundle in the
// package's own dist/lambda (infra/lib/bff-function.ts), which `npm run build` writes.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'cdk');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.cdk.json')], { stdio: 'inherit' });
for (const folder of ['edge', 'authorizer']) cpSync(path.join(root, 'infra', folder), path.join(out, 'infra', folder), { recursive: true });
