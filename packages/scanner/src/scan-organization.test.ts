// The runner end to end over HTTP: the simulator's sample organization, the real ClientFactory
// (audit role assumed with ExternalId), real collectors; the simulator's call log counts calls.
import { ClientFactory } from '@rootaudit/aws';
import { loadOrganization, startSimulator } from '@rootaudit/aws-sim';
import { checks as catalog, getCheck } from '@rootaudit/checks';
import t from 'tap';
import { scanOrganization } from './scan-organization.ts';
import { pass, simulatorClients, testCheck } from './testing.ts';

const model = loadOrganization();
const sim = await startSimulator({ model });
t.teardown(() => sim.stop());

const factory = (scanId: string) => simulatorClients(t, sim, scanId);
const settings = {
  regions: ['us-east-1', 'eu-west-1'],
  now: new Date(),
  rootUsageWindowDays: 90,
  allowedEmailDomains: [],
};

const cloudtrailMultiRegion = getCheck('cloudtrail-multi-region');
if (!cloudtrailMultiRegion) throw new Error('the catalog has cloudtrail-multi-region');
const rootFrom = (accountId: string) => `arn:aws:iam::${accountId}:root`;
const reportChecks = ['report-a', 'report-b', 'report-c'].map((id) =>
  testCheck(id, ['credentialReport'], ({ credentialReport }, context) => [
    {
      status: credentialReport.ok ? 'PASS' : 'ERROR',
      resource: rootFrom(context.accountId),
      message: credentialReport.ok ? 'read' : credentialReport.error.message,
      evidence: {},
    },
  ]),
);
const orgCheck = testCheck(
  'org-features',
  ['organization', 'organizationFeatures'],
  ({ organization, organizationFeatures }) => [
    {
      status: organizationFeatures.ok && organizationFeatures.value.rootSessions ? 'PASS' : 'FAIL',
      resource: organization.ok ? organization.value.arn : '',
      message: 'features',
      evidence: {},
    },
  ],
  'organization',
);

t.test(
  'a scan of the sample organization: report fetched once per account, nothing unneeded called',
  async (t) => {
    sim.callLog.clear();
    const scanned: string[] = [];
    const scan = await scanOrganization({
      checks: [...reportChecks, orgCheck],
      settings,
      clients: factory('scan-1'),
      accountConcurrency: 4,
      onAccountScanned: (account) => scanned.push(account.accountId),
    });
    t.equal(scan.status, 'PARTIAL', 'sandbox-bob has no audit role');
    t.match(scan.reason, /1 of 12 accounts could not be scanned/);
    t.same(
      scan.organizationResults.map((r) => [r.checkId, r.status, r.accountId, r.resource]),
      [
        [
          'org-features',
          'PASS',
          '111111111111',
          'arn:aws:organizations::111111111111:organization/o-sample12345',
        ],
      ],
    );
    const byId = Object.fromEntries(scan.accounts.map((a) => [a.accountId, a]));
    t.same([byId['121212121212']?.status, byId['131313131313']?.status], ['SKIPPED', 'SKIPPED']);
    t.equal(byId['101010101010']?.status, 'FAILED');
    t.same(
      byId['101010101010']?.results.map((r) => [r.checkId, r.status]),
      [
        ['report-a', 'ERROR'],
        ['report-b', 'ERROR'],
        ['report-c', 'ERROR'],
      ],
    );
    t.match(byId['101010101010']?.results[0]?.message, /deploy the audit-role template/);
    const scannedIds = scan.accounts.filter((a) => a.status === 'SCANNED').map((a) => a.accountId);
    t.equal(scannedIds.length, 9);
    t.equal(scanned.length, 12, 'every account reported once');
    for (const accountId of scannedIds) {
      t.equal(
        sim.callLog.count({ service: 'iam', operation: 'GetCredentialReport', accountId }),
        1,
        `${accountId}: one report fetch for three checks`,
      );
      t.same(
        byId[accountId]?.results.map((r) => r.status),
        ['PASS', 'PASS', 'PASS'],
      );
    }
    t.equal(sim.callLog.count({ service: 'iam', operation: 'GetCredentialReport' }), 9);
    for (const operation of [
      'DescribeTrails',
      'LookupEvents',
      'GetAccountSummary',
      'ListVirtualMFADevices',
      'ListPolicies',
    ]) {
      t.equal(sim.callLog.count({ operation }), 0, `${operation} not needed, not called`);
    }
    t.equal(
      sim.callLog.count({ service: 'iam', operation: 'ListOrganizationsFeatures' }),
      1,
      'organization evidence gathered once per scan',
    );
    t.equal(sim.callLog.count({ service: 'organizations', operation: 'DescribeOrganization' }), 1);
    t.equal(sim.callLog.count({ accountId: '121212121212' }), 0, 'no call into a suspended account');
    t.equal(scan.results.length, 1 + 10 * 3);
  },
);

t.test('--accounts limits the scan to the accounts named', async (t) => {
  const scan = await scanOrganization({
    checks: [testCheck('summary', ['accountSummary'], (_e, c) => [pass(rootFrom(c.accountId))])],
    settings,
    clients: factory('scan-2'),
    accountIds: ['555555555555', '999999999999'],
  });
  t.equal(scan.status, 'SUCCEEDED');
  t.same(
    scan.accounts.map((a) => a.accountId),
    ['555555555555', '999999999999'],
  );
  t.same(
    scan.results.map((r) => [r.accountId, r.status]),
    [
      ['555555555555', 'PASS'],
      ['999999999999', 'PASS'],
    ],
  );
});

/** Organizations calls that read the whole organization (each node, each policy). */
const WHOLE_ORGANIZATION_READS = [
  'ListAccounts',
  'ListAccountsForParent',
  'ListOrganizationalUnitsForParent',
  'ListPolicies',
  'ListTargetsForPolicy',
];

t.test(
  'a scan limited to some accounts judges each as the whole-organization scan does, reading only their part',
  async (t) => {
    const accountChecks = catalog.filter((check) => check.metadata.scope === 'account');
    const whole = await scanOrganization({ checks: accountChecks, settings, clients: factory('scan-whole') });
    const resultsOf = (accountId: string, scan: typeof whole) =>
      scan.results.filter((result) => result.accountId === accountId);
    // Depths and SCPs: Prod under Workloads (root deny on Workloads, two levels up); Security
    // (root deny on the OU); sandbox-bob (root deny on the account itself, no audit role); Sandbox
    // without a deny (FAIL, the root's policies listed); the management account at the root.
    for (const accountId of [
      '555555555555',
      '222222222222',
      '101010101010',
      '999999999999',
      '111111111111',
    ]) {
      sim.callLog.clear();
      const one = await scanOrganization({
        checks: accountChecks,
        settings,
        clients: factory(`scan-one-${accountId}`),
        accountIds: [accountId],
      });
      t.same(
        one.accounts.map((a) => [a.accountId, a.status]),
        whole.accounts.filter((a) => a.accountId === accountId).map((a) => [a.accountId, a.status]),
      );
      t.same(resultsOf(accountId, one), resultsOf(accountId, whole), `${accountId}: the same results`);
      t.same(
        one.organization?.scope,
        { accountIds: [accountId] },
        `${accountId}: the evidence says it is scoped`,
      );
      for (const operation of WHOLE_ORGANIZATION_READS) {
        t.equal(
          sim.callLog.count({ service: 'organizations', operation }),
          0,
          `${accountId}: no ${operation}`,
        );
      }
      t.equal(
        sim.callLog.count({ service: 'organizations', operation: 'DescribeAccount' }),
        1,
        `${accountId}: one DescribeAccount`,
      );
      t.equal(
        sim.callLog.count({ service: 'organizations', operation: 'ListRoots' }),
        1,
        `${accountId}: ListRoots once for both collectors`,
      );
    }
    const scpResults = whole.results.filter((result) => result.checkId === 'scp-root-deny');
    t.same(
      ['555555555555', '222222222222', '101010101010', '999999999999', '111111111111'].map(
        (accountId) => scpResults.find((result) => result.accountId === accountId)?.status,
      ),
      ['PASS', 'PASS', 'PASS', 'FAIL', 'NOT_APPLICABLE'],
      'the accounts cover a deny two OUs up, on the OU, on the account, none, and the management account',
    );
  },
);

t.test('a scan limited to accounts makes fewer organization calls than the whole read', async (t) => {
  const accountChecks = catalog.filter((check) => check.metadata.scope === 'account');
  sim.callLog.clear();
  await scanOrganization({ checks: accountChecks, settings, clients: factory('scan-count-whole') });
  const whole = sim.callLog.count({ service: 'organizations' });
  sim.callLog.clear();
  await scanOrganization({
    checks: accountChecks,
    settings,
    clients: factory('scan-count-one'),
    accountIds: ['555555555555'],
  });
  const one = sim.callLog.count({ service: 'organizations' });
  // DescribeOrganization, ListRoots, DescribeAccount, ListAWSServiceAccessForOrganization; ListParents
  // of the account, Prod and Workloads; DescribeOrganizationalUnit of Prod and Workloads;
  // ListPoliciesForTarget of the account, Prod, Workloads and the root; DescribePolicy of the three.
  t.equal(
    one,
    4 + 3 + 2 + 4 + 3,
    `${one} organization calls for one account, ${whole} for the whole organization`,
  );
  t.ok(one < whole);
});

t.test(
  'an account named but not in the organization is left out, and the scope says it was asked for',
  async (t) => {
    const scan = await scanOrganization({
      checks: catalog.filter((check) => check.metadata.id === 'account-email-domain'),
      settings,
      clients: factory('scan-unknown'),
      accountIds: ['555555555555', '000000000000'],
    });
    t.equal(scan.status, 'SUCCEEDED');
    t.same(
      scan.accounts.map((a) => a.accountId),
      ['555555555555'],
    );
    t.same(scan.organization?.scope, { accountIds: ['000000000000', '555555555555'] });
    t.same(
      scan.organization?.accounts.map((a) => a.id),
      ['555555555555'],
    );
  },
);

t.test(
  'organization not readable: the scan FAILS with the reason, or scans the named accounts',
  async (t) => {
    sim.setKnobs({
      faults: { accessDenied: [{ service: 'organizations', operation: 'DescribeOrganization' }] },
    });
    t.teardown(() => sim.setKnobs({}));
    const failed = await scanOrganization({ checks: reportChecks, settings, clients: factory('scan-3') });
    t.equal(failed.status, 'FAILED');
    t.match(
      failed.reason,
      /^the organization could not be read: AccessDeniedException on organizations:DescribeOrganization: User: .* is not authorized to perform: organizations:DescribeOrganization/,
      'the reason names the code and the action before the message',
    );
    const named = await scanOrganization({
      checks: reportChecks,
      settings,
      clients: factory('scan-4'),
      accountIds: ['666666666666'],
    });
    t.equal(named.status, 'PARTIAL');
    t.same(
      named.results.map((r) => r.status),
      ['PASS', 'PASS', 'PASS'],
    );
  },
);

t.test(
  "the organization trail's status and selectors: read once from the management account, reused for every member",
  async (t) => {
    sim.callLog.clear();
    const scan = await scanOrganization({
      checks: [cloudtrailMultiRegion],
      settings,
      clients: factory('scan-org-trail'),
      accountIds: ['222222222222', '555555555555', '777777777777'],
    });
    for (const accountId of ['222222222222', '555555555555', '777777777777']) {
      const [result] = scan.results.filter((r) => r.accountId === accountId);
      t.equal(result?.status, 'PASS', `${accountId}: ${result?.message}`);
      t.match(result?.message, /organization trail organization-trail/);
      t.equal(
        sim.callLog.count({ service: 'cloudtrail', operation: 'GetEventSelectors', accountId }),
        accountId === '777777777777' ? 1 : 0,
        `${accountId} reads only its own trails' selectors`,
      );
    }
    t.equal(
      sim.callLog.count({ service: 'cloudtrail', operation: 'GetEventSelectors', accountId: '111111111111' }),
      1,
      'once per scan, from the management account',
    );
    t.equal(
      sim.callLog.count({ service: 'cloudtrail', operation: 'GetTrailStatus', accountId: '111111111111' }),
      1,
    );
  },
);

t.test(
  'contacts through an organization role that may not name AccountId: read inside each account, refused once per scan',
  async (t) => {
    // The organization is read from IAM's delegated administrator, which Account Management refuses.
    model.organization.iamDelegatedAdministrators = ['333333333333'];
    t.teardown(() => {
      delete model.organization.iamDelegatedAdministrators;
    });
    const clients = new ClientFactory({
      scanId: 'scan-contacts',
      endpoint: sim.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIA333333333333BASE', secretAccessKey: 'secret' },
      externalId: model.auditRole.externalId ?? null,
      maxAttempts: 2,
    });
    t.teardown(() => clients.destroy());
    sim.callLog.clear();
    const scan = await scanOrganization({
      checks: [getCheck('security-contact-registered')].filter((check) => check !== undefined),
      settings,
      clients,
      accountConcurrency: 1,
      accountIds: ['222222222222', '444444444444', '555555555555'],
    });
    t.same(
      scan.results.map((r) => [r.accountId, r.status]),
      [
        ['222222222222', 'PASS'],
        ['444444444444', 'FAIL'],
        ['555555555555', 'PASS'],
      ],
    );
    t.equal(sim.callLog.count({ service: 'account', accountId: '333333333333' }), 1, 'refused once');
    for (const id of ['222222222222', '444444444444', '555555555555'])
      t.equal(sim.callLog.count({ service: 'account', accountId: id }), 3, `${id}: each contact read once`);
  },
);

t.test(
  'AWS failing past the SDK’s retries (5xx): the organization read and the account are tried again after a wait, and answer',
  async (t) => {
    sim.setKnobs({
      faults: {
        // maxAttempts is 2: two 503s in a row fail the call past the SDK's retries.
        serverErrors: [
          { service: 'organizations', operation: 'DescribeOrganization', count: 2, status: 503 },
          {
            service: 'iam',
            operation: 'GenerateCredentialReport',
            accountId: '666666666666',
            count: 2,
            status: 503,
          },
        ],
      },
    });
    t.teardown(() => sim.setKnobs({}));
    const retries: { accountId: string | null; attempt: number; action: string }[] = [];
    const scan = await scanOrganization({
      checks: reportChecks,
      settings,
      clients: factory('scan-unavailable'),
      accountIds: ['666666666666', '555555555555'],
      retryDelaysMs: [10, 10, 10],
      onRetry: ({ accountId, attempt, error }) =>
        retries.push({ accountId, attempt, action: error.collectionError.action }),
    });
    t.same(retries, [
      { accountId: null, attempt: 1, action: 'organizations:DescribeOrganization' },
      { accountId: '666666666666', attempt: 1, action: 'iam:GenerateCredentialReport' },
    ]);
    t.equal(scan.status, 'SUCCEEDED');
    t.same(
      scan.accounts.map((a) => [a.accountId, a.results.map((r) => r.status)]),
      [
        ['555555555555', ['PASS', 'PASS', 'PASS']],
        ['666666666666', ['PASS', 'PASS', 'PASS']],
      ],
    );
  },
);

t.test(
  'AWS unavailable on every attempt: the last attempt records ERROR naming the action and cause',
  async (t) => {
    sim.setKnobs({
      faults: {
        serverErrors: [
          {
            service: 'iam',
            operation: 'GenerateCredentialReport',
            accountId: '666666666666',
            count: 100,
            status: 503,
          },
        ],
      },
    });
    t.teardown(() => sim.setKnobs({}));
    let retries = 0;
    const scan = await scanOrganization({
      checks: reportChecks,
      settings,
      clients: factory('scan-unavailable-throughout'),
      accountIds: ['666666666666'],
      retryDelaysMs: [10, 10],
      onRetry: () => retries++,
    });
    t.equal(retries, 2, 'two waits, then the last attempt');
    t.same(
      scan.accounts[0]?.results.map((r) => r.status),
      ['ERROR', 'ERROR', 'ERROR'],
    );
    t.match(scan.accounts[0]?.results[0]?.message, /failed because of an unknown error/, 'AWS’s own message');
  },
);

t.test(
  'a scan of named accounts starts them once the organization is read, beside the OU path and SCPs',
  async (t) => {
    sim.setKnobs({ latency: { fixedMs: 25 } });
    t.teardown(() => sim.setKnobs({}));
    sim.callLog.clear();
    const scpRootDeny = getCheck('scp-root-deny');
    if (!scpRootDeny) throw new Error('the catalog has scp-root-deny');
    const scan = await scanOrganization({
      checks: [scpRootDeny, ...reportChecks],
      settings,
      clients: factory('scan-named-early'),
      accountIds: ['555555555555'],
    });
    const calls = sim.callLog.entries();
    const firstOfAccount = calls.find((call) => call.accountId === '555555555555');
    const lastOrganizationCall = calls.filter((call) => call.service === 'organizations').at(-1);
    t.ok(firstOfAccount && lastOrganizationCall, 'the account and the organization were both read');
    t.ok(
      firstOfAccount!.seq < lastOrganizationCall!.seq,
      `the account's first call (${firstOfAccount?.operation}) came before the organization read's last (${lastOrganizationCall?.operation})`,
    );
    // Judged on the whole read all the same: the SCP check sees the policies on the account's path.
    const scp = scan.results.find((result) => result.checkId === 'scp-root-deny');
    t.ok(scp && scp.status !== 'ERROR', `scp-root-deny judged: ${scp?.status} ${scp?.message}`);
    t.equal(scan.status, 'SUCCEEDED');
  },
);

t.test(
  'AWS unavailable for the SCPs after the organization was read: named accounts are judged on the read tried again',
  async (t) => {
    const scpRootDeny = getCheck('scp-root-deny');
    if (!scpRootDeny) throw new Error('the catalog has scp-root-deny');
    const judge = async (scanId: string, retryDelaysMs: number[]) => {
      const scan = await scanOrganization({
        checks: [scpRootDeny],
        settings,
        clients: factory(scanId),
        accountIds: ['555555555555'],
        retryDelaysMs,
      });
      return scan.results.find((result) => result.checkId === 'scp-root-deny');
    };
    const calm = await judge('scan-scp-calm', [10]);
    sim.setKnobs({
      faults: {
        // Each of the path's three policies fails all three of the SDK's attempts, once.
        serverErrors: [{ service: 'organizations', operation: 'DescribePolicy', count: 9, status: 503 }],
      },
    });
    t.teardown(() => sim.setKnobs({}));
    let retries = 0;
    const scan = await scanOrganization({
      checks: [scpRootDeny],
      settings,
      clients: factory('scan-scp-outage'),
      accountIds: ['555555555555'],
      retryDelaysMs: [10],
      onRetry: () => retries++,
    });
    const afterOutage = scan.results.find((result) => result.checkId === 'scp-root-deny');
    t.equal(retries, 1, 'the organization read was tried again');
    t.same(
      { status: afterOutage?.status, message: afterOutage?.message },
      { status: calm?.status, message: calm?.message },
      'the same verdict as without the outage',
    );
    t.not(afterOutage?.status, 'ERROR');
  },
);
