/**
 * The DynamoDB table of `sessionStore: 'dynamodb'`: one table for every item the BFF keeps (sessions, the refresh
 * lease, revocations), on-demand, point-in-time recovery, encrypted, with DynamoDB's TTL on the expiry attribute so
 * ended sessions are eventually deleted. DynamoDB deletes expired items late (up to days), which is why the BFF checks
 * the expiry attribute on every read itself; TTL here only keeps the table from growing forever.
 *
 * Key schema and attribute names are those of the BFF's session module (src/sessions/table.ts, which creates the same
 * table for the local stack): partition key `pk` and sort key `sk` (strings), expiry `expiresAt` (epoch seconds).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export const SESSION_TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB's TTL reads it. */
  timeToLiveAttribute: 'expiresAt',
} as const;

/**
 * The item calls src/sessions makes (Get, Put, Update, Delete, Query), and no more: no Scan, no batch or
 * transaction calls (dynalite, the local stack's emulator, has no transactions, so the BFF does not use them), no
 * table management (the construct owns the table; `ensureSessionTable` is for the local stack and the tests).
 */
/**
 * What logout "everywhere" calls at Cognito besides ending the sessions in the table (src/sessions/cognito-sign-out.ts),
 * granted on the user pool only.
 */
export const GLOBAL_SIGN_OUT_ACTION = 'cognito-idp:AdminUserGlobalSignOut';

export const SESSION_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
] as const;

export interface BffSessionTableProps {
  /**
   * What deleting the stack does to the table. RETAIN also switches on deletion protection, so the table (and every
   * signed-in session) survives a mistaken `DeleteTable` as well.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

export class BffSessionTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: BffSessionTableProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: SESSION_TABLE_SCHEMA.partitionKey, type: AttributeType.STRING },
      sortKey: { name: SESSION_TABLE_SCHEMA.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: SESSION_TABLE_SCHEMA.timeToLiveAttribute,
      // Sign-ins come in bursts (a morning, a release); on-demand needs no capacity planning and no auto scaling.
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // A KMS key managed by AWS (visible in CloudTrail) rather than the table's default owned key; the items hold
      // sealed refresh tokens, already encrypted by the BFF under COOKIE_KEYS.
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
  }

  /** The BFF's item calls on this table only (no indexes, no stream, no table management). */
  grantSessionAccess(grantee: IGrantable): void {
    this.table.grant(grantee, ...SESSION_TABLE_ACTIONS);
  }
}
