import { defineCheck } from '../check.ts';
import type { VirtualMfaDevice } from '../evidence.ts';
import { rootCredentialsState, rootMfa, sourceOf } from './root-credentials-state.ts';
import { errorOutcome, listOf, outcome, rootArn } from './support.ts';

/** Virtual devices are assigned to root by User.Arn, or carry the legacy root serial name. */
function isRootsVirtualDevice(device: VirtualMfaDevice, accountId: string): boolean {
  if (device.userArn !== null && new RegExp(`^arn:[\\w-]+:iam::${accountId}:root$`).test(device.userArn))
    return true;
  return (
    device.serialNumber.endsWith(':mfa/root-account-mfa-device') &&
    device.serialNumber.includes(`::${accountId}:`)
  );
}

/**
 * Evidence: whether root has MFA at all, and NOT_APPLICABLE, as in root-mfa-enabled (summary, else
 * audit, else credential report). With MFA on, the virtual MFA list is required: PASS needs it to
 * show no device of root's. The AssumeRoot audit, when it was made, names root's hardware devices
 * (every audited device that is not virtual) in the message.
 */
export const rootHardwareMfa = defineCheck({
  metadata: {
    id: 'root-hardware-mfa',
    title: 'Root user MFA is hardware-based, with no virtual MFA device',
    severity: 'high',
    scope: 'account',
    description:
      'Checks that root has MFA and that no virtual MFA device is assigned to root ' +
      '(iam:ListVirtualMFADevices: User.Arn is the root ARN, or the serial ends in :mfa/root-account-mfa-device). ' +
      'Root may hold up to 8 MFA devices, and any one of them signs in, so a virtual device beside a hardware one still fails.',
    rationale:
      'A virtual MFA lives on a phone or laptop that can be lost, cloned, backed up or compromised; a hardware key or ' +
      'FIDO security key cannot be copied. Any registered device is enough to sign in, so root is only as strong as ' +
      'its weakest device. Rated high rather than critical (Security Hub rates IAM.6 critical) because a virtual ' +
      'device still is a second factor; root-mfa-enabled carries the critical finding.',
    remediation: {
      console: [
        'Sign in as the root user and open Security credentials from the account menu.',
        'Under Multi-factor authentication (MFA), choose Assign MFA device and register a FIDO security key or hardware TOTP token.',
        'Sign in once with the new device to confirm it works.',
        'Select every Virtual MFA device listed and choose Remove.',
      ],
      cli:
        '# Find virtual devices assigned to root:\n' +
        'aws iam list-virtual-mfa-devices --assignment-status Assigned ' +
        '--query "VirtualMFADevices[?User.Arn==\'arn:aws:iam::<account-id>:root\'].SerialNumber"\n' +
        '# Removing a root device needs a root session (sign in as root, or sts assume-root with IAMDeleteRootUserCredentials):\n' +
        'aws iam deactivate-mfa-device --serial-number <serial> && aws iam delete-virtual-mfa-device --serial-number <serial>',
    },
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_physical.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-mfa-for-root.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-6',
      'https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListVirtualMFADevices.html',
    ],
  },
  evidence: ['accountSummary', 'credentialReport', 'virtualMfaDevices', 'rootCredentialsAudit'],
  evaluate({ accountSummary, credentialReport, virtualMfaDevices, rootCredentialsAudit }, context) {
    const resource = rootArn(context);
    const mfa = rootMfa(accountSummary, credentialReport, rootCredentialsAudit, context);
    // A virtual device of root's proves FAIL on its own, whatever else could not be read.
    const virtual = virtualMfaDevices.ok
      ? virtualMfaDevices.value.devices.filter((device) => isRootsVirtualDevice(device, context.accountId))
      : [];
    const virtualSerials = virtual.map((device) => device.serialNumber);
    const audited =
      rootCredentialsAudit.ok && rootCredentialsAudit.value.audited ? rootCredentialsAudit.value : null;
    const hardwareSerials = audited
      ? audited.mfaDevices
          .map((device) => device.serialNumber)
          .filter((serial) => !virtualSerials.includes(serial))
      : null;
    const facts = { virtualMfaDevicesOfRoot: virtualSerials, hardwareMfaDevicesOfRoot: hardwareSerials };
    if (virtual.length > 0) {
      const beside =
        hardwareSerials && hardwareSerials.length > 0
          ? `Root also holds hardware device ${listOf(hardwareSerials)}, but that does not make up for it: any registered device signs in as root.`
          : 'A hardware device beside it would not make up for it: any registered device signs in as root.';
      return [
        outcome(
          'FAIL',
          resource,
          `A virtual MFA device is assigned to root (${listOf(virtualSerials)}). ${beside} Remove the virtual device.`,
          facts,
        ),
      ];
    }
    if (!(mfa.known && mfa.present)) {
      const state = rootCredentialsState(accountSummary, credentialReport, rootCredentialsAudit, context);
      if (state.kind === 'absent')
        return [outcome('NOT_APPLICABLE', resource, `Not applicable: ${state.reason}.`)];
      if (!mfa.known) {
        return [
          errorOutcome(
            resource,
            context,
            virtualMfaDevices.ok ? mfa.errors : [...mfa.errors, virtualMfaDevices.error],
            'account',
            'Whether root has MFA is unknown, as no source that was read could tell: ',
          ),
        ];
      }
      return [
        outcome(
          'FAIL',
          resource,
          `Root has no MFA device at all (${sourceOf(mfa)}) and ${state.description}.`,
          { mfa: { present: false, source: mfa.source } },
        ),
      ];
    }
    if (!virtualMfaDevices.ok) return [errorOutcome(resource, context, [virtualMfaDevices.error])];
    return [
      outcome(
        'PASS',
        resource,
        `Root has MFA (${sourceOf(mfa)}) and no virtual MFA device is assigned to it.`,
        facts,
      ),
    ];
  },
});
