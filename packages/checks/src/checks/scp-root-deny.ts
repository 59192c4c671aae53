import { defineCheck } from '../check.ts';
import type { Organization } from '../evidence.ts';
import { findRootDenyingPolicies, findUndecidedRootDenials, policiesInEffect } from '../rules/scp.ts';
import { errorOutcome, listOf, outcome, rootArn, scopeLeavesOut } from './support.ts';

function describeTarget(targetId: string, organization: Organization, accountId: string): string {
  if (targetId === accountId) return 'the account itself';
  if (targetId === organization.rootId) return `the organization root ${targetId}`;
  const unit = organization.organizationalUnits.find((entry) => entry.id === targetId);
  return unit ? `OU ${unit.name} (${targetId})` : targetId;
}

/**
 * Evidence: organization and SCPs (required). The management account is NOT_APPLICABLE from the
 * context alone (SCPs never apply to it), before any evidence is read. An organization with only
 * consolidated billing, or with the SCP policy type disabled on the root, cannot have such a
 * guardrail: FAIL with that reason (the fix is to enable it), not NOT_APPLICABLE. A deny counts when
 * it covers every action (but a few named ones) on every resource for `arn:*:iam::*:root` principals
 * (rules/scp.ts), attached to the account, any ancestor OU, or the root; a Deny on another principal
 * does not count. A FAIL names the policies in effect whose root deny hangs on a condition the policy
 * text cannot prove (a policy variable, a pattern that is not a full ARN, another condition key).
 * Evidence read for other accounts only (a scan limited with --accounts) holds neither this account's
 * OUs nor the SCPs above them: ERROR, never a FAIL for want of a policy it did not read.
 */
export const scpRootDeny = defineCheck({
  metadata: {
    id: 'scp-root-deny',
    title: 'An SCP denies the root user in member accounts',
    severity: 'high',
    scope: 'account',
    description:
      'For member accounts: checks that a service control policy in effect on the account (attached to it, to an ' +
      'ancestor OU or to the organization root) denies actions to root principals (aws:PrincipalArn like arn:*:iam::*:root). ' +
      'Not applicable to the management account, which SCPs never restrict.',
    rationale:
      "With such a guardrail, a member account's root credentials, even if recovered through a password reset on the root " +
      'email, cannot do anything; privileged root tasks go through centralized root access (sts:AssumeRoot), which SCPs ' +
      'do not block. CIS v7.0 2.1.2.',
    remediation: {
      console: [
        'In the management account, open AWS Organizations → Policies → Service control policies (enable the policy type if asked).',
        'Create policy with a statement: Effect Deny, Action *, Resource *, Condition StringLike aws:PrincipalArn arn:*:iam::*:root.',
        'Attach it to the organization root (or to every OU holding member accounts); test on a sandbox OU first.',
      ],
      cli:
        'aws organizations create-policy --type SERVICE_CONTROL_POLICY --name DenyRootUser --description "Deny the root user" ' +
        '--content \'{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalArn":["arn:*:iam::*:root"]}}}]}\'\n' +
        'aws organizations attach-policy --policy-id <p-…> --target-id <r-… or ou-…>',
    },
    references: [
      'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html',
      'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html',
      'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_enable-disable.html',
    ],
  },
  evidence: ['organization', 'serviceControlPolicies'],
  evaluate({ organization, serviceControlPolicies }, context) {
    const resource = rootArn(context);
    if (context.isManagementAccount) {
      return [
        outcome('NOT_APPLICABLE', resource, 'Not applicable: SCPs never apply to the management account.'),
      ];
    }
    if (!organization.ok || !serviceControlPolicies.ok) {
      const errors = [organization, serviceControlPolicies].flatMap((collected) =>
        collected.ok ? [] : [collected.error],
      );
      return [errorOutcome(resource, context, errors, 'organization')];
    }
    const org = organization.value;
    if (org.managementAccountId === context.accountId) {
      return [
        outcome('NOT_APPLICABLE', resource, 'Not applicable: SCPs never apply to the management account.'),
      ];
    }
    // Evidence read for other accounts holds neither this account's OUs nor the SCPs above them.
    const leftOut =
      scopeLeavesOut(org, context.accountId, 'organization') ??
      scopeLeavesOut(serviceControlPolicies.value, context.accountId, 'list of SCPs');
    if (leftOut) return [outcome('ERROR', resource, leftOut)];
    const account = org.accounts.find((entry) => entry.id === context.accountId);
    if (!account) {
      return [
        outcome(
          'ERROR',
          resource,
          `Account ${context.accountId} is not in organization ${org.id}, so which SCPs apply to it is unknown.`,
        ),
      ];
    }
    if (account.status !== 'ACTIVE') {
      // The runner skips suspended and closing accounts; this guards a direct call.
      return [
        outcome(
          'NOT_APPLICABLE',
          resource,
          `Not applicable: account ${context.accountId} is ${account.status} and is not audited.`,
        ),
      ];
    }
    if (org.featureSet !== 'ALL') {
      return [
        outcome(
          'FAIL',
          resource,
          'The organization has only consolidated billing features, so no SCP can deny root: enable all features and attach a root-deny SCP.',
          {
            featureSet: org.featureSet,
          },
        ),
      ];
    }
    const scps = serviceControlPolicies.value;
    if (!scps.enabledOnRoot) {
      return [
        outcome(
          'FAIL',
          resource,
          `The SCP policy type is not enabled on organization root ${org.rootId}, so no SCP applies: enable it and attach a root-deny SCP.`,
          {
            enabledOnRoot: false,
          },
        ),
      ];
    }
    const denying = findRootDenyingPolicies({ accountId: context.accountId, organization: org, scps });
    if (denying.length === 0) {
      const undecided = findUndecidedRootDenials({ accountId: context.accountId, organization: org, scps });
      const notCounted =
        undecided.length === 0
          ? ''
          : ` Not counted: ${listOf(
              undecided.map(
                ({ policy, attachedTo }) =>
                  `${policy.name} (${policy.id}) on ${describeTarget(attachedTo, org, context.accountId)}`,
              ),
            )}, whose deny depends on what the policy text cannot prove (a policy variable, a principal pattern that is not a full ARN, or another condition key such as a region).`;
      return [
        outcome(
          'FAIL',
          resource,
          `No SCP in effect on ${context.accountId} (the account, its OUs or the root) denies actions to root principals.${notCounted}`,
          {
            policiesInEffect: policiesInEffect({ accountId: context.accountId, organization: org, scps }).map(
              ({ policy, attachedTo }) => ({ id: policy.id, name: policy.name, attachedTo }),
            ),
            undecided: undecided.map(({ policy, attachedTo }) => ({
              id: policy.id,
              name: policy.name,
              attachedTo,
            })),
          },
        ),
      ];
    }
    const named = denying.map(
      ({ policy, attachedTo }) =>
        `${policy.name} (${policy.id}) on ${describeTarget(attachedTo, org, context.accountId)}`,
    );
    return [
      outcome('PASS', resource, `Root is denied by ${listOf(named)}.`, {
        policies: denying.map(({ policy, attachedTo }) => ({
          id: policy.id,
          name: policy.name,
          arn: policy.arn,
          attachedTo,
        })),
      }),
    ];
  },
});
