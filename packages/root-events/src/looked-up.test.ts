import t from 'tap';
import { MEMBER_ACCOUNT, rootSignInWithMfa } from './fixtures/index.ts';
import { rootActivityFromLookup } from './looked-up.ts';
import { parseRootEvent } from './parse.ts';

/** rootSignInWithMfa as the nightly check lists it (packages/aws rootEventFrom). */
const signIn = {
  eventId: '3fcfb182-98f8-4744-bd45-10a395ab61cb',
  eventTime: '2026-11-30T08:15:42.000Z',
  eventName: 'ConsoleLogin',
  eventSource: 'signin.amazonaws.com',
  region: 'us-east-1',
  sourceIpAddress: '192.0.2.110',
  userAgent: 'Mozilla/5.0',
  mfaUsed: true,
  outcome: 'Success',
  errorCode: null,
  privilegedSession: null,
};

t.test('a looked-up sign-in is the live event of the same CloudTrail event id', async (t) => {
  const live = parseRootEvent(rootSignInWithMfa);
  if (!live.ok) throw new Error(live.reason);
  const scanned = rootActivityFromLookup(MEMBER_ACCOUNT, signIn);
  t.match(scanned, {
    eventId: live.event.eventId,
    accountId: live.event.accountId,
    eventTime: live.event.eventTime,
    kind: 'sign-in',
    eventName: 'ConsoleLogin',
    mfaUsed: true,
    outcome: 'success',
    errorMessage: null,
    privilegedSession: null,
    raw: { source: 'cloudtrail:LookupEvents', event: signIn },
  });
});

t.test('outcomes: recorded, derived from the error code for calls, unknown for a sign-in', async (t) => {
  const call = {
    ...signIn,
    eventName: 'DeleteTrail',
    eventSource: 'cloudtrail.amazonaws.com',
    outcome: null,
  };
  t.match(rootActivityFromLookup(MEMBER_ACCOUNT, { ...call, errorCode: 'AccessDenied' }), {
    kind: 'api-call',
    outcome: 'failure',
    errorCode: 'AccessDenied',
  });
  t.match(rootActivityFromLookup(MEMBER_ACCOUNT, call), { outcome: 'success' });
  t.match(rootActivityFromLookup(MEMBER_ACCOUNT, { ...signIn, outcome: 'Failure' }), { outcome: 'failure' });
  t.equal(rootActivityFromLookup(MEMBER_ACCOUNT, { ...signIn, outcome: null }), null);
});

t.test('a privileged session keeps its issuer', async (t) => {
  const issuer = 'arn:aws:sts::999988887777:assumed-role/AdministratorAccess/jane';
  t.match(
    rootActivityFromLookup(MEMBER_ACCOUNT, {
      ...signIn,
      eventName: 'DeleteBucketPolicy',
      eventSource: 's3.amazonaws.com',
      privilegedSession: { issuer, issuerType: 'AWS::IAM::Role', issuerAccount: '999988887777' },
    }),
    { privilegedSession: { issuer, issuerType: 'AWS::IAM::Role', issuerAccount: '999988887777' } },
  );
});

t.test('what cannot be an event is null', async (t) => {
  for (const [situation, event] of [
    ['no event id', { ...signIn, eventId: '' }],
    ['no time', { ...signIn, eventTime: '' }],
    ['a time that is not one', { ...signIn, eventTime: 'yesterday' }],
    ['no region', { ...signIn, region: null }],
    ['not an object', 'ConsoleLogin'],
    ['an array', [signIn]],
    ['null', null],
  ] as const) {
    t.equal(rootActivityFromLookup(MEMBER_ACCOUNT, event), null, situation);
  }
});
