import { defineCheck } from '../check.ts';
import { absenceOutcome, rootSigningCertificates, sourceOf } from './root-credentials-state.ts';
import { day, describeError, heldSlots, listOf, outcome, reportDate, rootArn } from './support.ts';

/**
 * Evidence: the account summary decides; when AccountSigningCertificatesPresent is missing (unknown,
 * never 0) or the summary is unreadable, the credential report's root row (cert_N_active, and a
 * rotation date for an inactive certificate) decides instead; when neither answers: ERROR naming
 * both. Otherwise the report only describes the certificates (like root-no-access-keys).
 */
export const rootNoSigningCertificates = defineCheck({
  metadata: {
    id: 'root-no-signing-certificates',
    title: 'Root user has no X.509 signing certificates',
    severity: 'medium',
    scope: 'account',
    description:
      'Checks that the root user has no X.509 signing certificates (iam:GetAccountSummary AccountSigningCertificatesPresent = 0; ' +
      "when the summary leaves the key out, the credential report's cert_1_active and cert_2_active).",
    rationale:
      'A root signing certificate is a long-lived root credential for the legacy SOAP APIs that bypasses MFA. Few ' +
      'services still accept it, hence medium, but nobody should hold one for root.',
    remediation: {
      console: [
        'Sign in as the root user and open Security credentials from the account menu.',
        'Under X.509 certificate, delete every certificate.',
        'For a member account under centralized root access: IAM → Root access management → Take privileged action → Delete root user credentials.',
      ],
      cli:
        'aws sts assume-root --target-principal <member-account-id> ' +
        '--task-policy-arn arn=arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials\n' +
        'aws iam list-signing-certificates && aws iam delete-signing-certificate --certificate-id <id>',
    },
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html',
      'https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountSummary.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html',
    ],
  },
  evidence: ['accountSummary', 'credentialReport'],
  evaluate({ accountSummary, credentialReport }, context) {
    const resource = rootArn(context);
    const certificates = rootSigningCertificates(accountSummary, credentialReport, context);
    if (!certificates.known || !certificates.present)
      return [absenceOutcome(certificates, 'signing certificates', credentialReport, context)];
    const headline = `Root has X.509 signing certificates (${sourceOf(certificates)})`;
    if (!credentialReport.ok) {
      return [
        outcome(
          'FAIL',
          resource,
          `${headline}; the credential report could not be read for detail (${describeError(credentialReport.error, context)}). Delete them.`,
        ),
      ];
    }
    const held = heldSlots(credentialReport.value.root?.signingCertificates ?? []);
    const detail = held.map((certificate) => {
      const rotated = reportDate(certificate.lastRotated);
      return `certificate ${certificate.slot} (${certificate.active ? 'active' : 'inactive'}${rotated ? `, last rotated ${day(rotated)}` : ''})`;
    });
    return [
      outcome(
        'FAIL',
        resource,
        `${headline}${detail.length > 0 ? `: ${listOf(detail)}` : ''}. Delete them.`,
        {
          signingCertificates: held,
          credentialReportGeneratedTime: credentialReport.value.generatedTime,
        },
      ),
    ];
  },
});
