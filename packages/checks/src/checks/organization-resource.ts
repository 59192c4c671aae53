/** The resource of organization-scope checks: the organization ARN. */
import type { CheckContext } from '../check.ts';
import type { Collected, Organization } from '../evidence.ts';

/**
 * The organization's ARN, or — when DescribeOrganization itself failed and the id is unknown —
 * `arn:<partition>:organizations::<management account>:organization`, so the ERROR still names
 * whose organization it is.
 */
export function organizationResource(organization: Collected<Organization>, context: CheckContext): string {
  return organization.ok
    ? organization.value.arn
    : `arn:${context.partition}:organizations::${context.accountId}:organization`;
}
