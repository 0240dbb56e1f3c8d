/**
 * The CDK app of cognito-bff: one stack, `CognitoBff-<env>`, per environment. Synthesizes offline, with no AWS
 * credentials: nothing is looked up, every outside fact comes from context.
 *
 *   npm run synth                              dev stack into cdk.out/ (needs dist/lambda/index.js: npm run build)
 *   npm run synth -- -c env=prod -c mfa=required
 *   npx cdk deploy -c env=dev                  through cdk.json (`npx tsx infra/bin/app.ts`)
 *
 * Context (every key optional; the defaults give a dev stack without custom domains):
 *
 *   env                       environment name: stack suffix, API stage, DNS label. `prod` retains the user pool
 *                             (RETAIN + deletion protection), logs and buckets; others are destroyed with the stack.
 *                             Only `dev` allows http://localhost:3000 callbacks and CORS.          default: dev
 *   domainName                parent DNS name of the custom names (`test.com`): `<env>.<domain>` is the seed's SPA
 *                             origin, `<env>-api.<domain>` the API, `<env>-auth.<domain>` the hosted UI.   default: none
 *   fromEmail, fromName       SES sender of the pool's e-mail; fromEmail defaults to no-reply@<domainName>. With
 *                             neither fromEmail nor domainName the pool uses Cognito's sender (50 a day).
 *   sesRegion                 region of the verified SES identity                               default: stack region
 *   sesVerifiedDomain         verified SES domain identity (else the fromEmail address is the identity);
 *                             defaults to domainName when fromEmail is derived from it
 *   hostedZoneId, zoneName    public Route 53 zone (both or neither) for alias records of the custom names;
 *                             never looked up                                                            default: none
 *   apiCertificateArn         regional ACM certificate for <env>-api.<domain>: adds the API custom domain
 *   authDomainCertificateArn  us-east-1 ACM certificate for <env>-auth.<domain>: custom hosted-UI domain
 *   spaCertificateArn         us-east-1 ACM certificate for <env>.<domain>: the distribution's custom name
 *   cognitoDomainPrefix       prefix of the Cognito hosted-UI domain                 default: bff-<env>-<account id>
 *   spaOrigins                more SPA origins (comma-separated or JSON list): CORS, redirects, sign-out
 *   accessTokenMinutes        5-1440                                                                     default: 15
 *   idTokenMinutes            5-1440                                                                     default: 15
 *   refreshTokenDays          1-3650                                                                     default: 30
 *   refreshTokenRotation      off | on | grace seconds 0-60 (rotation on)                          default: on, 10 s
 *   mfa                       off | optional | required (TOTP apps)                                 default: optional
 *   threatProtection          off | audit | enforced (Plus feature plan when not off)   default: enforced in prod,
 *                                                                                                     off elsewhere
 *   throttling                stage rate and burst, "rate,burst" or {"rate":…,"burst":…}           default: 100,200
 *   logLevel                  the BFF's LOG_LEVEL: debug | info | warn | error                          default: info
 *   apiGatewayCloudWatchRole  create API Gateway's account-wide logging role (false if the account has one)
 *                                                                                                     default: true
 *   frontDoor                 rest | http: REST API or HTTP API in front of the BFF                     default: rest
 *   alarmTopicArn             SNS topic the alarms notify                                               default: none
 *   lambdaAssetDir            directory of the Lambda bundle's index.js                      default: dist/lambda
 *
 * Environment: CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION (set by the CDK CLI) pin the stack when present; without
 * them the stack is environment-agnostic. CDK_OUTDIR (set by the CLI) overrides the output directory.
 */
import { resolve } from 'node:path';
import { Errors } from 'aws-cdk-lib';
import { createApp } from '../lib/app.js';
import { MissingLambdaBundleError } from '../lib/bff-function.js';
import { ContextError } from '../lib/context-values.js';

const REPO_ROOT = resolve(__dirname, '..', '..');

/** `-c key=value` / `--context key=value` arguments, for `npm run synth -- -c env=prod` without the CDK CLI. */
function contextFromArguments(args: string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (let index = 0; index < args.length; index++) {
    const argument = args[index];
    if (argument !== '-c' && argument !== '--context') continue;
    const pair = args[++index] ?? '';
    const separator = pair.indexOf('=');
    if (separator <= 0) throw new Error(`Expected key=value after ${argument}, got "${pair}"`);
    context[pair.slice(0, separator)] = pair.slice(separator + 1);
  }
  return context;
}

function main(): void {
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  const { app } = createApp({
    outdir: process.env.CDK_OUTDIR ?? resolve(REPO_ROOT, 'cdk.out'),
    context: contextFromArguments(process.argv.slice(2)),
    ...(account === undefined && region === undefined ? {} : { env: { account, region } }),
  });
  // cdk-nag runs inside app.synth(): an unacknowledged finding throws here (or, under the CDK CLI, prints its report
  // and sets the exit code).
  const assembly = app.synth();
  if (process.exitCode) return;

  // Error annotations from constructs stop the CDK CLI; stop `npm run synth` on them too.
  const messages = assembly.stacks.flatMap((stack) => stack.messages);
  const errors = messages.filter((message) => message.level === 'error');
  for (const message of messages.filter((entry) => entry.level === 'error' || entry.level === 'warning')) {
    console.error(`[${message.level}] ${message.id}: ${String(message.entry.data)}`);
  }
  if (errors.length > 0) {
    console.error(`${errors.length} error(s): the cloud assembly in ${assembly.directory} must not be deployed.`);
    process.exitCode = 1;
    return;
  }
  console.log(`Synthesized ${assembly.stacks.map((stack) => stack.stackName).join(', ')} into ${assembly.directory}`);
}

try {
  main();
} catch (error) {
  // Mistakes in context, a missing build and validation findings are the user's to fix: print the message that names
  // the setting or the finding (CDK has printed the validation report already), not a stack trace.
  const explained = error instanceof ContextError || error instanceof MissingLambdaBundleError || Errors.isValidationError(error);
  if (!explained) throw error;
  console.error((error as Error).message);
  process.exitCode = 1;
}
