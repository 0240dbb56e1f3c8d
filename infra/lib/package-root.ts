/**
 * Files the construct ships besides its JavaScript (the CloudFront Function, the groups authorizer, the Lambda
 * bundle), found from the root of the cognito-bff package this module belongs to: the directory of the nearest
 * `package.json` named `cognito-bff` above it. The same lookup works from the repository's sources (`infra/lib`) and
 * from a built, installed package whatever folder its compiled `infra/lib` lands in, as long as the package ships
 * `infra/edge/`, `infra/authorizer/` and `dist/lambda/` (package.json `files`).
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
