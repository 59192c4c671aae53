import t from 'tap';
import {
  InvalidEventPatternError,
  judgeRootActivityPattern,
  matchesEventPattern,
  type RootActivityJudgement,
} from './event-pattern.ts';
import { asEventBridgeEvent, ordinaryActivity, rootActivityFamily } from './root-event-family.ts';

const event = {
  source: 'aws.ec2',
  'detail-type': 'EC2 Instance State-change Notification',
  region: 'eu-west-1',
  detail: {
    state: 'running',
    'instance-id': 'i-0abc',
    count: 5,
    flag: false,
    nothing: null,
    tags: ['prod', 'web'],
    items: [{ name: 'a' }, { name: 'b' }],
    ip: '10.0.0.42',
    path: '/usr/lib/x.so',
  },
};

t.test('matchesEventPattern', async (t) => {
  const cases: [string, unknown, boolean][] = [
    ['exact value in an array', { source: ['aws.ec2'] }, true],
    ['exact value, one of several', { source: ['aws.s3', 'aws.ec2'] }, true],
    ['exact value mismatch', { source: ['aws.s3'] }, false],
    ['every key must match', { source: ['aws.ec2'], region: ['us-east-1'] }, false],
    ['nested object', { detail: { state: ['running'] } }, true],
    ['nested object, missing field', { detail: { missing: ['x'] } }, false],
    ['number', { detail: { count: [5] } }, true],
    ['a string does not equal a number', { detail: { count: ['5'] } }, false],
    ['boolean', { detail: { flag: [false] } }, true],
    ['null matches an explicit null', { detail: { nothing: [null] } }, true],
    ['null does not match a missing field', { detail: { missing: [null] } }, false],
    ['array value: any element', { detail: { tags: ['web'] } }, true],
    ['array of objects: any element', { detail: { items: { name: ['b'] } } }, true],
    ['prefix', { region: [{ prefix: 'eu-' }] }, true],
    ['prefix mismatch', { region: [{ prefix: 'us-' }] }, false],
    ['prefix ignoring case', { source: [{ prefix: { 'equals-ignore-case': 'AWS.' } }] }, true],
    ['suffix', { detail: { path: [{ suffix: '.so' }] } }, true],
    ['suffix ignoring case', { detail: { path: [{ suffix: { 'equals-ignore-case': '.SO' } }] } }, true],
    ['equals-ignore-case', { detail: { state: [{ 'equals-ignore-case': 'RUNNING' }] } }, true],
    ['wildcard', { detail: { path: [{ wildcard: '*/lib/*' }] } }, true],
    ['wildcard mismatch', { detail: { path: [{ wildcard: '*/bin/*' }] } }, false],
    ['wildcard with an escaped star', { detail: { state: [{ wildcard: 'run\\*' }] } }, false],
    ['anything-but a value', { detail: { state: [{ 'anything-but': 'stopped' }] } }, true],
    ['anything-but the value', { detail: { state: [{ 'anything-but': 'running' }] } }, false],
    ['anything-but a list', { detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } }, false],
    ['anything-but a number', { detail: { count: [{ 'anything-but': 6 }] } }, true],
    ['anything-but prefix', { region: [{ 'anything-but': { prefix: 'us-' } }] }, true],
    ['anything-but prefix excluded', { region: [{ 'anything-but': { prefix: 'eu-' } }] }, false],
    ['anything-but suffix', { detail: { path: [{ 'anything-but': { suffix: '.so' } }] } }, false],
    [
      'anything-but ignoring case',
      { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'RUNNING' } }] } },
      false,
    ],
    ['anything-but wildcard', { detail: { path: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, false],
    ['anything-but needs the field', { detail: { missing: [{ 'anything-but': 'x' }] } }, false],
    ['exists true', { detail: { state: [{ exists: true }] } }, true],
    ['exists true, missing', { detail: { missing: [{ exists: true }] } }, false],
    ['exists false, missing', { detail: { missing: [{ exists: false }] } }, true],
    ['exists false, present', { detail: { state: [{ exists: false }] } }, false],
    ['numeric range', { detail: { count: [{ numeric: ['>', 0, '<=', 5] }] } }, true],
    ['numeric range miss', { detail: { count: [{ numeric: ['>', 5] }] } }, false],
    ['numeric equals', { detail: { count: [{ numeric: ['=', 5] }] } }, true],
    ['cidr', { detail: { ip: [{ cidr: '10.0.0.0/24' }] } }, true],
    ['cidr miss', { detail: { ip: [{ cidr: '10.0.1.0/24' }] } }, false],
    ['$or, one branch holds', { $or: [{ source: ['aws.s3'] }, { region: ['eu-west-1'] }] }, true],
    ['$or, no branch holds', { $or: [{ source: ['aws.s3'] }, { region: ['us-east-1'] }] }, false],
    ['$or nested in detail', { detail: { $or: [{ state: ['x'] }, { count: [5] }] } }, true],
    ['one matcher of several', { detail: { state: ['stopped', { prefix: 'run' }] } }, true],
  ];
  for (const [name, pattern, expected] of cases) {
    t.test(name, async (t) => {
      t.equal(matchesEventPattern(pattern, event), expected);
    });
  }

  const invalid: [string, unknown][] = [
    ['not an object', ['aws.ec2']],
    ['a scalar leaf', { source: 'aws.ec2' }],
    ['an empty array', { source: [] }],
    ['an unknown operator', { source: [{ regex: '.*' }] }],
    ['two operators in one matcher', { source: [{ prefix: 'a', suffix: 'b' }] }],
    ['a bad numeric', { detail: { count: [{ numeric: ['~', 1] }] } }],
    ['$or with one branch', { $or: [{ source: ['aws.ec2'] }] }],
    ['an IPv6 cidr', { detail: { ip: [{ cidr: '2001:db8::/32' }] } }],
    ['an invalid matcher after a matching one', { source: ['aws.ec2', { nope: 1 }] }],
  ];
  for (const [name, pattern] of invalid) {
    t.test(`invalid: ${name}`, async (t) => {
      t.throws(() => matchesEventPattern(pattern, event), InvalidEventPatternError);
    });
  }
});

const SCOPE = { accountId: '111122223333', region: 'us-east-1', partition: 'aws' };

t.test('the root-event family is what EventBridge delivers, varied on every field', async (t) => {
  const family = rootActivityFamily(SCOPE);
  const signIns = family.signIns.map((record) => asEventBridgeEvent(record, SCOPE));
  for (const signIn of signIns) {
    t.equal(signIn.source, 'aws.signin');
    t.equal(signIn['detail-type'], 'AWS Console Sign In via CloudTrail');
  }
  const calls = [...family.writeCalls, ...family.readCalls];
  const values = (field: string) => new Set(calls.map((record) => JSON.stringify(record[field])));
  t.ok(values('eventSource').size >= 5, 'several services');
  t.same([...values('readOnly')].sort(), ['false', 'true'], 'read and write');
  t.ok(
    calls.some((record) => 'errorCode' in record) && calls.some((record) => !('errorCode' in record)),
    'success and error',
  );
  const keys = new Set(
    calls.map((record) => String((record.userIdentity as { accessKeyId: string }).accessKeyId).slice(0, 4)),
  );
  t.same([...keys].sort(), ['AKIA', 'ASIA'], 'long-term and session keys');
  t.ok(values('sourceIPAddress').size >= 4, 'several source IPs, IPv6 among them');
  t.ok(values('userAgent').size >= 4, 'several user agents');
  for (const record of [...family.signIns, ...calls])
    t.equal(record.awsRegion, 'us-east-1', 'the scope region');
  const ordinary = ordinaryActivity(SCOPE);
  const types = new Set(
    [...ordinary.signIns, ...ordinary.writeCalls, ...ordinary.readCalls].map(
      (record) => (record.userIdentity as { type: string }).type,
    ),
  );
  t.same([...types].sort(), ['AssumedRole', 'IAMUser']);
});

t.test('judgeRootActivityPattern', async (t) => {
  const judgement = (
    signIns: boolean,
    writeCalls: boolean,
    readCalls: boolean,
    alertsOnOrdinaryActivity = false,
  ): Omit<RootActivityJudgement, 'misses'> => ({
    valid: true,
    signIns,
    writeCalls,
    readCalls,
    alertsOnOrdinaryActivity,
  });
  const all = judgement(true, true, true);
  const none = judgement(false, false, false);
  const root = { userIdentity: { type: ['Root'] } };
  // Judged as a rule in state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS in us-east-1.
  const cases: [string, unknown, Omit<RootActivityJudgement, 'misses'>][] = [
    [
      'the AWS-documented root activity pattern',
      {
        'detail-type': ['AWS API Call via CloudTrail', 'AWS Console Sign In via CloudTrail'],
        detail: root,
      },
      all,
    ],
    ['userIdentity.type Root with no source restriction', { detail: root }, all],
    [
      'sign-in only',
      { source: ['aws.signin'], 'detail-type': ['AWS Console Sign In via CloudTrail'], detail: root },
      judgement(true, false, false),
    ],
    [
      'sign-in only, by event name',
      { detail: { eventName: ['ConsoleLogin'], ...root } },
      judgement(true, false, false),
    ],
    [
      'API calls only',
      { 'detail-type': ['AWS API Call via CloudTrail'], detail: root },
      judgement(false, true, true),
    ],
    [
      'one service only: not root API calls generally',
      { source: ['aws.iam'], 'detail-type': ['AWS API Call via CloudTrail'], detail: root },
      none,
    ],
    ['detail-type by prefix', { 'detail-type': [{ prefix: 'AWS ' }], detail: root }, all],
    [
      'anything-but IAMUser and AssumedRole (root included)',
      { detail: { userIdentity: { type: [{ 'anything-but': ['IAMUser', 'AssumedRole'] }] } } },
      all,
    ],
    [
      'anything-but Root: ordinary activity only',
      { detail: { userIdentity: { type: [{ 'anything-but': 'Root' }] } } },
      judgement(false, false, false, true),
    ],
    ['root ARN by suffix', { detail: { userIdentity: { arn: [{ suffix: ':root' }] } } }, all],
    [
      'root ARN by wildcard',
      { detail: { userIdentity: { arn: [{ wildcard: 'arn:aws:iam::*:root' }] } } },
      all,
    ],
    [
      'root by equals-ignore-case',
      { detail: { userIdentity: { type: [{ 'equals-ignore-case': 'root' }] } } },
      all,
    ],
    [
      'an IAMUser pattern',
      { detail: { userIdentity: { type: ['IAMUser'] } } },
      judgement(false, false, false, true),
    ],
    [
      'no userIdentity filter: every CloudTrail event, so it alerts on everything',
      { 'detail-type': ['AWS API Call via CloudTrail', 'AWS Console Sign In via CloudTrail'] },
      judgement(true, true, true, true),
    ],
    [
      "root, or any call that failed: alerts on everyone's errors",
      { $or: [{ detail: root }, { detail: { errorCode: [{ exists: true }] } }] },
      judgement(true, true, true, true),
    ],
    [
      '$or of sign-in and API call branches',
      { detail: root, $or: [{ source: ['aws.signin'] }, { 'detail-type': ['AWS API Call via CloudTrail'] }] },
      all,
    ],
    [
      'sign-ins without MFA only: misses sign-ins with MFA',
      { detail: { ...root, additionalEventData: { MFAUsed: ['No'] } } },
      none,
    ],
    [
      'successful calls only (errorCode must not exist): misses failed root calls',
      { detail: { ...root, errorCode: [{ exists: false }] } },
      judgement(true, false, false),
    ],
    [
      'one source network (cidr): misses root activity from elsewhere',
      { detail: { ...root, sourceIPAddress: [{ cidr: '198.51.100.0/24' }] } },
      none,
    ],
    [
      'session keys only (ASIA prefix): misses long-term root access keys',
      { detail: { userIdentity: { type: ['Root'], accessKeyId: [{ prefix: 'ASIA' }] } } },
      none,
    ],
    [
      'MFA-authenticated sessions only: misses calls without MFA',
      {
        detail: {
          userIdentity: { type: ['Root'], sessionContext: { attributes: { mfaAuthenticated: ['true'] } } },
        },
      },
      none,
    ],
    [
      'write calls only (readOnly false): covers sign-ins and writes, not reads',
      { detail: { ...root, readOnly: [false] } },
      judgement(true, true, false),
    ],
    ['its own region', { region: ['us-east-1'], detail: root }, all],
    ['another region', { region: ['eu-west-1'], detail: root }, none],
    [
      'a browser user agent only: misses the CLI and SDKs',
      { detail: { ...root, userAgent: [{ prefix: 'Mozilla/' }] } },
      judgement(true, false, false),
    ],
    ['a GuardDuty finding pattern', { source: ['aws.guardduty'] }, none],
  ];
  for (const [name, pattern, expected] of cases) {
    t.test(name, async (t) => {
      t.match(judgeRootActivityPattern(JSON.stringify(pattern), SCOPE, true), expected);
    });
  }

  t.test(
    'a rule in state ENABLED receives no read-only events: reads are neither covered nor judged',
    async (t) => {
      t.match(
        judgeRootActivityPattern(JSON.stringify({ detail: root }), SCOPE, false),
        judgement(true, true, false),
      );
      // Matches every ordinary read-only call, which an ENABLED rule never receives.
      t.match(
        judgeRootActivityPattern(
          JSON.stringify({ $or: [{ detail: root }, { detail: { readOnly: [true] } }] }),
          SCOPE,
          false,
        ),
        judgement(true, true, false),
      );
    },
  );

  const invalid = {
    valid: false,
    signIns: false,
    writeCalls: false,
    readCalls: false,
    alertsOnOrdinaryActivity: false,
  };
  t.test('invalid JSON: nothing', async (t) => {
    t.match(judgeRootActivityPattern('{"detail":', SCOPE, true), invalid);
  });
  t.test('an invalid pattern: nothing', async (t) => {
    t.match(
      judgeRootActivityPattern(JSON.stringify({ detail: { userIdentity: { type: 'Root' } } }), SCOPE, true),
      invalid,
    );
  });
  t.test('a JSON value that is not a pattern: nothing', async (t) => {
    t.match(judgeRootActivityPattern('"Root"', SCOPE, true), invalid);
  });
  t.test('a pattern matching root activity in part names one form it misses', async (t) => {
    const partial = judgeRootActivityPattern(
      JSON.stringify({ detail: { ...root, errorCode: [{ exists: false }] } }),
      SCOPE,
      true,
    );
    t.equal(partial.misses.signIns, null, 'every sign-in matches');
    t.match(
      partial.misses.writeCalls,
      /^a write call \(CreateAccessKey\) failing with AccessDenied, made with a long-term access key from /,
    );
    const full = judgeRootActivityPattern(JSON.stringify({ detail: root }), SCOPE, true);
    t.same(full.misses, { signIns: null, writeCalls: null });
    const unrelated = judgeRootActivityPattern(JSON.stringify({ source: ['aws.guardduty'] }), SCOPE, true);
    t.same(unrelated.misses, { signIns: null, writeCalls: null }, 'nothing matched: nothing to name');
  });
});
