import type { AccountScan, ScanResult } from '@rootaudit/scanner';
import t from 'tap';
import { accountError } from './worker.ts';

const result = (checkId: string, status: ScanResult['status'], message: string): ScanResult => ({
  accountId: '111122223333',
  checkId,
  status,
  severity: 'high',
  resource: 'arn:aws:iam::111122223333:root',
  message,
  evidence: {},
});

const scanned = (
  results: ScanResult[],
  status: AccountScan['status'] = 'SCANNED',
  reason: string | null = null,
) =>
  ({
    accountId: '111122223333',
    status,
    reason,
    results,
    evidenceCollected: [],
    startedAt: new Date().toISOString(),
    durationMs: 1,
  }) satisfies AccountScan;

t.test('an account fully evaluated has no error, whatever it found', async (t) => {
  t.equal(accountError(scanned([result('a', 'FAIL', 'bad'), result('b', 'PASS', 'good')])), null);
});

t.test('an unreachable account: the runner reason (what to do) is the error', async (t) => {
  const reason =
    'AccessDenied on sts:AssumeRole for arn:aws:iam::111122223333:role/RootAuditRole: deploy the audit-role template';
  t.equal(accountError(scanned([], 'FAILED', reason)), reason);
});

t.test('checks that could not be evaluated: the error names them, each message once', async (t) => {
  const denied = 'AccessDenied on iam:GetAccountSummary in 111122223333: the audit role lacks it';
  const error = accountError(
    scanned([result('a', 'ERROR', denied), result('b', 'ERROR', denied), result('c', 'PASS', 'ok')]),
  );
  t.equal(error, `2 check(s) could not be evaluated in 111122223333: ${denied}`);
});

t.test('a very long error is cut', async (t) => {
  const results = Array.from({ length: 50 }, (_, i) => result(`c${i}`, 'ERROR', `${'x'.repeat(100)} ${i}`));
  t.equal(accountError(scanned(results))?.length, 2000);
});
