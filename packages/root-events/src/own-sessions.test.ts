import t from 'tap';
import {
  MANAGEMENT_ACCOUNT,
  privilegedSessionCallByAdmin,
  privilegedSessionCallByRootaudit,
  ROOTAUDIT_ORG_ROLE,
  rootApiCallWithAccessKey,
  rootSignInWithMfa,
} from './fixtures/index.ts';
import { isOwnPrivilegedSession } from './own-sessions.ts';
import { parseRootEvent, type RootActivityEvent } from './parse.ts';

function parsed(envelope: unknown): RootActivityEvent {
  const result = parseRootEvent(envelope);
  if (!result.ok) throw new Error(result.reason);
  return result.event;
}

/** What sts:GetCallerIdentity answers rootaudit in this scan: a new session of the same role. */
const AUDIT_ISSUER = `arn:aws:sts::${MANAGEMENT_ACCOUNT}:assumed-role/RootAuditOrganization/rootaudit-scan-0200`;

t.test(
  "rootaudit's own audit read, in a session issued to its role in an earlier scan, is its own",
  async (t) => {
    t.equal(isOwnPrivilegedSession(parsed(privilegedSessionCallByRootaudit), AUDIT_ISSUER), true);
    // rootaudit running on the role's base credentials names the role itself.
    t.equal(isOwnPrivilegedSession(parsed(privilegedSessionCallByRootaudit), ROOTAUDIT_ORG_ROLE), true);
  },
);

t.test("someone else's privileged root session is root use, reported", async (t) => {
  t.equal(isOwnPrivilegedSession(parsed(privilegedSessionCallByAdmin), AUDIT_ISSUER), false);
});

t.test("a session issued to rootaudit's role doing anything but the audit's reads is reported", async (t) => {
  const event = parsed(privilegedSessionCallByRootaudit);
  t.equal(isOwnPrivilegedSession({ ...event, eventName: 'DeleteLoginProfile' }, AUDIT_ISSUER), false);
  t.equal(isOwnPrivilegedSession({ ...event, eventSource: 's3.amazonaws.com' }, AUDIT_ISSUER), false);
});

t.test('root activity outside a privileged session is never rootaudit', async (t) => {
  t.equal(isOwnPrivilegedSession(parsed(rootSignInWithMfa), AUDIT_ISSUER), false);
  const keyCall = parsed(rootApiCallWithAccessKey);
  t.equal(isOwnPrivilegedSession({ ...keyCall, eventName: 'ListAccessKeys' }, AUDIT_ISSUER), false);
});

t.test('when rootaudit does not know its own principal, nothing is taken for its audit', async (t) => {
  t.equal(isOwnPrivilegedSession(parsed(privilegedSessionCallByRootaudit), null), false);
});

t.test('a privileged session whose issuer is not recorded is reported', async (t) => {
  const event = parsed(privilegedSessionCallByRootaudit);
  t.equal(
    isOwnPrivilegedSession(
      { ...event, privilegedSession: { issuer: null, issuerType: null, issuerAccount: MANAGEMENT_ACCOUNT } },
      AUDIT_ISSUER,
    ),
    false,
  );
});
