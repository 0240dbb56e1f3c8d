/** Bundles src/lambda.ts into `outdir`/index.js; resolves to the bundle's path. */
export function bundleLambda(outdir?: string): Promise<string>;
