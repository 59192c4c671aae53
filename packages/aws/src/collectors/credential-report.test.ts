import t from 'tap';
import { awsError, collectorContext, fakeAccountClients, manualClock } from '../testing.ts';
import { credentialReportCollector } from './credential-report.ts';

const CSV =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n' +
  '<root_account>,arn:aws:iam::111122223333:root,2019-03-01T10:00:00+00:00,not_supported,no_information,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n';
const GENERATED = new Date('2026-11-23T08:00:00Z');

t.test(
  'STARTED → INPROGRESS → COMPLETE: polls with growing waits, fetches once, records GeneratedTime',
  async (t) => {
    const states = ['STARTED', 'INPROGRESS', 'COMPLETE'];
    const { clients, calls } = fakeAccountClients(({ operation }) => {
      if (operation === 'GenerateCredentialReport') return { State: states.shift() };
      if (operation === 'GetCredentialReport') {
        return { Content: new TextEncoder().encode(CSV), GeneratedTime: GENERATED, ReportFormat: 'text/csv' };
      }
    });
    const clock = manualClock();
    const result = await credentialReportCollector.collect(collectorContext(clients, { clock }));
    t.ok(result.ok);
    if (!result.ok) return;
    t.equal(result.value.generatedTime, '2026-11-23T08:00:00.000Z');
    t.equal(result.value.root?.mfaActive, true);
    t.equal(result.value.root?.passwordLastUsed, null);
    t.same(clock.slept, [100, 200]);
    t.same(
      calls.map((c) => c.operation),
      [
        'GenerateCredentialReport',
        'GenerateCredentialReport',
        'GenerateCredentialReport',
        'GetCredentialReport',
      ],
    );
  },
);

t.test('a report that never completes fails at the time limit with a typed error', async (t) => {
  const { clients, calls } = fakeAccountClients(({ operation }) =>
    operation === 'GenerateCredentialReport' ? { State: 'INPROGRESS' } : undefined,
  );
  const clock = manualClock();
  const result = await credentialReportCollector.collect(
    collectorContext(clients, { clock, credentialReportPolling: { timeLimitMs: 10_000, maxDelayMs: 2_000 } }),
  );
  t.same(result.ok ? null : { action: result.error.action, code: result.error.code }, {
    action: 'iam:GetCredentialReport',
    code: 'CredentialReportTimeout',
  });
  t.match(result.ok ? '' : result.error.message, /not ready after 10 s \(last state INPROGRESS\)/);
  t.same(
    clock.slept,
    [100, 200, 400, 800, 1600, 2000, 2000, 2000, 900],
    'backoff doubles, is capped, and stops at the limit',
  );
  t.notOk(calls.some((c) => c.operation === 'GetCredentialReport'));
});

t.test('ReportInProgress from GetCredentialReport after COMPLETE keeps polling', async (t) => {
  let gets = 0;
  const { clients } = fakeAccountClients(({ operation }) => {
    if (operation === 'GenerateCredentialReport') return { State: 'COMPLETE' };
    gets += 1;
    if (gets === 1) throw awsError('ReportInProgress', 'Report is in progress', 404);
    return { Content: new TextEncoder().encode(CSV), GeneratedTime: GENERATED };
  });
  const result = await credentialReportCollector.collect(collectorContext(clients, { clock: manualClock() }));
  t.ok(result.ok);
  t.equal(gets, 2);
});

t.test('AccessDenied on GenerateCredentialReport is a typed failure naming that action', async (t) => {
  const { clients } = fakeAccountClients(() => {
    throw awsError('AccessDenied', 'User is not authorized to perform: iam:GenerateCredentialReport', 403);
  });
  const result = await credentialReportCollector.collect(collectorContext(clients, { clock: manualClock() }));
  t.same(result, {
    ok: false,
    error: {
      action: 'iam:GenerateCredentialReport',
      code: 'AccessDenied',
      message: 'User is not authorized to perform: iam:GenerateCredentialReport',
    },
  });
});

t.test('a malformed report is a failure, not a throw', async (t) => {
  const { clients } = fakeAccountClients(({ operation }) =>
    operation === 'GenerateCredentialReport'
      ? { State: 'COMPLETE' }
      : {
          Content: new TextEncoder().encode('user,arn,password_last_used\n<root_account>,x,soon\n'),
          GeneratedTime: GENERATED,
        },
  );
  const result = await credentialReportCollector.collect(collectorContext(clients, { clock: manualClock() }));
  t.equal(result.ok ? null : result.error.code, 'CredentialReportFormatError');
});

t.test('a report without GeneratedTime is a failure: its age is never guessed from our clock', async (t) => {
  const { clients } = fakeAccountClients(({ operation }) =>
    operation === 'GenerateCredentialReport'
      ? { State: 'COMPLETE' }
      : { Content: new TextEncoder().encode(CSV), ReportFormat: 'text/csv' },
  );
  const result = await credentialReportCollector.collect(collectorContext(clients, { clock: manualClock() }));
  t.same(result.ok ? null : [result.error.action, result.error.code], [
    'iam:GetCredentialReport',
    'CredentialReportFormatError',
  ]);
});
