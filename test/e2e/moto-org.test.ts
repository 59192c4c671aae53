// Every check against a moto organization seeded through the SDK (test/e2e/support/moto-org.ts says
// what each account holds). The moto-visible checks give the results the seeding calls for; the ones
// moto cannot feed (LookupEvents, iam:ListOrganizationsFeatures, sts:AssumeRoot, a credential report
// with a root row) are ERROR unless other evidence that was read answers, and nothing PASSes without
// evidence. Skipped when moto_server is absent.
import { ClientFactory } from '@rootaudit/aws';
import { startMoto } from '@rootaudit/aws/testing';
import { type CheckStatus, checks } from '@rootaudit/checks';
import { scanOrganization } from '@rootaudit/scanner';
import t from 'tap';
import { MOTO_CREDENTIALS, MOTO_EXTERNAL_ID, seedMotoOrganization } from './support/moto-org.ts';

const moto = await startMoto();
if ('skip' in moto) {
  t.comment(`skipped: ${moto.skip}`);
  t.plan(0, moto.skip);
  process.exit(0);
}
t.teardown(() => moto.stop());

const org = await seedMotoOrganization(moto.endpoint);
const clients = new ClientFactory({
  scanId: 'e2e-moto',
  endpoint: moto.endpoint,
  region: 'us-east-1',
  credentials: MOTO_CREDENTIALS,
  externalId: MOTO_EXTERNAL_ID,
  // moto's 500s are permanent: retrying them only slows the test down.
  maxAttempts: 1,
});
t.teardown(() => clients.destroy());
const scan = await scanOrganization({
  checks,
  clients,
  settings: { regions: ['us-east-1'], now: new Date(), rootUsageWindowDays: 90, allowedEmailDomains: [] },
});

const P: CheckStatus = 'PASS';
const F: CheckStatus = 'FAIL';
const E: CheckStatus = 'ERROR';
const N: CheckStatus = 'NOT_APPLICABLE';

const COLUMNS = ['management', 'payments', 'dev', 'sandbox'] as const;
const idOf = {
  management: org.managementId,
  payments: org.paymentsId,
  dev: org.devId,
  sandbox: org.sandboxId,
};

// Why, row by row:
// - root MFA: moto's account summary has AccountMFAEnabled = 0 and no AccountPasswordPresent key
//   ("unknown", never "absent"). Only an AssumeRoot audit could prove root cannot sign in, and in
//   members it needs iam:ListOrganizationsFeatures, which moto answers with a 500; the management
//   account is never audited. MFA off is FAIL everywhere (as CIS and Security Hub IAM.9 judge), the
//   message naming the password as unknown.
// - access keys and signing certificates: the summary says 0, which is evidence (moto cannot create
//   root keys, so 0 is also the truth of moto's model). AccountAccessKeysPresent = 0 also proves key
//   rotation NOT_APPLICABLE, though moto's credential report has no root row.
// - recent use needs the credential report's root row, which moto never writes: ERROR.
// - sign-in activity needs LookupEvents (moto: 500): ERROR.
// - trails: payments has a logging multi-region trail; dev's is single-region and stopped; the
//   management account and sandbox have none.
// - metric alarm: payments' chain is complete from filter to subscriber (its filter is the CIS one
//   rewritten: other order, parentheses, spacing), but moto delivers nothing to CloudWatch Logs:
//   its GetTrailStatus has no LatestCloudWatchLogsDeliveryTime, so the log group is not known to be
//   fed and the chain FAILs there (real AWS reports a delivery within minutes of the trail's
//   creation); dev's first broken link is the trail; the others have no trail.
// - alerting: payments through its EventBridge rule (the alarm chain is unfed, see above); dev's EventBridge rule is DISABLED and its topic has no
//   subscriber.
// - GuardDuty: payments enabled, dev's detector disabled, the others none.
// - contacts: payments all three; dev BILLING only; the others none.
// - email: sandbox is on gmail.com. scp-root-deny: Prod and Workloads (two levels above dev) carry
//   DenyRootUser, Sandbox nothing; the management account is NOT_APPLICABLE.
// - root-credentials-absent needs the organization features (moto: 500) for members: ERROR.
//                                    mgmt pay dev sandbox
const EXPECTED: Record<string, CheckStatus[]> = {
  'root-mfa-enabled': /*         */ [F, F, F, F],
  'root-hardware-mfa': /*        */ [F, F, F, F],
  'root-no-access-keys': /*      */ [P, P, P, P],
  'root-access-key-rotated': /*  */ [N, N, N, N],
  'root-no-signing-certificates': [P, P, P, P],
  'root-not-recently-used': /*   */ [E, E, E, E],
  'root-signin-activity': /*     */ [E, E, E, E],
  'cloudtrail-multi-region': /*  */ [F, P, F, F],
  'root-usage-metric-alarm': /*  */ [F, F, F, F],
  'root-activity-alerting': /*   */ [F, P, F, F],
  'guardduty-enabled': /*        */ [F, P, F, F],
  'security-contact-registered': [F, P, F, F],
  'alternate-contacts-registered': [F, P, F, F],
  'account-email-domain': /*     */ [P, P, P, F],
  'scp-root-deny': /*            */ [N, P, P, F],
  'root-credentials-absent': /*  */ [N, E, E, E],
};
const ORGANIZATION_EXPECTED: Record<string, CheckStatus> = {
  'org-all-features': P,
  'org-root-credentials-management': E,
  'org-root-sessions': E,
};

const resultOf = (account: (typeof COLUMNS)[number], checkId: string) =>
  scan.results.filter(
    (r) => r.accountId === idOf[account] && r.checkId === checkId && !(checkId in ORGANIZATION_EXPECTED),
  );
const message = (account: (typeof COLUMNS)[number], checkId: string) =>
  resultOf(account, checkId)
    .map((r) => r.message)
    .join(' / ');

t.test('the scan reaches every account of the organization', async (t) => {
  t.equal(scan.status, 'SUCCEEDED');
  t.same(scan.accounts.map((a) => a.status).sort(), ['SCANNED', 'SCANNED', 'SCANNED', 'SCANNED']);
  t.same(
    checks.map((check) => check.metadata.id).sort(),
    [...Object.keys(EXPECTED), ...Object.keys(ORGANIZATION_EXPECTED)].sort(),
    'the table covers the whole catalog',
  );
});

t.test('account checks give the expected status in every account', async (t) => {
  const actual = Object.fromEntries(
    Object.keys(EXPECTED).map((checkId) => [
      checkId,
      COLUMNS.map((account) =>
        resultOf(account, checkId)
          .map((r) => r.status)
          .join('+'),
      ),
    ]),
  );
  t.same(actual, EXPECTED);
});

t.test('organization checks', async (t) => {
  t.same(
    Object.fromEntries(scan.organizationResults.map((r) => [r.checkId, r.status])),
    ORGANIZATION_EXPECTED,
  );
  for (const result of scan.organizationResults.filter((r) => r.status === 'ERROR')) {
    t.match(
      result.message,
      /iam:ListOrganizationsFeatures/,
      `${result.checkId} names the action moto refused`,
    );
  }
});

t.test('what moto cannot serve is ERROR naming the action, never PASS', async (t) => {
  for (const account of COLUMNS) {
    t.match(message(account, 'root-signin-activity'), /cloudtrail:LookupEvents/);
    t.match(message(account, 'root-not-recently-used'), /no <root_account> row/);
    t.match(message(account, 'root-access-key-rotated'), /AccountAccessKeysPresent = 0/);
    t.match(
      message(account, 'root-mfa-enabled'),
      /whether root has a password is unknown \(AccountPasswordPresent is missing/,
    );
  }
  for (const account of ['payments', 'dev', 'sandbox'] as const) {
    t.match(
      message(account, 'root-mfa-enabled'),
      /AssumeRoot audit could not be read.*iam:ListOrganizationsFeatures/,
    );
    t.match(message(account, 'root-credentials-absent'), /iam:ListOrganizationsFeatures/);
  }
});

t.test('messages name the link or the item that is missing', async (t) => {
  t.match(
    message('payments', 'root-usage-metric-alarm'),
    /trail management-events has never delivered to its CloudWatch Logs log group/,
  );
  t.match(message('payments', 'root-activity-alerting'), /through EventBridge: rule root-activity/);
  t.match(message('dev', 'root-usage-metric-alarm'), /dev-trail is single-region/);
  t.match(message('dev', 'guardduty-enabled'), /DISABLED/);
  t.match(message('dev', 'alternate-contacts-registered'), /OPERATIONS/);
  t.notMatch(message('dev', 'alternate-contacts-registered'), /BILLING/);
  t.match(message('dev', 'scp-root-deny'), /OU Workloads/);
  t.match(message('sandbox', 'account-email-domain'), /gmail\.com/);
});
