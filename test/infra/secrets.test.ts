import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BFF_ENVIRONMENT } from '../../infra/lib/bff-function.js';
import { COOKIE_KEY_LENGTH, NON_BASE64URL_PUNCTUATION } from '../../infra/lib/secrets.js';
import { InfraFixture, onlyResource, resourcesOfType, type SynthesizedStack } from './fixture.js';

/** The punctuation Secrets Manager draws from (GetRandomPassword's documented set). */
const SECRETS_MANAGER_PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

const fixture = new InfraFixture();
let dev: SynthesizedStack;

beforeAll(() => {
  dev = fixture.synth();
});
afterAll(() => fixture.dispose());

function bffFunction(stack: SynthesizedStack) {
  const found = resourcesOfType(stack.json, 'AWS::Lambda::Function').find(([, fn]) => fn.Properties?.Environment);
  if (found === undefined) throw new Error('no BFF function');
  return found;
}

describe('secrets', () => {
  it('generates the cookie key as 43 base64url characters (one 32-byte key)', () => {
    const allowedPunctuation = [...SECRETS_MANAGER_PUNCTUATION].filter((c) => !NON_BASE64URL_PUNCTUATION.includes(c));
    expect(allowedPunctuation.sort()).toEqual(['-', '_']);
    expect(Buffer.from('A'.repeat(COOKIE_KEY_LENGTH), 'base64url')).toHaveLength(32);
    dev.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: {
        PasswordLength: COOKIE_KEY_LENGTH,
        ExcludeCharacters: NON_BASE64URL_PUNCTUATION,
        IncludeSpace: false,
        RequireEachIncludedType: false,
      },
    });
  });

  it('copies the generated client secret into Secrets Manager and nowhere else', () => {
    const [clientSecretId] = resourcesOfType(dev.json, 'AWS::SecretsManager::Secret').find(
      ([, secret]) => secret.Properties?.SecretString !== undefined,
    ) ?? [undefined];
    expect(clientSecretId).toBeDefined();
    const [describeClientId] = onlyResource(dev.json, 'Custom::DescribeCognitoUserPoolClient');
    dev.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      SecretString: { 'Fn::GetAtt': [describeClientId, 'UserPoolClient.ClientSecret'] },
    });
    // The attribute that carries the secret value is referenced by that one secret only.
    const holders = Object.entries(dev.json.Resources)
      .filter(([, resource]) => JSON.stringify(resource.Properties ?? {}).includes('UserPoolClient.ClientSecret'))
      .map(([id]) => id);
    expect(holders).toEqual([clientSecretId]);
    // The custom resource's response (the secret) is kept out of its logs.
    expect(JSON.stringify(dev.json.Resources[describeClientId]?.Properties)).toContain('\\"logApiResponseData\\":false');
  });

  it('gives the Lambda secret ARNs, never secret values', () => {
    const [, fn] = bffFunction(dev);
    const environment = (fn.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
    const secretIds = resourcesOfType(dev.json, 'AWS::SecretsManager::Secret').map(([id]) => id);
    expect(secretIds).toHaveLength(2);
    expect(secretIds).toContain((environment[BFF_ENVIRONMENT.clientSecretArn] as { Ref: string }).Ref);
    expect(secretIds).toContain((environment[BFF_ENVIRONMENT.cookieKeysSecretArn] as { Ref: string }).Ref);
    expect(environment).not.toHaveProperty('COGNITO_CLIENT_SECRET');
    expect(environment).not.toHaveProperty('COOKIE_KEYS');
    const text = JSON.stringify(environment);
    expect(text).not.toMatch(/resolve:secretsmanager|resolve:ssm-secure|SecretString|UserPoolClient\.ClientSecret/);
  });

  it('lets the Lambda read exactly those two secrets', () => {
    const [, fn] = bffFunction(dev);
    const roleId = (fn.Properties as { Role: { 'Fn::GetAtt': [string] } }).Role['Fn::GetAtt'][0];
    const secretIds = resourcesOfType(dev.json, 'AWS::SecretsManager::Secret').map(([id]) => id);
    for (const secretId of secretIds) {
      dev.template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: roleId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
              Resource: { Ref: secretId },
            }),
          ]),
        },
      });
    }
  });
});
