/**
 * A team's stack: its SPA, one API of its own (`/orders`, a Lambda function), and cognito-bff in front of both.
 * Browsers sign in through the BFF and call `https://<distribution>/orders` with their session cookie; the edge bridge
 * turns the cookie into the `Authorization` header the API's Cognito authorizer checks.
 */
import { join } from 'node:path';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { CognitoBff } from 'cognito-bff/cdk';

export interface TeamStackProps extends StackProps {
  /**
   * The BFF function's code.
   * @default - cognito-bff's standalone bundle
   */
  readonly bffCode?: Code;
}

export class TeamStack extends Stack {
  readonly bff: CognitoBff;
  readonly orders: LambdaFunction;

  constructor(scope: Construct, id: string, props: TeamStackProps = {}) {
    super(scope, id, props);

    this.bff = new CognitoBff(this, 'Auth', {
      stageName: 'live',
      spaAssetPath: join(__dirname, '..', 'spa'),
      // A dev server of the SPA on another origin may call the BFF with credentials.
      spaOrigins: ['https://app.example.com'],
      ...(props.bffCode === undefined ? {} : { code: props.bffCode }),
    });

    this.orders = new LambdaFunction(this, 'Orders', {
      description: 'The team API: lists the orders of the signed-in user',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      handler: 'index.handler',
      code: Code.fromAsset(join(__dirname, '..', 'orders')),
    });
    // Access tokens with the `email` scope only; the authorizer refuses everything else before the function runs.
    this.bff.addApi('/orders', this.orders, { scopes: ['email'] });

    new CfnOutput(this, 'SpaUrl', { value: `${this.bff.publicBaseUrl}/` });
  }
}
