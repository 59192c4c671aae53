// Every check against the simulator's sample organization (packages/aws-sim/fixtures/sample-org.json),
// over HTTP through the real ClientFactory, collectors and runner. The expectation table below was
// written from each account's intended state (packages/aws-sim/README.md) and the pass conditions
// of SPEC §2, not from the scanner's output.
import { ClientFactory } from '@rootaudit/aws';
import { loadOrganization, startSimulator } from '@rootaudit/aws-sim';
import { type CheckStatus, checks } from '@rootaudit/checks';
import { type ScanResult, scanOrganization } from '@rootaudit/scanner';
import t from 'tap';

const model = loadOrganization();
const sim = await startSimulator({ model });
t.teardown(() => sim.stop());

const clients = new ClientFactory({
  scanId: 'e2e-fixture',
  endpoint: sim.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDBASEEXAMPLE', secretAccessKey: 'secret' },
  externalId: 'rootaudit-sample-external-id',
  maxAttempts: 2,
});
t.teardown(() => clients.destroy());

const scan = await scanOrganization({
  checks,
  clients,
  settings: {
    regions: ['us-east-1', 'eu-west-1'],
    now: new Date(),
    rootUsageWindowDays: 90,
    // No allow-list: only free-mail providers fail account-email-domain.
    allowedEmailDomains: [],
  },
});

const P: CheckStatus = 'PASS';
const F: CheckStatus = 'FAIL';
const E: CheckStatus = 'ERROR';
const N: CheckStatus = 'NOT_APPLICABLE';

// Columns: the ACTIVE accounts in id order. 121212121212 (SUSPENDED) and 131313131313
// (PENDING_CLOSURE) are skipped and have no results at all.
const ACCOUNTS = [
  '101010101010', // sandbox-bob: audit role not deployed
  '111111111111', // management
  '222222222222', // security-tooling
  '333333333333', // log-archive
  '444444444444', // network
  '555555555555', // prod-payments
  '666666666666', // prod-web
  '777777777777', // dev-web
  '888888888888', // staging
  '999999999999', // sandbox-alice
] as const;

// Why, row by row (accounts abbreviated by their first three digits):
// - root MFA: NOT_APPLICABLE where root has no password and no keys (222, 333, 777); 555 and 999 have a
//   password without MFA; 888's summary omits AccountPasswordPresent but AccountMFAEnabled = 1 decides.
// - hardware MFA: 444 virtual only; 666 virtual beside hardware still FAILs; no MFA at all FAILs.
// - access keys: only 555 (an active key); rotation: 555's active key is 400 days old, others have none.
// - signing certificates: only 888.
// - not recently used: 444 (password 30 d ago) and 555 (key used 10 d ago); 111 (200 d), 666 (400 d),
//   888 (150 d) are outside the 90-day window; 999's password was never used (a failed sign-in is no use).
// - sign-in activity: 444 root ConsoleLogin 30 d ago, 555 root API calls (and a privileged root session
//   issued to an SSO admin), 999 a failed root ConsoleLogin 5 d ago; 111's root sign-in is 200 d old
//   (past the 90 days event history keeps); the SSO sign-ins of 111, 222, 444 are not root; 333's only
//   root events are rootaudit's own AssumeRoot audit reads, issued to the scan's organization principal.
// - cloudtrail-multi-region: the management account's organization trail is seen by every member,
//   whatever 777's own single-region, stopped trail does.
// - root-usage-metric-alarm: the management account holds the whole chain (organization trail →
//   org-cloudtrail → CIS filter → alarm → topic with a confirmed subscriber). Members reach it only as
//   the organization trail's shadow: their root usage lands in the management account's log group and
//   is judged there, so in members the check is NOT_APPLICABLE and says where it is judged. (First
//   written as FAIL: "no filter in the member" would fail every member of an organization that
//   monitors centrally, which is the set-up AWS recommends.)
// - root-activity-alerting: 111 has both routes. Members covered by the organization trail defer to
//   the management account like the check above; 222's own EventBridge rule sits in us-east-1 only and
//   so covers neither eu-west-1 API calls (rules are regional) nor turns that into a PASS on its own.
// - GuardDuty: 444 lacks eu-west-1, 666's detectors are DISABLED, 777 has none.
// - contacts: 444 lacks SECURITY; 777 has none; 999 has only BILLING.
// - email domain: 999 is on gmail.com.
// - scp-root-deny: Security, Infrastructure and Workloads (above Prod and NonProd) deny root, and
//   101010101010 has it attached directly; the Sandbox OU does not (999); the management account is
//   NOT_APPLICABLE.
// - root-credentials-absent (centralized root access is on): members with any root credential FAIL;
//   the management account is NOT_APPLICABLE.
// - 101010101010: every check that needs its audit role is ERROR; the two judged from the
//   organization view alone (email domain, SCPs) are still evaluated.
//                                  1010 111 222 333 444 555 666 777 888 999
const EXPECTED: Record<string, CheckStatus[]> = {
  'root-mfa-enabled': /*         */ [E, P, N, N, P, F, P, N, P, F],
  'root-hardware-mfa': /*        */ [E, P, N, N, F, F, F, N, P, F],
  'root-no-access-keys': /*      */ [E, P, P, P, P, F, P, P, P, P],
  'root-access-key-rotated': /*  */ [E, N, N, N, N, F, N, N, N, N],
  'root-no-signing-certificates': [E, P, P, P, P, P, P, P, F, P],
  'root-not-recently-used': /*   */ [E, P, P, P, F, F, P, P, P, P],
  'root-signin-activity': /*     */ [E, P, P, P, F, F, P, P, P, F],
  'cloudtrail-multi-region': /*  */ [E, P, P, P, P, P, P, P, P, P],
  'root-usage-metric-alarm': /*  */ [E, P, N, N, N, N, N, N, N, N],
  'root-activity-alerting': /*   */ [E, P, N, N, N, N, N, N, N, N],
  'guardduty-enabled': /*        */ [E, P, P, P, F, P, F, F, P, P],
  'security-contact-registered': [E, P, P, P, F, P, P, F, P, F],
  'alternate-contacts-registered': [E, P, P, P, P, P, P, F, P, F],
  'account-email-domain': /*     */ [P, P, P, P, P, P, P, P, P, F],
  'scp-root-deny': /*            */ [P, N, P, P, P, P, P, P, P, F],
  'root-credentials-absent': /*  */ [E, N, P, P, F, F, F, P, F, F],
};

const ORGANIZATION_EXPECTED: Record<string, CheckStatus> = {
  'org-all-features': P,
  'org-root-credentials-management': P,
  'org-root-sessions': P,
};

const accountResults = scan.results.filter((result) => !(result.checkId in ORGANIZATION_EXPECTED));
const resultOf = (accountId: string, checkId: string): ScanResult[] =>
  accountResults.filter((result) => result.accountId === accountId && result.checkId === checkId);

t.test('the table covers every check of the catalog', async (t) => {
  t.same(
    checks.map((check) => check.metadata.id).sort(),
    [...Object.keys(EXPECTED), ...Object.keys(ORGANIZATION_EXPECTED)].sort(),
  );
});

t.test(
  'the scan ends PARTIAL because of sandbox-bob, with suspended and closing accounts skipped',
  async (t) => {
    t.equal(scan.status, 'PARTIAL');
    t.same(
      scan.accounts.map((account) => [account.accountId, account.status]),
      [
        ...ACCOUNTS.map((id) => [id, id === '101010101010' ? 'FAILED' : 'SCANNED']),
        ['121212121212', 'SKIPPED'],
        ['131313131313', 'SKIPPED'],
      ].sort(([a], [b]) => String(a).localeCompare(String(b))),
    );
    const skipped = Object.fromEntries(
      scan.accounts.filter((account) => account.status === 'SKIPPED').map((a) => [a.accountId, a]),
    );
    t.match(skipped['121212121212']?.reason, /SUSPENDED/);
    t.match(skipped['131313131313']?.reason, /PENDING_CLOSURE/);
    t.same(
      scan.results.filter((r) => r.accountId === '121212121212' || r.accountId === '131313131313'),
      [],
      'skipped accounts have no results',
    );
  },
);

for (const [checkId, statuses] of Object.entries(EXPECTED)) {
  t.test(checkId, async (t) => {
    const actual = ACCOUNTS.map((accountId) => {
      const results = resultOf(accountId, checkId);
      return results.length === 1 ? results[0]?.status : results.map((r) => r.status).join('+') || 'none';
    });
    t.same(
      Object.fromEntries(ACCOUNTS.map((id, i) => [id, actual[i]])),
      Object.fromEntries(ACCOUNTS.map((id, i) => [id, statuses[i]])),
    );
    const malformed = ACCOUNTS.flatMap((accountId) =>
      resultOf(accountId, checkId)
        .filter((r) => r.resource !== `arn:aws:iam::${accountId}:root` || r.message.trim() === '')
        .map((r) => `${accountId}: ${r.resource} "${r.message}"`),
    );
    t.same(malformed, [], 'every result is about the root user and carries a message');
  });
}

t.test('organization checks are evaluated once, on the organization ARN', async (t) => {
  t.same(
    Object.fromEntries(scan.organizationResults.map((r) => [r.checkId, r.status])),
    ORGANIZATION_EXPECTED,
  );
  for (const result of scan.organizationResults) {
    t.equal(result.resource, 'arn:aws:organizations::111111111111:organization/o-sample12345');
  }
});

const message = (accountId: string, checkId: string) => resultOf(accountId, checkId)[0]?.message ?? '';

t.test('messages say what was found', async (t) => {
  t.match(
    message('666666666666', 'root-hardware-mfa'),
    /virtual/i,
    'a virtual device beside the hardware one',
  );
  t.match(message('444444444444', 'root-hardware-mfa'), /virtual/i);
  // The credential report knows keys by slot, not id: the message names slot 1 as active with its last use.
  t.match(
    message('555555555555', 'root-no-access-keys'),
    /access key 1 \(active, last used \d{4}-\d\d-\d\d on s3/,
  );
  t.match(message('555555555555', 'root-no-access-keys'), /access key 2 \(inactive/);
  t.match(message('555555555555', 'root-access-key-rotated'), /400 days/);
  t.match(
    message('555555555555', 'root-credentials-absent'),
    /AKIA555555555555ROOT/,
    'AssumeRoot sees key ids',
  );
  for (const member of ACCOUNTS.slice(2)) {
    t.match(
      message(member, 'root-usage-metric-alarm'),
      /org-cloudtrail in account 111111111111/,
      `${member} says where its root usage is judged`,
    );
  }
  t.match(message('999999999999', 'root-signin-activity'), /ConsoleLogin/);
  t.match(message('999999999999', 'root-signin-activity'), /Fail/i, 'the failed sign-in is reported as such');
  t.match(message('555555555555', 'root-signin-activity'), /ListBuckets|DescribeInstances/);
  t.match(
    message('555555555555', 'root-signin-activity'),
    /privileged root session issued to arn:aws:sts::111111111111:assumed-role\/AWSReservedSSO_Admin/,
    "another's AssumeRoot session is reported with its issuer",
  );
  t.match(message('444444444444', 'security-contact-registered'), /SECURITY/i);
  t.match(message('999999999999', 'alternate-contacts-registered'), /OPERATIONS/i);
  t.match(message('999999999999', 'account-email-domain'), /gmail\.com/);
  t.match(message('888888888888', 'root-no-signing-certificates'), /certificate/i);
  t.match(message('222222222222', 'root-mfa-enabled'), /no password/i);
  t.match(message('444444444444', 'guardduty-enabled'), /eu-west-1/);
});

t.test('evidence is recorded for the findings that matter', async (t) => {
  const signins = resultOf('999999999999', 'root-signin-activity')[0]?.evidence ?? {};
  t.match(JSON.stringify(signins), /203\.0\.113\.99/, 'the sign-in source IP is in the evidence');
  t.match(
    resultOf('333333333333', 'root-signin-activity')[0]?.evidence,
    { ownAuditSessionEvents: 4, auditIssuer: 'arn:aws:iam::111111111111:user/rootaudit' },
    "333 PASSes with rootaudit's own AssumeRoot audit session in its CloudTrail, set aside",
  );
});

t.test('sandbox-bob: every audit-role check is ERROR with a message a person can act on', async (t) => {
  const bob = accountResults.filter((r) => r.accountId === '101010101010' && r.status === 'ERROR');
  t.equal(bob.length, 14);
  for (const result of bob) {
    t.match(result.message, /sts:AssumeRole/, `${result.checkId} names the action`);
    t.match(
      result.message,
      /arn:aws:iam::101010101010:role\/RootAuditRole/,
      `${result.checkId} names the role`,
    );
    t.match(result.message, /deploy the audit-role template/, `${result.checkId} says what to do`);
  }
  t.same(
    bob.filter((r) => /lacks this permission/.test(r.message)).map((r) => r.checkId),
    [],
    'no advice that contradicts the missing role',
  );
  t.same(
    bob
      .filter((r) => (r.message.match(/AccessDenied on sts:AssumeRole/g) ?? []).length !== 1)
      .map((r) => r.checkId),
    [],
    'the denial is said once per result',
  );
  const account = scan.accounts.find((a) => a.accountId === '101010101010');
  t.match(account?.reason, /AccessDenied on sts:AssumeRole/);
});
