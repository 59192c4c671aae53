import t from 'tap';
import {
  credentialReport,
  reportRootKeyUsedDaysAgo,
  reportRootNeverUsed,
  reportRootPasswordUsedDaysAgo,
  reportWithoutRootRow,
  rootRow,
} from '../fixtures/iam.ts';
import { context, evaluateOne, evidenceFor, failed, ok } from '../testing/index.ts';
import { rootNotRecentlyUsed } from './root-not-recently-used.ts';

t.test('PASS when root was last used before the window', async (t) => {
  const result = evaluateOne(
    rootNotRecentlyUsed,
    evidenceFor({ credentialReport: ok(reportRootPasswordUsedDaysAgo(120)) }),
  );
  t.equal(result.status, 'PASS');
  t.match(result.message, /more than 90 days ago/);
});

t.test('FAIL when the password was used within the window', async (t) => {
  const result = evaluateOne(
    rootNotRecentlyUsed,
    evidenceFor({ credentialReport: ok(reportRootPasswordUsedDaysAgo(12)) }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /password was last used 2026-11-11/);
});

t.test('FAIL when access key 2 was used within the window, even if the password was not', async (t) => {
  const report = reportRootKeyUsedDaysAgo(30, 2);
  report.root!.passwordLastUsed = '2025-01-01T00:00:00+00:00';
  const result = evaluateOne(rootNotRecentlyUsed, evidenceFor({ credentialReport: ok(report) }));
  t.equal(result.status, 'FAIL');
  t.match(result.message, /access key 2 was last used/);
});

t.test('the window is configurable', async (t) => {
  const evidence = evidenceFor({ credentialReport: ok(reportRootKeyUsedDaysAgo(30)) });
  t.equal(evaluateOne(rootNotRecentlyUsed, evidence, context({ rootUsageWindowDays: 14 })).status, 'PASS');
  t.equal(evaluateOne(rootNotRecentlyUsed, evidence, context({ rootUsageWindowDays: 45 })).status, 'FAIL');
});

t.test('N/A and no_information are not dates: never used is PASS', async (t) => {
  t.equal(
    evaluateOne(rootNotRecentlyUsed, evidenceFor({ credentialReport: ok(reportRootNeverUsed()) })).status,
    'PASS',
  );
  const raw = credentialReport(
    rootRow({ passwordLastUsed: 'no_information', passwordLastChanged: 'not_supported' }),
  );
  raw.root!.accessKeys[0]!.lastUsedDate = 'N/A';
  t.equal(evaluateOne(rootNotRecentlyUsed, evidenceFor({ credentialReport: ok(raw) })).status, 'PASS');
});

t.test('report without a root row cannot prove non-use: ERROR, not PASS', async (t) => {
  const result = evaluateOne(
    rootNotRecentlyUsed,
    evidenceFor({ credentialReport: ok(reportWithoutRootRow()) }),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /no <root_account> row/);
});

t.test('the missing root row is told like any ERROR: account, action, code and what to do', async (t) => {
  const result = evaluateOne(
    rootNotRecentlyUsed,
    evidenceFor({ credentialReport: ok(reportWithoutRootRow()) }),
  );
  t.match(
    result.message,
    /RootRowMissing on iam:GetCredentialReport in 111122223333: the credential report generated .* has no <root_account> row; IAM left root out of the report/,
  );
});

t.test('a PASS names the time the credential report was generated, and records it', async (t) => {
  const result = evaluateOne(
    rootNotRecentlyUsed,
    evidenceFor({ credentialReport: ok(reportRootNeverUsed()) }),
  );
  t.equal(result.status, 'PASS');
  t.match(result.message, /credential report generated 2026-11-2\dT/);
  t.match(result.evidence, { credentialReportGeneratedTime: String });
});

t.test('ERROR when the credential report failed', async (t) => {
  const result = evaluateOne(
    rootNotRecentlyUsed,
    evidenceFor({ credentialReport: failed('iam:GetCredentialReport', 'ReportNotPresent') }),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /ReportNotPresent on iam:GetCredentialReport in 111122223333/);
});
