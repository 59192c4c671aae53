import { createLogger } from '@rootaudit/log';
import { QUEUES, type ScanOrganizationJob, startQueue, stopQueue } from '@rootaudit/queue';
import t from 'tap';
import { testDatabase } from '../../../test/support/db.ts';
import { triggerScan } from './trigger-scan.ts';

const logger = createLogger({ level: 'silent' });

t.test(
  'triggerScan queues one scan and its discovery job; a second request gets the running scan',
  async (t) => {
    const { url, prisma } = await testDatabase(t);
    const boss = await startQueue(url, logger);
    t.teardown(() => stopQueue(boss));
    const first = await triggerScan(
      { prisma, boss },
      { requestedBy: 'ci-key', checkIds: ['root-mfa-enabled'] },
    );
    t.equal(first.started, true);
    t.equal(first.scan.status, 'QUEUED');
    t.equal(first.scan.trigger, 'MANUAL');
    t.same(first.scan.checkIds, ['root-mfa-enabled']);
    const second = await triggerScan({ prisma, boss });
    t.equal(second.started, false);
    t.equal(second.scan.id, first.scan.id);
    const jobs = await boss.fetch<ScanOrganizationJob>(QUEUES.scanOrganization, { batchSize: 10 });
    t.same(
      jobs.map((job) => job.data),
      [{ trigger: 'MANUAL', scanId: first.scan.id }],
    );
  },
);
