// Collectors and the ClientFactory against @rootaudit/aws-sim's sample organization: what moto
// cannot hold (root MFA and keys, the root row, root events, AssumeRoot, organization features),
// the audit role refused, throttling and AccessDenied from knobs.
import { loadOrganization, startSimulator } from '@rootaudit/aws-sim';
import {
  type EvidenceKey,
  type EvidenceMap,
  getCheck,
  type Organization,
  type OrganizationFeatures,
} from '@rootaudit/checks';
import t from 'tap';
import { CallCounter, countCallsWithin } from './call-counter.ts';
import { ClientFactory, type ClientFactoryOptions } from './clients.ts';
import type { AccountEvidenceKey } from './collector.ts';
import { accountCollectors, organizationCollectors } from './collectors/index.ts';

const model = loadOrganization();
const sim = await startSimulator({ model });
t.teardown(() => sim.stop());

const baseOptions: ClientFactoryOptions = {
  scanId: 'sim-scan-1',
  endpoint: sim.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDBASEEXAMPLE', secretAccessKey: 'secret' },
  externalId: model.auditRole.externalId ?? null,
  maxAttempts: 3,
};
const factory = new ClientFactory(baseOptions);
t.teardown(() => factory.destroy());
const orgClients = factory.forOrganization();
const limit = <T>(fn: () => Promise<T>) => fn();
const organization = await organizationCollectors.organization.collect({ clients: orgClients, limit });
const features = await organizationCollectors.organizationFeatures.collect({ clients: orgClients, limit });
const regions = ['us-east-1', 'eu-west-1'];

/** Every account evidence of one account, memoised like the runner does. */
function evidenceOf(accountId: string, f = factory, rootUsageWindowDays = 90) {
  const clients = f.forAccount(accountId);
  const memory = new Map<EvidenceKey, Promise<unknown>>();
  const context = {
    account: {
      id: accountId,
      partition: 'aws',
      isManagementAccount: accountId === model.organization.managementAccountId,
    },
    regions,
    now: new Date(),
    rootUsageWindowDays,
    clients,
    organizationClients: f.forOrganization(),
    credentialReportPolling: { initialDelayMs: 10, timeLimitMs: 2_000 },
    evidence: <K extends EvidenceKey>(key: K): Promise<EvidenceMap[K]> => {
      if (key === 'organization') return Promise.resolve(organization as EvidenceMap[K]);
      if (key === 'organizationFeatures') return Promise.resolve(features as EvidenceMap[K]);
      let entry = memory.get(key);
      if (!entry) {
        entry = accountCollectors[key as AccountEvidenceKey].collect(context);
        memory.set(key, entry);
      }
      return entry as Promise<EvidenceMap[K]>;
    },
  };
  return context.evidence;
}

t.test('organization and features from the management account', async (t) => {
  t.ok(organization.ok);
  const value = organization.ok ? organization.value : ({} as Organization);
  t.equal(value.accounts.length, 12);
  t.equal(value.accounts.find((a) => a.id === '121212121212')?.status, 'SUSPENDED');
  t.equal(value.accounts.find((a) => a.id === '131313131313')?.status, 'PENDING_CLOSURE');
  t.equal(value.accounts.find((a) => a.id === '555555555555')?.parentId, 'ou-ab12-prod0000');
  t.ok(value.trustedServices.includes('account.amazonaws.com'));
  t.same(features.ok ? features.value : null, {
    rootCredentialsManagement: true,
    rootSessions: true,
  } satisfies OrganizationFeatures);
  const scps = await organizationCollectors.serviceControlPolicies.collect({ clients: orgClients, limit });
  t.same(scps.ok && scps.value.policies.find((p) => p.id === 'p-denyroot')?.targetIds, [
    '101010101010',
    'ou-ab12-infrastr',
    'ou-ab12-security',
    'ou-ab12-workload',
  ]);
});

t.test(
  'a read limited to some accounts: those accounts and the OUs above them as the whole read has them, the SCPs on their way, nothing else',
  async (t) => {
    sim.callLog.clear();
    const scoped = {
      clients: orgClients,
      limit,
      shared: new Map(),
      accountIds: ['555555555555', '101010101010', '000000000000'],
    };
    const [read, scps] = await Promise.all([
      organizationCollectors.organization.collect(scoped),
      organizationCollectors.serviceControlPolicies.collect(scoped),
    ]);
    const scopedCalls = sim.callLog.entries({ service: 'organizations' });
    const whole = organization.ok ? organization.value : ({} as Organization);
    t.ok(read.ok && scps.ok);
    if (!read.ok || !scps.ok) return;
    t.same(read.value.scope, { accountIds: ['000000000000', '101010101010', '555555555555'] });
    t.same(
      read.value.accounts,
      whole.accounts.filter((a) => a.id === '555555555555' || a.id === '101010101010'),
      'each account as ListAccountsForParent has it; the unknown one left out',
    );
    t.same(
      read.value.organizationalUnits,
      whole.organizationalUnits.filter((u) =>
        ['ou-ab12-prod0000', 'ou-ab12-workload', 'ou-ab12-sandbox0'].includes(u.id),
      ),
      'the OUs above them, with names and parents',
    );
    t.same(
      { ...read.value, accounts: [], organizationalUnits: [], scope: undefined },
      { ...whole, accounts: [], organizationalUnits: [], scope: undefined },
      'the rest as the whole read has it',
    );
    t.same(scps.value.scope, read.value.scope);
    t.same(
      scps.value.policies.map((p) => [p.id, p.targetIds]),
      [
        ['p-denyleav', ['r-ab12']],
        ['p-denyroot', ['101010101010', 'ou-ab12-workload']],
        [
          'p-FullAWSAccess',
          [
            '101010101010',
            '555555555555',
            'ou-ab12-prod0000',
            'ou-ab12-sandbox0',
            'ou-ab12-workload',
            'r-ab12',
          ],
        ],
      ],
      'the policies on their way, with those targets only',
    );
    const wholeScps = await organizationCollectors.serviceControlPolicies.collect({
      clients: orgClients,
      limit,
    });
    t.same(
      scps.value.policies.map(({ targetIds, ...policy }) => policy),
      wholeScps.ok
        ? wholeScps.value.policies
            .filter((p) => scps.value.policies.some((s) => s.id === p.id))
            .map(({ targetIds, ...policy }) => policy)
        : null,
      'each policy document as the whole read has it',
    );
    t.same([...new Set(scopedCalls.map((call) => call.operation))].sort(), [
      'DescribeAccount',
      'DescribeOrganization',
      'DescribeOrganizationalUnit',
      'DescribePolicy',
      'ListAWSServiceAccessForOrganization',
      'ListParents',
      'ListPoliciesForTarget',
      'ListRoots',
    ]);
    const count = (operation: string) => scopedCalls.filter((call) => call.operation === operation).length;
    t.equal(count('ListRoots'), 1, 'ListRoots shared by both collectors');
    // The account, Prod and Workloads; sandbox-bob and Sandbox; the unknown account (ChildNotFoundException).
    t.equal(count('ListParents'), 6, 'each parent read once for both collectors');
    t.equal(count('DescribeOrganizationalUnit'), 3);
    t.equal(count('ListPoliciesForTarget'), 6, 'the two accounts, three OUs and the root');
    t.equal(count('DescribePolicy'), 3);
  },
);

t.test(
  'prod-payments: root keys in the summary, the report and the AssumeRoot audit; root events in both regions',
  async (t) => {
    const evidence = evidenceOf('555555555555');
    const summary = await evidence('accountSummary');
    t.match(summary, {
      ok: true,
      value: { accountAccessKeysPresent: true, accountMfaEnabled: false, accountPasswordPresent: true },
    });
    const report = await evidence('credentialReport');
    t.ok(report.ok, report.ok ? '' : report.error.message);
    const root = report.ok ? report.value.root : null;
    t.same(
      root?.accessKeys.map((k) => [k.slot, k.active, k.lastUsedService]),
      [
        [1, true, 's3'],
        [2, false, null],
      ],
    );
    const audit = await evidence('rootCredentialsAudit');
    t.match(audit, { ok: true, value: { audited: true, passwordPresent: true } });
    t.same(audit.ok && audit.value.audited ? audit.value.accessKeys.map((k) => k.status) : null, [
      'Active',
      'Inactive',
    ]);
    const events = await evidence('rootEvents');
    t.same(Object.keys(events).sort(), ['eu-west-1', 'us-east-1']);
    t.ok(
      events['us-east-1']?.ok && events['us-east-1'].value.events.some((e) => e.eventName === 'ListBuckets'),
    );
    t.ok(
      events['eu-west-1']?.ok &&
        events['eu-west-1'].value.events.some((e) => e.eventName === 'DescribeInstances'),
    );
  },
);

t.test(
  'without trusted access for IAM, ListOrganizationsFeatures is refused: both features off, with why',
  async (t) => {
    const trusted = model.organization.trustedAccess;
    t.teardown(() => {
      model.organization.trustedAccess = trusted;
    });
    model.organization.trustedAccess = trusted.filter((principal) => principal !== 'iam.amazonaws.com');
    const off = await organizationCollectors.organizationFeatures.collect({ clients: orgClients, limit });
    t.match(off, {
      ok: true,
      value: {
        rootCredentialsManagement: false,
        rootSessions: false,
        offBecause: { code: 'ServiceAccessNotEnabledException', reason: /IAM has no trusted access/ },
      },
    });
  },
);

t.test(
  'sandbox-alice: a failed root sign-in without MFA in us-east-1; contacts read via the management account',
  async (t) => {
    const evidence = evidenceOf('999999999999');
    const events = await evidence('rootEvents');
    t.match(events['us-east-1'], {
      ok: true,
      value: {
        events: [
          { eventName: 'ConsoleLogin', outcome: 'Failure', mfaUsed: false, sourceIpAddress: '203.0.113.99' },
        ],
      },
    });
    const contacts = await evidence('alternateContacts');
    t.match(contacts, {
      ok: true,
      value: {
        readVia: 'management-account',
        security: null,
        operations: null,
        billing: { name: 'Finance Team' },
      },
    });
  },
);

t.test(
  "contacts: an organization role in IAM's delegated administrator (not Account Management's) is refused AccountId; each account's own contacts are read through its audit role",
  async (t) => {
    const organizationModel = model.organization;
    t.teardown(() => {
      delete organizationModel.iamDelegatedAdministrators;
    });
    organizationModel.iamDelegatedAdministrators = ['333333333333'];
    // Base credentials of an IAM user in 333333333333: the organization reads come from there.
    const delegated = new ClientFactory({
      ...baseOptions,
      scanId: 'sim-delegated',
      credentials: { accessKeyId: 'AKIA333333333333BASE', secretAccessKey: 'secret' },
    });
    t.teardown(() => delegated.destroy());
    const contacts = await evidenceOf('999999999999', delegated)('alternateContacts');
    t.match(contacts, {
      ok: true,
      value: {
        readVia: 'member-account',
        billing: { name: 'Finance Team' },
        security: null,
        organizationReadDenied: { code: 'AccessDeniedException' },
      },
    });
    t.equal(
      sim.callLog.count({ service: 'account', accountId: '333333333333', failed: true }),
      1,
      'refused once, not once per contact',
    );
    await evidenceOf('444444444444', delegated)('alternateContacts');
    t.equal(
      sim.callLog.count({ service: 'account', accountId: '333333333333' }),
      1,
      'the next account goes straight to its audit role',
    );
  },
);

t.test('staging: a summary without AccountPasswordPresent is unknown', async (t) => {
  const summary = await evidenceOf('888888888888')('accountSummary');
  t.equal(summary.ok ? summary.value.accountPasswordPresent : 'failed', null);
});

t.test(
  'management account: org trail, CIS filter, alarm and subscribed topic; no AssumeRoot audit',
  async (t) => {
    const evidence = evidenceOf('111111111111');
    const trails = await evidence('trails');
    t.match(trails, {
      ok: true,
      value: {
        trails: [
          {
            name: 'organization-trail',
            isOrganizationTrail: true,
            isMultiRegionTrail: true,
            isLogging: true,
          },
        ],
      },
    });
    const topics = await evidence('snsTopics');
    t.match(topics, {
      ok: true,
      value: { topics: [{ topicArn: 'arn:aws:sns:us-east-1:111111111111:cis-alarms' }] },
    });
    t.match(await evidence('rootCredentialsAudit'), { ok: true, value: { audited: false } });
  },
);

t.test('sandbox-bob has no audit role: AssumeRole refused with a message that says what to do', async (t) => {
  const error = await factory
    .forAccount('101010101010')
    .verifyAccess()
    .then(
      () => null,
      (e: Error) => e,
    );
  t.equal(
    error?.message,
    'AccessDenied on sts:AssumeRole for arn:aws:iam::101010101010:role/RootAuditRole: deploy the audit-role template to this account or check ROOTAUDIT_EXTERNAL_ID',
  );
  const summary = await evidenceOf('101010101010')('accountSummary');
  t.same(summary.ok ? null : [summary.error.action, summary.error.code], ['sts:AssumeRole', 'AccessDenied']);
});

t.test('a wrong ExternalId is refused the same way, and the refusal is cached (one STS call)', async (t) => {
  const wrong = new ClientFactory({ ...baseOptions, externalId: 'not-the-one' });
  t.teardown(() => wrong.destroy());
  const clients = wrong.forAccount('555555555555');
  await t.rejects(clients.verifyAccess(), {
    message: /AccessDenied on sts:AssumeRole .*check ROOTAUDIT_EXTERNAL_ID/,
  });
  await t.rejects(clients.verifyAccess());
  t.equal(wrong.counter.snapshot().sts?.calls, 1);
});

t.test('the role session name carries the scan id, cut to 64 allowed characters', async (t) => {
  const long = new ClientFactory({ ...baseOptions, scanId: `nightly/${'x'.repeat(80)}` });
  t.teardown(() => long.destroy());
  const before = sim.callLog.count({ service: 'sts', operation: 'AssumeRole' });
  await long.forAccount('666666666666').verifyAccess();
  t.equal(sim.callLog.count({ service: 'sts', operation: 'AssumeRole' }), before + 1);
  t.equal(long.sessionName.length, 64);
  t.match(long.sessionName, /^rootaudit-nightly-x+$/);
});

t.test(
  'throttling is retried by the SDK and counted; AccessDenied from a knob is a typed failure',
  async (t) => {
    sim.setKnobs({
      throttling: [
        {
          service: 'iam',
          operation: 'GetAccountSummary',
          accountId: '666666666666',
          ratePerSecond: 1000,
          burst: 0,
        },
      ],
      faults: {
        accessDenied: [{ service: 'cloudtrail', operation: 'DescribeTrails', accountId: '666666666666' }],
      },
    });
    t.teardown(() => sim.setKnobs({}));
    const throttled = new ClientFactory({ ...baseOptions, retryMode: 'standard', maxAttempts: 2 });
    t.teardown(() => throttled.destroy());
    const evidence = evidenceOf('666666666666', throttled);
    const summary = await evidence('accountSummary');
    t.same(
      summary.ok ? null : [summary.error.action, summary.error.code],
      ['iam:GetAccountSummary', 'Throttling'],
      'past the retry budget: a typed failure',
    );
    t.equal(throttled.counter.snapshot().iam?.throttles, 2, 'both attempts counted as throttles');
    const trails = await evidence('trails');
    t.same(trails.ok ? null : [trails.error.action, trails.error.code], [
      'cloudtrail:DescribeTrails',
      'AccessDeniedException',
    ]);
  },
);

t.test('a credential report that never completes ends at the time limit', async (t) => {
  sim.setKnobs({ faults: { credentialReportStuck: ['777777777777'] } });
  t.teardown(() => sim.setKnobs({}));
  const report = await evidenceOf('777777777777')('credentialReport');
  t.same(report.ok ? null : [report.error.action, report.error.code], [
    'iam:GetCredentialReport',
    'CredentialReportTimeout',
  ]);
});

t.test('LookupEvents stays under 2 requests per second per account and region: no throttles', async (t) => {
  const paced = new ClientFactory({ ...baseOptions, maxAttempts: 1 });
  t.teardown(() => paced.destroy());
  // Three scans of one account at once: six LookupEvents in each region, against AWS's bucket of 2.
  const started = Date.now();
  const results = await Promise.all([1, 2, 3].map(() => evidenceOf('555555555555', paced)('rootEvents')));
  t.ok(results.every((r) => Object.values(r).every((regional) => regional.ok)));
  t.equal(paced.counter.snapshot().cloudtrail?.throttles ?? 0, 0);
  t.ok(Date.now() - started >= 900, 'the third call in a region waited its turn');
});

t.test(
  'countCallsWithin: a piece of work counts its own calls, its AssumeRole included, no other',
  async (t) => {
    const scoped = new CallCounter();
    const shared = new ClientFactory({ ...baseOptions, scanId: 'scoped-counting' });
    t.teardown(() => shared.destroy());
    // Two accounts at once on one factory; only the first runs inside the scope.
    await Promise.all([
      countCallsWithin(scoped, () => evidenceOf('555555555555', shared)('accountSummary')),
      evidenceOf('666666666666', shared)('accountSummary'),
    ]);
    t.same(scoped.snapshot(), {
      iam: { calls: 1, errors: 0, throttles: 0 },
      sts: { calls: 1, errors: 0, throttles: 0 },
    });
    t.same(shared.counter.total(), { calls: 4, errors: 0, throttles: 0 }, 'the factory counts both accounts');
  },
);

function rootSigninActivity() {
  const check = getCheck('root-signin-activity');
  if (!check) throw new Error('root-signin-activity is not in the catalog');
  return check;
}

/** root-signin-activity over one account's root events gathered through the simulator. */
async function signinActivityOf(accountId: string, rootUsageWindowDays = 90) {
  const rootEvents = await evidenceOf(accountId, factory, rootUsageWindowDays)('rootEvents');
  const [result] = rootSigninActivity().evaluate({ rootEvents } as EvidenceMap, {
    accountId,
    partition: 'aws',
    isManagementAccount: accountId === model.organization.managementAccountId,
    now: new Date(),
    regions,
    rootUsageWindowDays,
    allowedEmailDomains: [],
  });
  return { rootEvents, result };
}

t.test("rootaudit's own AssumeRoot audit session in a member's CloudTrail is no root usage", async (t) => {
  const { rootEvents, result } = await signinActivityOf('333333333333');
  t.match(rootEvents['us-east-1'], {
    ok: true,
    value: {
      // Who the ClientFactory's organization credentials are, as the simulator's STS names them.
      auditIssuer: 'arn:aws:iam::111111111111:user/rootaudit',
      events: [{ privilegedSession: { issuer: 'arn:aws:iam::111111111111:user/rootaudit' } }],
    },
  });
  t.equal(result?.status, 'PASS', result?.message ?? 'no result');
  t.match(result?.evidence, { ownAuditSessionEvents: 4 });
});

t.test('a privileged root session issued to someone else is reported with its issuer', async (t) => {
  const { result } = await signinActivityOf('555555555555');
  t.equal(result?.status, 'FAIL');
  t.match(
    result?.message,
    /DeleteBucketPolicy \(s3\.amazonaws\.com, us-east-1\).*privileged root session issued to arn:aws:sts::111111111111:assumed-role\/AWSReservedSSO_Admin\/alice@acme-corp\.example/,
  );
  t.match(result?.message, /ListBuckets/, 'beside the root access key calls');
});

t.test(
  'a 365-day window: 90 days looked up, the 200-day-old root sign-in unseen, ERROR not PASS',
  async (t) => {
    const { rootEvents, result } = await signinActivityOf('111111111111', 365);
    t.match(rootEvents['us-east-1'], { ok: true, value: { lookedUpDays: 90, windowDays: 365, events: [] } });
    t.equal(result?.status, 'ERROR');
    t.match(result?.message, /last 90 days only/);
    t.match(result?.evidence, { lookedUpDays: 90, windowDays: 365 });
  },
);

t.test('every root event of us-east-1 is read when only eu-west-1 is scanned', async (t) => {
  const clients = factory.forAccount('555555555555');
  const rootEvents = await accountCollectors.rootEvents.collect({
    account: { id: '555555555555', partition: 'aws', isManagementAccount: false },
    regions: ['eu-west-1'],
    now: new Date(),
    rootUsageWindowDays: 90,
    clients,
    organizationClients: factory.forOrganization(),
    evidence: () => Promise.reject(new Error('not needed')),
  });
  t.same(Object.keys(rootEvents).sort(), ['eu-west-1', 'us-east-1']);
  t.same(
    rootEvents['us-east-1']?.ok && rootEvents['us-east-1'].value.events.map((e) => e.eventName).sort(),
    ['DeleteBucketPolicy', 'ListBuckets'],
    'API calls too, not only ConsoleLogin',
  );
});
