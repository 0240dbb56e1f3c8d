/**
 * examples/cdk-app, the way a team writes it: its stack synthesizes offline, its own API sits behind the Cognito
 * authorizer, and the CloudFront Function the template carries (run from the template, not from the source file)
 * bridges the session cookie on that API's path and refuses a cross-site unsafe request there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContext, runInContext } from 'node:vm';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TeamStack } from '../../examples/cdk-app/lib/team-stack.js';
import { onlyResource, resourcesOfType, type TemplateJson } from './fixture.js';

const outdir = mkdtempSync(join(tmpdir(), 'cognito-bff-example-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

let stack: TeamStack;
let json: TemplateJson;

beforeAll(() => {
  const app = new App({ outdir });
  // The repository's tests do not build dist/; a stub stands in for the standalone bundle.
  stack = new TeamStack(app, 'TeamApp', { bffCode: Code.fromInline('exports.handler = async () => ({ statusCode: 200 });') });
  json = Template.fromStack(stack).toJSON() as TemplateJson;
}, 120_000); // synthesis is slow on a loaded 2-core machine

type EdgeResult = { statusCode?: number; headers: Record<string, { value: string }>; body?: { data: string } };

/** The CloudFront Function exactly as the template deploys it. */
function edgeHandler(): (event: unknown) => EdgeResult {
  const [, fn] = onlyResource(json, 'AWS::CloudFront::Function');
  const sandbox = createContext({});
  runInContext(fn.Properties?.FunctionCode as string, sandbox);
  return (sandbox as { handler: (event: unknown) => EdgeResult }).handler;
}

function viewerRequest(method: string, uri: string, headers: Record<string, string>, cookies: Record<string, string>) {
  const values = (entries: Record<string, string>) => Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, { value: v }]));
  return {
    version: '1.0',
    context: { eventType: 'viewer-request' },
    viewer: { ip: '198.51.100.7' },
    request: { method, uri, querystring: {}, headers: values(headers), cookies: values(cookies) },
  };
}

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2ln';

describe('examples/cdk-app', () => {
  it('puts the team API at /orders behind the Cognito authorizer with the email scope', () => {
    const ordersId = stack.getLogicalId(stack.orders.node.defaultChild as CfnElement);
    const guarded = resourcesOfType(json, 'AWS::ApiGateway::Method')
      .map(([, method]) => method.Properties ?? {})
      .filter((props) => JSON.stringify(props.Integration).includes(ordersId));
    expect(guarded).toHaveLength(2); // /orders and /orders/{proxy+}
    for (const method of guarded) {
      expect(method).toMatchObject({ AuthorizationType: 'COGNITO_USER_POOLS', AuthorizationScopes: ['email'] });
    }
  });

  it('routes /orders* at CloudFront through the edge bridge', () => {
    const config = onlyResource(json, 'AWS::CloudFront::Distribution')[1].Properties?.DistributionConfig as {
      CacheBehaviors: Array<{ PathPattern: string; FunctionAssociations?: unknown[] }>;
    };
    const orders = config.CacheBehaviors.find((behavior) => behavior.PathPattern === '/orders*');
    expect(orders?.FunctionAssociations).toHaveLength(1);
  });

  it("runs the template's function on /orders: cookie lifted into Authorization, cross-site POST refused", () => {
    const handler = edgeHandler();
    const get = handler(viewerRequest('GET', '/orders', {}, { '__Host-bff-at': TOKEN })) as { headers: Record<string, { value: string }> };
    expect(get.headers.authorization).toEqual({ value: `Bearer ${TOKEN}` });
    const post = handler(viewerRequest('POST', '/orders/7', {}, { '__Host-bff-at': TOKEN }));
    expect(post.statusCode).toBe(403);
    expect(JSON.parse(post.body?.data ?? '{}')).toMatchObject({ error: 'csrf_check_failed' });
    const allowed = handler(viewerRequest('POST', '/orders/7', { 'x-csrf': '1' }, { '__Host-bff-at': TOKEN }));
    expect(allowed.statusCode).toBeUndefined();
  });

  it('deploys its SPA build and keeps sessions in DynamoDB (the default)', () => {
    expect(resourcesOfType(json, 'Custom::CDKBucketDeployment')).toHaveLength(1);
    expect(resourcesOfType(json, 'AWS::DynamoDB::Table')).toHaveLength(1);
  });
});
