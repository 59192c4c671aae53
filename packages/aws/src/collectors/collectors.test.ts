// Each collector against small fakes: pagination, error mapping, and the rules of SPEC §2 that
// live in collection (dedupe, home regions, client-side filtering). Wire-level tests: moto.test.ts.
import type { EvidenceMap, Organization, Trail } from '@rootaudit/checks';
import t from 'tap';
import { Pacer } from '../pacer.ts';
import { awsError, collectorContext, type FakeCall, fakeAccountClients, manualClock } from '../testing.ts';
import { accountSummaryCollector } from './account-summary.ts';
import { alternateContactsCollector } from './alternate-contacts.ts';
import { eventRulesCollector } from './event-rules.ts';
import { guardDutyDetectorsCollector } from './guardduty-detectors.ts';
import { auditRoleActions, collectorActions, organizationRoleActions } from './index.ts';
import { metricAlarmsCollector } from './metric-alarms.ts';
import { metricFiltersCollector } from './metric-filters.ts';
import { organizationCollector } from './organization.ts';
import { organizationFeaturesCollector } from './organization-features.ts';
import { rootCredentialsAuditCollector } from './root-credentials-audit.ts';
import { rootEventsCollector } from './root-events.ts';
import { serviceControlPoliciesCollector } from './service-control-policies.ts';
import { snsTopicsCollector } from './sns-topics.ts';
import { managementEventsOf, organizationTrailsCollector, trailsCollector } from './trails.ts';
import { virtualMfaDevicesCollector } from './virtual-mfa-devices.ts';

const ops = (calls: FakeCall[]) => calls.map((c) => c.operation);

/** A trail of 111122223333 delivering to a log group (null: to none). */
function trailTo(logGroupArn: string | null, name = 'management'): Trail {
  return {
    name,
    arn: `arn:aws:cloudtrail:us-east-1:111122223333:trail/${name}`,
    homeRegion: 'us-east-1',
    isMultiRegionTrail: true,
    isOrganizationTrail: false,
    isLogging: true,
    managementEvents: { included: true, readWriteType: 'All' },
    cloudWatchLogsLogGroupArn: logGroupArn,
    latestCloudWatchLogsDeliveryTime: '2026-11-23T11:55:00.000Z',
    latestCloudWatchLogsDeliveryError: null,
  };
}
const noTrails: Partial<EvidenceMap> = { trails: { ok: true, value: { trails: [] } } };

t.test('account summary: keys mapped; a missing AccountPasswordPresent is unknown, not absent', async (t) => {
  const { clients } = fakeAccountClients(() => ({
    SummaryMap: { AccountMFAEnabled: 1, AccountAccessKeysPresent: 0, AccountSigningCertificatesPresent: 1 },
  }));
  const result = await accountSummaryCollector.collect(collectorContext(clients));
  t.same(result.ok && result.value, {
    accountMfaEnabled: true,
    accountAccessKeysPresent: false,
    accountPasswordPresent: null,
    accountSigningCertificatesPresent: true,
    summaryMap: { AccountMFAEnabled: 1, AccountAccessKeysPresent: 0, AccountSigningCertificatesPresent: 1 },
  });
});

t.test('account summary: AccessDenied becomes a typed failure, never a throw', async (t) => {
  const { clients } = fakeAccountClients(() => {
    throw awsError('AccessDenied', 'not authorized to perform iam:GetAccountSummary', 403);
  });
  const result = await accountSummaryCollector.collect(collectorContext(clients));
  t.same(result, {
    ok: false,
    error: {
      action: 'iam:GetAccountSummary',
      code: 'AccessDenied',
      message: 'not authorized to perform iam:GetAccountSummary',
    },
  });
});

t.test('virtual MFA devices: follows Marker across pages, only Assigned devices asked for', async (t) => {
  const { clients, calls } = fakeAccountClients(({ input }) =>
    input.Marker === undefined
      ? {
          VirtualMFADevices: [
            {
              SerialNumber: 'arn:aws:iam::111122223333:mfa/root-account-mfa-device',
              User: { Arn: 'arn:aws:iam::111122223333:root' },
              EnableDate: new Date('2024-01-01T00:00:00Z'),
            },
          ],
          IsTruncated: true,
          Marker: 'page-2',
        }
      : { VirtualMFADevices: [{ SerialNumber: 'arn:aws:iam::111122223333:mfa/alice' }], IsTruncated: false },
  );
  const result = await virtualMfaDevicesCollector.collect(collectorContext(clients));
  t.same(result.ok && result.value.devices, [
    {
      serialNumber: 'arn:aws:iam::111122223333:mfa/root-account-mfa-device',
      userArn: 'arn:aws:iam::111122223333:root',
      enableDate: '2024-01-01T00:00:00.000Z',
    },
    { serialNumber: 'arn:aws:iam::111122223333:mfa/alice', userArn: null, enableDate: null },
  ]);
  t.same(
    calls.map((c) => c.input),
    [
      { AssignmentStatus: 'Assigned', Marker: undefined },
      { AssignmentStatus: 'Assigned', Marker: 'page-2' },
    ],
  );
});

t.test('metric filters: per region, paginated; one region denied does not spoil the other', async (t) => {
  const { clients, calls } = fakeAccountClients(({ region, input }) => {
    if (region === 'eu-west-1') throw awsError('AccessDeniedException', 'denied', 400);
    return input.nextToken
      ? {
          metricFilters: [
            { logGroupName: 'trail', filterName: 'b', filterPattern: 'p2', metricTransformations: [] },
          ],
        }
      : {
          metricFilters: [
            {
              logGroupName: 'trail',
              filterName: 'a',
              filterPattern: 'p1',
              metricTransformations: [{ metricName: 'RootUsage', metricNamespace: 'CIS' }],
            },
          ],
          nextToken: 't2',
        };
  });
  const result = await metricFiltersCollector.collect(
    collectorContext(clients, { regions: ['us-east-1', 'eu-west-1'], evidence: noTrails }),
  );
  const east = result['us-east-1'];
  t.same(east?.ok && east.value.filters.map((f) => f.filterName), ['a', 'b']);
  t.same(east?.ok && east.value.filters[0]?.metricTransformations, [
    { metricName: 'RootUsage', metricNamespace: 'CIS' },
  ]);
  t.same(result['eu-west-1'], {
    ok: false,
    error: {
      action: 'logs:DescribeMetricFilters',
      code: 'AccessDeniedException',
      message: 'denied',
      region: 'eu-west-1',
    },
  });
  t.equal(calls.filter((c) => c.region === 'us-east-1').length, 2);
});

t.test('metric alarms: single-metric and metric-math alarms, paginated', async (t) => {
  const { clients } = fakeAccountClients(({ input }) =>
    input.NextToken
      ? {
          MetricAlarms: [
            {
              AlarmName: 'math',
              AlarmArn: 'arn:m',
              Metrics: [
                { Id: 'e1', Expression: 'm1*2' },
                { Id: 'm1', MetricStat: { Metric: { MetricName: 'RootUsage', Namespace: 'CIS' } } },
              ],
              AlarmActions: [],
            },
          ],
        }
      : {
          MetricAlarms: [
            {
              AlarmName: 'root',
              AlarmArn: 'arn:r',
              MetricName: 'RootUsage',
              Namespace: 'CIS',
              ActionsEnabled: true,
              AlarmActions: ['arn:aws:sns:us-east-1:111122223333:alerts'],
              StateValue: 'OK',
            },
          ],
          NextToken: 'n',
        },
  );
  const result = await metricAlarmsCollector.collect(collectorContext(clients, { evidence: noTrails }));
  const alarms = result['us-east-1']?.ok ? result['us-east-1'].value.alarms : [];
  t.equal(alarms.length, 2);
  t.same(alarms[0], {
    alarmName: 'root',
    alarmArn: 'arn:r',
    metricName: 'RootUsage',
    namespace: 'CIS',
    metrics: [],
    actionsEnabled: true,
    alarmActions: ['arn:aws:sns:us-east-1:111122223333:alerts'],
    stateValue: 'OK',
  });
  t.same(alarms[1]?.metrics, [{ metricName: 'RootUsage', namespace: 'CIS' }]);
  t.equal(alarms[1]?.metricName, null);
});

t.test(
  'SNS topics: only topics alarm actions name, each asked in its own region, pending subscriptions unconfirmed',
  async (t) => {
    const { clients, calls } = fakeAccountClients(({ input }) => {
      if (input.TopicArn === 'arn:aws:sns:eu-west-1:111122223333:denied')
        throw awsError('AuthorizationError', 'no', 403);
      return input.NextToken
        ? {
            Subscriptions: [
              { SubscriptionArn: 'PendingConfirmation', Protocol: 'email', Endpoint: 'b@example.com' },
            ],
          }
        : {
            Subscriptions: [
              {
                SubscriptionArn: 'arn:aws:sns:us-east-1:111122223333:alerts:1',
                Protocol: 'email',
                Endpoint: 'a@example.com',
              },
            ],
            NextToken: 'x',
          };
    });
    const alarm = (actions: string[]) => ({
      alarmName: 'a',
      alarmArn: 'arn',
      metricName: null,
      namespace: null,
      metrics: [],
      actionsEnabled: true,
      alarmActions: actions,
      stateValue: null,
    });
    const result = await snsTopicsCollector.collect(
      collectorContext(clients, {
        evidence: {
          metricAlarms: {
            'us-east-1': {
              ok: true,
              value: {
                alarms: [
                  alarm(['arn:aws:sns:us-east-1:111122223333:alerts', 'arn:aws:automate:us-east-1:ec2:stop']),
                ],
              },
            },
            'eu-west-1': {
              ok: true,
              value: {
                alarms: [
                  alarm([
                    'arn:aws:sns:eu-west-1:111122223333:denied',
                    'arn:aws:sns:us-east-1:111122223333:alerts',
                  ]),
                ],
              },
            },
          },
        },
      }),
    );
    t.ok(result.ok);
    const topics = result.ok ? result.value.topics : [];
    t.same(
      topics.map((topic) => topic.topicArn),
      ['arn:aws:sns:eu-west-1:111122223333:denied', 'arn:aws:sns:us-east-1:111122223333:alerts'],
    );
    t.same(
      topics[1]?.subscriptions?.map((s) => s.confirmed),
      [true, false],
    );
    t.same(topics[0], {
      topicArn: 'arn:aws:sns:eu-west-1:111122223333:denied',
      subscriptions: null,
      error: {
        action: 'sns:ListSubscriptionsByTopic',
        code: 'AuthorizationError',
        message: 'no',
        region: 'eu-west-1',
      },
    });
    t.same([...new Set(calls.map((c) => c.region))].sort(), ['eu-west-1', 'us-east-1']);
  },
);

t.test(
  'trails: deduplicated by ARN across regions, status and selectors read in the home region',
  async (t) => {
    // The account's own organization trail (it is the management account).
    const orgTrail = {
      Name: 'org',
      TrailARN: 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/org',
      HomeRegion: 'eu-west-1',
      IsMultiRegionTrail: true,
      IsOrganizationTrail: true,
      CloudWatchLogsLogGroupArn: 'arn:aws:logs:eu-west-1:111122223333:log-group:org:*',
    };
    const local = {
      Name: 'local',
      TrailARN: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/local',
      HomeRegion: 'us-east-1',
      IsMultiRegionTrail: false,
    };
    const { clients, calls } = fakeAccountClients(({ operation, region, input }) => {
      if (operation === 'DescribeTrails')
        return { trailList: region === 'us-east-1' ? [orgTrail, local] : [orgTrail] };
      if (operation === 'GetTrailStatus') {
        if (input.Name === local.TrailARN) throw awsError('TrailNotFoundException', 'gone');
        return {
          IsLogging: true,
          LatestCloudWatchLogsDeliveryTime: new Date('2026-11-23T11:50:00Z'),
          LatestCloudWatchLogsDeliveryError: 'AccessDeniedException',
        };
      }
      return input.TrailName === orgTrail.TrailARN
        ? {
            AdvancedEventSelectors: [
              { FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
            ],
          }
        : { EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }] };
    });
    const result = await trailsCollector.collect(
      collectorContext(clients, { regions: ['us-east-1', 'us-west-2'] }),
    );
    t.ok(result.ok);
    const trails = result.ok ? result.value.trails : [];
    t.equal(trails.length, 2);
    t.same(
      trails.find((x) => x.name === 'org'),
      {
        name: 'org',
        arn: orgTrail.TrailARN,
        homeRegion: 'eu-west-1',
        isMultiRegionTrail: true,
        isOrganizationTrail: true,
        isLogging: true,
        managementEvents: { included: true, readWriteType: 'All' },
        cloudWatchLogsLogGroupArn: orgTrail.CloudWatchLogsLogGroupArn,
        latestCloudWatchLogsDeliveryTime: '2026-11-23T11:50:00.000Z',
        latestCloudWatchLogsDeliveryError: 'AccessDeniedException',
      },
    );
    const localTrail = trails.find((x) => x.name === 'local');
    t.equal(localTrail?.isLogging, null);
    t.same(localTrail?.statusError, {
      action: 'cloudtrail:GetTrailStatus',
      code: 'TrailNotFoundException',
      message: 'gone',
      region: 'us-east-1',
    });
    t.same(localTrail?.managementEvents, { included: true, readWriteType: 'WriteOnly' });
    t.same(
      calls
        .filter(
          (c) =>
            c.operation !== 'DescribeTrails' &&
            c.input.Name !== local.TrailARN &&
            c.input.TrailName !== local.TrailARN,
        )
        .map((c) => c.region),
      ['eu-west-1', 'eu-west-1'],
    );
    t.ok(
      calls
        .filter((c) => c.operation === 'DescribeTrails')
        .every((c) => c.input.includeShadowTrails === true),
    );
  },
);

const managementOrgTrail = {
  Name: 'org',
  TrailARN: 'arn:aws:cloudtrail:us-east-1:999999999999:trail/org',
  HomeRegion: 'us-east-1',
  IsMultiRegionTrail: true,
  IsOrganizationTrail: true,
  CloudWatchLogsLogGroupArn: 'arn:aws:logs:us-east-1:999999999999:log-group:org:*',
};

t.test(
  "trails: a member never asks for another account's organization trail status or selectors; the organization read answers",
  async (t) => {
    const { clients, calls } = fakeAccountClients(({ operation }) => {
      if (operation === 'DescribeTrails') return { trailList: [managementOrgTrail] };
      throw awsError('TrailNotFoundException', 'Unknown trail for the user: 111122223333');
    });
    const read: Trail = {
      name: 'org',
      arn: managementOrgTrail.TrailARN,
      homeRegion: 'us-east-1',
      isMultiRegionTrail: true,
      isOrganizationTrail: true,
      isLogging: true,
      managementEvents: { included: true, readWriteType: 'All' },
      cloudWatchLogsLogGroupArn: managementOrgTrail.CloudWatchLogsLogGroupArn,
      latestCloudWatchLogsDeliveryTime: '2026-11-23T11:58:00.000Z',
      latestCloudWatchLogsDeliveryError: null,
    };
    const result = await trailsCollector.collect(
      collectorContext(clients, {
        evidence: { organizationTrails: { ok: true, value: { trails: [read] } } },
      }),
    );
    t.same(result, { ok: true, value: { trails: [read] } });
    t.same(ops(calls), ['DescribeTrails'], 'no GetTrailStatus or GetEventSelectors from the member');
  },
);

t.test(
  'trails: when the organization read failed, the member keeps that error for the organization trail',
  async (t) => {
    const { clients, calls } = fakeAccountClients(() => ({ trailList: [managementOrgTrail] }));
    const result = await trailsCollector.collect(
      collectorContext(clients, {
        evidence: {
          organizationTrails: {
            ok: false,
            error: {
              action: 'cloudtrail:DescribeTrails',
              code: 'AccessDeniedException',
              message: 'not authorized',
            },
          },
        },
      }),
    );
    const trail = result.ok ? result.value.trails[0] : undefined;
    t.equal(trail?.isLogging, null);
    t.equal(trail?.managementEvents, null);
    t.match(trail?.selectorsError, {
      action: 'cloudtrail:GetEventSelectors',
      code: 'AccessDeniedException',
      message:
        /belongs to account 999999999999.*AccessDeniedException on cloudtrail:DescribeTrails: not authorized/,
    });
    t.same(ops(calls), ['DescribeTrails']);
  },
);

t.test('organizationTrails: the organization trails as their owner reads them, once', async (t) => {
  const own = {
    ...managementOrgTrail,
    Name: 'own',
    TrailARN: 'arn:aws:cloudtrail:us-east-1:999999999999:trail/own',
    IsOrganizationTrail: false,
  };
  const { organizationClients, calls } = fakeAccountClients(({ operation }) => {
    if (operation === 'DescribeTrails') return { trailList: [managementOrgTrail, own] };
    if (operation === 'GetTrailStatus')
      return { IsLogging: true, LatestCloudWatchLogsDeliveryTime: new Date('2026-11-23T11:58:00Z') };
    return { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] };
  });
  const result = await organizationTrailsCollector.collect({
    clients: organizationClients,
    limit: (fn) => fn(),
  });
  t.same(result, {
    ok: true,
    value: {
      trails: [
        {
          name: 'org',
          arn: managementOrgTrail.TrailARN,
          homeRegion: 'us-east-1',
          isMultiRegionTrail: true,
          isOrganizationTrail: true,
          isLogging: true,
          managementEvents: { included: true, readWriteType: 'All' },
          cloudWatchLogsLogGroupArn: managementOrgTrail.CloudWatchLogsLogGroupArn,
          latestCloudWatchLogsDeliveryTime: '2026-11-23T11:58:00.000Z',
          latestCloudWatchLogsDeliveryError: null,
        },
      ],
    },
  });
  t.same(ops(calls), ['DescribeTrails', 'GetTrailStatus', 'GetEventSelectors']);
});

t.test(
  'trails: DescribeTrails denied in one region fails the evidence (a hidden trail must not look absent)',
  async (t) => {
    const { clients } = fakeAccountClients(({ region }) => {
      if (region === 'us-west-2') throw awsError('AccessDeniedException', 'denied');
      return { trailList: [] };
    });
    const result = await trailsCollector.collect(
      collectorContext(clients, { regions: ['us-east-1', 'us-west-2'] }),
    );
    t.same(result.ok ? null : result.error, {
      action: 'cloudtrail:DescribeTrails',
      code: 'AccessDeniedException',
      message: 'denied',
      region: 'us-west-2',
    });
  },
);

t.test('management events from classic and advanced selectors', async (t) => {
  t.same(managementEventsOf({ EventSelectors: [{ IncludeManagementEvents: false, ReadWriteType: 'All' }] }), {
    included: false,
    readWriteType: 'All',
  });
  t.same(
    managementEventsOf({ EventSelectors: [{ ReadWriteType: 'ReadOnly' }, { ReadWriteType: 'WriteOnly' }] }),
    { included: true, readWriteType: 'All' },
  );
  t.same(
    managementEventsOf({
      AdvancedEventSelectors: [
        {
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Management'] },
            { Field: 'readOnly', Equals: ['true'] },
          ],
        },
      ],
    }),
    { included: true, readWriteType: 'ReadOnly' },
  );
  t.same(
    managementEventsOf({
      AdvancedEventSelectors: [
        {
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Data'] },
            { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
          ],
        },
      ],
    }),
    { included: false, readWriteType: 'All' },
  );
  t.same(managementEventsOf({}), { included: false, readWriteType: 'All' });
});

t.test('event rules: paginated rules, each with its paginated targets', async (t) => {
  const { clients } = fakeAccountClients(({ operation, input }) => {
    if (operation === 'ListRules') {
      return input.NextToken
        ? { Rules: [{ Name: 'disabled', Arn: 'arn:r2', State: 'DISABLED', EventBusName: 'default' }] }
        : {
            Rules: [
              {
                Name: 'root',
                Arn: 'arn:r1',
                State: 'ENABLED',
                EventBusName: 'default',
                EventPattern: '{"detail":{"userIdentity":{"type":["Root"]}}}',
              },
            ],
            NextToken: 'n',
          };
    }
    if (input.Rule === 'disabled') return { Targets: [] };
    return input.NextToken
      ? { Targets: [{ Id: 't2', Arn: 'arn:t2' }] }
      : { Targets: [{ Id: 't1', Arn: 'arn:t1' }], NextToken: 'm' };
  });
  const result = await eventRulesCollector.collect(collectorContext(clients));
  const rules = result['us-east-1']?.ok ? result['us-east-1'].value.rules : [];
  t.same(
    rules.map((r) => [r.name, r.state, r.targets.map((x) => x.id)]),
    [
      ['root', 'ENABLED', ['t1', 't2']],
      ['disabled', 'DISABLED', []],
    ],
  );
  t.equal(rules[1]?.eventPattern, null);
});

t.test('event rules: the sign-in region is read even when it is not scanned', async (t) => {
  const { clients, calls } = fakeAccountClients(({ operation }) =>
    operation === 'ListRules' ? { Rules: [] } : { Targets: [] },
  );
  const result = await eventRulesCollector.collect(collectorContext(clients, { regions: ['eu-west-1'] }));
  t.same(Object.keys(result).sort(), ['eu-west-1', 'us-east-1']);
  t.same([...new Set(calls.map((c) => c.region))].sort(), ['eu-west-1', 'us-east-1']);
});

t.test('event rules: the sign-in region follows the partition, and is read once when scanned', async (t) => {
  const { clients, calls } = fakeAccountClients(() => ({ Rules: [] }));
  const china = await eventRulesCollector.collect(
    collectorContext(clients, {
      regions: ['cn-northwest-1'],
      account: { id: '111122223333', partition: 'aws-cn', isManagementAccount: false },
    }),
  );
  t.same(Object.keys(china).sort(), ['cn-north-1', 'cn-northwest-1']);
  calls.length = 0;
  const scanned = await eventRulesCollector.collect(collectorContext(clients, { regions: ['us-east-1'] }));
  t.same(Object.keys(scanned), ['us-east-1']);
  t.equal(calls.length, 1);
});

t.test('metric filters and alarms: also read where a trail of this account delivers its logs', async (t) => {
  const { clients, calls } = fakeAccountClients(({ service }) =>
    service === 'logs' ? { metricFilters: [] } : { MetricAlarms: [] },
  );
  const evidence: Partial<EvidenceMap> = {
    trails: {
      ok: true,
      value: {
        trails: [
          trailTo('arn:aws:logs:ap-southeast-2:111122223333:log-group:cloudtrail:*'),
          trailTo('arn:aws:logs:eu-west-1:111122223333:log-group:scanned-already', 'second'),
          trailTo('arn:aws:logs:sa-east-1:999999999999:log-group:org-trail', 'remote'),
          trailTo(null, 'no-logs'),
        ],
      },
    },
  };
  const context = collectorContext(clients, { regions: ['us-east-1', 'eu-west-1'], evidence });
  const filters = await metricFiltersCollector.collect(context);
  const alarms = await metricAlarmsCollector.collect(context);
  const expected = ['ap-southeast-2', 'eu-west-1', 'us-east-1'];
  t.same(Object.keys(filters).sort(), expected, "the log group region, not the other account's");
  t.same(Object.keys(alarms).sort(), expected);
  t.equal(calls.length, 6, 'each region read once per collector');
  t.same(metricFiltersCollector.needs, ['trails']);
  t.same(metricAlarmsCollector.needs, ['trails']);
});

t.test('metric filters: without the trails, the scanned regions are still read', async (t) => {
  const { clients } = fakeAccountClients(() => ({ metricFilters: [] }));
  const result = await metricFiltersCollector.collect(
    collectorContext(clients, {
      regions: ['eu-west-1'],
      evidence: {
        trails: {
          ok: false,
          error: { action: 'cloudtrail:DescribeTrails', code: 'AccessDenied', message: 'no' },
        },
      },
    }),
  );
  t.same(Object.keys(result), ['eu-west-1']);
  t.ok(result['eu-west-1']?.ok);
});

t.test('GuardDuty: every detector with its status; a failing GetDetector fails that region', async (t) => {
  const { clients } = fakeAccountClients(({ operation, region, input }) => {
    if (operation === 'ListDetectors')
      return input.NextToken ? { DetectorIds: ['d2'] } : { DetectorIds: ['d1'], NextToken: 'n' };
    if (region === 'eu-west-1') throw awsError('AccessDeniedException', 'denied');
    return { Status: input.DetectorId === 'd1' ? 'ENABLED' : 'DISABLED' };
  });
  const result = await guardDutyDetectorsCollector.collect(
    collectorContext(clients, { regions: ['us-east-1', 'eu-west-1'] }),
  );
  t.same(result['us-east-1'], {
    ok: true,
    value: {
      detectors: [
        { detectorId: 'd1', status: 'ENABLED' },
        { detectorId: 'd2', status: 'DISABLED' },
      ],
    },
  });
  t.equal(result['eu-west-1']?.ok ? null : result['eu-west-1']?.error.action, 'guardduty:GetDetector');
});

const organization = (trusted: string[]): Organization => ({
  id: 'o-abc',
  arn: 'arn:aws:organizations::999999999999:organization/o-abc',
  partition: 'aws',
  featureSet: 'ALL',
  managementAccountId: '999999999999',
  rootId: 'r-1',
  accounts: [],
  organizationalUnits: [],
  trustedServices: trusted,
});

t.test(
  'alternate contacts: from the management account with AccountId when trusted access is on',
  async (t) => {
    const { clients, organizationClients, calls } = fakeAccountClients(({ input }) => {
      if (input.AlternateContactType === 'BILLING') throw awsError('ResourceNotFoundException', 'none', 404);
      return {
        AlternateContact: {
          Name: 'Sec Team',
          EmailAddress: 'sec@example.com',
          PhoneNumber: '+1',
          Title: 'CISO',
          AlternateContactType: input.AlternateContactType,
        },
      };
    });
    const result = await alternateContactsCollector.collect(
      collectorContext(clients, {
        organizationClients,
        evidence: { organization: { ok: true, value: organization(['account.amazonaws.com']) } },
      }),
    );
    t.same(result.ok && result.value, {
      billing: null,
      operations: { name: 'Sec Team', title: 'CISO', emailAddress: 'sec@example.com', phoneNumber: '+1' },
      security: { name: 'Sec Team', title: 'CISO', emailAddress: 'sec@example.com', phoneNumber: '+1' },
      readVia: 'management-account',
    });
    t.ok(calls.every((c) => c.signer === 'organization' && c.input.AccountId === '111122223333'));
  },
);

t.test(
  'alternate contacts: inside the account without trusted access, and for the management account',
  async (t) => {
    for (const [label, trusted, isManagementAccount] of [
      ['no trusted access', [], false],
      ['management account', ['account.amazonaws.com'], true],
    ] as const) {
      const { clients, organizationClients, calls } = fakeAccountClients(() => ({
        AlternateContact: { Name: 'x' },
      }));
      const result = await alternateContactsCollector.collect(
        collectorContext(clients, {
          organizationClients,
          account: { id: '111122223333', partition: 'aws', isManagementAccount },
          evidence: { organization: { ok: true, value: organization([...trusted]) } },
        }),
      );
      t.equal(result.ok && result.value.readVia, 'member-account', label);
      t.ok(
        calls.every((c) => c.signer === 'account' && c.input.AccountId === undefined),
        label,
      );
    }
  },
);

t.test(
  'alternate contacts: AccountId refused (not the management account nor an Account Management delegated administrator): read inside the account, and not asked again this scan',
  async (t) => {
    const calls: FakeCall[] = [];
    const handler = ({ input, signer }: FakeCall) => {
      if (signer === 'organization') {
        throw awsError(
          'AccessDeniedException',
          'User: arn:aws:sts::333333333333:assumed-role/Org/x is not authorized',
          403,
        );
      }
      if (input.AlternateContactType === 'OPERATIONS')
        throw awsError('ResourceNotFoundException', 'none', 404);
      return {
        AlternateContact: { Name: `${input.AlternateContactType} team`, EmailAddress: 'x@example.com' },
      };
    };
    const first = fakeAccountClients(handler, { accountId: '111122223333', calls });
    const organizationClients = first.organizationClients;
    const evidence = { organization: { ok: true as const, value: organization(['account.amazonaws.com']) } };
    const result = await alternateContactsCollector.collect(
      collectorContext(first.clients, { organizationClients, evidence }),
    );
    t.match(result, {
      ok: true,
      value: {
        readVia: 'member-account',
        security: { name: 'SECURITY team' },
        billing: { name: 'BILLING team' },
        operations: null,
        organizationReadDenied: { action: 'account:GetAlternateContact', code: 'AccessDeniedException' },
      },
    });
    t.same(
      calls.map((c) => [c.signer, c.input.AccountId ?? null]),
      [
        ['organization', '111122223333'],
        ['account', null],
        ['account', null],
        ['account', null],
      ],
      'one refused call, then each contact once inside the account',
    );

    calls.length = 0;
    const second = fakeAccountClients(handler, { accountId: '444455556666', calls });
    const next = await alternateContactsCollector.collect(
      collectorContext(second.clients, {
        account: { id: '444455556666', partition: 'aws', isManagementAccount: false },
        organizationClients,
        evidence,
      }),
    );
    t.equal(next.ok && next.value.readVia, 'member-account');
    t.ok(next.ok && next.value.organizationReadDenied, 'the refusal is carried into the evidence');
    t.same(
      calls.map((c) => c.signer),
      ['account', 'account', 'account'],
      'the next account of the scan is not refused again',
    );
  },
);

t.test('alternate contacts: AccessDenied on any type fails the evidence with the action', async (t) => {
  const { clients } = fakeAccountClients(() => {
    throw awsError('AccessDeniedException', 'denied', 403);
  });
  const result = await alternateContactsCollector.collect(
    collectorContext(clients, { evidence: { organization: { ok: true, value: organization([]) } } }),
  );
  t.equal(result.ok ? null : result.error.action, 'account:GetAlternateContact');
});

const ctEvent = (fields: Record<string, unknown>) => ({ CloudTrailEvent: JSON.stringify(fields) });

t.test(
  'root events: Username=root asked, only userIdentity.type Root kept, every root event from us-east-1 even when unscanned',
  async (t) => {
    const { clients, calls } = fakeAccountClients(({ region, input }) => {
      if (region === 'eu-west-1') {
        if (!input.NextToken) {
          return {
            Events: [
              ctEvent({
                eventID: 'e1',
                eventTime: '2026-11-20T10:00:00Z',
                eventName: 'CreateAccessKey',
                eventSource: 'iam.amazonaws.com',
                awsRegion: 'eu-west-1',
                sourceIPAddress: '203.0.113.9',
                userAgent: 'aws-cli',
                userIdentity: { type: 'Root' },
              }),
              ctEvent({
                eventID: 'e2',
                eventTime: '2026-11-20T11:00:00Z',
                eventName: 'ListUsers',
                userIdentity: { type: 'IAMUser', userName: 'root' },
              }),
            ],
            NextToken: 'p2',
          };
        }
        return {
          Events: [
            ctEvent({
              eventID: 'e3',
              eventTime: '2026-11-21T10:00:00Z',
              eventName: 'DeleteTrail',
              userIdentity: { type: 'Root' },
              errorCode: 'AccessDenied',
            }),
          ],
        };
      }
      return {
        Events: [
          ctEvent({
            eventID: 's1',
            eventTime: '2026-11-22T10:00:00Z',
            eventName: 'ConsoleLogin',
            eventSource: 'signin.amazonaws.com',
            awsRegion: 'us-east-1',
            userIdentity: { type: 'Root' },
            additionalEventData: { MFAUsed: 'No' },
            responseElements: { ConsoleLogin: 'Success' },
          }),
          ctEvent({
            eventID: 's0',
            eventTime: '2026-11-21T09:00:00Z',
            eventName: 'CreateAccessKey',
            eventSource: 'iam.amazonaws.com',
            awsRegion: 'us-east-1',
            userIdentity: { type: 'Root' },
          }),
          { CloudTrailEvent: 'not json' },
        ],
      };
    });
    const result = await rootEventsCollector.collect(
      collectorContext(clients, { regions: ['eu-west-1'], rootUsageWindowDays: 30 }),
    );
    const eu = result['eu-west-1'];
    t.same(eu?.ok && eu.value.events.map((e) => [e.eventId, e.outcome]), [
      ['e3', 'Failure'],
      ['e1', 'Success'],
    ]);
    t.equal(eu?.ok && eu.value.windowStart, '2026-10-24T12:00:00.000Z');
    const east = result['us-east-1'];
    t.same(east?.ok && east.value.events, [
      {
        eventId: 's1',
        eventTime: '2026-11-22T10:00:00.000Z',
        eventName: 'ConsoleLogin',
        eventSource: 'signin.amazonaws.com',
        region: 'us-east-1',
        sourceIpAddress: null,
        userAgent: null,
        mfaUsed: false,
        outcome: 'Success',
        errorCode: null,
        privilegedSession: null,
      },
      {
        eventId: 's0',
        eventTime: '2026-11-21T09:00:00.000Z',
        eventName: 'CreateAccessKey',
        eventSource: 'iam.amazonaws.com',
        region: 'us-east-1',
        sourceIpAddress: null,
        userAgent: null,
        mfaUsed: null,
        outcome: 'Success',
        errorCode: null,
        privilegedSession: null,
      },
    ]);
    t.same(eu?.ok && eu.value.events.map((e) => e.errorCode), ['AccessDenied', null]);
    t.same(
      calls.filter((c) => c.region === 'eu-west-1').map((c) => c.input.LookupAttributes),
      [
        [{ AttributeKey: 'Username', AttributeValue: 'root' }],
        [{ AttributeKey: 'Username', AttributeValue: 'root' }],
      ],
    );
    t.same(calls.find((c) => c.region === 'us-east-1')?.input.LookupAttributes, [
      { AttributeKey: 'Username', AttributeValue: 'root' },
    ]);
  },
);

t.test(
  'root events: a 365-day window is looked up for the 90 days LookupEvents keeps, and says so',
  async (t) => {
    const { clients, calls } = fakeAccountClients(() => ({ Events: [] }));
    const result = await rootEventsCollector.collect(
      collectorContext(clients, { regions: ['us-east-1'], rootUsageWindowDays: 365 }),
    );
    t.same(
      calls.map((c) => (c.input.StartTime as Date).toISOString()),
      ['2026-08-25T12:00:00.000Z'],
      'StartTime 90 days back, not 365',
    );
    t.match(result['us-east-1'], {
      ok: true,
      value: { windowStart: '2026-08-25T12:00:00.000Z', lookedUpDays: 90, windowDays: 365 },
    });
  },
);

t.test(
  'root events: privileged root sessions are read from inScopeOf, and rootaudit asks who it is only then',
  async (t) => {
    const session = (eventID: string, issuer: string) =>
      ctEvent({
        eventID,
        eventTime: '2026-11-22T02:00:00Z',
        eventName: 'ListAccessKeys',
        eventSource: 'iam.amazonaws.com',
        awsRegion: 'us-east-1',
        userIdentity: {
          type: 'Root',
          arn: 'arn:aws:iam::111122223333:root',
          accessKeyId: 'ASIAEXAMPLE',
          sessionContext: { attributes: { mfaAuthenticated: 'false' }, assumedRoot: 'true' },
          inScopeOf: {
            issuerType: 'AWS::IAM::Role',
            credentialsIssuedTo: issuer,
            sourceAccount: '999999999999',
          },
        },
      });
    const { clients, organizationClients, calls } = fakeAccountClients(({ operation }) => {
      if (operation === 'GetCallerIdentity') {
        return { Arn: 'arn:aws:sts::999999999999:assumed-role/OrgRole/rootaudit-1', Account: '999999999999' };
      }
      return { Events: [session('p1', 'arn:aws:sts::999999999999:assumed-role/OrgRole/rootaudit-0')] };
    });
    const result = await rootEventsCollector.collect(
      collectorContext(clients, { regions: ['us-east-1', 'eu-west-1'], organizationClients }),
    );
    t.match(result['us-east-1'], {
      ok: true,
      value: {
        auditIssuer: 'arn:aws:sts::999999999999:assumed-role/OrgRole/rootaudit-1',
        events: [
          {
            eventId: 'p1',
            privilegedSession: {
              issuer: 'arn:aws:sts::999999999999:assumed-role/OrgRole/rootaudit-0',
              issuerType: 'AWS::IAM::Role',
              issuerAccount: '999999999999',
            },
          },
        ],
      },
    });
    t.equal(
      calls.filter((c) => c.operation === 'GetCallerIdentity' && c.signer === 'organization').length,
      1,
      'asked once, with the credentials rootaudit calls sts:AssumeRoot with',
    );

    const quiet = fakeAccountClients(() => ({ Events: [] }));
    const none = await rootEventsCollector.collect(
      collectorContext(quiet.clients, { organizationClients: quiet.organizationClients }),
    );
    t.match(none['us-east-1'], { ok: true, value: { auditIssuer: null } });
    t.notOk(
      quiet.calls.some((c) => c.operation === 'GetCallerIdentity'),
      'no session, no question',
    );
  },
);

t.test('root events: pages are paced per account and region', async (t) => {
  const clock = manualClock(1_000);
  const pacer = new Pacer(2, clock);
  const { clients } = fakeAccountClients(({ input }) => ({
    Events: [],
    NextToken: Number(input.NextToken ?? 0) < 3 ? String(Number(input.NextToken ?? 0) + 1) : undefined,
  }));
  clients.paceLookupEvents = (region, fn) => pacer.run(`111122223333:${region}`, fn);
  await rootEventsCollector.collect(collectorContext(clients, { regions: ['us-east-1'] }));
  t.same(clock.slept, [500, 500, 500], 'four pages, 500 ms apart: 2 per second');
});

t.test(
  'root credentials audit: not attempted for the management account or when the feature is off',
  async (t) => {
    const { clients, organizationClients, calls } = fakeAccountClients(() => ({}));
    const management = await rootCredentialsAuditCollector.collect(
      collectorContext(clients, {
        organizationClients,
        account: { id: '999999999999', partition: 'aws', isManagementAccount: true },
      }),
    );
    t.match(management, { ok: true, value: { audited: false, reason: /member accounts/ } });
    const off = await rootCredentialsAuditCollector.collect(
      collectorContext(clients, {
        organizationClients,
        evidence: {
          organizationFeatures: { ok: true, value: { rootCredentialsManagement: false, rootSessions: true } },
        },
      }),
    );
    t.match(off, { ok: true, value: { audited: false, reason: /RootCredentialsManagement/ } });
    const unknown = await rootCredentialsAuditCollector.collect(
      collectorContext(clients, {
        organizationClients,
        evidence: {
          organizationFeatures: {
            ok: false,
            error: { action: 'iam:ListOrganizationsFeatures', code: 'AccessDenied', message: 'no' },
          },
        },
      }),
    );
    t.same(
      unknown,
      { ok: false, error: { action: 'iam:ListOrganizationsFeatures', code: 'AccessDenied', message: 'no' } },
      'unknown feature state is an error, not "off"',
    );
    t.equal(calls.length, 0);
  },
);

t.test(
  'root credentials audit: AssumeRoot with the audit task policy, then the root user read through that session',
  async (t) => {
    const { clients, organizationClients, calls } = fakeAccountClients(({ operation, input }) => {
      switch (operation) {
        case 'AssumeRoot':
          return {
            Credentials: {
              AccessKeyId: 'ASIA',
              SecretAccessKey: 's',
              SessionToken: 't',
              Expiration: new Date(),
            },
          };
        case 'GetLoginProfile':
          throw awsError('NoSuchEntity', 'no login profile', 404);
        case 'ListAccessKeys':
          return input.Marker
            ? { AccessKeyMetadata: [{ AccessKeyId: 'AKIA2', Status: 'Inactive' }] }
            : {
                AccessKeyMetadata: [{ AccessKeyId: 'AKIA1', Status: 'Active' }],
                IsTruncated: true,
                Marker: 'm',
              };
        case 'ListSigningCertificates':
          return { Certificates: [] };
        default:
          return { MFADevices: [{ SerialNumber: 'arn:aws:iam::111122223333:u2f/root/key' }] };
      }
    });
    const result = await rootCredentialsAuditCollector.collect(
      collectorContext(clients, {
        organizationClients,
        evidence: {
          organizationFeatures: { ok: true, value: { rootCredentialsManagement: true, rootSessions: false } },
        },
      }),
    );
    t.same(result, {
      ok: true,
      value: {
        audited: true,
        passwordPresent: false,
        accessKeys: [
          { accessKeyId: 'AKIA1', status: 'Active' },
          { accessKeyId: 'AKIA2', status: 'Inactive' },
        ],
        signingCertificates: [],
        mfaDevices: [{ serialNumber: 'arn:aws:iam::111122223333:u2f/root/key' }],
      },
    });
    const assume = calls.find((c) => c.operation === 'AssumeRoot');
    t.same(assume?.input, {
      TargetPrincipal: '111122223333',
      TaskPolicyArn: { arn: 'arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials' },
      DurationSeconds: 900,
    });
    t.equal(assume?.signer, 'organization');
    t.ok(
      calls
        .filter((c) => c.service === 'iam')
        .every((c) => c.signer === 'session' && c.input.UserName === undefined),
    );
  },
);

t.test('root credentials audit: AssumeRoot denied is a typed failure', async (t) => {
  const { clients, organizationClients } = fakeAccountClients(() => {
    throw awsError('AccessDenied', 'not authorized to perform: sts:AssumeRoot', 403);
  });
  const result = await rootCredentialsAuditCollector.collect(
    collectorContext(clients, {
      organizationClients,
      evidence: {
        organizationFeatures: { ok: true, value: { rootCredentialsManagement: true, rootSessions: true } },
      },
    }),
  );
  t.same(result.ok ? null : [result.error.action, result.error.code], ['sts:AssumeRoot', 'AccessDenied']);
});

t.test(
  'organization: OU tree walked from the root, accounts with their parents, each State kept (no Status read)',
  async (t) => {
    const { organizationClients, calls } = fakeAccountClients(({ operation, input }) => {
      switch (operation) {
        case 'DescribeOrganization':
          return {
            Organization: {
              Id: 'o-abc',
              Arn: 'arn:aws:organizations::999999999999:organization/o-abc',
              FeatureSet: 'ALL',
              MasterAccountId: '999999999999',
            },
          };
        case 'ListRoots':
          return { Roots: [{ Id: 'r-1', PolicyTypes: [] }] };
        case 'ListOrganizationalUnitsForParent':
          if (input.ParentId === 'r-1')
            return input.NextToken
              ? { OrganizationalUnits: [{ Id: 'ou-2', Arn: 'arn:ou-2', Name: 'Sandbox' }] }
              : { OrganizationalUnits: [{ Id: 'ou-1', Arn: 'arn:ou-1', Name: 'Prod' }], NextToken: 'n' };
          if (input.ParentId === 'ou-1')
            return { OrganizationalUnits: [{ Id: 'ou-3', Arn: 'arn:ou-3', Name: 'Payments' }] };
          return { OrganizationalUnits: [] };
        case 'ListAccountsForParent':
          if (input.ParentId === 'r-1')
            return {
              Accounts: [
                {
                  Id: '999999999999',
                  Arn: 'arn:a9',
                  Name: 'mgmt',
                  Email: 'root@example.com',
                  State: 'ACTIVE',
                  JoinedTimestamp: new Date('2020-01-01T00:00:00Z'),
                },
              ],
            };
          if (input.ParentId === 'ou-3')
            return {
              Accounts: [
                {
                  Id: '111122223333',
                  Arn: 'arn:a1',
                  Name: 'pay',
                  Email: 'pay@example.com',
                  State: 'PENDING_CLOSURE',
                },
                {
                  Id: '333344445555',
                  Arn: 'arn:a3',
                  Name: 'new',
                  Email: 'new@example.com',
                  State: 'PENDING_ACTIVATION',
                },
                {
                  Id: '444455556666',
                  Arn: 'arn:a4',
                  Name: 'gone',
                  Email: 'gone@example.com',
                  State: 'CLOSED',
                },
              ],
            };
          if (input.ParentId === 'ou-2')
            return {
              Accounts: [
                {
                  Id: '222233334444',
                  Arn: 'arn:a2',
                  Name: 'old',
                  Email: 'old@example.com',
                  State: 'SUSPENDED',
                },
              ],
            };
          return { Accounts: [] };
        default:
          return {
            EnabledServicePrincipals: [
              { ServicePrincipal: 'account.amazonaws.com' },
              { ServicePrincipal: 'cloudtrail.amazonaws.com' },
            ],
          };
      }
    });
    const result = await organizationCollector.collect({ clients: organizationClients, limit: (fn) => fn() });
    t.ok(result.ok);
    if (!result.ok) return;
    t.same(
      result.value.organizationalUnits.map((u) => [u.id, u.parentId]),
      [
        ['ou-1', 'r-1'],
        ['ou-2', 'r-1'],
        ['ou-3', 'ou-1'],
      ],
    );
    t.same(
      result.value.accounts.map((a) => [a.id, a.parentId, a.status]),
      [
        ['111122223333', 'ou-3', 'PENDING_CLOSURE'],
        ['222233334444', 'ou-2', 'SUSPENDED'],
        ['333344445555', 'ou-3', 'PENDING_ACTIVATION'],
        ['444455556666', 'ou-3', 'CLOSED'],
        ['999999999999', 'r-1', 'ACTIVE'],
      ],
    );
    t.equal(result.value.accounts[4]?.joinedAt, '2020-01-01T00:00:00.000Z');
    t.same(result.value.trustedServices, ['account.amazonaws.com', 'cloudtrail.amazonaws.com']);
    t.equal(result.value.managementAccountId, '999999999999');
    t.equal(result.value.partition, 'aws');
    t.equal(
      ops(calls).filter((o) => o === 'ListAccountsForParent').length,
      4,
      'one per node, no ListParents per account',
    );
  },
);

t.test('organization: an account without a known State is an invalid answer, never guessed', async (t) => {
  for (const [label, account] of [
    ['only the retired Status', { Id: '222233334444', Status: 'ACTIVE' }],
    ['a State AWS does not document', { Id: '222233334444', State: 'DORMANT' }],
  ] as const) {
    const { organizationClients } = fakeAccountClients(({ operation, input }) => {
      switch (operation) {
        case 'DescribeOrganization':
          return {
            Organization: { Id: 'o-abc', Arn: 'arn:aws:organizations::999999999999:organization/o-abc' },
          };
        case 'ListRoots':
          return { Roots: [{ Id: 'r-1' }] };
        case 'ListAccountsForParent':
          return { Accounts: input.ParentId === 'r-1' ? [account] : [] };
        default:
          return {};
      }
    });
    const result = await organizationCollector.collect({ clients: organizationClients, limit: (fn) => fn() });
    t.same(
      result.ok ? null : [result.error.action, result.error.code],
      ['organizations:ListAccountsForParent', 'InvalidResponse'],
      label,
    );
    t.match(result.ok ? '' : result.error.message, /222233334444/, label);
  }
});

t.test('organization: not a member of an organization is a typed failure', async (t) => {
  const { organizationClients } = fakeAccountClients(() => {
    throw awsError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
  });
  const result = await organizationCollector.collect({ clients: organizationClients, limit: (fn) => fn() });
  t.same(result.ok ? null : [result.error.action, result.error.code], [
    'organizations:DescribeOrganization',
    'AWSOrganizationsNotInUseException',
  ]);
});

t.test('organization limited to some accounts: what AWS answers besides a normal path', async (t) => {
  const organizationAnswers = (operation: string) =>
    operation === 'DescribeOrganization'
      ? {
          Organization: {
            Id: 'o-abc',
            Arn: 'arn:aws:organizations::999999999999:organization/o-abc',
            FeatureSet: 'CONSOLIDATED_BILLING',
            MasterAccountId: '999999999999',
          },
        }
      : { Roots: [{ Id: 'r-1' }] };
  t.test(
    'a DescribeAccount refusal fails the evidence, naming it (never "not in the organization")',
    async (t) => {
      const { organizationClients } = fakeAccountClients(({ operation }) => {
        if (operation === 'DescribeAccount') throw awsError('AccessDeniedException', 'not allowed');
        if (operation === 'ListParents') return { Parents: [{ Id: 'r-1', Type: 'ROOT' }] };
        return organizationAnswers(operation);
      });
      const result = await organizationCollector.collect({
        clients: organizationClients,
        limit: (fn) => fn(),
        accountIds: ['111122223333'],
      });
      t.same(result.ok ? null : [result.error.action, result.error.code], [
        'organizations:DescribeAccount',
        'AccessDeniedException',
      ]);
    },
  );
  t.test('an OU whose parent AWS does not know is an invalid answer', async (t) => {
    const { organizationClients } = fakeAccountClients(({ operation, input }) => {
      if (operation === 'DescribeAccount')
        return { Account: { Id: '111122223333', State: 'ACTIVE', Name: 'a', Email: 'a@example.com' } };
      if (operation === 'ListParents') {
        if (input.ChildId === '111122223333')
          return { Parents: [{ Id: 'ou-1', Type: 'ORGANIZATIONAL_UNIT' }] };
        throw awsError('ChildNotFoundException', 'no such child');
      }
      if (operation === 'DescribeOrganizationalUnit')
        return { OrganizationalUnit: { Id: 'ou-1', Arn: 'arn:ou-1', Name: 'Prod' } };
      return organizationAnswers(operation);
    });
    const result = await organizationCollector.collect({
      clients: organizationClients,
      limit: (fn) => fn(),
      accountIds: ['111122223333'],
    });
    t.same(result.ok ? null : [result.error.action, result.error.code], [
      'organizations:ListParents',
      'InvalidResponse',
    ]);
  });
  t.test('an empty list of accounts reads the whole organization', async (t) => {
    const { organizationClients, calls } = fakeAccountClients(({ operation }) =>
      operation === 'ListAccountsForParent' || operation === 'ListOrganizationalUnitsForParent'
        ? {}
        : organizationAnswers(operation),
    );
    const result = await organizationCollector.collect({
      clients: organizationClients,
      limit: (fn) => fn(),
      accountIds: [],
    });
    t.ok(result.ok);
    t.equal(result.ok ? result.value.scope : 'failed', undefined);
    t.ok(ops(calls).includes('ListAccountsForParent'));
  });
});

t.test('SCPs: documents and targets, paginated; none listed when the policy type is off', async (t) => {
  let enabled = true;
  const { organizationClients, calls } = fakeAccountClients(({ operation, input }) => {
    switch (operation) {
      case 'ListRoots':
        return {
          Roots: [
            {
              Id: 'r-1',
              PolicyTypes: enabled ? [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }] : [],
            },
          ],
        };
      case 'ListPolicies':
        return input.NextToken
          ? { Policies: [{ Id: 'p-deny', Arn: 'arn:p-deny', Name: 'DenyRoot', AwsManaged: false }] }
          : {
              Policies: [{ Id: 'p-FullAWSAccess', Arn: 'arn:full', Name: 'FullAWSAccess', AwsManaged: true }],
              NextToken: 'n',
            };
      case 'DescribePolicy':
        return { Policy: { Content: `{"id":"${input.PolicyId}"}` } };
      default:
        return input.PolicyId === 'p-deny'
          ? input.NextToken
            ? { Targets: [{ TargetId: 'ou-1' }] }
            : { Targets: [{ TargetId: '111122223333' }], NextToken: 'n' }
          : { Targets: [{ TargetId: 'r-1' }] };
    }
  });
  const result = await serviceControlPoliciesCollector.collect({
    clients: organizationClients,
    limit: (fn) => fn(),
  });
  t.same(result.ok && result.value, {
    enabledOnRoot: true,
    policies: [
      {
        id: 'p-deny',
        arn: 'arn:p-deny',
        name: 'DenyRoot',
        awsManaged: false,
        content: '{"id":"p-deny"}',
        targetIds: ['111122223333', 'ou-1'],
      },
      {
        id: 'p-FullAWSAccess',
        arn: 'arn:full',
        name: 'FullAWSAccess',
        awsManaged: true,
        content: '{"id":"p-FullAWSAccess"}',
        targetIds: ['r-1'],
      },
    ],
  });
  enabled = false;
  calls.length = 0;
  const off = await serviceControlPoliciesCollector.collect({
    clients: organizationClients,
    limit: (fn) => fn(),
  });
  t.same(off, { ok: true, value: { enabledOnRoot: false, policies: [] } });
  t.same(ops(calls), ['ListRoots']);
});

t.test('organization features: both flags from ListOrganizationsFeatures', async (t) => {
  const { organizationClients } = fakeAccountClients(() => ({
    OrganizationId: 'o-abc',
    EnabledFeatures: ['RootCredentialsManagement'],
  }));
  const result = await organizationFeaturesCollector.collect({
    clients: organizationClients,
    limit: (fn) => fn(),
  });
  t.same(result, { ok: true, value: { rootCredentialsManagement: true, rootSessions: false } });
});

t.test(
  'organization features: IAM refusing for want of trusted access or all features means both off, with why',
  async (t) => {
    for (const code of [
      'ServiceAccessNotEnabledException',
      'ServiceAccessNotEnabled',
      'OrganizationNotInAllFeaturesModeException',
      'OrganizationNotInAllFeaturesMode',
    ]) {
      const { organizationClients } = fakeAccountClients(() => {
        throw awsError(code, 'refused');
      });
      const result = await organizationFeaturesCollector.collect({
        clients: organizationClients,
        limit: (fn) => fn(),
      });
      t.ok(result.ok, code);
      if (!result.ok) continue;
      t.equal(result.value.rootCredentialsManagement, false, code);
      t.equal(result.value.rootSessions, false, code);
      t.equal(result.value.offBecause?.code, code);
      t.match(
        result.value.offBecause?.reason,
        code.startsWith('ServiceAccess') ? /IAM has no trusted access/ : /does not have all features/,
        code,
      );
    }
    const { organizationClients } = fakeAccountClients(() => {
      throw awsError('AccountNotManagementOrDelegatedAdministratorException', 'not an admin');
    });
    const denied = await organizationFeaturesCollector.collect({
      clients: organizationClients,
      limit: (fn) => fn(),
    });
    t.same(denied.ok ? null : denied.error.code, 'AccountNotManagementOrDelegatedAdministratorException');
  },
);

t.test('collectorActions lists every action each collector calls', async (t) => {
  t.same(collectorActions.credentialReport, ['iam:GenerateCredentialReport', 'iam:GetCredentialReport']);
  t.same(collectorActions.rootCredentialsAudit, [
    'sts:AssumeRoot',
    'iam:GetLoginProfile',
    'iam:ListAccessKeys',
    'iam:ListMFADevices',
    'iam:ListSigningCertificates',
  ]);
  t.equal(Object.keys(collectorActions).length, 16);
  t.notOk(
    auditRoleActions.includes('sts:AssumeRoot'),
    'AssumeRoot is the organization role’s, not the audit role’s',
  );
  t.ok(auditRoleActions.includes('cloudtrail:LookupEvents'));
  t.ok(organizationRoleActions.includes('iam:ListOrganizationsFeatures'));
  t.ok(
    organizationRoleActions.includes('cloudtrail:GetEventSelectors'),
    "the organization trail's selectors are read with the organization credentials",
  );
  for (const action of [...auditRoleActions, ...organizationRoleActions])
    t.match(action, /^[a-z-]+:[A-Z][A-Za-z]+$/);
});
