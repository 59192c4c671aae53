import t from 'tap';
import { daysBeforeNow } from '../fixtures/accounts.ts';
import { rootApiCall, rootConsoleLogin, rootEvents } from '../fixtures/monitoring.ts';
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
