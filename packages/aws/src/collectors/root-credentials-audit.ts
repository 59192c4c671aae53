/**
 * What the member's root user holds, read through `sts:AssumeRoot` (from the organization's
 * management or IAM delegated-admin account) with the IAMAuditRootUserCredentials task policy.
 * Only when centralized root credentials management is on, and only for member accounts.
 */
import {
  GetLoginProfileCommand,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  ListSigningCertificatesCommand,
} from '@aws-sdk/client-iam';
import { AssumeRootCommand } from '@aws-sdk/client-sts';
import type { RootCredentialsAudit } from '@rootaudit/checks';
import { auditRootTaskPolicyArn } from '../arn.ts';
import { type AccountCollector, awsCall, paginate } from '../collector.ts';
import { AwsCallError, collected } from '../errors.ts';

const ASSUME_ROOT = 'sts:AssumeRoot';

export const rootCredentialsAuditCollector: AccountCollector<'rootCredentialsAudit'> = {
  key: 'rootCredentialsAudit',
  actions: [
    ASSUME_ROOT,
    'iam:GetLoginProfile',
    'iam:ListAccessKeys',
    'iam:ListMFADevices',
    'iam:ListSigningCertificates',
  ],
  // AssumeRoot is signed by the organization role; the IAM reads by the root session it returns.
  principals: ['organization', 'root-session'],
  needs: ['organizationFeatures'],
  async collect({ account, clients, organizationClients, evidence }) {
    if (account.isManagementAccount) {
      return notAudited(
        'sts:AssumeRoot only reaches member accounts; the management account keeps its own root user',
      );
    }
    const features = await evidence('organizationFeatures');
    if (!features.ok) return features;
    if (!features.value.rootCredentialsManagement) {
      return notAudited('centralized root credentials management (RootCredentialsManagement) is not enabled');
    }
    const org = organizationClients;
    if (!org) {
      return {
        ok: false,
        error: {
          action: ASSUME_ROOT,
          code: 'NoOrganizationAccess',
          message:
            'no organization credentials to call sts:AssumeRoot with; configure ROOTAUDIT_ORG_ROLE_ARN or base credentials of the management account',
        },
      };
    }
    return collected(ASSUME_ROOT, async (): Promise<RootCredentialsAudit> => {
      const sts = org.client('sts');
      const assumed = await awsCall(clients.limit, ASSUME_ROOT, org.homeRegion, () =>
        sts.send(
          new AssumeRootCommand({
            TargetPrincipal: account.id,
            TaskPolicyArn: { arn: auditRootTaskPolicyArn(account.partition) },
            DurationSeconds: 900,
          }),
        ),
      );
      const c = assumed.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) {
        throw new AwsCallError({
          action: ASSUME_ROOT,
          code: 'InvalidResponse',
          message: 'STS returned no credentials',
        });
      }
      const iam = org.sessionClient('iam', {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
      });
      try {
        const call = <T>(action: string, fn: () => Promise<T>) =>
          awsCall(clients.limit, action, undefined, fn);
        const [passwordPresent, accessKeys, signingCertificates, mfaDevices] = await Promise.all([
          call('iam:GetLoginProfile', () => iam.send(new GetLoginProfileCommand({}))).then(
            () => true,
            (error: unknown) => {
              if (error instanceof AwsCallError && error.collectionError.code === 'NoSuchEntity')
                return false;
              if (error instanceof AwsCallError && error.collectionError.code === 'NoSuchEntityException')
                return false;
              throw error;
            },
          ),
          paginate(async (marker) => {
            const page = await call('iam:ListAccessKeys', () =>
              iam.send(new ListAccessKeysCommand({ Marker: marker })),
            );
            return { items: page.AccessKeyMetadata, next: page.IsTruncated ? page.Marker : undefined };
          }),
          paginate(async (marker) => {
            const page = await call('iam:ListSigningCertificates', () =>
              iam.send(new ListSigningCertificatesCommand({ Marker: marker })),
            );
            return { items: page.Certificates, next: page.IsTruncated ? page.Marker : undefined };
          }),
          paginate(async (marker) => {
            const page = await call('iam:ListMFADevices', () =>
              iam.send(new ListMFADevicesCommand({ Marker: marker })),
            );
            return { items: page.MFADevices, next: page.IsTruncated ? page.Marker : undefined };
          }),
        ]);
        return {
          audited: true,
          passwordPresent,
          accessKeys: accessKeys.map((key) => ({
            accessKeyId: key.AccessKeyId ?? '',
            status: key.Status === 'Active' ? 'Active' : 'Inactive',
          })),
          signingCertificates: signingCertificates.map((certificate) => ({
            certificateId: certificate.CertificateId ?? '',
            status: certificate.Status === 'Active' ? 'Active' : 'Inactive',
          })),
          mfaDevices: mfaDevices.map((device) => ({ serialNumber: device.SerialNumber ?? '' })),
        };
      } finally {
        iam.destroy();
      }
    });
  },
};

function notAudited(reason: string): { ok: true; value: RootCredentialsAudit } {
  return { ok: true, value: { audited: false, reason } };
}
