import type { STSClient } from '@aws-sdk/client-sts';
import t from 'tap';
import { AssumeRoleError, isAwsUnavailable, ORGANIZATION_ROLE_HINT } from './errors.ts';
import { RoleSession, roleSessionName } from './session.ts';
import { awsError } from './testing.ts';

t.test('session names carry the scan id within STS limits', async (t) => {
  t.equal(roleSessionName('2026-11-23T02:00:00Z'), 'rootaudit-2026-11-23T02-00-00Z');
  t.equal(roleSessionName('a b/c#d'), 'rootaudit-a-b-c-d');
  t.equal(roleSessionName('x'.repeat(100)).length, 64);
  t.match(roleSessionName('ok+=,.@_-'), /^rootaudit-ok\+=,\.@_-$/);
});

function fakeSts(answer: () => unknown) {
  const inputs: Record<string, unknown>[] = [];
  const sts = {
    send: async (command: { input: Record<string, unknown> }) => {
      inputs.push(command.input);
      return answer();
    },
  } as unknown as STSClient;
  return { sts, inputs };
}

t.test('credentials are cached until shortly before they expire, then refreshed', async (t) => {
  let now = 0;
  let issued = 0;
  const { sts, inputs } = fakeSts(() => {
    issued += 1;
    return {
      Credentials: {
        AccessKeyId: `ASIA${issued}`,
        SecretAccessKey: 's',
        SessionToken: 't',
        Expiration: new Date(now + 3_600_000),
      },
    };
  });
  const session = new RoleSession({
    sts,
    roleArn: 'arn:aws:iam::111122223333:role/RootAuditRole',
    externalId: 'ext',
    sessionName: 'rootaudit-1',
    now: () => now,
  });
  const [a, b] = await Promise.all([session.credentials(), session.credentials()]);
  t.equal(a.accessKeyId, 'ASIA1');
  t.equal(b.accessKeyId, 'ASIA1', 'concurrent callers share one AssumeRole');
  now = 3_000_000;
  t.equal((await session.credentials()).accessKeyId, 'ASIA1');
  now = 3_400_000; // within the 5-minute refresh margin
  t.equal((await session.credentials()).accessKeyId, 'ASIA2');
  t.same(inputs[0], {
    RoleArn: 'arn:aws:iam::111122223333:role/RootAuditRole',
    RoleSessionName: 'rootaudit-1',
    DurationSeconds: 3600,
    ExternalId: 'ext',
  });
});

t.test('a refusal is an AssumeRoleError, remembered for a while, then retried', async (t) => {
  let now = 0;
  const { sts, inputs } = fakeSts(() => {
    throw awsError('AccessDenied', 'User is not authorized to perform: sts:AssumeRole', 403);
  });
  const session = new RoleSession({
    sts,
    roleArn: 'arn:aws:iam::111122223333:role/RootAuditRole',
    sessionName: 'rootaudit-1',
    now: () => now,
    failureTtlMs: 1_000,
  });
  await t.rejects(session.credentials(), AssumeRoleError);
  await t.rejects(session.credentials(), {
    code: 'AccessDenied',
    roleArn: 'arn:aws:iam::111122223333:role/RootAuditRole',
  });
  t.equal(inputs.length, 1);
  t.notOk('ExternalId' in (inputs[0] ?? {}), 'no ExternalId sent when none is configured');
  now = 2_000;
  await t.rejects(session.credentials());
  t.equal(inputs.length, 2);
});

t.test('STS unreachable is not remembered: the next caller asks again at once', async (t) => {
  let refused = true;
  const { sts, inputs } = fakeSts(() => {
    if (refused)
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' });
    return { Credentials: { AccessKeyId: 'ASIA1', SecretAccessKey: 's', SessionToken: 't' } };
  });
  const session = new RoleSession({
    sts,
    roleArn: 'arn:aws:iam::111122223333:role/RootAuditRole',
    sessionName: 'rootaudit-1',
    now: () => 0,
    failureTtlMs: 60_000,
  });
  const failure = await session.credentials().then(
    () => null,
    (error: unknown) => error,
  );
  t.type(failure, AssumeRoleError);
  t.ok(isAwsUnavailable(failure), 'the AssumeRoleError keeps what STS threw: unavailable');
  t.match(failure, { code: 'ECONNREFUSED' });
  refused = false;
  t.equal((await session.credentials()).accessKeyId, 'ASIA1', 'asked again, not the failure remembered');
  t.equal(inputs.length, 2);
});

t.test('other STS errors keep AWS’s message', async (t) => {
  const { sts } = fakeSts(() => {
    throw awsError('RegionDisabledException', 'STS is not activated in this region');
  });
  const session = new RoleSession({
    sts,
    roleArn: 'arn:aws:iam::111122223333:role/R',
    sessionName: 'rootaudit-1',
  });
  await t.rejects(session.credentials(), {
    message:
      'RegionDisabledException on sts:AssumeRole for arn:aws:iam::111122223333:role/R: STS is not activated in this region',
  });
});

t.test('a denied organization role gets its own hint', async (t) => {
  const { sts } = fakeSts(() => {
    throw awsError('AccessDenied', 'denied', 403);
  });
  const session = new RoleSession({
    sts,
    roleArn: 'arn:aws:iam::999999999999:role/OrgReader',
    sessionName: 'rootaudit-1',
    deniedHint: ORGANIZATION_ROLE_HINT,
  });
  await t.rejects(session.credentials(), {
    message:
      /^AccessDenied on sts:AssumeRole for arn:aws:iam::999999999999:role\/OrgReader: check ROOTAUDIT_ORG_ROLE_ARN/,
  });
});
