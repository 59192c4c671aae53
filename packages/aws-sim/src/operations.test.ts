// Every operation rootaudit calls, through the real SDK v3 clients, against the sample org.
import { GetAlternateContactCommand } from '@aws-sdk/client-account';
import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  LookupEventsCommand,
} from '@aws-sdk/client-cloudtrail';
import { DescribeAlarmsCommand, DescribeAlarmsForMetricCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetDetectorCommand, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import {
  GenerateCredentialReportCommand,
  GetAccessKeyLastUsedCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  GetLoginProfileCommand,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  ListOrganizationsFeaturesCommand,
  ListSigningCertificatesCommand,
  ListVirtualMFADevicesCommand,
} from '@aws-sdk/client-iam';
import {
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, AssumeRootCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import t, { type Test } from 'tap';
import { AUDIT_ROOT_TASK_POLICY, loadOrganization, type Simulator, startSimulator } from './index.ts';
import { BASE_CREDENTIALS, credentialsOf, rejection, type SdkClients, sdkClients } from './testing.ts';

const EXTERNAL_ID = 'rootaudit-sample-external-id';
const MANAGEMENT = '111111111111';

let sim: Simulator;
let org: SdkClients;

t.before(async () => {
  // LookupEvents' own rate limit (2 per second per account and region, knobs.test.ts) is off here:
  // these tests call it back to back on one account, and on a loaded machine the SDK's three attempts
  // could all land on an empty bucket.
  sim = await startSimulator({
    model: loadOrganization(),
    knobs: { credentialReportDelayMs: 30, lookupEventsRatePerSecond: null },
  });
  org = sdkClients(sim.endpoint);
});
t.teardown(() => sim.stop());

async function member(accountId: string, region = 'us-east-1'): Promise<SdkClients> {
  const assumed = await org.sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${accountId}:role/RootAuditRole`,
      RoleSessionName: 'rootaudit',
      ExternalId: EXTERNAL_ID,
    }),
  );
  return sdkClients(sim.endpoint, credentialsOf(assumed), region);
}

/** AssumeRoot into `accountId` with the audit task policy, called with `caller`'s credentials. */
function assumeAuditRoot(caller: SdkClients, accountId: string) {
  return caller.sts.send(
    new AssumeRootCommand({ TargetPrincipal: accountId, TaskPolicyArn: { arn: AUDIT_ROOT_TASK_POLICY } }),
  );
}

async function rootSession(accountId: string): Promise<SdkClients> {
  return sdkClients(sim.endpoint, credentialsOf(await assumeAuditRoot(org, accountId)));
}

t.test('STS', async (t) => {
  t.test('base credentials act in the management account', async (t) => {
    const me = await org.sts.send(new GetCallerIdentityCommand({}));
    t.equal(me.Account, MANAGEMENT);
    t.match(me.Arn, /:user\/rootaudit$/);
  });

  t.test('AssumeRole returns credentials answered from the target account', async (t) => {
    const m = await member('555555555555');
    const me = await m.sts.send(new GetCallerIdentityCommand({}));
    t.equal(me.Account, '555555555555');
    t.equal(me.Arn, 'arn:aws:sts::555555555555:assumed-role/RootAuditRole/rootaudit');
    const summary = await m.iam.send(new GetAccountSummaryCommand({}));
    t.equal(summary.SummaryMap?.AccountAccessKeysPresent, 1);
  });

  t.test('the SDK credential provider chain works too (fromTemporaryCredentials)', async (t) => {
    const credentials = fromTemporaryCredentials({
      params: { RoleArn: 'arn:aws:iam::222222222222:role/RootAuditRole', ExternalId: EXTERNAL_ID },
      masterCredentials: BASE_CREDENTIALS,
      clientConfig: { endpoint: sim.endpoint, region: 'us-east-1' },
    });
    const c = sdkClients(sim.endpoint, await credentials());
    t.equal((await c.sts.send(new GetCallerIdentityCommand({}))).Account, '222222222222');
  });

  const denied = async (t: Test, roleArn: string, externalId = EXTERNAL_ID) => {
    const error = await rejection(
      org.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 's', ExternalId: externalId })),
    );
    t.equal(error.name, 'AccessDenied');
    t.equal(error.$metadata?.httpStatusCode, 403);
    t.ok(error.$metadata?.requestId);
  };
  t.test('wrong ExternalId is AccessDenied', (t) =>
    denied(t, 'arn:aws:iam::222222222222:role/RootAuditRole', 'nope'),
  );
  t.test('missing audit role is AccessDenied', (t) =>
    denied(t, 'arn:aws:iam::101010101010:role/RootAuditRole'),
  );
  t.test('other role names are AccessDenied', (t) => denied(t, 'arn:aws:iam::222222222222:role/Admin'));
  t.test('suspended account is AccessDenied', (t) =>
    denied(t, 'arn:aws:iam::121212121212:role/RootAuditRole'),
  );

  t.test('AssumeRoot from the management account, audit task policy', async (t) => {
    const root = await rootSession('555555555555');
    const keys = await root.iam.send(new ListAccessKeysCommand({}));
    t.same(
      keys.AccessKeyMetadata?.map((k) => [k.AccessKeyId, k.Status]),
      [
        ['AKIA555555555555ROOT', 'Active'],
        ['AKIA555555555555OLD2', 'Inactive'],
      ],
    );
    const error = await rejection(root.iam.send(new GetCredentialReportCommand({})));
    t.equal(error.name, 'AccessDenied', 'the task policy scopes the session');
    const other = await rejection(root.organizations.send(new DescribeOrganizationCommand({})));
    t.equal(other.name, 'AccessDeniedException');
  });

  t.test(
    'AssumeRoot is refused to members, for the management account, and without the feature',
    async (t) => {
      const m = await member('222222222222');
      const fromMember = await rejection(assumeAuditRoot(m, '555555555555'));
      t.equal(fromMember.name, 'AccessDenied');
      const onManagement = await rejection(assumeAuditRoot(org, MANAGEMENT));
      t.equal(onManagement.name, 'AccessDenied');
      const features = sim.model.organization.features;
      sim.model.organization.features = [];
      t.teardown(() => {
        sim.model.organization.features = features;
      });
      const off = await rejection(assumeAuditRoot(org, '555555555555'));
      t.equal(off.name, 'AccessDenied');
      t.match(off.message, /RootCredentialsManagement/);
    },
  );
});

t.test('Organizations', async (t) => {
  t.test('DescribeOrganization', async (t) => {
    const { Organization } = await org.organizations.send(new DescribeOrganizationCommand({}));
    t.equal(Organization?.Id, 'o-sample12345');
    t.equal(Organization?.FeatureSet, 'ALL');
    t.equal(Organization?.MasterAccountId, MANAGEMENT);
  });

  t.test('ListAccounts pages with NextToken', async (t) => {
    const ids: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await org.organizations.send(new ListAccountsCommand({ MaxResults: 5, NextToken: token }));
      ids.push(...(page.Accounts ?? []).map((a) => a.Id ?? ''));
      token = page.NextToken;
      pages += 1;
    } while (token);
    t.equal(pages, 3);
    t.equal(ids.length, 12);
    const all = await org.organizations.send(new ListAccountsCommand({}));
    const suspended = all.Accounts?.find((a) => a.Id === '121212121212');
    t.equal(suspended?.State, 'SUSPENDED');
    t.type(suspended?.JoinedTimestamp, Date);
    t.ok(
      all.Accounts?.every((a) => a.Status === undefined),
      'no account carries the retired Status',
    );
  });

  t.test('MaxResults above 20 and bad tokens are InvalidInputException', async (t) => {
    t.equal(
      (await rejection(org.organizations.send(new ListAccountsCommand({ MaxResults: 21 })))).name,
      'InvalidInputException',
    );
    t.equal(
      (await rejection(org.organizations.send(new ListAccountsCommand({ NextToken: 'garbage' })))).name,
      'InvalidInputException',
    );
  });

  t.test('members cannot list the organization', async (t) => {
    const m = await member('222222222222');
    const error = await rejection(m.organizations.send(new ListAccountsCommand({})));
    t.equal(error.name, 'AccessDeniedException');
  });

  t.test('the OU tree', async (t) => {
    const { Roots } = await org.organizations.send(new ListRootsCommand({}));
    t.equal(Roots?.[0]?.Id, 'r-ab12');
    const top = await org.organizations.send(
      new ListOrganizationalUnitsForParentCommand({ ParentId: 'r-ab12' }),
    );
    t.same(
      top.OrganizationalUnits?.map((o) => o.Name),
      ['Security', 'Infrastructure', 'Workloads', 'Sandbox', 'Suspended'],
    );
    const workloads = top.OrganizationalUnits?.find((o) => o.Name === 'Workloads')?.Id ?? '';
    const nested = await org.organizations.send(
      new ListOrganizationalUnitsForParentCommand({ ParentId: workloads }),
    );
    t.same(
      nested.OrganizationalUnits?.map((o) => o.Name),
      ['Prod', 'NonProd'],
    );
    const prod = await org.organizations.send(
      new ListAccountsForParentCommand({ ParentId: 'ou-ab12-prod0000' }),
    );
    t.same(
      prod.Accounts?.map((a) => a.Id),
      ['555555555555', '666666666666'],
    );
    const parents = await org.organizations.send(new ListParentsCommand({ ChildId: '555555555555' }));
    t.same(parents.Parents, [{ Id: 'ou-ab12-prod0000', Type: 'ORGANIZATIONAL_UNIT' }]);
    const ouParent = await org.organizations.send(new ListParentsCommand({ ChildId: workloads }));
    t.same(ouParent.Parents, [{ Id: 'r-ab12', Type: 'ROOT' }]);
    const missing = await rejection(
      org.organizations.send(new ListParentsCommand({ ChildId: '000000000000' })),
    );
    t.equal(missing.name, 'ChildNotFoundException');
    const badParent = await rejection(
      org.organizations.send(new ListAccountsForParentCommand({ ParentId: 'ou-nope-nope' })),
    );
    t.equal(badParent.name, 'ParentNotFoundException');
  });

  t.test('SCPs, their documents and targets', async (t) => {
    const { Policies } = await org.organizations.send(
      new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' }),
    );
    t.same(
      Policies?.map((p) => p.Name),
      ['FullAWSAccess', 'DenyRootUser', 'DenyLeaveOrganization'],
    );
    const { Policy } = await org.organizations.send(new DescribePolicyCommand({ PolicyId: 'p-denyroot' }));
    t.match(JSON.parse(Policy?.Content ?? '{}'), { Statement: [{ Effect: 'Deny' }] });
    const targets = await org.organizations.send(new ListTargetsForPolicyCommand({ PolicyId: 'p-denyroot' }));
    t.same(
      targets.Targets?.map((x) => [x.TargetId, x.Type]),
      [
        ['ou-ab12-security', 'ORGANIZATIONAL_UNIT'],
        ['ou-ab12-infrastr', 'ORGANIZATIONAL_UNIT'],
        ['ou-ab12-workload', 'ORGANIZATIONAL_UNIT'],
        ['101010101010', 'ACCOUNT'],
      ],
    );
    const paged: string[] = [];
    let token: string | undefined;
    do {
      const page = await org.organizations.send(
        new ListTargetsForPolicyCommand({ PolicyId: 'p-FullAWSAccess', MaxResults: 6, NextToken: token }),
      );
      paged.push(...(page.Targets ?? []).map((x) => x.TargetId ?? ''));
      token = page.NextToken;
    } while (token);
    t.equal(paged.length, 20);
    t.same(paged, sim.model.policies[0]?.targets, 'FullAWSAccess targets page through in model order');
    const forRoot = await org.organizations.send(
      new ListPoliciesForTargetCommand({ TargetId: 'r-ab12', Filter: 'SERVICE_CONTROL_POLICY' }),
    );
    t.same(
      forRoot.Policies?.map((p) => p.Id),
      ['p-FullAWSAccess', 'p-denyleav'],
    );
    const missing = await rejection(
      org.organizations.send(new DescribePolicyCommand({ PolicyId: 'p-nope0000' })),
    );
    t.equal(missing.name, 'PolicyNotFoundException');
  });

  t.test('trusted access and DescribeAccount', async (t) => {
    const access = await org.organizations.send(new ListAWSServiceAccessForOrganizationCommand({}));
    t.ok(access.EnabledServicePrincipals?.some((p) => p.ServicePrincipal === 'account.amazonaws.com'));
    const { Account } = await org.organizations.send(
      new DescribeAccountCommand({ AccountId: '999999999999' }),
    );
    t.equal(Account?.Email, 'alice.sandbox.aws@gmail.com');
    const missing = await rejection(
      org.organizations.send(new DescribeAccountCommand({ AccountId: '000000000000' })),
    );
    t.equal(missing.name, 'AccountNotFoundException');
  });

  t.test('DescribeAccount answers every account State, and no Status', async (t) => {
    const account = sim.model.accounts.find((a) => a.id === '131313131313');
    if (!account) throw new Error('sample account missing');
    const original = account.status;
    t.teardown(() => {
      account.status = original;
    });
    for (const state of ['ACTIVE', 'PENDING_ACTIVATION', 'SUSPENDED', 'PENDING_CLOSURE', 'CLOSED'] as const) {
      account.status = state;
      const described = await org.organizations.send(new DescribeAccountCommand({ AccountId: account.id }));
      t.equal(described.Account?.State, state);
      t.equal(described.Account?.Status, undefined, state);
    }
  });
});

t.test('IAM', async (t) => {
  t.test('GetAccountSummary reflects root state', async (t) => {
    const hardened = (await (await member('222222222222')).iam.send(new GetAccountSummaryCommand({})))
      .SummaryMap;
    t.match(hardened, {
      AccountMFAEnabled: 0,
      AccountAccessKeysPresent: 0,
      AccountPasswordPresent: 0,
      AccountSigningCertificatesPresent: 0,
    });
    const staging = (await (await member('888888888888')).iam.send(new GetAccountSummaryCommand({})))
      .SummaryMap;
    t.match(staging, { AccountMFAEnabled: 1, AccountSigningCertificatesPresent: 1 });
    t.notOk('AccountPasswordPresent' in (staging ?? {}), 'this account leaves the key out');
  });

  t.test('credential report: not present, STARTED, in progress, COMPLETE', async (t) => {
    // Long enough for the in-progress answers on a busy machine; the wait below outlasts it.
    const account = sim.model.accounts.find((a) => a.id === '555555555555');
    if (!account) throw new Error('the sample organization has 555555555555');
    const behaviour = account.credentialReport;
    account.credentialReport = { ...behaviour, generationDelayMs: 1500 };
    t.teardown(() => {
      account.credentialReport = behaviour;
    });
    const m = await member('555555555555');
    t.equal(
      (await rejection(m.iam.send(new GetCredentialReportCommand({})))).name,
      'CredentialReportNotPresentException',
    );
    t.equal((await m.iam.send(new GenerateCredentialReportCommand({}))).State, 'STARTED');
    t.equal((await m.iam.send(new GenerateCredentialReportCommand({}))).State, 'INPROGRESS');
    t.equal(
      (await rejection(m.iam.send(new GetCredentialReportCommand({})))).name,
      'CredentialReportNotReadyException',
    );
    await new Promise((resolve) => setTimeout(resolve, 1600));
    t.equal((await m.iam.send(new GenerateCredentialReportCommand({}))).State, 'COMPLETE');
    const report = await m.iam.send(new GetCredentialReportCommand({}));
    t.equal(report.ReportFormat, 'text/csv');
    t.type(report.GeneratedTime, Date);
    const [header, root] = Buffer.from(report.Content ?? new Uint8Array())
      .toString('utf8')
      .trim()
      .split('\n');
    t.match(header, /^user,arn,user_creation_time,password_enabled,/);
    t.match(root, /^<root_account>,arn:aws:iam::555555555555:root,[^,]+,not_supported,/);
  });

  t.test('virtual MFA list names the root device', async (t) => {
    const m = await member('666666666666');
    const { VirtualMFADevices } = await m.iam.send(
      new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Assigned' }),
    );
    t.equal(VirtualMFADevices?.[0]?.SerialNumber, 'arn:aws:iam::666666666666:mfa/root-account-mfa-device');
    t.equal(VirtualMFADevices?.[0]?.User?.Arn, 'arn:aws:iam::666666666666:root');
    const none = await (await member('888888888888')).iam.send(new ListVirtualMFADevicesCommand({}));
    t.same(none.VirtualMFADevices, []);
  });

  t.test('ListOrganizationsFeatures: management only', async (t) => {
    const features = await org.iam.send(new ListOrganizationsFeaturesCommand({}));
    t.same(features.EnabledFeatures, ['RootCredentialsManagement', 'RootSessions']);
    const error = await rejection(
      (await member('222222222222')).iam.send(new ListOrganizationsFeaturesCommand({})),
    );
    t.equal(error.name, 'AccountNotManagementOrDelegatedAdministratorException');
  });

  t.test('ListOrganizationsFeatures: ServiceAccessNotEnabled without trusted access for IAM', async (t) => {
    const organization = sim.model.organization;
    const trusted = organization.trustedAccess;
    t.teardown(() => {
      organization.trustedAccess = trusted;
    });
    organization.trustedAccess = trusted.filter((principal) => principal !== 'iam.amazonaws.com');
    const error = await rejection(org.iam.send(new ListOrganizationsFeaturesCommand({})));
    t.equal(error.name, 'ServiceAccessNotEnabledException');
    t.equal(error.$metadata?.httpStatusCode, 400);
  });

  t.test('what an audit root session reveals', async (t) => {
    const root = await rootSession('888888888888');
    t.ok((await root.iam.send(new GetLoginProfileCommand({}))).LoginProfile?.CreateDate);
    t.same(
      (await root.iam.send(new ListMFADevicesCommand({}))).MFADevices?.map((d) => d.SerialNumber),
      ['GAHT88888888'],
    );
    const certs = await root.iam.send(new ListSigningCertificatesCommand({}));
    t.same(
      certs.Certificates?.map((c) => [c.CertificateId, c.Status]),
      [['CERT888888888888ROOT01', 'Active']],
    );
    const clean = await rootSession('222222222222');
    t.equal((await rejection(clean.iam.send(new GetLoginProfileCommand({})))).name, 'NoSuchEntityException');
    t.same((await clean.iam.send(new ListAccessKeysCommand({}))).AccessKeyMetadata, []);
    const both = await rootSession('666666666666');
    t.equal((await both.iam.send(new ListMFADevicesCommand({}))).MFADevices?.length, 2);
  });

  t.test('GetAccessKeyLastUsed', async (t) => {
    const root = await rootSession('555555555555');
    const used = await root.iam.send(
      new GetAccessKeyLastUsedCommand({ AccessKeyId: 'AKIA555555555555ROOT' }),
    );
    t.equal(used.AccessKeyLastUsed?.ServiceName, 's3');
    t.type(used.AccessKeyLastUsed?.LastUsedDate, Date);
    const never = await root.iam.send(
      new GetAccessKeyLastUsedCommand({ AccessKeyId: 'AKIA555555555555OLD2' }),
    );
    t.equal(never.AccessKeyLastUsed?.ServiceName, 'N/A');
  });

  t.test('role sessions must name a user', async (t) => {
    const m = await member('222222222222');
    t.equal((await rejection(m.iam.send(new ListAccessKeysCommand({})))).name, 'ValidationError');
  });
});

t.test('CloudTrail', async (t) => {
  t.test('members see the organization trail as a shadow trail', async (t) => {
    const m = await member('777777777777', 'eu-west-1');
    const all = await m.cloudtrail.send(new DescribeTrailsCommand({}));
    t.same(
      all.trailList?.map((x) => [x.Name, x.IsOrganizationTrail, x.HomeRegion]),
      [
        ['dev-trail', false, 'eu-west-1'],
        ['organization-trail', true, 'us-east-1'],
      ],
    );
    const own = await m.cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: false }));
    t.same(
      own.trailList?.map((x) => x.Name),
      ['dev-trail'],
    );
    const status = await m.cloudtrail.send(new GetTrailStatusCommand({ Name: 'dev-trail' }));
    t.equal(status.IsLogging, false);
    const orgTrail = all.trailList?.[1]?.TrailARN ?? '';
    t.equal((await m.cloudtrail.send(new GetTrailStatusCommand({ Name: orgTrail }))).IsLogging, true);
    const selectors = await m.cloudtrail.send(new GetEventSelectorsCommand({ TrailName: 'dev-trail' }));
    t.same(
      selectors.EventSelectors?.map((s) => [s.ReadWriteType, s.IncludeManagementEvents]),
      [['WriteOnly', true]],
    );
    const missing = await rejection(m.cloudtrail.send(new GetTrailStatusCommand({ Name: 'nope' })));
    t.equal(missing.name, 'TrailNotFoundException');
  });

  t.test("a member may read the organization trail's status by ARN, never its event selectors", async (t) => {
    const m = await member('222222222222');
    const orgTrail = `arn:aws:cloudtrail:us-east-1:${MANAGEMENT}:trail/organization-trail`;
    t.equal((await m.cloudtrail.send(new GetTrailStatusCommand({ Name: orgTrail }))).IsLogging, true);
    const byName = await rejection(
      m.cloudtrail.send(new GetTrailStatusCommand({ Name: 'organization-trail' })),
    );
    t.equal(byName.name, 'TrailNotFoundException', "another account's trail is named by its ARN");
    const selectors = await rejection(
      m.cloudtrail.send(new GetEventSelectorsCommand({ TrailName: orgTrail })),
    );
    t.equal(selectors.name, 'TrailNotFoundException');
    t.match(selectors.message, /for the user: 222222222222/);
    const own = await org.cloudtrail.send(new GetEventSelectorsCommand({ TrailName: orgTrail }));
    t.same(
      own.EventSelectors?.map((x) => x.ReadWriteType),
      ['All'],
      'the owner reads them',
    );
  });

  t.test('GetTrailStatus reports CloudWatch Logs delivery: time and error', async (t) => {
    const trail = sim.model.accounts[0]?.trails[0];
    t.ok(trail);
    if (!trail) return;
    const before = Date.now();
    const status = await org.cloudtrail.send(new GetTrailStatusCommand({ Name: 'organization-trail' }));
    t.ok(status.LatestCloudWatchLogsDeliveryTime instanceof Date);
    t.ok(
      (status.LatestCloudWatchLogsDeliveryTime?.getTime() ?? 0) > before - 3_600_000,
      'recent while logging',
    );
    t.equal(status.LatestCloudWatchLogsDeliveryError, undefined);
    trail.cloudWatchLogsDeliveryError = 'AccessDeniedException';
    trail.latestCloudWatchLogsDeliveryTime = '2026-01-01T00:00:00.000Z';
    t.teardown(() => {
      delete trail.cloudWatchLogsDeliveryError;
      delete trail.latestCloudWatchLogsDeliveryTime;
    });
    const failing = await org.cloudtrail.send(new GetTrailStatusCommand({ Name: 'organization-trail' }));
    t.equal(failing.LatestCloudWatchLogsDeliveryError, 'AccessDeniedException');
    t.same(failing.LatestCloudWatchLogsDeliveryTime, new Date('2026-01-01T00:00:00.000Z'));
    const m = await member('777777777777', 'eu-west-1');
    const noLogGroup = await m.cloudtrail.send(new GetTrailStatusCommand({ Name: 'dev-trail' }));
    t.equal(
      noLogGroup.LatestCloudWatchLogsDeliveryTime,
      undefined,
      'a trail without a log group delivers none',
    );
  });

  t.test('advanced selectors come back as such', async (t) => {
    const trail = sim.model.accounts[0]?.trails[0];
    t.ok(trail);
    if (!trail) return;
    trail.advancedEventSelectors = [
      { name: 'Management events', fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }] },
    ];
    t.teardown(() => {
      delete trail.advancedEventSelectors;
    });
    const selectors = await org.cloudtrail.send(
      new GetEventSelectorsCommand({ TrailName: 'organization-trail' }),
    );
    t.same(selectors.AdvancedEventSelectors?.[0]?.FieldSelectors, [
      { Field: 'eventCategory', Equals: ['Management'] },
    ]);
    t.equal(selectors.EventSelectors, undefined);
  });

  t.test('LookupEvents: root ConsoleLogin in us-east-1, MFAUsed, outcome, paging', async (t) => {
    const m = await member('999999999999');
    const { Events } = await m.cloudtrail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'ConsoleLogin' }],
        StartTime: new Date(Date.now() - 90 * 86_400_000),
        EndTime: new Date(),
      }),
    );
    t.equal(Events?.length, 1);
    const record = JSON.parse(Events?.[0]?.CloudTrailEvent ?? '{}');
    t.match(record, {
      userIdentity: { type: 'Root' },
      sourceIPAddress: '203.0.113.99',
      additionalEventData: { MFAUsed: 'No' },
      responseElements: { ConsoleLogin: 'Failure' },
      awsRegion: 'us-east-1',
    });
    const logArchive = await member('333333333333');
    const first = await logArchive.cloudtrail.send(new LookupEventsCommand({ MaxResults: 1 }));
    t.equal(first.Events?.length, 1);
    t.ok(first.NextToken);
    const second = await logArchive.cloudtrail.send(
      new LookupEventsCommand({ MaxResults: 1, NextToken: first.NextToken }),
    );
    t.not(second.Events?.[0]?.EventId, first.Events?.[0]?.EventId);
    const eu = await (await member('555555555555', 'eu-west-1')).cloudtrail.send(new LookupEventsCommand({}));
    t.same(
      eu.Events?.map((e) => e.EventName),
      ['DescribeInstances'],
      'events answer per region',
    );
  });

  t.test(
    'LookupEvents answers the last 90 days only: an older StartTime is clamped, not refused',
    async (t) => {
      const manage = sdkClients(sim.endpoint, BASE_CREDENTIALS, 'us-east-1');
      const yearAgo = new Date(Date.now() - 365 * 86_400_000);
      const { Events } = await manage.cloudtrail.send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'ConsoleLogin' }],
          StartTime: yearAgo,
        }),
      );
      // The management account's root ConsoleLogin 200 days ago is past what event history keeps.
      t.same(
        Events?.map((e) => JSON.parse(e.CloudTrailEvent ?? '{}').userIdentity.type),
        ['AssumedRole'],
      );
      const old = await manage.cloudtrail.send(
        new LookupEventsCommand({ StartTime: yearAgo, EndTime: new Date(Date.now() - 180 * 86_400_000) }),
      );
      t.same(old.Events, [], 'a range wholly older than 90 days is empty, not an error');
      const reversed = await rejection(
        manage.cloudtrail.send(new LookupEventsCommand({ StartTime: new Date(), EndTime: yearAgo })),
      );
      t.equal(reversed.name, 'InvalidTimeRangeException');
    },
  );

  t.test('IAM events are recorded in us-east-1 only, whatever region the model names', async (t) => {
    const account = sim.model.accounts.find((a) => a.id === '555555555555');
    t.ok(account);
    if (!account) return;
    account.events.push({
      id: 'feed0000-0000-4000-8000-000000000001',
      time: new Date(Date.now() - 86_400_000).toISOString(),
      region: 'eu-west-1',
      name: 'CreateAccessKey',
      source: 'iam.amazonaws.com',
      identityType: 'Root',
      username: 'root',
      sourceIp: '198.51.100.7',
      userAgent: 'aws-cli/2.17.0',
      readOnly: false,
    });
    t.teardown(() => {
      account.events = account.events.filter((e) => e.id !== 'feed0000-0000-4000-8000-000000000001');
    });
    const lookup = {
      LookupAttributes: [{ AttributeKey: 'EventName' as const, AttributeValue: 'CreateAccessKey' }],
    };
    const eu = await (await member('555555555555', 'eu-west-1')).cloudtrail.send(
      new LookupEventsCommand(lookup),
    );
    t.same(eu.Events, []);
    const east = await (await member('555555555555', 'us-east-1')).cloudtrail.send(
      new LookupEventsCommand(lookup),
    );
    t.same(
      east.Events?.map((e) => JSON.parse(e.CloudTrailEvent ?? '{}').awsRegion),
      ['us-east-1'],
    );
  });

  t.test('privileged root session events: Root with sessionContext.assumedRoot and inScopeOf', async (t) => {
    const { Events } = await (await member('555555555555', 'us-east-1')).cloudtrail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DeleteBucketPolicy' }],
      }),
    );
    t.match(JSON.parse(Events?.[0]?.CloudTrailEvent ?? '{}'), {
      userIdentity: {
        type: 'Root',
        arn: 'arn:aws:iam::555555555555:root',
        accessKeyId: 'ASIA555555555555T00002',
        sessionContext: { assumedRoot: 'true', attributes: { mfaAuthenticated: 'false' } },
        inScopeOf: {
          credentialsIssuedTo:
            'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin/alice@acme-corp.example',
          sourceAccount: '111111111111',
        },
      },
    });
    const plain = await (await member('555555555555', 'us-east-1')).cloudtrail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'ListBuckets' }],
      }),
    );
    const identity = JSON.parse(plain.Events?.[0]?.CloudTrailEvent ?? '{}').userIdentity;
    t.equal(identity.inScopeOf, undefined, 'a root access key call is no privileged session');
    t.equal(identity.sessionContext, undefined);
  });
});

t.test('Logs, CloudWatch, SNS: the metric-alarm chain', async (t) => {
  const { metricFilters } = await org.logs.send(
    new DescribeMetricFiltersCommand({ logGroupName: 'org-cloudtrail' }),
  );
  t.equal(metricFilters?.[0]?.metricTransformations?.[0]?.metricName, 'RootAccountUsageCount');
  t.type(metricFilters?.[0]?.creationTime, 'number');
  const missing = await rejection(org.logs.send(new DescribeMetricFiltersCommand({ logGroupName: 'nope' })));
  t.equal(missing.name, 'ResourceNotFoundException');
  const { MetricAlarms } = await org.cloudwatch.send(new DescribeAlarmsCommand({}));
  t.same(
    MetricAlarms?.map((a) => a.AlarmName),
    ['root-account-usage'],
  );
  const forMetric = await org.cloudwatch.send(
    new DescribeAlarmsForMetricCommand({ MetricName: 'RootAccountUsageCount', Namespace: 'CISBenchmark' }),
  );
  t.equal(forMetric.MetricAlarms?.length, 1);
  const topicArn = MetricAlarms?.[0]?.AlarmActions?.[0] ?? '';
  const subs = await org.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
  t.same(
    subs.Subscriptions?.map((s) => [s.Protocol, s.Endpoint]),
    [['email', 'security@acme-corp.example']],
  );
  const attrs = await org.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
  t.equal(attrs.Attributes?.SubscriptionsConfirmed, '1');
  const notFound = await rejection(
    org.sns.send(new GetTopicAttributesCommand({ TopicArn: `${topicArn}-nope` })),
  );
  t.equal(notFound.name, 'NotFoundException');
  const eu = sdkClients(sim.endpoint, BASE_CREDENTIALS, 'eu-west-1');
  t.same(
    (await eu.cloudwatch.send(new DescribeAlarmsCommand({}))).MetricAlarms,
    [],
    'alarms answer per region',
  );
});

t.test('EventBridge', async (t) => {
  const { Rules } = await org.events.send(new ListRulesCommand({}));
  t.equal(Rules?.[0]?.State, 'ENABLED');
  t.match(JSON.parse(Rules?.[0]?.EventPattern ?? '{}'), { detail: { userIdentity: { type: ['Root'] } } });
  const { Targets } = await org.events.send(new ListTargetsByRuleCommand({ Rule: 'root-activity' }));
  t.match(Targets?.[0]?.Arn, /^arn:aws:sns:/);
  t.equal(
    (await rejection(org.events.send(new ListTargetsByRuleCommand({ Rule: 'nope' })))).name,
    'ResourceNotFoundException',
  );
});

t.test('GuardDuty, per region', async (t) => {
  const m = await member('444444444444', 'us-east-1');
  const { DetectorIds } = await m.guardduty.send(new ListDetectorsCommand({}));
  t.equal(DetectorIds?.length, 1);
  t.equal(
    (await m.guardduty.send(new GetDetectorCommand({ DetectorId: DetectorIds?.[0] }))).Status,
    'ENABLED',
  );
  const eu = await member('444444444444', 'eu-west-1');
  t.same((await eu.guardduty.send(new ListDetectorsCommand({}))).DetectorIds, []);
  const disabled = await member('666666666666', 'eu-west-1');
  const ids = (await disabled.guardduty.send(new ListDetectorsCommand({}))).DetectorIds ?? [];
  t.equal((await disabled.guardduty.send(new GetDetectorCommand({ DetectorId: ids[0] }))).Status, 'DISABLED');
  t.equal(
    (await rejection(m.guardduty.send(new GetDetectorCommand({ DetectorId: 'nope' })))).name,
    'BadRequestException',
  );
});

t.test('Account alternate contacts', async (t) => {
  const security = await org.account.send(
    new GetAlternateContactCommand({ AlternateContactType: 'SECURITY', AccountId: '222222222222' }),
  );
  t.equal(security.AlternateContact?.EmailAddress, 'security@acme-corp.example');
  const unset = await rejection(
    org.account.send(
      new GetAlternateContactCommand({ AlternateContactType: 'SECURITY', AccountId: '444444444444' }),
    ),
  );
  t.equal(unset.name, 'ResourceNotFoundException');
  const inside = await member('444444444444');
  const billing = await inside.account.send(
    new GetAlternateContactCommand({ AlternateContactType: 'BILLING' }),
  );
  t.equal(billing.AlternateContact?.AlternateContactType, 'BILLING');
  const fromMember = await rejection(
    inside.account.send(
      new GetAlternateContactCommand({ AlternateContactType: 'BILLING', AccountId: '222222222222' }),
    ),
  );
  t.equal(fromMember.name, 'AccessDeniedException');
  const trusted = sim.model.organization.trustedAccess;
  sim.model.organization.trustedAccess = trusted.filter((p) => p !== 'account.amazonaws.com');
  t.teardown(() => {
    sim.model.organization.trustedAccess = trusted;
  });
  const untrusted = await rejection(
    org.account.send(
      new GetAlternateContactCommand({ AlternateContactType: 'SECURITY', AccountId: '222222222222' }),
    ),
  );
  t.equal(untrusted.name, 'AccessDeniedException');
});

t.test("AccountId: only Account Management delegated administrators, not IAM's", async (t) => {
  const organization = sim.model.organization;
  t.teardown(() => {
    delete organization.iamDelegatedAdministrators;
    delete organization.accountDelegatedAdministrators;
  });
  const admin = await member('333333333333');
  const ask = () =>
    admin.account.send(
      new GetAlternateContactCommand({ AlternateContactType: 'SECURITY', AccountId: '222222222222' }),
    );
  organization.iamDelegatedAdministrators = ['333333333333'];
  const refused = await rejection(ask());
  t.equal(refused.name, 'AccessDeniedException', "IAM's delegated administrator is refused");
  t.equal(refused.$metadata?.httpStatusCode, 403);
  organization.accountDelegatedAdministrators = ['333333333333'];
  t.equal((await ask()).AlternateContact?.EmailAddress, 'security@acme-corp.example');
  const own = await admin.account.send(new GetAlternateContactCommand({ AlternateContactType: 'SECURITY' }));
  t.ok(own.AlternateContact, 'its own contacts without AccountId');
});

t.test('AWS_ENDPOINT_URL points SDK clients at the simulator', async (t) => {
  const saved = process.env.AWS_ENDPOINT_URL;
  process.env.AWS_ENDPOINT_URL = sim.endpoint;
  t.teardown(() => {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = saved;
  });
  const client = new OrganizationsClient({ region: 'us-east-1', credentials: BASE_CREDENTIALS });
  const { Accounts } = await client.send(new ListAccountsCommand({}));
  t.equal(Accounts?.length, 12);
});

t.test('the call log says who called what', async (t) => {
  t.ok(sim.callLog.count({ service: 'sts', operation: 'AssumeRole' }) > 10);
  t.ok(sim.callLog.count({ service: 'iam', operation: 'GetAccountSummary', accountId: '555555555555' }) >= 1);
  const record = sim.callLog.entries({ service: 'guardduty', region: 'eu-west-1' })[0];
  t.match(record, { operation: 'ListDetectors', principalKind: 'role', status: 200 });
  t.ok(sim.callLog.countsByOperation()['monitoring:DescribeAlarms']);
});
