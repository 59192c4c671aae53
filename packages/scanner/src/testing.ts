/** Test helpers: checks declared in one line, and a ClientProvider over fake SDK clients. */
import {
  type AccountClientOptions,
  AssumeRoleError,
  ClientFactory,
  type ClientProvider,
  type OrganizationClients,
} from '@rootaudit/aws';
import { type FakeHandler, fakeAccountClients } from '@rootaudit/aws/testing';
import type { OrganizationModel } from '@rootaudit/aws-sim';
import {
  type Check,
  type CheckContext,
  type CheckOutcome,
  type CheckScope,
  defineCheck,
  type EvidenceFor,
  type EvidenceKey,
} from '@rootaudit/checks';

export function testCheck<const K extends EvidenceKey>(
  id: string,
  evidence: readonly K[],
  evaluate: (evidence: EvidenceFor<K>, context: CheckContext) => CheckOutcome[],
  scope: CheckScope = 'account',
): Check<K> {
  return defineCheck({
    metadata: {
      id,
      title: id,
      severity: 'high',
      scope,
      description: id,
      rationale: id,
      remediation: { console: [], cli: '' },
      references: [],
    },
    evidence,
    evaluate,
  });
}

export function pass(resource: string, evidence: Record<string, unknown> = {}): CheckOutcome {
  return { status: 'PASS', resource, message: 'ok', evidence };
}

/** A ClientProvider whose accounts answer from `handler`; accounts in `unreachable` refuse AssumeRole. */
export function fakeProvider(handler: FakeHandler, unreachable: readonly string[] = []) {
  const calls: Parameters<FakeHandler>[0][] = [];
  const options: AccountClientOptions[] = [];
  let organizationClients: OrganizationClients | undefined;
  const provider: ClientProvider = {
    partition: 'aws',
    forAccount(accountId, accountOptions = {}) {
      options.push(accountOptions);
      const { clients } = fakeAccountClients(handler, {
        accountId,
        calls,
        ...(accountOptions.concurrency ? { concurrency: accountOptions.concurrency } : {}),
        ...(accountOptions.outage ? { outage: accountOptions.outage } : {}),
      });
      if (unreachable.includes(accountId)) {
        clients.verifyAccess = async () => {
          throw new AssumeRoleError(
            'AccessDenied',
            `arn:aws:iam::${accountId}:role/RootAuditRole`,
            'not authorized',
          );
        };
      }
      return clients;
    },
    // One set of organization clients per provider, as ClientFactory has (per scan).
    forOrganization() {
      organizationClients ??= fakeAccountClients(handler, { calls }).organizationClients;
      return organizationClients;
    },
  };
  return { provider, calls, options };
}

/** The real clients of a scan of the simulated organization (its ExternalId), destroyed with the test. */
export function simulatorClients(
  t: { teardown(fn: () => unknown): void },
  simulator: { endpoint: string; model: OrganizationModel },
  scanId: string,
): ClientFactory {
  const clients = new ClientFactory({
    scanId,
    endpoint: simulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDBASEEXAMPLE', secretAccessKey: 'secret' },
    externalId: simulator.model.auditRole.externalId ?? null,
    maxAttempts: 2,
  });
  t.teardown(() => clients.destroy());
  return clients;
}
