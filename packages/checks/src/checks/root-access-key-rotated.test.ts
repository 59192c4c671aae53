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
  rootWithAccessKeys,
  rootWithoutPasswordOrKeys,
  summaryWithoutKeyAndCertificateFlags,
} from '../fixtures/iam.ts';
import { evaluateOne, evidenceFor, failed, ok } from '../testing/index.ts';
import { rootAccessKeyRotated } from './root-access-key-rotated.ts';

/** The summary counts root keys: the credential report must tell their age. */
const withKeys = { accountSummary: ok(rootWithAccessKeys()) };

t.test('NOT_APPLICABLE when root has no keys, with the reason', async (t) => {
  const result = evaluateOne(
    rootAccessKeyRotated,
    evidenceFor({ credentialReport: ok(reportRootNeverUsed()) }),
  );
  t.equal(result.status, 'NOT_APPLICABLE');
  t.match(result.message, /no access keys/);
});

t.test('inactive keys are ignored: an old inactive key alone is NOT_APPLICABLE', async (t) => {
  const result = evaluateOne(
    rootAccessKeyRotated,
    evidenceFor({ ...withKeys, credentialReport: ok(reportRootOnlyInactiveOldKey()) }),
  );
  t.equal(result.status, 'NOT_APPLICABLE');
  t.match(result.message, /inactive key 1/);
});

t.test('PASS when every active key was rotated within 90 days', async (t) => {
  const result = evaluateOne(
    rootAccessKeyRotated,
    evidenceFor({ ...withKeys, credentialReport: ok(reportRootKeysRotatedDaysAgo(10, 89)) }),
  );
  t.equal(result.status, 'PASS');
});

t.test('FAIL when one active key is older than 90 days, naming it', async (t) => {
  const result = evaluateOne(
    rootAccessKeyRotated,
    evidenceFor({ ...withKeys, credentialReport: ok(reportRootKeysRotatedDaysAgo(10, 91)) }),
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
  t.equal(
    evaluateOne(rootAccessKeyRotated, evidenceFor({ ...withKeys, credentialReport: ok(report) })).status,
    'PASS',
  );
});

t.test(
  'an active key without a rotation date (N/A) is ERROR naming account, action, code and what to do',
  async (t) => {
    const report = credentialReport(
      rootRow({
        accessKeys: [
          { ...accessKey(1, { active: true, rotatedDaysAgo: 1 }), lastRotated: 'N/A' },
          noAccessKey(2),
        ],
      }),
    );
    const result = evaluateOne(
      rootAccessKeyRotated,
      evidenceFor({ ...withKeys, credentialReport: ok(report) }),
    );
    t.equal(result.status, 'ERROR');
    t.match(
      result.message,
      /^RotationDateMissing on iam:GetCredentialReport in 111122223333: .*active root access key 1.*; see the key's creation date/,
    );
  },
);

t.test('a key past 90 days FAILs even beside an active key whose age is unknown', async (t) => {
  const report = credentialReport(
    rootRow({
      accessKeys: [
        { ...accessKey(1, { active: true, rotatedDaysAgo: 1 }), lastRotated: null },
        accessKey(2, { active: true, rotatedDaysAgo: 200 }),
      ],
    }),
  );
  const result = evaluateOne(
    rootAccessKeyRotated,
    evidenceFor({ ...withKeys, credentialReport: ok(report) }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /access key 2 .*200 days ago.*age of active key 1 is unknown/);
});

t.test('report without a root row: ERROR', async (t) => {
  const result = evaluateOne(
    rootAccessKeyRotated,
    evidenceFor({ ...withKeys, credentialReport: ok(reportWithoutRootRow()) }),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /no <root_account> row/);
});

t.test('ERROR when the credential report failed', async (t) => {
  const result = evaluateOne(
    rootAccessKeyRotated,
    evidenceFor({ ...withKeys, credentialReport: failed('iam:GenerateCredentialReport', 'LimitExceeded') }),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /LimitExceeded on iam:GenerateCredentialReport in 111122223333/);
});

t.test('AccountAccessKeysPresent = 0 proves NOT_APPLICABLE, whatever became of the report', async (t) => {
  for (const credentialReport of [
    failed('iam:GenerateCredentialReport', 'ThrottlingException'),
    ok(reportWithoutRootRow()),
  ]) {
    const result = evaluateOne(
      rootAccessKeyRotated,
      evidenceFor({ accountSummary: ok(rootWithoutPasswordOrKeys()), credentialReport }),
    );
    t.equal(result.status, 'NOT_APPLICABLE');
    t.match(result.message, /AccountAccessKeysPresent = 0/);
  }
});

t.test(
  'keys the summary counts but the report does not list yet are younger than the report: PASS',
  async (t) => {
    const result = evaluateOne(
      rootAccessKeyRotated,
      evidenceFor({ ...withKeys, credentialReport: ok(reportRootNeverUsed()) }),
    );
    t.equal(result.status, 'PASS');
    t.match(result.message, /does not list yet: they were created since/);
  },
);

t.test('AccountAccessKeysPresent missing and no root row: ERROR naming both sources', async (t) => {
  const result = evaluateOne(
    rootAccessKeyRotated,
    evidenceFor({
      accountSummary: ok(summaryWithoutKeyAndCertificateFlags()),
      credentialReport: ok(reportWithoutRootRow()),
    }),
  );
  t.equal(result.status, 'ERROR');
  t.match(
    result.message,
    /SummaryKeyMissing on iam:GetAccountSummary in 111122223333: AccountAccessKeysPresent is missing/,
  );
  t.match(result.message, /RootRowMissing on iam:GetCredentialReport in 111122223333/);
});

t.test('AccountAccessKeysPresent missing: the report row without keys proves NOT_APPLICABLE', async (t) => {
  const result = evaluateOne(
    rootAccessKeyRotated,
    evidenceFor({
      accountSummary: ok(summaryWithoutKeyAndCertificateFlags()),
      credentialReport: ok(reportRootNeverUsed()),
    }),
  );
  t.equal(result.status, 'NOT_APPLICABLE');
});
