import t from 'tap';
import {
  accessKey,
  credentialReport,
  noAccessKey,
  reportRootKeysRotatedDaysAgo,
  reportRootNeverUsed,
  reportRootOnlyInactiveOldKey,
  reportWithoutRootRow,
  rootRow,
} from '../fixtures/iam.ts';
import { evaluateOne, evidenceFor, failed, ok } from '../testing/index.ts';
import { rootAccessKeyRotated } from './root-access-key-rotated.ts';

t.test('NOT_APPLICABLE when root has no keys, with the reason', async (t) => {
  const result = evaluateOne(
    rootAccessKeyRotated,
    evidenceFor({ credentialReport: ok(reportRootNeverUsed()) }),
  );
  t.equal(result.status, 'NOT_APPLICABLE');
  t.match(result.message, /no active access key/);
});

t.test('inactive keys are ignored: an old inactive key alone is NOT_APPLICABLE', async (t) => {
  const result = evaluateOne(
    rootAccessKeyRotated,
    evidenceFor({ credentialReport: ok(reportRootOnlyInactiveOldKey()) }),
  );
  t.equal(result.status, 'NOT_APPLICABLE');
  t.match(result.message, /inactive key 1/);
});

t.test('PASS when every active key was rotated within 90 days', async (t) => {
  const result = evaluateOne(
    rootAccessKeyRotated,
    evidenceFor({ credentialReport: ok(reportRootKeysRotatedDaysAgo(10, 89)) }),
  );
  t.equal(result.status, 'PASS');
});

t.test('FAIL when one active key is older than 90 days, naming it', async (t) => {
  const result = evaluateOne(
    rootAccessKeyRotated,
    evidenceFor({ credentialReport: ok(reportRootKeysRotatedDaysAgo(10, 91)) }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /access key 2 \(last rotated 2026-08-24, 91 days ago\)/);
  t.notMatch(result.message, /access key 1/);
});

t.test('an inactive old key beside a fresh active key does not FAIL', async (t) => {
  const report = credentialReport(
    rootRow({
      accessKeys: [
        accessKey(1, { active: true, rotatedDaysAgo: 5 }),
        accessKey(2, { active: false, rotatedDaysAgo: 400 }),
      ],
    }),
  );
  t.equal(evaluateOne(rootAccessKeyRotated, evidenceFor({ credentialReport: ok(report) })).status, 'PASS');
});

t.test('an active key without a rotation date (N/A) is ERROR, not a guess', async (t) => {
  const report = credentialReport(
    rootRow({
      accessKeys: [
        { ...accessKey(1, { active: true, rotatedDaysAgo: 1 }), lastRotated: 'N/A' },
        noAccessKey(2),
      ],
    }),
  );
  const result = evaluateOne(rootAccessKeyRotated, evidenceFor({ credentialReport: ok(report) }));
  t.equal(result.status, 'ERROR');
});

t.test('report without a root row: ERROR', async (t) => {
  const result = evaluateOne(
    rootAccessKeyRotated,
    evidenceFor({ credentialReport: ok(reportWithoutRootRow()) }),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /no <root_account> row/);
});

t.test('ERROR when the credential report failed', async (t) => {
  const result = evaluateOne(
    rootAccessKeyRotated,
    evidenceFor({ credentialReport: failed('iam:GenerateCredentialReport', 'LimitExceeded') }),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /LimitExceeded on iam:GenerateCredentialReport in 111122223333/);
});
