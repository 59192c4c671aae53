/** Partition-correct ARNs: the partition follows from the region (aws, aws-cn, aws-us-gov). */
import { signInRegionOf } from '@rootaudit/checks';

export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

export function partitionOfRegion(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * The region that hosts a partition's global services (IAM, Organizations, Account) and root
 * sign-in events: the checks' signInRegionOf, so collectors read where the checks look.
 */
export const globalRegionOf = signInRegionOf;

export function rootArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:root`;
}

export function roleArn(partition: string, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/** The AWS managed task policy an `sts:AssumeRoot` session needs to read root credentials. */
export function auditRootTaskPolicyArn(partition: string): string {
  return `arn:${partition}:iam::aws:policy/root-task/IAMAuditRootUserCredentials`;
}

/** The region field of an ARN (`arn:aws:sns:eu-west-1:…` → `eu-west-1`), or null. */
export function regionOfArn(arn: string): string | null {
  const region = arn.split(':')[3];
  return region ? region : null;
}
