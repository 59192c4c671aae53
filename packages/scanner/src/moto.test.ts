// The runner against moto over HTTP: a two-account organization, the audit role assumed in the
// member across accounts (moto keeps each account's state apart), results per account; what moto
// cannot serve (LookupEvents, ListOrganizationsFeatures) comes back as ERROR, never PASS.

import { CreateDetectorCommand } from '@aws-sdk/client-guardduty';
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  DescribeCreateAccountStatusCommand,
} from '@aws-sdk/client-organizations';
import { ClientFactory } from '@rootaudit/aws';
import { startMoto } from '@rootaudit/aws/testing';
import t from 'tap';
import { scanOrganization } from './scan-organization.ts';
import { testCheck } from './testing.ts';

const moto = await startMoto();
if ('skip' in moto) {
  t.plan(0, moto.skip);
  process.exit(0);
}
t.teardown(() => moto.stop());

const options = {
  endpoint: moto.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'secret' },
  externalId: 'moto-external-id',
  maxAttempts: 1,
};
const seed = new ClientFactory({ ...options, scanId: 'seed' });
t.teardown(() => seed.destroy());
const organizations = seed.forOrganization().client('organizations');
await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
const request = await organizations.send(
  new CreateAccountCommand({ AccountName: 'member', Email: 'member@example.com' }),
);
const status = await organizations.send(
  new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: request.CreateAccountStatus?.Id ?? '' }),
);
const memberId = status.CreateAccountStatus?.AccountId ?? '';
await seed
  .forAccount(memberId)
  .client('guardduty', 'us-east-1')
  .send(new CreateDetectorCommand({ Enable: true }));

const statusOf = <T>(
  collected: { ok: boolean } & ({ ok: true; value: T } | { ok: false }),
  pass: (value: T) => boolean,
) => (collected.ok ? (pass((collected as { value: T }).value) ? 'PASS' : 'FAIL') : 'ERROR');

t.test('each account judged on its own evidence; unservable evidence is ERROR', async (t) => {
  const clients = new ClientFactory({ ...options, scanId: 'moto-scan' });
  t.teardown(() => clients.destroy());
  const checks = [
    testCheck('guardduty', ['guardDutyDetectors'], ({ guardDutyDetectors }, context) => {
      const east = guardDutyDetectors['us-east-1'] ?? { ok: false as const };
      return [
        {
          status: statusOf(east, (v) => v.detectors.some((d) => d.status === 'ENABLED')),
          resource: `arn:aws:iam::${context.accountId}:root`,
          message: '',
          evidence: {},
        },
      ];
    }),
    testCheck('signins', ['rootEvents'], ({ rootEvents }, context) => [
      {
        status: statusOf(rootEvents['us-east-1'] ?? { ok: false as const }, (v) => v.events.length === 0),
        resource: `arn:aws:iam::${context.accountId}:root`,
        message: '',
        evidence: {},
      },
    ]),
    testCheck(
      'features',
      ['organizationFeatures'],
      ({ organizationFeatures }) => [
        {
          status: statusOf(organizationFeatures, (v) => v.rootCredentialsManagement),
          resource: 'org',
          message: '',
          evidence: {},
        },
      ],
      'organization',
    ),
  ];
  const scan = await scanOrganization({
    checks,
    settings: { regions: ['us-east-1'], now: new Date(), rootUsageWindowDays: 90, allowedEmailDomains: [] },
    clients,
  });
  t.equal(scan.status, 'SUCCEEDED');
  t.same(
    scan.results.map((r) => [r.checkId, r.accountId, r.status]),
    [
      ['features', '123456789012', 'ERROR'],
      ...[
        ['123456789012', 'FAIL'],
        [memberId, 'PASS'],
      ]
        .sort(([a], [b]) => String(a).localeCompare(String(b)))
        .flatMap(([id, guardduty]) => [
          ['guardduty', id, guardduty],
          ['signins', id, 'ERROR'],
        ]),
    ],
  );
});
