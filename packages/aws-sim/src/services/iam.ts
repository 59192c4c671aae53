import {
  type CallContext,
  inputNumber,
  inputString,
  isManagementOrDelegated,
  type ServiceHandlers,
} from '../context.ts';
import { credentialReportCsv } from '../credential-report.ts';
import { type AccountModel, AUDIT_ROOT_ALLOWED_ACTIONS, AUDIT_ROOT_TASK_POLICY } from '../model.ts';
import { paginate, SimError, XmlMap } from '../protocol.ts';

const REPORT_MAX_AGE_MS = 4 * 3_600_000;

export function rootVirtualMfaSerial(accountId: string): string {
  return `arn:aws:iam::${accountId}:mfa/root-account-mfa-device`;
}

export function rootHardwareMfaSerial(accountId: string): string {
  return `GAHT${accountId.slice(-8)}`;
}

function rootMfaDevices(account: AccountModel) {
  const enabled = new Date(account.root.mfaEnabled ?? account.joined);
  const devices: { SerialNumber: string; EnableDate: Date }[] = [];
  if (account.root.mfa === 'virtual' || account.root.mfa === 'both') {
    devices.push({ SerialNumber: rootVirtualMfaSerial(account.id), EnableDate: enabled });
  }
  if (account.root.mfa === 'hardware' || account.root.mfa === 'both') {
    devices.push({ SerialNumber: rootHardwareMfaSerial(account.id), EnableDate: enabled });
  }
  return devices;
}

/** The root user as IAM's User shape describes it. */
function rootUser(account: AccountModel) {
  return {
    UserId: account.id,
    Arn: `arn:aws:iam::${account.id}:root`,
    CreateDate: new Date(account.joined),
    PasswordLastUsed: account.root.passwordLastUsed ? new Date(account.root.passwordLastUsed) : undefined,
  };
}

function invalidMarker(): SimError {
  return new SimError('InvalidInput', 'Invalid Marker', 400);
}

function iamPage<T>(ctx: CallContext, all: readonly T[], scope: string) {
  const max = inputNumber(ctx, 'MaxItems') ?? 100;
  const page = paginate(all, inputString(ctx, 'Marker'), max, `${scope}:${ctx.account.id}`, invalidMarker);
  return { items: page.items, IsTruncated: page.next !== undefined, Marker: page.next };
}

/** User-level calls without UserName mean "the caller": root in a root session, nobody for roles. */
function callerIsRoot(ctx: CallContext): boolean {
  const userName = inputString(ctx, 'UserName');
  if (userName !== undefined) {
    throw new SimError('NoSuchEntity', `The user with name ${userName} cannot be found.`, 404);
  }
  if (ctx.principal.kind === 'role') {
    throw new SimError(
      'ValidationError',
      'Must specify userName when calling with non-User credentials',
      400,
    );
  }
  return ctx.principal.kind === 'root';
}

/** Root sessions are scoped by their task policy. */
export function checkRootSession(ctx: CallContext): void {
  if (ctx.principal.kind !== 'root') return;
  const allowed =
    ctx.principal.taskPolicyArn === AUDIT_ROOT_TASK_POLICY &&
    AUDIT_ROOT_ALLOWED_ACTIONS.includes(ctx.operation);
  if (!allowed) {
    throw new SimError(
      'AccessDenied',
      `User: ${ctx.principal.arn} is not authorized to perform: iam:${ctx.operation} because no session policy allows the iam:${ctx.operation} action`,
      403,
    );
  }
}

function reportState(ctx: CallContext) {
  const account = ctx.account;
  const stuckKnob = ctx.state.knobs.faults?.credentialReportStuck;
  const stuck =
    account.credentialReport?.stuck === true ||
    stuckKnob === true ||
    (stuckKnob?.includes(account.id) ?? false);
  const existing = ctx.state.credentialReports.get(account.id);
  if (existing && existing.generatedAt === undefined) {
    existing.stuck = stuck;
    if (!stuck && ctx.now >= existing.readyAt) {
      existing.generatedAt = existing.readyAt;
      existing.csv = credentialReportCsv(account);
    }
  }
  return { existing, stuck };
}

export const iam: ServiceHandlers = {
  GetAccountSummary(ctx) {
    const root = ctx.account.root;
    const mfaDevices = rootMfaDevices(ctx.account).length;
    const summary: Record<string, number> = {
      AccessKeysPerUserQuota: 2,
      AccountAccessKeysPresent: root.accessKeys.length > 0 ? 1 : 0,
      AccountMFAEnabled: root.mfa === 'none' ? 0 : 1,
      AccountPasswordPresent: root.password ? 1 : 0,
      AccountSigningCertificatesPresent: root.signingCertificates.length > 0 ? 1 : 0,
      AssumeRolePolicySizeQuota: 2048,
      AttachedPoliciesPerGroupQuota: 10,
      AttachedPoliciesPerRoleQuota: 10,
      AttachedPoliciesPerUserQuota: 10,
      GlobalEndpointTokenVersion: 1,
      GroupPolicySizeQuota: 5120,
      Groups: 0,
      GroupsPerUserQuota: 10,
      GroupsQuota: 300,
      InstanceProfiles: 0,
      InstanceProfilesQuota: 1000,
      MFADevices: mfaDevices,
      MFADevicesInUse: mfaDevices,
      Policies: 0,
      PoliciesQuota: 1500,
      PolicySizeQuota: 6144,
      PolicyVersionsInUse: 0,
      PolicyVersionsInUseQuota: 10000,
      Providers: 0,
      RolePolicySizeQuota: 10240,
      Roles: ctx.account.auditRole === false ? 2 : 3,
      RolesQuota: 1000,
      ServerCertificates: 0,
      ServerCertificatesQuota: 20,
      SigningCertificatesPerUserQuota: 2,
      UserPolicySizeQuota: 2048,
      Users: 0,
      UsersQuota: 5000,
      VersionsPerPolicyQuota: 5,
    };
    for (const key of ctx.account.summaryOmits ?? []) delete summary[key];
    return { SummaryMap: new XmlMap(summary) };
  },

  GenerateCredentialReport(ctx) {
    const { existing, stuck } = reportState(ctx);
    const fresh = existing?.generatedAt !== undefined && ctx.now - existing.generatedAt < REPORT_MAX_AGE_MS;
    if (fresh) return { State: 'COMPLETE' };
    if (existing && existing.generatedAt === undefined) {
      return { State: 'INPROGRESS', Description: 'Report generation in progress' };
    }
    const delay =
      ctx.account.credentialReport?.generationDelayMs ?? ctx.state.knobs.credentialReportDelayMs ?? 20;
    ctx.state.credentialReports.set(ctx.account.id, {
      requestedAt: ctx.now,
      readyAt: ctx.now + delay,
      stuck,
    });
    return { State: 'STARTED', Description: 'No report exists. Starting a new report generation task' };
  },

  GetCredentialReport(ctx) {
    const { existing } = reportState(ctx);
    if (!existing) {
      throw new SimError(
        'ReportNotPresent',
        'Credential report not present. Use GenerateCredentialReport.',
        410,
      );
    }
    if (existing.generatedAt === undefined || existing.csv === undefined) {
      throw new SimError('ReportInProgress', 'Credential report is being generated.', 404);
    }
    if (ctx.now - existing.generatedAt >= REPORT_MAX_AGE_MS) {
      throw new SimError(
        'ReportExpired',
        'Credential report has expired. Use GenerateCredentialReport.',
        410,
      );
    }
    return {
      Content: Buffer.from(existing.csv, 'utf8').toString('base64'),
      ReportFormat: 'text/csv',
      GeneratedTime: new Date(existing.generatedAt),
    };
  },

  ListVirtualMFADevices(ctx) {
    const account = ctx.account;
    const status = inputString(ctx, 'AssignmentStatus') ?? 'Any';
    const devices =
      status === 'Unassigned' || (account.root.mfa !== 'virtual' && account.root.mfa !== 'both')
        ? []
        : [
            {
              SerialNumber: rootVirtualMfaSerial(account.id),
              User: rootUser(account),
              EnableDate: new Date(account.root.mfaEnabled ?? account.joined),
            },
          ];
    const page = iamPage(ctx, devices, 'vmfa');
    return { VirtualMFADevices: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  ListOrganizationsFeatures(ctx) {
    const org = ctx.index.model.organization;
    if (!isManagementOrDelegated(ctx)) {
      throw new SimError(
        'AccountNotManagementOrDelegatedAdministratorException',
        'The request was rejected because the account making the request is not the management account or delegated administrator account for centralized root access.',
        400,
      );
    }
    if (org.featureSet !== 'ALL') {
      throw new SimError(
        'OrganizationNotInAllFeaturesModeException',
        'The request was rejected because your organization does not have All features enabled.',
        400,
      );
    }
    if (!org.trustedAccess.includes('iam.amazonaws.com')) {
      throw new SimError(
        'ServiceAccessNotEnabledException',
        'The request was rejected because trusted access is not enabled for IAM in Organizations.',
        400,
      );
    }
    return { OrganizationId: org.id, EnabledFeatures: [...org.features] };
  },

  GetLoginProfile(ctx) {
    const root = callerIsRoot(ctx);
    if (!root || !ctx.account.root.password) {
      throw new SimError(
        'NoSuchEntity',
        `Login Profile for User ${root ? 'root' : 'rootaudit'} cannot be found.`,
        404,
      );
    }
    return { LoginProfile: { CreateDate: new Date(ctx.account.joined), PasswordResetRequired: false } };
  },

  GetUser(ctx) {
    const root = callerIsRoot(ctx);
    const account = ctx.account;
    if (!root) {
      return {
        User: {
          Path: '/',
          UserName: 'rootaudit',
          UserId: ctx.principal.userId,
          Arn: ctx.principal.arn,
          CreateDate: new Date(account.joined),
        },
      };
    }
    return { User: rootUser(account) };
  },

  ListAccessKeys(ctx) {
    const keys = callerIsRoot(ctx) ? ctx.account.root.accessKeys : [];
    const page = iamPage(
      ctx,
      keys.map((k) => ({
        AccessKeyId: k.id,
        Status: k.active ? 'Active' : 'Inactive',
        CreateDate: new Date(k.created),
      })),
      'keys',
    );
    return { AccessKeyMetadata: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  ListMFADevices(ctx) {
    const devices = callerIsRoot(ctx) ? rootMfaDevices(ctx.account) : [];
    const page = iamPage(ctx, devices, 'mfa');
    return { MFADevices: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  ListSigningCertificates(ctx) {
    const certs = callerIsRoot(ctx) ? ctx.account.root.signingCertificates : [];
    const page = iamPage(
      ctx,
      certs.map((c) => ({
        CertificateId: c.id,
        CertificateBody: `-----BEGIN CERTIFICATE-----\nSIMULATED${c.id}\n-----END CERTIFICATE-----`,
        Status: c.active ? 'Active' : 'Inactive',
        UploadDate: new Date(c.uploaded),
      })),
      'certs',
    );
    return { Certificates: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  GetAccessKeyLastUsed(ctx) {
    const id = inputString(ctx, 'AccessKeyId');
    const key = ctx.account.root.accessKeys.find((k) => k.id === id);
    if (!key)
      throw new SimError(
        'AccessDenied',
        `Access key ${id} does not belong to account ${ctx.account.id}`,
        403,
      );
    return {
      AccessKeyLastUsed: key.lastUsed
        ? {
            LastUsedDate: new Date(key.lastUsed),
            ServiceName: key.lastUsedService ?? 'iam',
            Region: key.lastUsedRegion ?? 'us-east-1',
          }
        : { ServiceName: 'N/A', Region: 'N/A' },
    };
  },
};
