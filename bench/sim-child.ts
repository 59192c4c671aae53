/**
 * The AWS simulator in a process of its own, driven over IPC by bench/simulator.ts. The scanner
 * under test then has a core to itself on a 2-core machine, and its CPU and memory figures are its
 * own, not the simulator's.
 */
import { generateOrganization, type Knobs, type Simulator, startSimulator } from '@rootaudit/aws-sim';
import type { BucketUse, SimRequest, SimResponse } from './simulator.ts';

let sim: Simulator | null = null;

function reply(message: SimResponse): void {
  process.send?.(message);
}

/** Calls per token bucket of the simulator (signer account × API; LookupEvents also per region). */
function bucketUses(): BucketUse[] {
  if (!sim) return [];
  const byKey = new Map<string, BucketUse>();
  for (const call of sim.callLog.entries()) {
    const lookup = call.service === 'cloudtrail' && call.operation === 'LookupEvents';
    const key = `${call.accountId}|${call.service}|${call.operation}${lookup ? `|${call.region}` : ''}`;
    let use = byKey.get(key);
    if (!use) {
      use = {
        accountId: call.accountId,
        service: call.service,
        operation: call.operation,
        region: lookup ? call.region : null,
        ok: 0,
        throttled: 0,
        otherErrors: 0,
        firstAt: call.at,
        lastAt: call.at,
      };
      byKey.set(key, use);
    }
    if (call.status === 200) use.ok += 1;
    else if (
      /^(Throttling|ThrottlingException|TooManyRequestsException|Throttled)$/.test(call.errorCode ?? '')
    ) {
      use.throttled += 1;
    } else use.otherErrors += 1;
    use.firstAt = Math.min(use.firstAt, call.at);
    use.lastAt = Math.max(use.lastAt, call.at);
  }
  return [...byKey.values()];
}

async function handle(request: SimRequest): Promise<SimResponse> {
  switch (request.type) {
    case 'start': {
      const model = generateOrganization({
        accounts: request.accounts,
        seed: request.seed,
        regions: request.regions,
        externalId: request.externalId,
      });
      if (request.allAuditRoles) for (const account of model.accounts) account.auditRole = true;
      sim = await startSimulator({
        model,
        knobs: request.knobs,
        callLogCapacity: request.callLogCapacity,
      });
      return {
        type: 'started',
        endpoint: sim.endpoint,
        accounts: model.accounts.map((account) => ({
          id: account.id,
          status: account.status,
          auditRole: account.auditRole !== false,
        })),
        managementAccountId: model.organization.managementAccountId,
      };
    }
    case 'knobs':
      sim?.setKnobs(request.knobs as Knobs);
      return { type: 'ok' };
    case 'reset':
      sim?.reset();
      sim?.callLog.clear();
      return { type: 'ok' };
    case 'stats':
      return {
        type: 'stats',
        total: sim?.callLog.total ?? 0,
        byOperation: sim?.callLog.countsByOperation() ?? {},
        buckets: request.buckets ? bucketUses() : [],
      };
    case 'stop':
      await sim?.stop();
      sim = null;
      return { type: 'ok' };
  }
}

process.on('message', (message: { id: number; request: SimRequest }) => {
  handle(message.request).then(
    (response) => process.send?.({ id: message.id, response }),
    (error: unknown) =>
      process.send?.({
        id: message.id,
        response: { type: 'error', message: error instanceof Error ? error.message : String(error) },
      }),
  );
});
// The parent going away ends this process too.
process.on('disconnect', () => {
  void (sim?.stop() ?? Promise.resolve()).finally(() => process.exit(0));
});
reply({ type: 'ok' });
