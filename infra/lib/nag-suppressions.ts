/**
 * The cdk-nag (AwsSolutions) findings this design accepts, each acknowledged on the narrowest construct with the
 * reason it is acceptable. cdk-nag 3 replaced `NagSuppressions` with CDK's `Validations.of(scope).acknowledge()`;
 * an acknowledgement covers the construct and everything below it, so each one is placed on the resource (or the
 * L2 construct owning the resource) it is about, never on the stack.
 *
 * Conditional acknowledgements follow the configuration: a finding that context can fix (MFA, threat protection,
 * TLS policy of a custom domain) is acknowledged only while context leaves it open.
 */
import { Validations } from 'aws-cdk-lib';
import { AwsCustomResource } from 'aws-cdk-lib/custom-resources';
import type { IConstruct } from 'constructs';
import type { CognitoBffStack } from './stack.js';

/**
 * Acknowledges `id` on the construct's CloudFormation resource when it has one, so the acknowledgement (and the
 * audit-trail metadata cdk-nag writes) does not spread to the construct's other children.
 */
function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope.node.defaultChild ?? scope).acknowledge({ id, reason });
}

export function suppressAcceptedFindings(stack: CognitoBffStack): void {
  const { config } = stack;
  const pool = stack.userPool.userPool;

  if (config.threatProtection === 'off') {
    acknowledge(
      pool,
      'AwsSolutions-COG8',
      'The Plus feature plan (threat protection) is billed per active user; it is on by default in prod and ' +
        'switched on elsewhere with the context threatProtection=audit|enforced.',
    );
  }
  if (config.mfa !== 'required') {
    acknowledge(
      pool,
      'AwsSolutions-COG2',
      "MFA (TOTP) is offered to every user; whether it is mandatory is the operator's choice per environment " + '(context mfa=required).',
    );
  }

  const api = stack.api.api;
  acknowledge(
    api,
    'AwsSolutions-APIG2',
    'Every route is a Lambda proxy to the BFF, which validates each input itself (query, JSON body, cookies, CSRF ' +
      'header) with its own schemas; API Gateway models would duplicate that contract and drift from it.',
  );
  const cloudWatchRole = api.node.tryFindChild('CloudWatchRole');
  if (config.apiGatewayCloudWatchRole && cloudWatchRole === undefined) {
    throw new Error('The RestApi CloudWatch role moved: update infra/lib/nag-suppressions.ts');
  }
  if (cloudWatchRole !== undefined) {
    acknowledge(
      cloudWatchRole,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'The account-level role API Gateway assumes to write access and execution logs; this managed policy is the ' +
        'one AWS documents for it, and it grants log writing only.',
    );
  }
  acknowledge(
    api.deploymentStage,
    'AwsSolutions-APIG3',
    'No WAF web ACL by default (cost and rules are an account decision); the stage throttles, Cognito protects the ' +
      'hosted UI, and infra/README.md lists attaching a web ACL as a production step.',
  );
  for (const method of stack.api.unauthorizedMethods) {
    const reason =
      'Reachable without an access token by design: /healthz is a liveness probe, and /auth/* is where a token is ' +
      'obtained (login, callback, refresh, logout); the BFF authenticates these requests itself with state, PKCE, ' +
      'sealed cookies and the X-CSRF header.';
    acknowledge(method, 'AwsSolutions-APIG4', reason);
    acknowledge(method, 'AwsSolutions-COG4', reason);
  }

  const distribution = stack.edge.distribution;
  if (config.spaCertificateArn === undefined) {
    acknowledge(
      distribution,
      'AwsSolutions-CFR4',
      'Without a custom domain the distribution uses the default *.cloudfront.net certificate, whose minimum ' +
        'protocol CloudFront fixes at TLSv1; context spaCertificateArn gives it a custom name with TLSv1.2_2021.',
    );
  }
  acknowledge(
    distribution,
    'AwsSolutions-CFR1',
    'The product has no country restriction; geo blocking is a business decision, not a security control here.',
  );
  acknowledge(
    distribution,
    'AwsSolutions-CFR2',
    'No WAF web ACL by default (it must live in us-east-1 and is an account decision); infra/README.md lists ' +
      'attaching one as a production step.',
  );

  acknowledge(
    stack.secrets.cookieKeys,
    'AwsSolutions-SMG4',
    'Cookie keys rotate by prepending a new key and keeping the old one until the refresh-token lifetime has ' +
      'passed (documented in infra/README.md); a single-value rotation Lambda would log every user out.',
  );
  acknowledge(
    stack.secrets.clientSecret,
    'AwsSolutions-SMG4',
    'A copy of the secret Cognito generated for the app client; Cognito owns the value, and the copy follows the ' +
      'client (a new client means a new secret on the next deployment).',
  );

  // The singleton Lambda behind CDK's AwsCustomResource (DescribeUserPoolClient, which copies the client secret).
  const customResourceProvider = stack.node.tryFindChild(`AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
  if (customResourceProvider === undefined) {
    throw new Error('The AwsCustomResource provider moved: update infra/lib/nag-suppressions.ts');
  }
  const providerRole = customResourceProvider.node.findChild('ServiceRole');
  acknowledge(
    providerRole,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    "CDK's own custom-resource provider (it copies the client secret into Secrets Manager at deployment); the " +
      'managed policy only lets it write its logs, and its other permission is DescribeUserPoolClient on this pool.',
  );
}
