// The ClientFactory's per-account lifecycle: a worker scans thousands of accounts with one factory,
// so an account's clients and role session must go when its scan is done (see bench/memory.ts).
import { GetAccountSummaryCommand } from '@aws-sdk/client-iam';
import { loadOrganization, startSimulator } from '@rootaudit/aws-sim';
import t from 'tap';
import { ClientFactory } from './clients.ts';

const model = loadOrganization();
const sim = await startSimulator({ model });
t.teardown(() => sim.stop());
const member = '555555555555';

function factory() {
  const clients = new ClientFactory({
    scanId: 'clients-test',
    endpoint: sim.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDBASEEXAMPLE', secretAccessKey: 'secret' },
    externalId: model.auditRole.externalId ?? null,
    maxAttempts: 1,
  });
  t.teardown(() => clients.destroy());
  return clients;
}

t.test('one account: its clients are shared while it is scanned, then released', async (t) => {
  const clients = factory().forAccount(member);
  const iam = clients.client('iam');
  t.equal(clients.client('iam'), iam, 'one client per service and region while the account is scanned');
  await iam.send(new GetAccountSummaryCommand({}));
  clients.release();
  t.not(clients.client('iam'), iam, 'released clients are not handed out again');
  clients.release();
});

t.test('a released account assumes its role again when it is scanned again', async (t) => {
  sim.callLog.clear();
  const clients = factory();
  const first = clients.forAccount(member);
  await first.verifyAccess();
  await first.verifyAccess();
  first.release();
  const second = clients.forAccount(member);
  await second.verifyAccess();
  await second.client('iam').send(new GetAccountSummaryCommand({}));
  second.release();
  t.equal(sim.callLog.count({ operation: 'AssumeRole' }), 2, 'one AssumeRole per scan of the account');
  t.equal(sim.callLog.count({ operation: 'GetAccountSummary', accountId: member, failed: false }), 1);
});

t.test('the management account read with base credentials keeps the shared clients', async (t) => {
  const clients = new ClientFactory({
    scanId: 'clients-test-base',
    endpoint: sim.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDBASEEXAMPLE', secretAccessKey: 'secret' },
    managementAccountWithBaseCredentials: true,
    managementAccountId: model.organization.managementAccountId,
  });
  t.teardown(() => clients.destroy());
  const management = clients.forAccount(model.organization.managementAccountId);
  t.equal(management.auditRoleArn, null);
  const iam = management.client('iam');
  management.release();
  t.equal(clients.forOrganization().client('iam'), iam, 'base-credential clients stay with the factory');
});
