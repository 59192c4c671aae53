import t from 'tap';
import { daysBeforeNow } from '../fixtures/accounts.ts';
import {
  ORGANIZATION_ROLE_ARN,
  ORGANIZATION_SESSION_ARN,
  privilegedRootSessionCall,
  rootApiCall,
  rootConsoleLogin,
  rootEvents,
  rootEventsFor365DayWindow,
} from '../fixtures/monitoring.ts';
import { context, evaluateOne, evidenceFor, failed, regional } from '../testing/index.ts';
import { rootSigninActivity } from './root-signin-activity.ts';

const quiet = { 'us-east-1': rootEvents(), 'eu-west-1': rootEvents() };

t.test('PASS with no root event in any region', async (t) => {
  const result = evaluateOne(rootSigninActivity, evidenceFor({ rootEvents: regional(quiet) }));
  t.equal(result.status, 'PASS');
});

t.test('FAIL on a root ConsoleLogin, listing time, IP, user agent, MFAUsed and outcome', async (t) => {
  const result = evaluateOne(
    rootSigninActivity,
    evidenceFor({ rootEvents: regional({ ...quiet, 'us-east-1': rootEvents([rootConsoleLogin()]) }) }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /1 console sign-in/);
  t.match(
    result.message,
    /ConsoleLogin \(signin\.amazonaws\.com, us-east-1\) from 198\.51\.100\.23, Mozilla.*MFA used, Success/,
  );
});

t.test(
  'FAIL on a root API call in a scanned region; failed sign-ins are listed with their outcome',
  async (t) => {
    const result = evaluateOne(
      rootSigninActivity,
      evidenceFor({
        rootEvents: regional({
          'us-east-1': rootEvents([
            rootConsoleLogin({ eventId: 'failed-login', mfaUsed: false, outcome: 'Failure' }),
          ]),
          'eu-west-1': rootEvents([rootApiCall()]),
        }),
      }),
    );
    t.equal(result.status, 'FAIL');
    t.match(result.message, /2 event\(s\)/);
    t.match(result.message, /no MFA, Failure/);
    t.match(
      result.message,
      /RunInstances \(ec2\.amazonaws\.com, eu-west-1\) from 203\.0\.113\.7, aws-cli\/2\.22\.0, MFA not recorded/,
    );
  },
);

t.test('events older than the window do not count', async (t) => {
  const old = rootConsoleLogin({ eventTime: daysBeforeNow(120) });
  const result = evaluateOne(
    rootSigninActivity,
    evidenceFor({ rootEvents: regional({ ...quiet, 'us-east-1': rootEvents([old]) }) }),
  );
  t.equal(result.status, 'PASS');
});

t.test('ConsoleLogin is read in us-east-1 even when only eu-west-1 is scanned', async (t) => {
  const evidence = evidenceFor({
    rootEvents: regional({ 'us-east-1': rootEvents([rootConsoleLogin()]), 'eu-west-1': rootEvents() }),
  });
  const result = evaluateOne(rootSigninActivity, evidence, context({ regions: ['eu-west-1'] }));
  t.equal(result.status, 'FAIL');
});

t.test('ERROR when us-east-1 was not gathered, even if it is not scanned: sign-ins live there', async (t) => {
  const result = evaluateOne(
    rootSigninActivity,
    evidenceFor({ rootEvents: regional({ 'eu-west-1': rootEvents() }) }),
    context({ regions: ['eu-west-1'] }),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /recorded only in us-east-1/);
  t.match(result.message, /NotCollected on cloudtrail:LookupEvents in 111122223333 \(us-east-1\)/);
});

t.test('ERROR naming the region when a region failed and nothing was found', async (t) => {
  const result = evaluateOne(
    rootSigninActivity,
    evidenceFor({
      rootEvents: regional({
        ...quiet,
        'eu-west-1': failed('cloudtrail:LookupEvents', 'ThrottlingException', 'eu-west-1'),
      }),
    }),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /ThrottlingException on cloudtrail:LookupEvents in 111122223333 \(eu-west-1\)/);
});

t.test('events found in one region prove FAIL even if another region failed', async (t) => {
  const result = evaluateOne(
    rootSigninActivity,
    evidenceFor({
      rootEvents: regional({
        'us-east-1': rootEvents([rootConsoleLogin()]),
        'eu-west-1': failed('cloudtrail:LookupEvents', 'AccessDenied', 'eu-west-1'),
      }),
    }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /eu-west-1 could not be read/);
});

// ── Window longer than CloudTrail event history keeps ───────────────────────────────────────

t.test('a 365-day window never PASSes on the 90 days LookupEvents keeps: ERROR naming both', async (t) => {
  const quietYear = { 'us-east-1': rootEventsFor365DayWindow(), 'eu-west-1': rootEventsFor365DayWindow() };
  const result = evaluateOne(
    rootSigninActivity,
    evidenceFor({ rootEvents: regional(quietYear) }),
    context({ rootUsageWindowDays: 365 }),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /111122223333/);
  t.match(result.message, /cloudtrail:LookupEvents/);
  t.match(result.message, /90 days/);
  t.match(result.message, /365-day window/);
  t.match(result.message, /ROOTAUDIT_ROOT_USAGE_WINDOW_DAYS/);
  t.match(result.evidence, { lookedUpDays: 90, windowDays: 365 });
});

t.test(
  'a root event within the 90 days read still FAILs a 365-day window, saying what was read',
  async (t) => {
    const result = evaluateOne(
      rootSigninActivity,
      evidenceFor({
        rootEvents: regional({
          'us-east-1': rootEventsFor365DayWindow([rootConsoleLogin()]),
          'eu-west-1': rootEventsFor365DayWindow(),
        }),
      }),
      context({ rootUsageWindowDays: 365 }),
    );
    t.equal(result.status, 'FAIL');
    t.match(result.message, /last 90 days of the 365-day window/);
    t.match(result.evidence, { lookedUpDays: 90, windowDays: 365 });
  },
);

// ── IAM and STS events live in us-east-1 ───────────────────────────────────────────────────

t.test('a root IAM call in us-east-1 FAILs even when only eu-west-1 is scanned', async (t) => {
  const createKey = rootApiCall({
    eventName: 'CreateAccessKey',
    eventSource: 'iam.amazonaws.com',
    region: 'us-east-1',
  });
  const result = evaluateOne(
    rootSigninActivity,
    evidenceFor({
      rootEvents: regional({ 'us-east-1': rootEvents([createKey]), 'eu-west-1': rootEvents() }),
    }),
    context({ regions: ['eu-west-1'] }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /CreateAccessKey \(iam\.amazonaws\.com, us-east-1\)/);
});

t.test('a failed call is listed with its error code', async (t) => {
  const denied = rootApiCall({ eventName: 'DeleteTrail', outcome: 'Failure', errorCode: 'AccessDenied' });
  const result = evaluateOne(
    rootSigninActivity,
    evidenceFor({ rootEvents: regional({ ...quiet, 'eu-west-1': rootEvents([denied]) }) }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /DeleteTrail .*Failure \(AccessDenied\)/);
});

// ── Privileged root sessions (sts:AssumeRoot) ───────────────────────────────────────────────

t.test(
  "rootaudit's own audit session (its organization principal, audit reads only) never counts",
  async (t) => {
    const ownAudit = [
      privilegedRootSessionCall(ORGANIZATION_SESSION_ARN, { eventId: 'own-1', eventName: 'GetLoginProfile' }),
      privilegedRootSessionCall(ORGANIZATION_SESSION_ARN, { eventId: 'own-2', eventName: 'ListAccessKeys' }),
      privilegedRootSessionCall(ORGANIZATION_ROLE_ARN, { eventId: 'own-3', eventName: 'ListMFADevices' }),
      privilegedRootSessionCall(ORGANIZATION_SESSION_ARN.replace('scan-42', 'scan-41'), {
        eventId: 'own-4',
        eventName: 'ListSigningCertificates',
        errorCode: 'AccessDenied',
        outcome: 'Failure',
      }),
    ];
    const result = evaluateOne(
      rootSigninActivity,
      evidenceFor({
        rootEvents: regional({
          'us-east-1': rootEvents(ownAudit, { auditIssuer: ORGANIZATION_SESSION_ARN }),
          'eu-west-1': rootEvents(),
        }),
      }),
    );
    t.equal(result.status, 'PASS');
    t.match(result.evidence, { ownAuditSessionEvents: 4 });
  },
);

t.test('another privileged root session is reported with who issued it', async (t) => {
  const unlock = privilegedRootSessionCall('arn:aws:sts::111111111111:assumed-role/Admin/alice', {
    eventId: 'unlock',
    eventName: 'DeleteBucketPolicy',
    eventSource: 's3.amazonaws.com',
  });
  const result = evaluateOne(
    rootSigninActivity,
    evidenceFor({
      rootEvents: regional({
        'us-east-1': rootEvents([unlock], { auditIssuer: ORGANIZATION_SESSION_ARN }),
        'eu-west-1': rootEvents(),
      }),
    }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /1 in privileged root sessions/);
  t.match(
    result.message,
    /DeleteBucketPolicy .*privileged root session issued to arn:aws:sts::111111111111:assumed-role\/Admin\/alice/,
  );
});

t.test("a session issued to rootaudit's principal doing more than the audit reads is reported", async (t) => {
  const deleteProfile = privilegedRootSessionCall(ORGANIZATION_SESSION_ARN, {
    eventId: 'delete',
    eventName: 'DeleteLoginProfile',
  });
  const result = evaluateOne(
    rootSigninActivity,
    evidenceFor({
      rootEvents: regional({
        'us-east-1': rootEvents([deleteProfile], { auditIssuer: ORGANIZATION_SESSION_ARN }),
        'eu-west-1': rootEvents(),
      }),
    }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /DeleteLoginProfile/);
});

t.test("audit reads by a session whose issuer is not rootaudit's principal are reported", async (t) => {
  const someoneElse = privilegedRootSessionCall('arn:aws:iam::111111111111:role/OtherTool', {
    eventId: 'other-audit',
    eventName: 'ListAccessKeys',
  });
  const unknownIssuer = privilegedRootSessionCall(ORGANIZATION_SESSION_ARN, { eventId: 'ours-but-unknown' });
  const other = evaluateOne(
    rootSigninActivity,
    evidenceFor({
      rootEvents: regional({
        'us-east-1': rootEvents([someoneElse], { auditIssuer: ORGANIZATION_SESSION_ARN }),
        'eu-west-1': rootEvents(),
      }),
    }),
  );
  t.equal(other.status, 'FAIL');
  t.match(other.message, /issued to arn:aws:iam::111111111111:role\/OtherTool/);
  // Who rootaudit is could not be learnt: nothing is taken for its own.
  const unknown = evaluateOne(
    rootSigninActivity,
    evidenceFor({
      rootEvents: regional({ 'us-east-1': rootEvents([unknownIssuer]), 'eu-west-1': rootEvents() }),
    }),
  );
  t.equal(unknown.status, 'FAIL');
  t.match(unknown.message, /rootaudit's own organization principal could not be identified/);
});
