import t from 'tap';
import {
  InvalidEventPatternError,
  matchesEventPattern,
  matchesRootActivity,
  ROOT_API_CALL_EVENTS,
  ROOT_SIGN_IN_EVENTS,
} from './event-pattern.ts';

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

t.test('representative root events are what EventBridge delivers', async (t) => {
  for (const signIn of ROOT_SIGN_IN_EVENTS) {
    t.equal(signIn.source, 'aws.signin');
    t.equal(signIn['detail-type'], 'AWS Console Sign In via CloudTrail');
  }
  t.ok(new Set(ROOT_API_CALL_EVENTS.map((apiCall) => apiCall.source)).size >= 5, 'several services');
  for (const apiCall of ROOT_API_CALL_EVENTS) t.equal(apiCall['detail-type'], 'AWS API Call via CloudTrail');
});

t.test('matchesRootActivity', async (t) => {
  const both = { signIn: true, apiCalls: true };
  const signInOnly = { signIn: true, apiCalls: false };
  const apiOnly = { signIn: false, apiCalls: true };
  const neither = { signIn: false, apiCalls: false };
  const cases: [string, unknown, { signIn: boolean; apiCalls: boolean }][] = [
    [
      'the AWS-documented root activity pattern',
      {
        'detail-type': ['AWS API Call via CloudTrail', 'AWS Console Sign In via CloudTrail'],
        detail: { userIdentity: { type: ['Root'] } },
      },
      both,
    ],
    [
      'userIdentity.type Root with no source restriction',
      { detail: { userIdentity: { type: ['Root'] } } },
      both,
    ],
    [
      'sign-in only',
      {
        source: ['aws.signin'],
        'detail-type': ['AWS Console Sign In via CloudTrail'],
        detail: { userIdentity: { type: ['Root'] } },
      },
      signInOnly,
    ],
    [
      'sign-in only, by event name',
      { detail: { eventName: ['ConsoleLogin'], userIdentity: { type: ['Root'] } } },
      signInOnly,
    ],
    [
      'API calls only',
      { 'detail-type': ['AWS API Call via CloudTrail'], detail: { userIdentity: { type: ['Root'] } } },
      apiOnly,
    ],
    [
      'one service only: not root API calls generally',
      {
        source: ['aws.iam'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: { userIdentity: { type: ['Root'] } },
      },
      neither,
    ],
    [
      'detail-type by prefix',
      { 'detail-type': [{ prefix: 'AWS ' }], detail: { userIdentity: { type: ['Root'] } } },
      both,
    ],
    [
      'anything-but IAMUser (root included)',
      { detail: { userIdentity: { type: [{ 'anything-but': ['IAMUser', 'AssumedRole'] }] } } },
      both,
    ],
    ['anything-but Root', { detail: { userIdentity: { type: [{ 'anything-but': 'Root' }] } } }, neither],
    ['root ARN by suffix', { detail: { userIdentity: { arn: [{ suffix: ':root' }] } } }, both],
    [
      'root by equals-ignore-case',
      { detail: { userIdentity: { type: [{ 'equals-ignore-case': 'root' }] } } },
      both,
    ],
    ['an IAMUser pattern', { detail: { userIdentity: { type: ['IAMUser'] } } }, neither],
    [
      'no userIdentity filter: every CloudTrail event, root included',
      { 'detail-type': ['AWS API Call via CloudTrail', 'AWS Console Sign In via CloudTrail'] },
      both,
    ],
    [
      '$or of sign-in and API call branches',
      {
        detail: { userIdentity: { type: ['Root'] } },
        $or: [{ source: ['aws.signin'] }, { 'detail-type': ['AWS API Call via CloudTrail'] }],
      },
      both,
    ],
    [
      'successful sign-ins without MFA only: misses sign-ins with MFA',
      { detail: { userIdentity: { type: ['Root'] }, additionalEventData: { MFAUsed: ['No'] } } },
      neither,
    ],
    [
      'errorCode must not exist (successful calls): still every representative event',
      { detail: { userIdentity: { type: ['Root'] }, errorCode: [{ exists: false }] } },
      both,
    ],
    ['a GuardDuty finding pattern', { source: ['aws.guardduty'] }, neither],
  ];
  for (const [name, pattern, expected] of cases) {
    t.test(name, async (t) => {
      t.same(matchesRootActivity(JSON.stringify(pattern)), expected);
    });
  }

  t.test('invalid JSON: neither', async (t) => {
    t.same(matchesRootActivity('{"detail":'), neither);
  });
  t.test('an invalid pattern: neither', async (t) => {
    t.same(matchesRootActivity(JSON.stringify({ detail: { userIdentity: { type: 'Root' } } })), neither);
  });
  t.test('a JSON value that is not a pattern: neither', async (t) => {
    t.same(matchesRootActivity('"Root"'), neither);
  });
});
