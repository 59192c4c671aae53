import t from 'tap';
import { CallLog } from './call-log.ts';

const call = (operation: string, errorCode?: string) => ({
  at: 0,
  service: 'iam',
  operation,
  accountId: '111111111111',
  region: 'us-east-1',
  accessKeyId: 'AKIA',
  principalKind: 'role' as const,
  status: errorCode ? 400 : 200,
  errorCode,
});

t.test('keeps the last records, oldest first; totals keep counting', async (t) => {
  const log = new CallLog(3);
  for (const op of ['A', 'B', 'C', 'D', 'E']) log.record(call(op));
  t.same(
    log.entries().map((r) => [r.seq, r.operation]),
    [
      [3, 'C'],
      [4, 'D'],
      [5, 'E'],
    ],
  );
  t.equal(log.total, 5);
  t.same(log.countsByOperation(), { 'iam:A': 1, 'iam:B': 1, 'iam:C': 1, 'iam:D': 1, 'iam:E': 1 });
  log.clear();
  t.equal(log.count(), 0);
  t.equal(log.total, 0);
});

t.test('filters by failure and error code', async (t) => {
  const log = new CallLog();
  log.record(call('GetAccountSummary', 'Throttling'));
  log.record(call('GetAccountSummary', 'Throttling'));
  log.record(call('GetAccountSummary'));
  t.equal(log.count({ operation: 'GetAccountSummary' }), 3);
  t.equal(log.count({ failed: true }), 2);
  t.equal(log.count({ failed: false }), 1);
  t.equal(log.count({ errorCode: 'Throttling', accountId: '111111111111', region: 'us-east-1' }), 2);
  t.equal(log.count({ service: 'sts' }), 0);
});
