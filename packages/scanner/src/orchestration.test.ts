import { checks } from '@rootaudit/checks';
import t from 'tap';
import { scanClients, scanSettings, unjudgedAccount } from './orchestration.ts';

const config = {
  regions: ['eu-west-1', 'us-east-1'],
  auditRoleName: 'RootAuditRole',
  externalId: 'external',
  orgRoleArn: null,
  awsEndpointUrl: null,
  rootUsageWindowDays: 90,
  allowedEmailDomains: ['example.com'],
};

t.test('the settings of a scan are the configuration judged at the instant given', async (t) => {
  const now = new Date('2026-12-01T02:00:00.000Z');
  t.same(scanSettings(config, now), {
    regions: ['eu-west-1', 'us-east-1'],
    now,
    rootUsageWindowDays: 90,
    allowedEmailDomains: ['example.com'],
  });
});

t.test('the clients of a scan take their home region from the first configured region', async (t) => {
  const clients = scanClients(config, 'scan-1');
  t.teardown(() => clients.destroy());
  t.equal(clients.partition, 'aws');
  const china = scanClients(config, 'scan-2', { region: 'cn-north-1' });
  t.teardown(() => china.destroy());
  t.equal(china.partition, 'aws-cn', 'what the caller adds wins');
});

t.test('an account that cannot be judged: every account check ERROR with the cause', async (t) => {
  const cause = 'scan s has no stored organization evidence; start a new scan';
  const scan = unjudgedAccount('111122223333', checks, cause, 'aws');
  t.equal(scan.status, 'FAILED');
  t.equal(scan.reason, cause);
  const accountChecks = checks.filter((check) => check.metadata.scope === 'account');
  t.same(
    scan.results.map((result) => result.checkId),
    accountChecks.map((check) => check.metadata.id),
  );
  t.ok(scan.results.every((result) => result.status === 'ERROR' && result.message === cause));
  t.ok(scan.results.every((result) => result.resource === 'arn:aws:iam::111122223333:root'));
});
