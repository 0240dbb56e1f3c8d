/**
 * Builds the CDK app: reads the deployment context, creates the environment's stack and applies the cdk-nag
 * AWS Solutions checks. Separate from infra/bin/app.ts so tests build the same app in-process.
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { assertLambdaBundle } from './bff-function.js';
import { readDeploymentConfig } from './config.js';
import { optionalString } from './context-values.js';
import { CognitoBffStack, DEFAULT_LAMBDA_ASSET_DIR } from './stack.js';

export interface CreateAppOptions {
  /** Cloud assembly directory. @default - CDK's choice (CDK_OUTDIR from the CLI, else a temporary directory) */
  readonly outdir?: string;
  /** Context values, as `-c key=value` would give them. */
  readonly context?: Record<string, unknown>;
  /** Account and region to pin the stack to. @default - environment-agnostic (no credentials needed) */
  readonly env?: { readonly account?: string; readonly region?: string };
  /**
   * CDK's built-in CloudFormation schema validation at synth (about 2.5 s); unit tests of single properties may
   * switch it off, the synth and cdk-nag tests keep it.
   * @default true
   */
  readonly builtinCloudFormationValidation?: boolean;
}

export interface CreatedApp {
  readonly app: App;
  readonly stack: CognitoBffStack;
}

export function createApp(options: CreateAppOptions = {}): CreatedApp {
  const app = new App({
    ...(options.outdir === undefined ? {} : { outdir: options.outdir }),
    ...(options.context === undefined ? {} : { context: options.context }),
    ...(options.builtinCloudFormationValidation === undefined
      ? {}
      : { builtinCloudFormationValidation: options.builtinCloudFormationValidation }),
  });
  const read = (key: string): unknown => app.node.tryGetContext(key);
  const config = readDeploymentConfig(read);
  const lambdaAssetDir = optionalString(read, 'lambdaAssetDir') ?? DEFAULT_LAMBDA_ASSET_DIR;
  assertLambdaBundle(lambdaAssetDir);

  const stack = new CognitoBffStack(app, `CognitoBff-${config.environment}`, {
    description: `cognito-bff (${config.environment}): Cognito user pool, BFF Lambda, REST API, CloudFront`,
    config,
    lambdaAssetDir,
    ...(options.env === undefined ? {} : { env: options.env }),
    terminationProtection: config.isProduction,
  });
  Tags.of(app).add('project', 'cognito-bff');
  Tags.of(app).add('environment', config.environment);
  // cdk-nag 3 is a synthesis validation plugin: an unacknowledged error-level finding fails `app.synth()` (and so
  // `npm run synth` and `cdk deploy`); acknowledgements (infra/lib/nag-suppressions.ts) are also written into the
  // template's resource metadata as an audit trail.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }));
  return { app, stack };
}
