import t, { type Test } from 'tap';
import {
  assumedRoleSignIn,
  ec2StateChange,
  iamUserApiCall,
  type JsonObject,
  MANAGEMENT_ACCOUNT,
  MEMBER_ACCOUNT,
  privilegedSessionCallByAdmin,
  rootApiCallDenied,
  rootApiCallWithAccessKey,
  rootSignInFailed,
  rootSignInWithMfa,
  rootSignInWithoutMfa,
} from './fixtures/index.ts';
import { parseRootEvent, type RootActivityEvent } from './parse.ts';

function accepted(t: Test, envelope: unknown): RootActivityEvent {
  const parsed = parseRootEvent(envelope);
  if (!parsed.ok) {
    t.fail(`refused: ${parsed.reason}`);
    throw new Error(parsed.reason);
  }
  return parsed.event;
}

function refused(envelope: unknown): string {
  const parsed = parseRootEvent(envelope);
  return parsed.ok ? 'accepted' : parsed.reason;
}

/** A deep copy of a sample with `edit` applied to it. */
// biome-ignore lint/suspicious/noExplicitAny: the edits reach into the sample's JSON freely
function edited(sample: JsonObject, edit: (copy: { [key: string]: any }) => void): unknown {
  const copy = structuredClone(sample);
  edit(copy);
  return copy;
}

t.test('a root console sign-in with MFA: who, from where, MFA used, success', async (t) => {
  const event = accepted(t, rootSignInWithMfa);
  t.same(
    { ...event, raw: undefined },
    {
      eventId: '3fcfb182-98f8-4744-bd45-10a395ab61cb',
      accountId: MEMBER_ACCOUNT,
      eventTime: new Date('2026-11-30T08:15:42Z'),
      region: 'us-east-1',
      kind: 'sign-in',
      eventName: 'ConsoleLogin',
      eventSource: 'signin.amazonaws.com',
      sourceIpAddress: '192.0.2.110',
      userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36',
      mfaUsed: true,
      outcome: 'success',
      errorCode: null,
      errorMessage: null,
      privilegedSession: null,
      raw: undefined,
    },
  );
  t.equal(event.raw, rootSignInWithMfa, 'the raw event is the envelope as received');
});

t.test('a root console sign-in without MFA records MFA as not used', async (t) => {
  t.equal(accepted(t, rootSignInWithoutMfa).mfaUsed, false);
});

t.test('a sign-in whose MFAUsed is absent is unknown, not "no"', async (t) => {
  const event = accepted(
    t,
    edited(rootSignInWithMfa, (e) => {
      delete e.detail.additionalEventData.MFAUsed;
    }),
  );
  t.equal(event.mfaUsed, null);
});

t.test('a failed root sign-in: failure with its errorMessage (sign-ins record no errorCode)', async (t) => {
  const event = accepted(t, rootSignInFailed);
  t.equal(event.outcome, 'failure');
  t.equal(event.errorCode, null);
  t.equal(event.errorMessage, 'Failed authentication');
});

t.test('a sign-in that records neither Success nor Failure is refused, naming the field', async (t) => {
  const reason = refused(
    edited(rootSignInWithMfa, (e) => {
      e.detail.responseElements = null;
    }),
  );
  t.match(reason, /^malformed sign-in: detail\.responseElements\.ConsoleLogin: /);
});

t.test("the sign-in detail-type in the spelling of EventBridge's own list is accepted too", async (t) => {
  const event = accepted(
    t,
    edited(rootSignInWithMfa, (e) => {
      e['detail-type'] = 'AWS Console Signin via CloudTrail';
    }),
  );
  t.equal(event.kind, 'sign-in');
});

t.test('a root API call with a long-term access key: no session, so no MFA; success', async (t) => {
  const event = accepted(t, rootApiCallWithAccessKey);
  t.match(event, {
    kind: 'api-call',
    eventName: 'CreateUser',
    eventSource: 'iam.amazonaws.com',
    region: 'us-east-1',
    sourceIpAddress: '198.51.100.23',
    mfaUsed: false,
    outcome: 'success',
    errorCode: null,
    privilegedSession: null,
  });
});

t.test(
  'a root API call refused by AWS: failure with errorCode and errorMessage, in its region',
  async (t) => {
    const event = accepted(t, rootApiCallDenied);
    t.match(event, {
      eventName: 'DeleteTrail',
      region: 'eu-west-1',
      outcome: 'failure',
      errorCode: 'AccessDenied',
      errorMessage: /explicit deny in a service control policy/,
    });
  },
);

t.test('a root session call records MFA from sessionContext; a key it cannot place is unknown', async (t) => {
  const withMfa = edited(rootApiCallWithAccessKey, (e) => {
    e.detail.userIdentity.accessKeyId = 'ASIAIOSFODNN7EXAMPLE';
    e.detail.userIdentity.sessionContext = { attributes: { mfaAuthenticated: 'true' } };
  });
  t.equal(accepted(t, withMfa).mfaUsed, true);
  const noMfa = edited(rootApiCallWithAccessKey, (e) => {
    e.detail.userIdentity.accessKeyId = 'ASIAIOSFODNN7EXAMPLE';
    e.detail.userIdentity.sessionContext = { attributes: { mfaAuthenticated: 'false' } };
  });
  t.equal(accepted(t, noMfa).mfaUsed, false);
  const unknown = edited(rootApiCallWithAccessKey, (e) => {
    e.detail.userIdentity.accessKeyId = '';
  });
  t.equal(accepted(t, unknown).mfaUsed, null);
});

t.test("a privileged root session's call carries its AssumeRoot issuer", async (t) => {
  const event = accepted(t, privilegedSessionCallByAdmin);
  t.same(event.privilegedSession, {
    issuer: `arn:aws:sts::${MANAGEMENT_ACCOUNT}:assumed-role/AdministratorAccess/jane`,
    issuerType: 'AWS::IAM::Role',
    issuerAccount: MANAGEMENT_ACCOUNT,
  });
  t.equal(event.accountId, MEMBER_ACCOUNT);
  t.equal(event.mfaUsed, false);
});

t.test('assumedRoot without inScopeOf is still a privileged session, its issuer not recorded', async (t) => {
  const event = accepted(
    t,
    edited(privilegedSessionCallByAdmin, (e) => {
      delete e.detail.userIdentity.inScopeOf;
    }),
  );
  t.same(event.privilegedSession, { issuer: null, issuerType: null, issuerAccount: null });
});

t.test('an empty source IP or user agent is stored as absent', async (t) => {
  const event = accepted(
    t,
    edited(rootApiCallWithAccessKey, (e) => {
      e.detail.sourceIPAddress = '';
      delete e.detail.userAgent;
    }),
  );
  t.equal(event.sourceIpAddress, null);
  t.equal(event.userAgent, null);
});

t.test('non-root events are refused: the reason names the identity type', async (t) => {
  t.equal(refused(iamUserApiCall), 'not a root identity: detail.userIdentity.type is "IAMUser", not "Root"');
  t.equal(
    refused(assumedRoleSignIn),
    'not a root identity: detail.userIdentity.type is "AssumedRole", not "Root"',
  );
});

t.test('the sts:AssumeRoot call itself is not root activity: its caller is an assumed role', async (t) => {
  // "Track privileged tasks in AWS CloudTrail": the management account records AssumeRoot with the
  // caller's AssumedRole identity, and its sessionContext carries assumedRoot "true" as well.
  const assumeRoot = edited(assumedRoleSignIn, (e) => {
    e['detail-type'] = 'AWS API Call via CloudTrail';
    e.source = 'aws.sts';
    e.detail.eventSource = 'sts.amazonaws.com';
    e.detail.eventName = 'AssumeRoot';
    e.detail.awsRegion = 'us-west-2';
    e.detail.userIdentity.sessionContext.assumedRoot = 'true';
    e.detail.requestParameters = { targetPrincipal: MEMBER_ACCOUNT };
  });
  t.equal(refused(assumeRoot), 'not a root identity: detail.userIdentity.type is "AssumedRole", not "Root"');
});

t.test('an event that is not CloudTrail is refused with its detail-type', async (t) => {
  t.match(
    refused(ec2StateChange),
    /^not a CloudTrail event: detail-type "EC2 Instance State-change Notification"/,
  );
});

t.test('something that is not an EventBridge event is refused, naming the missing field', async (t) => {
  t.match(refused(null), /^not an EventBridge event: /);
  t.match(refused('{"detail-type":"AWS API Call via CloudTrail"}'), /^not an EventBridge event: /);
  t.match(refused([rootApiCallWithAccessKey]), /^not an EventBridge event: /);
  t.match(
    refused(
      edited(rootApiCallWithAccessKey, (e) => {
        delete e['detail-type'];
      }),
    ),
    /^not an EventBridge event: detail-type: /,
  );
  t.match(
    refused(
      edited(rootApiCallWithAccessKey, (e) => {
        e.detail = 'a string';
      }),
    ),
    /^not an EventBridge event: detail: /,
  );
});

t.test('a CloudTrail detail without the fields of a record is refused, naming the field', async (t) => {
  t.match(
    refused(
      edited(rootApiCallWithAccessKey, (e) => {
        delete e.detail.eventID;
      }),
    ),
    /^not a CloudTrail record: detail\.eventID: /,
  );
  t.match(
    refused(
      edited(rootApiCallWithAccessKey, (e) => {
        delete e.detail.userIdentity;
      }),
    ),
    /^not a CloudTrail record: detail\.userIdentity: /,
  );
  t.match(
    refused(
      edited(rootApiCallWithAccessKey, (e) => {
        e.detail.userIdentity.type = 7;
      }),
    ),
    /^not a CloudTrail record: detail\.userIdentity\.type: /,
  );
});

t.test('a malformed account id is refused', async (t) => {
  for (const account of ['11112222333', 'abcdefghijkl', '1111222233334', '']) {
    const reason = refused(
      edited(rootApiCallWithAccessKey, (e) => {
        e.account = account;
        delete e.detail.userIdentity.accountId;
        delete e.detail.recipientAccountId;
      }),
    );
    t.equal(reason, `malformed account: ${JSON.stringify(account)} is not a 12-digit AWS account id`);
  }
});

t.test("a record whose own account differs from the envelope's is refused", async (t) => {
  t.equal(
    refused(
      edited(rootApiCallWithAccessKey, (e) => {
        e.detail.userIdentity.accountId = '444455556666';
      }),
    ),
    `account mismatch: detail.userIdentity.accountId is 444455556666, the event's account is ${MEMBER_ACCOUNT}`,
  );
  t.match(
    refused(
      edited(rootApiCallWithAccessKey, (e) => {
        e.detail.recipientAccountId = '444455556666';
      }),
    ),
    /^account mismatch: detail\.recipientAccountId/,
  );
});

t.test('a malformed event time is refused', async (t) => {
  for (const time of [
    'yesterday',
    '2026-11-30 09:02:11',
    '2026-13-45T09:02:11Z',
    '2026-11-30T09:02:11+02:00',
  ]) {
    t.equal(
      refused(
        edited(rootApiCallWithAccessKey, (e) => {
          e.detail.eventTime = time;
        }),
      ),
      `malformed time: detail.eventTime ${JSON.stringify(time)} is not an ISO 8601 UTC time`,
      time,
    );
  }
  // Milliseconds are a valid form of the same instant.
  const event = accepted(
    t,
    edited(rootApiCallWithAccessKey, (e) => {
      e.detail.eventTime = '2026-11-30T09:02:11.250Z';
    }),
  );
  t.equal(event.eventTime.toISOString(), '2026-11-30T09:02:11.250Z');
});

t.test('a malformed region is refused', async (t) => {
  t.equal(
    refused(
      edited(rootApiCallWithAccessKey, (e) => {
        e.detail.awsRegion = 'Frankfurt';
      }),
    ),
    'malformed region: detail.awsRegion "Frankfurt" is not an AWS region',
  );
});
