/** One cdk-nag acknowledgement, placed where the finding is. */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges `id` on the construct's CloudFormation resource when it has one, so the acknowledgement (and the
 * audit-trail metadata cdk-nag writes) does not spread to the construct's other children.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope.node.defaultChild ?? scope).acknowledge({ id, reason });
}
