/** Who rootaudit's organization credentials are, as AWS names them (sts:GetCallerIdentity needs no permission). */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { OrganizationClients } from './clients.ts';

/**
 * The ARN of the principal behind the organization credentials: an assumed-role session ARN with
 * ROOTAUDIT_ORG_ROLE_ARN, else the base credentials' user or role. The principal rootaudit calls
 * sts:AssumeRoot with, which live root events compare with a privileged session's issuer.
 */
export async function organizationPrincipalArn(clients: OrganizationClients): Promise<string | null> {
  const identity = await clients.client('sts').send(new GetCallerIdentityCommand({}));
  return identity.Arn ?? null;
}
