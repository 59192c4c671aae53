/** iam:GetAccountSummary: whether root has MFA, access keys, a password, signing certificates. */
import { GetAccountSummaryCommand } from '@aws-sdk/client-iam';
import type { AccountSummary } from '@rootaudit/checks';
import { type AccountCollector, awsCall } from '../collector.ts';
import { collected } from '../errors.ts';

const ACTION = 'iam:GetAccountSummary';

export function accountSummaryFrom(summaryMap: Record<string, number>): AccountSummary {
  return {
    accountMfaEnabled: summaryMap.AccountMFAEnabled === 1,
    accountAccessKeysPresent: (summaryMap.AccountAccessKeysPresent ?? 0) > 0,
    // A missing key means "unknown", never "absent" (SPEC §2).
    accountPasswordPresent:
      summaryMap.AccountPasswordPresent === undefined ? null : summaryMap.AccountPasswordPresent > 0,
    accountSigningCertificatesPresent: (summaryMap.AccountSigningCertificatesPresent ?? 0) > 0,
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
