import { defineCheck } from '../check.ts';
import { reportRootRow } from './root-credentials-state.ts';
import { DAY_MS, day, errorOutcome, outcome, reportDate, rootArn } from './support.ts';

/**
 * Evidence: the credential report (required; no other evidence this check reads shows root's last
 * use). A report that cannot be read, or has no root row, is ERROR naming the action and the code.
 * `N/A`, `no_information` and `not_supported` are not dates (never used, or not tracked). The
 * report may be up to 4 hours old: its GeneratedTime is recorded and named in a PASS;
 * root-signin-activity reads CloudTrail for the recent part.
 */
export const rootNotRecentlyUsed = defineCheck({
  metadata: {
    id: 'root-not-recently-used',
    title: 'Root user has not been used recently',
    severity: 'high',
    scope: 'account',
    description:
      'Checks that the most recent of the root password_last_used, access_key_1_last_used_date and ' +
      'access_key_2_last_used_date in the credential report is older than the window (default 90 days).',
    rationale:
      'Root is for the few tasks only root can do. Regular root use means shared, unaudited, unrestricted access ' +
      'and a credential exposed to daily phishing and malware; it should be replaced by IAM Identity Center or roles. ' +
      'CIS "Eliminate use of the root user for administrative and daily tasks".',
    remediation: {
      console: [
        'Open the credential report (IAM → Credential report → Download) and find who used root, and for what, in CloudTrail (Event history, User name = root).',
        'Give those people IAM Identity Center or IAM role access for the task instead.',
        'Rotate the root password, and delete root access keys if the use was by key.',
        'For member accounts, enable centralized root access and delete the root credentials.',
      ],
      cli:
        'aws iam generate-credential-report && aws iam get-credential-report --query Content --output text | base64 -d | grep "<root_account>"\n' +
        'aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=root --max-results 50',
    },
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-tasks.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html',
    ],
  },
  evidence: ['credentialReport'],
  evaluate({ credentialReport }, context) {
    const resource = rootArn(context);
    const report = reportRootRow(credentialReport);
    if ('action' in report) {
      return [
        errorOutcome(
          resource,
          context,
          [report],
          'account',
          "Root's last use is unknown, as the credential report is the only evidence of it: ",
        ),
      ];
    }
    const { row: root, generatedTime } = report;
    const uses = [
      { credential: 'password', at: reportDate(root.passwordLastUsed) },
      ...root.accessKeys.map((key) => ({
        credential: `access key ${key.slot}`,
        at: reportDate(key.lastUsedDate),
      })),
    ].filter((use): use is { credential: string; at: Date } => use.at !== null);
    const latest = uses.reduce<{ credential: string; at: Date } | null>(
      (newest, use) => (newest === null || use.at > newest.at ? use : newest),
      null,
    );
    const window = context.rootUsageWindowDays;
    const windowStart = new Date(context.now.getTime() - window * DAY_MS);
    const facts = {
      credentialReportGeneratedTime: generatedTime,
      windowDays: window,
      lastUsed: latest ? { credential: latest.credential, at: latest.at.toISOString() } : null,
    };
    if (latest === null) {
      return [
        outcome(
          'PASS',
          resource,
          `The credential report generated ${generatedTime} shows no recorded use of root (password or access keys).`,
          facts,
        ),
      ];
    }
    if (latest.at >= windowStart) {
      return [
        outcome(
          'FAIL',
          resource,
          `Root was used within the last ${window} days: its ${latest.credential} was last used ${latest.at.toISOString()}.`,
          facts,
        ),
      ];
    }
    return [
      outcome(
        'PASS',
        resource,
        `Root was last used ${day(latest.at)} (${latest.credential}), more than ${window} days ago (credential report generated ${generatedTime}).`,
        facts,
      ),
    ];
  },
});
