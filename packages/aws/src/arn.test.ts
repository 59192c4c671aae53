import t from 'tap';
import {
  auditRootTaskPolicyArn,
  globalRegionOf,
  partitionOfRegion,
  regionOfArn,
  roleArn,
  rootArn,
} from './arn.ts';
import { ClientFactory } from './clients.ts';

t.test('the partition follows from the region', async (t) => {
  t.same(
    ['us-east-1', 'eu-central-1', 'cn-north-1', 'cn-northwest-1', 'us-gov-west-1', 'us-gov-east-1'].map(
      partitionOfRegion,
    ),
    ['aws', 'aws', 'aws-cn', 'aws-cn', 'aws-us-gov', 'aws-us-gov'],
  );
  t.same(['aws', 'aws-cn', 'aws-us-gov'].map(globalRegionOf), ['us-east-1', 'cn-north-1', 'us-gov-west-1']);
});

t.test('ARNs carry the partition', async (t) => {
  t.equal(rootArn('aws-cn', '111122223333'), 'arn:aws-cn:iam::111122223333:root');
  t.equal(
    roleArn('aws-us-gov', '111122223333', 'RootAuditRole'),
    'arn:aws-us-gov:iam::111122223333:role/RootAuditRole',
  );
  t.equal(
    auditRootTaskPolicyArn('aws-us-gov'),
    'arn:aws-us-gov:iam::aws:policy/root-task/IAMAuditRootUserCredentials',
  );
  t.equal(regionOfArn('arn:aws:sns:eu-west-1:111122223333:alerts'), 'eu-west-1');
  t.equal(regionOfArn('arn:aws:iam::111122223333:root'), null);
});

t.test(
  'the factory builds audit-role ARNs for its partition, and reads the management account with base credentials when told',
  async (t) => {
    const gov = new ClientFactory({
      scanId: 's',
      region: 'us-gov-west-1',
      auditRoleName: 'Audit',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    t.equal(gov.forAccount('111122223333').auditRoleArn, 'arn:aws-us-gov:iam::111122223333:role/Audit');
    t.equal(gov.partition, 'aws-us-gov');
    const base = new ClientFactory({
      scanId: 's',
      managementAccountWithBaseCredentials: true,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    t.equal(base.forAccount('999999999999', { isManagementAccount: true }).auditRoleArn, null);
    t.equal(base.forAccount('111122223333').auditRoleArn, 'arn:aws:iam::111122223333:role/RootAuditRole');
    const cn = new ClientFactory({
      scanId: 's',
      region: 'cn-northwest-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    t.equal(
      await cn.forAccount('111122223333').client('iam').config.region(),
      'cn-north-1',
      'global services live in the partition’s global region',
    );
    t.equal(
      await cn.forAccount('111122223333').client('logs', 'cn-northwest-1').config.region(),
      'cn-northwest-1',
    );
    for (const f of [gov, base, cn]) f.destroy();
  },
);
