import {
  type CallContext,
  inputNumber,
  isManagementOrDelegated,
  type Principal,
  requireInput,
  type ServiceHandlers,
} from '../context.ts';
import { ROOT_TASK_POLICY_PREFIX } from '../model.ts';
import { SimError } from '../protocol.ts';

// Credentials map to accounts through the access key id:
//   ASIA<account id><R|T><6 chars>: a session issued by AssumeRole (R) or AssumeRoot (T);
//   AKIA<account id>…: base credentials of an IAM user "rootaudit" in that account;
//   anything else: base credentials in the management account.
// Sessions are also remembered, so GetCallerIdentity can name the role and session.

export function principalFor(
  accessKeyId: string,
  sessions: Map<string, Principal>,
  managementId: string,
): Principal {
  const known = sessions.get(accessKeyId);
  if (known) return known;
  const decoded = /^(ASIA|AKIA)(\d{12})([RT]?)/.exec(accessKeyId);
  const accountId = decoded?.[2] ?? managementId;
  if (decoded?.[1] === 'ASIA' && decoded[3] === 'T') {
    return { kind: 'root', accountId, arn: `arn:aws:iam::${accountId}:root`, userId: accountId, accessKeyId };
  }
  if (decoded?.[1] === 'ASIA') {
    return {
      kind: 'role',
      accountId,
      arn: `arn:aws:sts::${accountId}:assumed-role/unknown/unknown`,
      userId: 'AROAUNKNOWN:unknown',
      accessKeyId,
      roleName: 'unknown',
      sessionName: 'unknown',
    };
  }
  return {
    kind: 'base',
    accountId,
    arn: `arn:aws:iam::${accountId}:user/rootaudit`,
    userId: `AIDA${accountId}ROOTAUDIT`,
    accessKeyId,
  };
}

function issueCredentials(
  ctx: CallContext,
  principal: Omit<Principal, 'accessKeyId'>,
  kind: 'R' | 'T',
  seconds: number,
) {
  ctx.state.sessionCounter += 1;
  const accessKeyId = `ASIA${principal.accountId}${kind}${ctx.state.sessionCounter.toString(36).toUpperCase().padStart(6, '0')}`;
  ctx.state.sessions.set(accessKeyId, { ...principal, accessKeyId });
  return {
    AccessKeyId: accessKeyId,
    SecretAccessKey: `simulated-secret-${accessKeyId}`,
    SessionToken: `simulated-session-token-${accessKeyId}`,
    Expiration: new Date(ctx.now + seconds * 1000),
  };
}

function accessDenied(ctx: CallContext, action: string, resource: string): SimError {
  return new SimError(
    'AccessDenied',
    `User: ${ctx.principal.arn} is not authorized to perform: sts:${action} on resource: ${resource}`,
    403,
  );
}

export const sts: ServiceHandlers = {
  GetCallerIdentity(ctx) {
    return { UserId: ctx.principal.userId, Account: ctx.principal.accountId, Arn: ctx.principal.arn };
  },

  AssumeRole(ctx) {
    const roleArn = requireInput(ctx, 'RoleArn', 'ValidationError');
    const sessionName = requireInput(ctx, 'RoleSessionName', 'ValidationError');
    const match = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(roleArn);
    if (!match) throw new SimError('ValidationError', `${roleArn} is invalid`);
    const [, accountId, roleName] = match as unknown as [string, string, string];
    const target = ctx.index.accounts.get(accountId);
    const audit = ctx.index.model.auditRole;
    const missing = ctx.state.knobs.faults?.missingAuditRole?.includes(accountId) ?? false;
    const deployed =
      target !== undefined &&
      target.status === 'ACTIVE' &&
      roleName === audit.name &&
      target.auditRole !== false &&
      !missing;
    const externalIdOk = audit.externalId === undefined || ctx.input.ExternalId === audit.externalId;
    if (!deployed || !externalIdOk) throw accessDenied(ctx, 'AssumeRole', roleArn);
    const seconds = inputNumber(ctx, 'DurationSeconds') ?? 3600;
    const roleId = `AROA${accountId}${roleName.length.toString().padStart(3, '0')}`;
    const principal = {
      kind: 'role' as const,
      accountId,
      arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
      userId: `${roleId}:${sessionName}`,
      roleName,
      sessionName,
    };
    return {
      Credentials: issueCredentials(ctx, principal, 'R', seconds),
      AssumedRoleUser: { AssumedRoleId: principal.userId, Arn: principal.arn },
      PackedPolicySize: 0,
    };
  },

  AssumeRoot(ctx) {
    const target = requireInput(ctx, 'TargetPrincipal', 'ValidationError');
    const taskPolicy = ctx.input.TaskPolicyArn as { arn?: string } | undefined;
    const taskPolicyArn = taskPolicy?.arn ?? '';
    const org = ctx.index.model.organization;
    if (!taskPolicyArn.startsWith(ROOT_TASK_POLICY_PREFIX)) {
      throw new SimError('ValidationError', `TaskPolicyArn ${taskPolicyArn} is not a root task policy`);
    }
    const accountId = /(\d{12})/.exec(target)?.[1] ?? target;
    if (ctx.principal.kind === 'root' || !isManagementOrDelegated(ctx)) {
      throw accessDenied(ctx, 'AssumeRoot', `arn:aws:iam::${accountId}:root`);
    }
    // IAM credential tasks need root credentials management; the S3/SQS unlock tasks need root sessions.
    const feature = /root-task\/IAM/.test(taskPolicyArn) ? 'RootCredentialsManagement' : 'RootSessions';
    if (!org.features.includes(feature)) {
      throw new SimError(
        'AccessDenied',
        `Centralized root access (${feature}) is not enabled for organization ${org.id}`,
        403,
      );
    }
    const member = ctx.index.accounts.get(accountId);
    if (!member || accountId === org.managementAccountId || member.status !== 'ACTIVE') {
      throw accessDenied(ctx, 'AssumeRoot', `arn:aws:iam::${accountId}:root`);
    }
    const seconds = inputNumber(ctx, 'DurationSeconds') ?? 900;
    if (seconds > 900)
      throw new SimError('ValidationError', 'DurationSeconds exceeds the 900 second upper limit');
    const principal = {
      kind: 'root' as const,
      accountId,
      arn: `arn:aws:iam::${accountId}:root`,
      userId: accountId,
      taskPolicyArn,
    };
    return { Credentials: issueCredentials(ctx, principal, 'T', seconds), SourceIdentity: undefined };
  },
};
