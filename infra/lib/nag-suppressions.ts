/**
 * The cdk-nag (AwsSolutions) findings this design accepts, each acknowledged on the narrowest construct with the
 * reason it is acceptable. cdk-nag 3 replaced `NagSuppressions` with CDK's `Validations.of(scope).acknowledge()`;
 * an acknowledgement covers the construct and everything below it, so each one is placed on the resource (or the
 * L2 construct owning the resource) it is about, never on the stack.
 *
 * Conditional acknowledgements follow the configuration: a finding that a prop can fix (MFA, threat protection,
 * TLS policy of a custom domain) is acknowledged only while the props leave it open. The construct applies them to
 * itself, so a team's stack that uses `CognitoBff` passes cdk-nag's AwsSolutions pack without acknowledgements of its
 * own.
 */
import { Stack } from 'aws-cdk-lib';
import { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import { AwsCustomResource } from 'aws-cdk-lib/custom-resources';
import { acknowledge } from './acknowledge.js';
import { BffApi } from './api.js';
import type { CognitoBff } from './cognito-bff.js';

const OPEN_ROUTE_REASON =
  'Reachable without an access token by design: /healthz is a liveness probe, and /auth/* is where a token is ' +
  'obtained (login, callback, refresh, logout); the BFF authenticates these requests itself with state, PKCE, ' +
  'sealed cookies and the X-CSRF header.';

export function acknowledgeAcceptedFindings(bff: CognitoBff): void {
  const { settings } = bff;
  // A pool the team brought is the team's to configure; only a pool this construct created is acknowledged here.
  const pool = bff.createdUserPool?.userPool;
  if (pool !== undefined && settings.threatProtection === 'off') {
    acknowledge(
      pool,
      'AwsSolutions-COG8',
      'The Plus feature plan (threat protection) is billed per active user; it is on by default in prod and ' +
        'switched on elsewhere with threatProtection audit|enforced (context or construct prop).',
    );
  }
  if (pool !== undefined && settings.mfa !== 'required') {
    acknowledge(
      pool,
      'AwsSolutions-COG2',
      "MFA (TOTP) is offered to every user; whether it is mandatory is the operator's choice per environment " +
        '(mfa=required, context or construct prop).',
    );
  }

  if (bff.frontDoor instanceof BffApi) acknowledgeRestApi(bff.frontDoor);
  else for (const route of bff.frontDoor.unauthorizedRoutes) acknowledge(route, 'AwsSolutions-APIG4', OPEN_ROUTE_REASON);

  const distribution = bff.distribution;
  if (!settings.customDomain) {
    acknowledge(
      distribution,
      'AwsSolutions-CFR4',
      'Without a custom domain the distribution uses the default *.cloudfront.net certificate, whose minimum ' +
        'protocol CloudFront fixes at TLSv1; a custom name (customDomain, context spaCertificateArn) gets TLSv1.2_2021.',
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
    bff.cookieKeysSecret,
    'AwsSolutions-SMG4',
    'Cookie keys rotate by prepending a new key and keeping the old one until the refresh-token lifetime has ' +
      'passed (documented in infra/README.md); a single-value rotation Lambda would log every user out.',
  );
  acknowledge(
    bff.clientSecret,
    'AwsSolutions-SMG4',
    'A copy of the secret Cognito generated for the app client; Cognito owns the value, and the copy follows the ' +
      'client (a new client means a new secret on the next deployment).',
  );

  acknowledgeStackSingletons(bff);
}

function acknowledgeRestApi(frontDoor: BffApi): void {
  const api = frontDoor.api;
  acknowledge(
    api,
    'AwsSolutions-APIG2',
    'Every route is a proxy to the BFF or to the team API behind it, which validates each input itself (query, ' +
      'JSON body, cookies, CSRF header); API Gateway models would duplicate that contract and drift from it.',
  );
  const cloudWatchRole = api.node.tryFindChild('CloudWatchRole');
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
  for (const method of frontDoor.unauthorizedMethods) {
    acknowledge(method, 'AwsSolutions-APIG4', OPEN_ROUTE_REASON);
    acknowledge(method, 'AwsSolutions-COG4', OPEN_ROUTE_REASON);
  }
}

/**
 * The findings cdk-nag's IAM5 rule reports for a policy, in its suppression format: `Action::<action>` for each
 * wildcard action and `Resource::<flattened reference>` for each wildcard resource of an Allow statement.
 */
function wildcardFindings(policy: CfnPolicy): string[] {
  const document = Stack.of(policy).resolve(policy.policyDocument) as { Statement?: Array<Record<string, unknown>> };
  const findings = new Set<string>();
  for (const statement of document.Statement ?? []) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of [statement.Action].flat())
      if (typeof action === 'string' && action.includes('*')) findings.add(`Action::${action}`);
    for (const resource of [statement.Resource].flat()) {
      const flat = flattenReference(resource);
      if (flat.includes('*')) findings.add(`Resource::${flat}`);
    }
  }
  return [...findings];
}

/** A CloudFormation reference as one string, the way cdk-nag writes it in finding ids. */
function flattenReference(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const value = node as Record<string, unknown>;
  if (Array.isArray(value['Fn::Join'])) {
    const [delimiter, items] = value['Fn::Join'] as [string, unknown[]];
    return items.map(flattenReference).join(delimiter);
  }
  if (value['Fn::Sub'] !== undefined) return flattenReference(value['Fn::Sub']);
  if (Array.isArray(value['Fn::GetAtt'])) {
    const [resource, attribute] = value['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
  }
  if (value['Fn::ImportValue'] !== undefined) return flattenReference(value['Fn::ImportValue']);
  if (value.Ref !== undefined) return `<${flattenReference(value.Ref)}>`;
  return JSON.stringify(node);
}

/** CDK's singleton Lambdas, which live at the stack's root whichever construct asked for them. */
function acknowledgeStackSingletons(bff: CognitoBff): void {
  const stack = Stack.of(bff);
  // The singleton Lambda behind CDK's AwsCustomResource (DescribeUserPoolClient, which copies the client secret).
  const customResourceProvider = stack.node.tryFindChild(`AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
  if (customResourceProvider === undefined) {
    throw new Error('The AwsCustomResource provider moved: update infra/lib/nag-suppressions.ts');
  }
  acknowledge(
    customResourceProvider.node.findChild('ServiceRole'),
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    "CDK's own custom-resource provider (it copies the client secret into Secrets Manager at deployment); the " +
      'managed policy only lets it write its logs, and its other permission is DescribeUserPoolClient on this pool.',
  );

  // The singleton Lambda behind BucketDeployment (spaAssetPath), which copies the SPA build into the bucket.
  if (bff.parts.edge.spaDeployment === undefined) return;
  const deployer = stack.node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (deployer === undefined) throw new Error('The BucketDeployment provider moved: update infra/lib/nag-suppressions.ts');
  const reason =
    "CDK's own BucketDeployment handler, which runs only during deployments to copy the SPA build into the SPA " +
    'bucket and invalidate the distribution; its runtime and permissions are chosen by CDK.';
  acknowledge(
    deployer.node.findChild('ServiceRole'),
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    `${reason} The managed policy only lets it write its logs.`,
  );
  const policy = deployer.node.findChild('ServiceRole').node.tryFindChild('DefaultPolicy')?.node.defaultChild;
  if (!(policy instanceof CfnPolicy)) throw new Error('The BucketDeployment policy moved: update infra/lib/nag-suppressions.ts');
  for (const finding of wildcardFindings(policy)) {
    acknowledge(
      policy,
      `AwsSolutions-IAM5[${finding}]`,
      `${reason} CDK grants it object access (s3:GetObject*, s3:DeleteObject*, s3:List*) on the asset bucket and the ` +
        'SPA bucket, and cloudfront:CreateInvalidation, which has no resource-level permissions.',
    );
  }
  acknowledge(deployer, 'AwsSolutions-L1', `${reason} CDK pins a Python runtime for it that the construct cannot choose.`);
}
