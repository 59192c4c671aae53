import { defineCheck } from '../check.ts';
import { errorOutcome, outcome, rootArn, scopeLeavesOut } from './support.ts';

/** Free-mail providers whose domain is the same under every country TLD (gmx.de, yahoo.co.uk, …). */
const FREE_MAIL_BRANDS = [
  'gmx',
  'yandex',
  'yahoo',
  'hotmail',
  'outlook',
  'live',
  'aol',
  'web',
  'libero',
  'rediffmail',
  'zoho',
];
/** Free-mail domains matched exactly. */
const FREE_MAIL_DOMAINS = new Set([
  'gmail.com',
  'googlemail.com',
  'msn.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'aim.com',
  'proton.me',
  'protonmail.com',
  'protonmail.ch',
  'pm.me',
  'tutanota.com',
  'tuta.io',
  'mail.com',
  'email.com',
  'mail.ru',
  'inbox.ru',
  'list.ru',
  'bk.ru',
  'ya.ru',
  'qq.com',
  'foxmail.com',
  '163.com',
  '126.com',
  'yeah.net',
  'sina.com',
  'naver.com',
  'hanmail.net',
  'daum.net',
  't-online.de',
  'freenet.de',
  'orange.fr',
  'laposte.net',
  'fastmail.com',
  'hey.com',
  'seznam.cz',
  'wp.pl',
  'o2.pl',
  'interia.pl',
]);
/** A public suffix a brand can sit on: com, net, org, a country code, or co./com. + a country code. */
const BRAND_SUFFIX = /^(?:com|net|org|[a-z]{2}|(?:co|com)\.[a-z]{2})$/;

export function isFreeMailDomain(domain: string): boolean {
  if (FREE_MAIL_DOMAINS.has(domain)) return true;
  const dot = domain.indexOf('.');
  if (dot < 0) return false;
  return FREE_MAIL_BRANDS.includes(domain.slice(0, dot)) && BRAND_SUFFIX.test(domain.slice(dot + 1));
}

/** `Example.COM.` / `@example.com` → `example.com` */
function normalizeDomain(domain: string): string {
  return domain
    .trim()
    .toLowerCase()
    .replace(/^[@.]+/, '')
    .replace(/\.+$/, '');
}

/** Allowed: the domain itself or any subdomain of it (whoever owns example.com controls mail.example.com). */
export function isAllowedDomain(domain: string, allowed: readonly string[]): string | null {
  for (const entry of allowed.map(normalizeDomain).filter(Boolean)) {
    if (domain === entry || domain.endsWith(`.${entry}`)) return entry;
  }
  return null;
}

/**
 * Evidence: the organization (required), whose ListAccounts gives each root email. With an allow-list
 * (ROOTAUDIT_ALLOWED_EMAIL_DOMAINS, case-insensitive) the domain must be one of them or a subdomain of
 * one; without a list, only known free-mail providers FAIL (the PASS message says the list would be
 * stronger). An account missing from the organization's list is ERROR, and so is one that evidence
 * read for other accounts only (a scan limited with --accounts) says nothing about.
 */
export const accountEmailDomain = defineCheck({
  metadata: {
    id: 'account-email-domain',
    title: "The root user's email is on a company-owned domain",
    severity: 'medium',
    scope: 'account',
    description:
      "Checks that the account's root email address (organizations:ListAccounts) is on an allowed domain " +
      '(ROOTAUDIT_ALLOWED_EMAIL_DOMAINS, subdomains included); with no allow-list, fails only free-mail providers (Gmail, Outlook.com, Yahoo, GMX, …).',
    rationale:
      'Whoever controls the root email can reset the root password (and, without MFA, take the account). A personal or ' +
      'free-mail mailbox leaves with the employee, is not covered by company security controls, and can be taken over or ' +
      'expire and be re-registered by someone else.',
    remediation: {
      console: [
        'Create a company-domain distribution list that several administrators receive (e.g. aws-<account>@example.com).',
        'Sign in as root (or, for members with centralized root access, use AWS Organizations → account → Root user email from the management account) and open Account settings.',
        'Choose Edit next to the root email, enter the new address and confirm it with the code sent to it.',
      ],
      cli:
        '# From the management account (members only, with account management trusted access):\n' +
        'aws account start-primary-email-update --account-id <member-account-id> --primary-email aws-<account>@example.com\n' +
        'aws account accept-primary-email-update --account-id <member-account-id> --primary-email aws-<account>@example.com --otp <code>',
    },
    references: [
      'https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-update-root-user-email.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html',
      'https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html',
    ],
  },
  evidence: ['organization'],
  evaluate({ organization }, context) {
    const resource = rootArn(context);
    if (!organization.ok) return [errorOutcome(resource, context, [organization.error], 'organization')];
    const leftOut = scopeLeavesOut(organization.value, context.accountId, 'organization');
    if (leftOut) return [outcome('ERROR', resource, leftOut)];
    const account = organization.value.accounts.find((entry) => entry.id === context.accountId);
    if (!account) {
      return [
        outcome(
          'ERROR',
          resource,
          organization.value.scope
            ? `Account ${context.accountId} is not in organization ${organization.value.id} (DescribeAccount does not know it), so its root email is unknown.`
            : `Account ${context.accountId} is not in the ListAccounts answer of organization ${organization.value.id}, so its root email is unknown.`,
        ),
      ];
    }
    if (account.status !== 'ACTIVE') {
      // The runner skips suspended and closing accounts; this guards a direct call.
      return [
        outcome(
          'NOT_APPLICABLE',
          resource,
          `Not applicable: account ${context.accountId} is ${account.status} and is not audited.`,
        ),
      ];
    }
    const at = account.email.lastIndexOf('@');
    const domain = at >= 0 ? normalizeDomain(account.email.slice(at + 1)) : '';
    if (domain === '') {
      return [
        outcome(
          'ERROR',
          resource,
          `The root email of ${context.accountId} (${account.email}) has no domain.`,
        ),
      ];
    }
    const facts = { email: account.email, domain, allowedDomains: context.allowedEmailDomains };
    if (context.allowedEmailDomains.length > 0) {
      const allowedBy = isAllowedDomain(domain, context.allowedEmailDomains);
      if (allowedBy)
        return [
          outcome(
            'PASS',
            resource,
            `The root email ${account.email} is on allowed domain ${allowedBy}.`,
            facts,
          ),
        ];
      return [
        outcome(
          'FAIL',
          resource,
          `The root email ${account.email} is not on an allowed domain (${context.allowedEmailDomains.join(', ')}): move it to a company-owned mailbox.`,
          facts,
        ),
      ];
    }
    if (isFreeMailDomain(domain)) {
      return [
        outcome(
          'FAIL',
          resource,
          `The root email ${account.email} is on free-mail provider ${domain}: move it to a company-owned mailbox.`,
          facts,
        ),
      ];
    }
    return [
      outcome(
        'PASS',
        resource,
        `The root email ${account.email} is not on a known free-mail provider (set ROOTAUDIT_ALLOWED_EMAIL_DOMAINS to require company domains).`,
        facts,
      ),
    ];
  },
});
