/** iam:GetAccountSummary: whether root has MFA, access keys, a password, signing certificates. */
import { GetAccountSummaryCommand } from '@aws-sdk/client-iam';
import type { AccountSummary } from '@rootaudit/checks';
import { type AccountCollector, awsCall } from '../collector.ts';
import { collected } from '../errors.ts';

const ACTION = 'iam:GetAccountSummary';

/** A SummaryMap flag; a missing key is "unknown" (null), never "absent" (SPEC §2). */
function flag(summaryMap: Record<string, number>, key: string): boolean | null {
  const value = summaryMap[key];
  return value === undefined || value === null ? null : value > 0;
}

export function accountSummaryFrom(summaryMap: Record<string, number>): AccountSummary {
  return {
    accountMfaEnabled: flag(summaryMap, 'AccountMFAEnabled'),
    accountAccessKeysPresent: flag(summaryMap, 'AccountAccessKeysPresent'),
    accountPasswordPresent: flag(summaryMap, 'AccountPasswordPresent'),
    accountSigningCertificatesPresent: flag(summaryMap, 'AccountSigningCertificatesPresent'),
    summaryMap,
  };
}

export const accountSummaryCollector: AccountCollector<'accountSummary'> = {
  key: 'accountSummary',
  actions: [ACTION],
  principals: ['audit-role'],
  needs: [],
  collect: ({ clients }) =>
    collected(ACTION, async () => {
      const iam = clients.client('iam');
      const response = await awsCall(clients.limit, ACTION, undefined, () =>
        iam.send(new GetAccountSummaryCommand({})),
      );
      return accountSummaryFrom(response.SummaryMap ?? {});
    }),
};
