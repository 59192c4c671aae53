import { type AccountCollectors, AwsUnavailableError } from '@rootaudit/aws';
import { awsError, manualClock } from '@rootaudit/aws/testing';
import type { EvidenceKey } from '@rootaudit/checks';
import t from 'tap';
import { type ScanSettings, scanAccount, scanAccountWithRetries } from './scan-account.ts';
import { fakeProvider, pass, testCheck } from './testing.ts';

const settings: ScanSettings = {
  regions: ['us-east-1', 'eu-west-1'],
  now: new Date('2026-11-23T02:00:00Z'),
  rootUsageWindowDays: 90,
  allowedEmailDomains: [],
};
const ACCOUNT = { id: '111122223333', status: 'ACTIVE' as const };
const ROOT = 'arn:aws:iam::111122223333:root';

/** Collectors that count their runs and answer at once. */
function countingCollectors() {
  const runs: Record<string, number> = {};
  const collector = <K extends keyof AccountCollectors>(
    key: K,
    value: unknown,
    needs: EvidenceKey[] = [],
  ) => ({
    key,
    actions: [],
    principals: ['audit-role'],
    needs,
    collect: async (context: { evidence: (key: EvidenceKey) => Promise<unknown> }) => {
      runs[key] = (runs[key] ?? 0) + 1;
      for (const dependency of needs) await context.evidence(dependency);
      return value;
    },
  });
  const collectors = {
    credentialReport: collector('credentialReport', {
      ok: true,
      value: { generatedTime: '2026-11-23T00:00:00Z', root: null },
    }),
    accountSummary: collector('accountSummary', { ok: true, value: { accountMfaEnabled: true } }),
    metricAlarms: collector('metricAlarms', { 'us-east-1': { ok: true, value: { alarms: [] } } }),
    snsTopics: collector('snsTopics', { ok: true, value: { topics: [] } }, ['metricAlarms']),
    trails: collector('trails', { ok: true, value: { trails: [] } }),
  } as unknown as Partial<AccountCollectors>;
  return { runs, collectors };
}

t.test(
  'each evidence is collected once however many checks read it; unneeded collectors never run',
  async (t) => {
    const { runs, collectors } = countingCollectors();
    const { provider } = fakeProvider(() => ({}));
    const checks = [
      testCheck('a', ['credentialReport'], () => [pass(ROOT)]),
      testCheck('b', ['credentialReport', 'accountSummary'], () => [pass(ROOT)]),
      testCheck('c', ['credentialReport'], () => [pass(ROOT)]),
      testCheck('d', ['snsTopics', 'metricAlarms'], () => [pass(ROOT)]),
    ];
    const scan = await scanAccount({
      account: ACCOUNT,
      checks,
      organizationEvidence: {},
      settings,
      clients: provider,
      collectors,
      useOrganizationClients: false,
    });
    t.same(runs, { credentialReport: 1, accountSummary: 1, snsTopics: 1, metricAlarms: 1 });
    t.equal(scan.status, 'SCANNED');
    t.same(scan.evidenceCollected.sort(), [
      'accountSummary',
      'credentialReport',
      'metricAlarms',
      'snsTopics',
    ]);
    t.same(
      scan.results.map((r) => [r.checkId, r.status, r.accountId, r.severity]),
      [
        ['a', 'PASS', '111122223333', 'high'],
        ['b', 'PASS', '111122223333', 'high'],
        ['c', 'PASS', '111122223333', 'high'],
        ['d', 'PASS', '111122223333', 'high'],
      ],
    );
  },
);

t.test('a check receives exactly the evidence it declared, and the scan context', async (t) => {
  const { collectors } = countingCollectors();
  const { provider } = fakeProvider(() => ({}));
  let seen: string[] = [];
  const check = testCheck('reader', ['accountSummary'], (evidence, context) => {
    seen = Object.keys(evidence);
    t.same(context, {
      accountId: '111122223333',
      partition: 'aws',
      isManagementAccount: false,
      now: settings.now,
      regions: settings.regions,
      rootUsageWindowDays: 90,
      allowedEmailDomains: [],
    });
    return [pass(ROOT)];
  });
  await scanAccount({
    account: ACCOUNT,
    checks: [check],
    organizationEvidence: {},
    settings,
    clients: provider,
    collectors,
    useOrganizationClients: false,
  });
  t.same(seen, ['accountSummary']);
});

t.test('a check that throws is ERROR with the reason; the other checks still run', async (t) => {
  const { collectors } = countingCollectors();
  const { provider } = fakeProvider(() => ({}));
  const checks = [
    testCheck('broken', ['accountSummary'], () => {
      throw new TypeError("Cannot read properties of undefined (reading 'root')");
    }),
    testCheck('empty', ['accountSummary'], () => []),
    testCheck('fine', ['accountSummary'], () => [pass(ROOT)]),
  ];
  const scan = await scanAccount({
    account: ACCOUNT,
    checks,
    organizationEvidence: {},
    settings,
    clients: provider,
    collectors,
    useOrganizationClients: false,
  });
  t.same(
    scan.results.map((r) => [r.checkId, r.status]),
    [
      ['broken', 'ERROR'],
      ['empty', 'ERROR'],
      ['fine', 'PASS'],
    ],
  );
  t.match(scan.results[0], {
    resource: ROOT,
    message: /check broken failed while evaluating: Cannot read properties/,
  });
  t.match(scan.results[1]?.message, /returned no result/);
});

t.test('a collector that throws (a bug) becomes failed evidence, not a crashed account', async (t) => {
  const { provider } = fakeProvider(() => ({}));
  const collectors = {
    trails: {
      key: 'trails',
      actions: ['cloudtrail:DescribeTrails'],
      principals: ['audit-role'],
      needs: [],
      collect: async () => {
        throw new RangeError('bad');
      },
    },
  } as unknown as Partial<AccountCollectors>;
  const scan = await scanAccount({
    account: ACCOUNT,
    checks: [
      testCheck('trail', ['trails'], ({ trails }) => [
        {
          status: trails.ok ? 'PASS' : 'ERROR',
          resource: ROOT,
          message: trails.ok ? 'ok' : `${trails.error.code} on ${trails.error.action}`,
          evidence: {},
        },
      ]),
    ],
    organizationEvidence: {},
    settings,
    clients: provider,
    collectors,
    useOrganizationClients: false,
  });
  t.equal(scan.results[0]?.message, 'CollectorFailed:RangeError on cloudtrail:DescribeTrails');
});

for (const status of ['PENDING_ACTIVATION', 'SUSPENDED', 'PENDING_CLOSURE', 'CLOSED'] as const) {
  t.test(`a ${status} account is skipped with the reason, without one AWS call`, async (t) => {
    const { provider, calls } = fakeProvider(() => ({}));
    const scan = await scanAccount({
      account: { id: '121212121212', status },
      checks: [testCheck('a', ['accountSummary'], () => [pass(ROOT)])],
      organizationEvidence: {},
      settings,
      clients: provider,
    });
    t.equal(scan.status, 'SKIPPED');
    t.match(scan.reason, new RegExp(`the account is ${status}`));
    t.same(scan.results, []);
    t.equal(calls.length, 0);
  });
}

t.test(
  'an account whose audit role cannot be assumed: every evidence fails with what to do, no other call made',
  async (t) => {
    const { provider, calls } = fakeProvider(() => ({}), ['101010101010']);
    const errors: unknown[] = [];
    const check = testCheck('x', ['accountSummary', 'metricFilters'], ({ accountSummary, metricFilters }) => {
      errors.push(
        accountSummary.ok ? null : accountSummary.error,
        metricFilters['eu-west-1']?.ok ? null : metricFilters['eu-west-1']?.error,
      );
      return [
        {
          status: 'ERROR',
          resource: ROOT,
          message: accountSummary.ok ? '' : accountSummary.error.message,
          evidence: {},
        },
      ];
    });
    const scan = await scanAccount({
      account: { id: '101010101010' },
      checks: [check],
      organizationEvidence: {},
      settings,
      clients: provider,
    });
    t.equal(scan.status, 'FAILED');
    t.equal(
      scan.reason,
      'AccessDenied on sts:AssumeRole for arn:aws:iam::101010101010:role/RootAuditRole: deploy the audit-role template to this account or check ROOTAUDIT_EXTERNAL_ID',
    );
    t.same(errors[0], { action: 'sts:AssumeRole', code: 'AccessDenied', message: scan.reason });
    t.match(errors[1], { action: 'sts:AssumeRole', region: 'eu-west-1' });
    t.equal(calls.length, 0);
  },
);

t.test('at most N AWS calls at once per account, with the real collectors', async (t) => {
  let inFlight = 0;
  let peak = 0;
  const { provider, calls, options } = fakeProvider(async () => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 5));
    inFlight -= 1;
    return {
      State: 'COMPLETE',
      Content: new Uint8Array(),
      GeneratedTime: new Date(),
      DetectorIds: ['d1', 'd2', 'd3'],
      Status: 'ENABLED',
      Rules: [{ Name: 'r1' }, { Name: 'r2' }],
    };
  });
  const keys = [
    'accountSummary',
    'credentialReport',
    'virtualMfaDevices',
    'trails',
    'metricFilters',
    'metricAlarms',
    'eventRules',
    'guardDutyDetectors',
    'rootEvents',
  ] as const;
  const check = testCheck('everything', keys, () => [pass(ROOT)]);
  const scan = await scanAccount({
    account: ACCOUNT,
    checks: [check],
    organizationEvidence: {},
    settings: { ...settings, regions: ['us-east-1', 'eu-west-1', 'ap-south-1'] },
    clients: provider,
    concurrency: 3,
    useOrganizationClients: false,
  });
  t.equal(scan.results[0]?.status, 'PASS');
  t.match(options[0], { concurrency: 3, isManagementAccount: false });
  t.ok(calls.length > 20, `${calls.length} calls made`);
  t.equal(peak, 3, 'the bound is reached and never passed');
});

t.test('the management account is known from the organization evidence and told to the checks', async (t) => {
  const { collectors } = countingCollectors();
  const { provider, options } = fakeProvider(() => ({}));
  let isManagement: boolean | undefined;
  const organization = {
    ok: true as const,
    value: {
      id: 'o-1',
      arn: 'arn:aws:organizations::111122223333:organization/o-1',
      partition: 'aws',
      featureSet: 'ALL' as const,
      managementAccountId: '111122223333',
      rootId: 'r-1',
      accounts: [],
      organizationalUnits: [],
      trustedServices: [],
    },
  };
  await scanAccount({
    account: ACCOUNT,
    checks: [
      testCheck('m', ['accountSummary', 'organization'], (evidence, context) => {
        isManagement = context.isManagementAccount;
        t.equal(evidence.organization, organization);
        return [pass(ROOT)];
      }),
    ],
    organizationEvidence: { organization },
    settings,
    clients: provider,
    collectors,
    useOrganizationClients: false,
  });
  t.equal(isManagement, true);
  t.equal(options[0]?.isManagementAccount, true);
});

t.test('organization evidence absent and no organization clients: a NotCollected failure', async (t) => {
  const { provider } = fakeProvider(() => ({}));
  let error: unknown;
  await scanAccount({
    account: ACCOUNT,
    checks: [
      testCheck('scp', ['serviceControlPolicies'], ({ serviceControlPolicies }) => {
        error = serviceControlPolicies.ok ? null : serviceControlPolicies.error;
        return [pass(ROOT)];
      }),
    ],
    organizationEvidence: {},
    settings,
    clients: provider,
    useOrganizationClients: false,
  });
  t.match(error, { action: 'organizations:ListPolicies', code: 'NotCollected' });
});

// ── AWS unavailable ─────────────────────────────────────────────────────────────────────────

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' });

/** Two checks over summary, report and trails, answered by the real collectors. */
const outageChecks = [
  testCheck('summary', ['accountSummary'], ({ accountSummary }) => [
    {
      status: accountSummary.ok ? 'PASS' : 'ERROR',
      resource: ROOT,
      message: accountSummary.ok ? 'read' : accountSummary.error.message,
      evidence: {},
    },
  ]),
  testCheck('trails', ['trails'], ({ trails }) => [
    {
      status: trails.ok ? 'PASS' : 'ERROR',
      resource: ROOT,
      message: trails.ok ? 'read' : trails.error.message,
      evidence: {},
    },
  ]),
];

/** A handler whose GetAccountSummary is refused while `down.value`; every other call answers. */
function summaryDown(down: { value: boolean }) {
  return (call: { operation: string }) => {
    if (call.operation === 'GetAccountSummary' && down.value) throw refused();
    return { SummaryMap: {}, trailList: [] };
  };
}

t.test(
  'AWS unreachable, throw mode: the attempt stops at the first such call and rejects naming account, action and cause',
  async (t) => {
    // Calls are made one at a time so "after" is well defined: the summary first, then the trails.
    const { provider, calls } = fakeProvider(summaryDown({ value: true }));
    const error = await scanAccount({
      account: ACCOUNT,
      checks: outageChecks,
      organizationEvidence: {},
      settings,
      clients: provider,
      concurrency: 1,
      useOrganizationClients: false,
      onAwsUnavailable: 'throw',
    }).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    t.type(error, AwsUnavailableError);
    t.match(error, {
      accountId: ACCOUNT.id,
      collectionError: { action: 'iam:GetAccountSummary', code: 'ECONNREFUSED' },
      message:
        /^AWS unavailable while scanning 111122223333: ECONNREFUSED on iam:GetAccountSummary: connect ECONNREFUSED 127\.0\.0\.1:4566; the account is tried again$/,
    });
    t.same(
      calls.map((call) => call.operation),
      ['GetAccountSummary'],
      'no AWS call after the first one that found AWS unreachable',
    );
  },
);

t.test(
  'AWS unreachable, record mode (the last attempt): ERROR results naming the action and cause',
  async (t) => {
    const { provider } = fakeProvider(summaryDown({ value: true }));
    const scan = await scanAccount({
      account: ACCOUNT,
      checks: outageChecks,
      organizationEvidence: {},
      settings,
      clients: provider,
      useOrganizationClients: false,
      onAwsUnavailable: 'record',
    });
    t.same(
      scan.results.map((r) => [r.checkId, r.status, r.message]),
      [
        ['summary', 'ERROR', 'connect ECONNREFUSED 127.0.0.1:4566'],
        ['trails', 'PASS', 'read'],
      ],
      'what could be read still answers',
    );
  },
);

t.test('AccessDenied is an answer, not an outage: no throw, the checks answer ERROR', async (t) => {
  const { provider } = fakeProvider((call) => {
    if (call.operation === 'GetAccountSummary') throw awsError('AccessDenied', 'not authorized', 403);
    return { trailList: [] };
  });
  const scan = await scanAccount({
    account: ACCOUNT,
    checks: outageChecks,
    organizationEvidence: {},
    settings,
    clients: provider,
    useOrganizationClients: false,
    onAwsUnavailable: 'throw',
  });
  t.same(
    scan.results.map((r) => [r.checkId, r.status]),
    [
      ['summary', 'ERROR'],
      ['trails', 'PASS'],
    ],
  );
});

t.test('an audit role STS could not be reached for: the attempt is given up, not recorded', async (t) => {
  const { provider } = fakeProvider(() => ({}));
  const forAccount = provider.forAccount.bind(provider);
  provider.forAccount = (accountId, options) => {
    const clients = forAccount(accountId, options);
    clients.verifyAccess = async () => {
      throw refused();
    };
    return clients;
  };
  await t.rejects(
    scanAccount({
      account: ACCOUNT,
      checks: outageChecks,
      organizationEvidence: {},
      settings,
      clients: provider,
      useOrganizationClients: false,
      onAwsUnavailable: 'throw',
    }),
    { name: 'AwsUnavailableError', collectionError: { action: 'sts:AssumeRole', code: 'ECONNREFUSED' } },
  );
});

t.test(
  'scanAccountWithRetries: AWS back after a wait → complete results; down throughout → the last attempt records ERROR',
  async (t) => {
    const down = { value: true };
    const { provider } = fakeProvider(summaryDown(down));
    const clock = manualClock();
    const retries: number[] = [];
    const base = {
      account: ACCOUNT,
      checks: outageChecks,
      organizationEvidence: {},
      settings,
      clients: provider,
      useOrganizationClients: false,
      clock: {
        now: clock.now,
        sleep: async (ms: number) => {
          await clock.sleep(ms);
          if (clock.slept.length === 2) down.value = false; // back after the second wait
        },
      },
      retryDelaysMs: [1_000, 2_000, 4_000],
      onRetry: ({
        attempt,
        delayMs,
        error,
      }: {
        attempt: number;
        delayMs: number;
        error: AwsUnavailableError;
      }) => {
        retries.push(attempt);
        t.equal(delayMs, [1_000, 2_000, 4_000][attempt - 1]);
        t.equal(error.collectionError.action, 'iam:GetAccountSummary');
      },
    };
    const recovered = await scanAccountWithRetries(base);
    t.same(retries, [1, 2]);
    t.same(clock.slept, [1_000, 2_000]);
    t.same(
      recovered.results.map((r) => [r.checkId, r.status]),
      [
        ['summary', 'PASS'],
        ['trails', 'PASS'],
      ],
    );

    down.value = true;
    retries.length = 0;
    const stillDown = await scanAccountWithRetries({ ...base, clock: manualClock() });
    t.same(retries, [1, 2, 3], 'three waits, then the fourth attempt is the last');
    t.same(
      stillDown.results.map((r) => [r.checkId, r.status]),
      [
        ['summary', 'ERROR'],
        ['trails', 'PASS'],
      ],
    );
  },
);
