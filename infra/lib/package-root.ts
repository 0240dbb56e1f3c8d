/**
 * The root of the cognito-bff package this module belongs to: the directory of the nearest `package.json` named
 * `cognito-bff` above it. The construct finds the package's Lambda bundle (`dist/lambda`) from there, in the
 * repository's sources (`infra/lib`) and in a built, installed package (`dist/cdk/infra/lib`) alike. (The CloudFront
 * Function and the groups authorizer sit beside the compiled `infra/lib`, in `../edge` and `../authorizer`, in both.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = /"name"\s*:\s*"cognito-bff"/;

/** The package root above `from`; the repository root (two levels above infra/lib) when none is found. */
export function packageRoot(from: string = __dirname): string {
  for (let directory = from; ; directory = dirname(directory)) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest) && PACKAGE_NAME.test(readFileSync(manifest, 'utf8'))) return directory;
    if (dirname(directory) === directory) return join(from, '..', '..');
  }
}
