/**
 * One scan of a simulated organization through the real worker, for tests (here and in the API's
 * /metrics test): the simulator (packages/aws-sim), a fresh PostgreSQL database, pg-boss, and a
 * worker consuming the scan's account jobs. The test plays the scheduler's part with the store:
 * the organization is read, persisted and stored with the scan first, then the simulator's call
 * log is cleared, so it holds exactly the worker's calls.
 */
import { ClientFactory, isThrottlingCode } from '@rootaudit/aws';
import {
  generateOrganization,
  type Knobs,
  type OrganizationModel,
  type Simulator,
  startSimulator,
} from '@rootaudit/aws-sim';
import { type Check, checks } from '@rootaudit/checks';
import { loadConfig } from '@rootaudit/config';
import type { PrismaClient, Scan } from '@rootaudit/db';
import { createLogger, type Logger } from '@rootaudit/log';
import { enqueueAccountScans, startQueue, stopQueue } from '@rootaudit/queue';
import { collectOrganizationEvidence, encodeOrganizationEvidence } from '@rootaudit/scanner';
import {
  type AwsCallCounts,
  createScan,
  persistOrganization,
  storeScanOrganizationEvidence,
} from '@rootaudit/store';
import { testDatabase } from '../../../test/support/db.ts';
import { startWorker } from './worker.ts';

const EXTERNAL_ID = 'worker-test-external-id';
const REGIONS = ['us-east-1', 'eu-west-1'];
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface WorkerScan {
  sim: Simulator;
  prisma: PrismaClient;
  /** The scan, ended. */
  scan: Scan;
  /** The ACTIVE accounts of the organization (the ones scanned). */
  accountIds: string[];
  managementAccountId: string;
}

export async function scanThroughWorker(
  t: Teardown,
  options: {
    accounts?: number;
    /** Simulator knobs, given the generated organization (to aim at one of its accounts). */
    knobs?: (model: OrganizationModel) => Knobs;
    /** SDK attempts per call [3]. */
    maxAttempts?: number;
    /** The worker's logger [silent]. */
    logger?: Logger;
    /** What the worker gets as its Prisma client, given the test's (to inject database faults). */
    workerPrisma?: (prisma: PrismaClient) => PrismaClient;
    /** The endpoint the worker calls, given the simulator's [the simulator]: a switchable proxy. */
    workerEndpoint?: (sim: Simulator) => string | Promise<string>;
    /** The account queue's retries [2, 1 s apart]. */
    accountRetries?: { retryLimit: number; retryDelay: number };
    /** Store the organization evidence with the scan, as the scheduler's discovery does [true]. */
    storeEvidence?: boolean;
    /** The worker's checks [the catalog]. */
    checks?: readonly Check[];
    /** Told of the scan before its account jobs are queued (to set it up as a test needs). */
    beforeEnqueue?: (prisma: PrismaClient, scan: Scan) => Promise<void>;
  } = {},
): Promise<WorkerScan> {
  const model = generateOrganization({
    accounts: options.accounts ?? 4,
    seed: 11,
    regions: REGIONS,
    externalId: EXTERNAL_ID,
  });
  for (const account of model.accounts) account.auditRole = true;
  const sim = await startSimulator({ model, ...(options.knobs ? { knobs: options.knobs(model) } : {}) });
  t.teardown(() => sim.stop());
  const { url, prisma } = await testDatabase(t);
  const clients = { endpoint: sim.endpoint, credentials: CREDENTIALS, maxAttempts: options.maxAttempts ?? 3 };

  const discovery = new ClientFactory({ scanId: 'discovery', externalId: EXTERNAL_ID, ...clients });
  const evidence = await collectOrganizationEvidence({ checks, clients: discovery });
  discovery.destroy();
  const { organization } = evidence;
  if (!organization?.ok)
    throw new Error(`the simulated organization could not be read: ${JSON.stringify(organization)}`);
  await persistOrganization(prisma, evidence);
  sim.callLog.clear();

  const logger = options.logger ?? createLogger({ level: 'silent' });
  const boss = await startQueue(url, logger, {
    boss: { maintenanceIntervalSeconds: 1 },
    scanAccount: {
      retryLimit: 2,
      retryDelay: 1,
      ...options.accountRetries,
      retryBackoff: false,
      expireInSeconds: 60,
    },
  });
  t.teardown(() => stopQueue(boss, { timeoutMs: 5_000 }));
  const config = loadConfig({
    DATABASE_URL: url,
    ROOTAUDIT_EXTERNAL_ID: EXTERNAL_ID,
    ROOTAUDIT_REGIONS: REGIONS.join(','),
    ROOTAUDIT_ACCOUNT_CONCURRENCY: '4',
  });
  const worker = await startWorker({
    config,
    logger,
    database: { prisma: options.workerPrisma ? options.workerPrisma(prisma) : prisma },
    boss,
    clients: options.workerEndpoint ? { ...clients, endpoint: await options.workerEndpoint(sim) } : clients,
    checks: options.checks ?? checks,
    pollingIntervalSeconds: 0.5,
  });
  t.teardown(() => worker.close());

  const accounts = organization.value.accounts;
  const started = await createScan(prisma, { trigger: 'MANUAL', requestedBy: 'test', accounts });
  if (options.storeEvidence !== false)
    await storeScanOrganizationEvidence(prisma, started.id, encodeOrganizationEvidence(evidence));
  await options.beforeEnqueue?.(prisma, started);
  const pending = await prisma.accountScan.findMany({ where: { scanId: started.id, status: 'PENDING' } });
  await enqueueAccountScans(
    boss,
    started.id,
    pending.map((row) => row.accountId),
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    const scan = await prisma.scan.findUniqueOrThrow({ where: { id: started.id } });
    if (scan.active !== true) {
      return {
        sim,
        prisma,
        scan,
        accountIds: accounts.filter((account) => account.status === 'ACTIVE').map((account) => account.id),
        managementAccountId: organization.value.managementAccountId,
      };
    }
    if (Date.now() > deadline) throw new Error(`scan ${scan.id} still ${scan.status} after 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The simulator's signing names that differ from IAM prefixes (what CallCounter uses). */
const IAM_PREFIX: Record<string, string> = { monitoring: 'cloudwatch' };

/** What the simulator answered, counted the way CallCounter counts: by service, every request. */
export function simulatorCallCounts(sim: Simulator): AwsCallCounts {
  return addCallCounts(
    sim.callLog.entries().map((call) => ({
      [IAM_PREFIX[call.service] ?? call.service]: {
        calls: 1,
        errors: call.errorCode === undefined ? 0 : 1,
        throttles: call.errorCode !== undefined && isThrottlingCode(call.errorCode) ? 1 : 0,
      },
    })),
  );
}

/** Call counts added up service by service, services in name order. */
export function addCallCounts(all: readonly AwsCallCounts[]): AwsCallCounts {
  const sum: AwsCallCounts = {};
  for (const counts of all) {
    for (const [service, { calls, errors, throttles }] of Object.entries(counts)) {
      const before = sum[service] ?? { calls: 0, errors: 0, throttles: 0 };
      sum[service] = {
        calls: before.calls + calls,
        errors: before.errors + errors,
        throttles: before.throttles + throttles,
      };
    }
  }
  return Object.fromEntries(Object.entries(sum).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * A TCP proxy in front of an endpoint that can be taken down and brought back on the same port:
 * down, new connections are refused (nothing listens) and open ones are cut, as when the AWS
 * endpoint's process dies.
 */
export async function switchableEndpoint(
  t: Teardown,
  target: string,
): Promise<{ endpoint: string; down(): Promise<void>; up(): Promise<void> }> {
  const { createServer, connect } = await import('node:net');
  const { hostname, port: targetPort } = new URL(target);
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(targetPort), hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  let listening = false;
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        listening = true;
        resolve();
      });
    });
  const down = () =>
    new Promise<void>((resolve) => {
      if (!listening) return resolve();
      listening = false;
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  await listen(0);
  const port = (server.address() as import('node:net').AddressInfo).port;
  t.teardown(down);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    down,
    up: () => (listening ? Promise.resolve() : listen(port)),
  };
}
