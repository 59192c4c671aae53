/**
 * Live root events by push, and to the webhook (BENCHMARKS.md §10).
 *
 * 1. Ingest rate by push: distinct root events of the simulated organization (rootActivity of
 *    @rootaudit/aws-sim, as EventBridge envelopes) POSTed to the real API (startApi, over loopback
 *    HTTP, with an `ingest` key) by emitRootEvents/httpSink at a bounded concurrency, each for an
 *    account in `accounts`, with one webhook subscribed (so each new event enqueues its deliveries).
 *    Every new event is one PostgreSQL transaction (advisory lock on the account, the event row, the
 *    finding's lifecycle, the webhook deliveries and their pg-boss jobs), with durable commits. The
 *    baselines, in the same run on the same database: the same POSTs again (duplicates: the same
 *    HTTP, parsing and account look-up, and a transaction that only finds the row), and as many
 *    bare recordRootEvent inserts over Prisma at the same concurrency (the event row alone).
 * 2. Arrival to webhook: root events POSTed at a fixed rate while a worker (startWorker, production
 *    settings) delivers webhooks to a local HTTP receiver; the latency of each event is from its
 *    POST being sent to its `root.activity` delivery arriving. Deliveries still missing after a
 *    bounded wait count as that wait (the percentiles are then lower bounds, and say so).
 *
 * Alone: `npx tsx bench/events.ts [--quick]`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import { startApi } from '@rootaudit/api';
import { type EventBridgeEnvelope, generateOrganization, type OrganizationModel } from '@rootaudit/aws-sim';
import { emitRootEvents, httpSink, type RootActivityScenario, rootActivity } from '@rootaudit/aws-sim/emit';
import { loadConfig } from '@rootaudit/config';
import { PrismaClient, prismaPoolConfig } from '@rootaudit/db';
import { createLogger } from '@rootaudit/log';
import { startQueue, stopQueue } from '@rootaudit/queue';
import { parseRootEvent } from '@rootaudit/root-events';
import { createApiKey, recordRootEvent } from '@rootaudit/store';
import { startWorker } from '@rootaudit/worker';
import pg from 'pg';
import { type BenchDatabase, type BenchPostgres, startBenchPostgres } from './postgres.ts';
import { round } from './support.ts';
import type { BenchOptions, BenchRow, BenchSection } from './types.ts';

const TARGET_PER_SECOND = 1000;
const TARGET_P99_MS = 1000;
const ACCOUNTS = 100;
/**
 * Root use by a person (sign-ins, root-key calls). Privileged sessions are left out: telling
 * rootaudit's own from someone else's asks STS who rootaudit is, and there is no AWS here.
 */
const SCENARIOS: readonly RootActivityScenario[] = [
  'sign-in-with-mfa',
  'sign-in-without-mfa',
  'sign-in-failed',
  'access-key-call',
  'access-key-call-denied',
];

/** A migrated database with the organization's accounts, pg-boss, the API and an ingest key. */
async function startStack(database: BenchDatabase, model: OrganizationModel, webhookUrl: string) {
  const cleanups: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  };
  try {
    // createPrismaClient's pool (pg's default of 10 connections), its clients counting statements.
    const statements = { count: 0 };
    class CountingClient extends pg.Client {
      constructor(config?: pg.ClientConfig) {
        super(config);
        const query = this.query.bind(this) as (...args: unknown[]) => unknown;
        this.query = ((...args: unknown[]) => {
          statements.count++;
          return query(...args);
        }) as typeof this.query;
      }
    }
    const pool = new pg.Pool({ ...prismaPoolConfig(database.url), Client: CountingClient });
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    cleanups.push(async () => {
      await prisma.$disconnect();
      await pool.end().catch(() => undefined);
    });
    await prisma.account.createMany({
      data: model.accounts
        .filter((account) => account.status === 'ACTIVE')
        .map((account) => ({ id: account.id, name: account.name, email: account.email, status: 'ACTIVE' })),
    });
    await prisma.webhook.create({
      data: { url: webhookUrl, secret: 'whsec_bench', events: ['root.activity', 'finding.failed'] },
    });
    const logger = createLogger({ level: 'silent' });
    const boss = await startQueue(database.url, logger);
    cleanups.push(() => stopQueue(boss, { timeoutMs: 5_000 }));
    const config = loadConfig({
      DATABASE_URL: database.url,
      PORT: '0',
      HOST: '127.0.0.1',
      ROOTAUDIT_ALLOW_PRIVATE_WEBHOOK_URLS: 'true',
    });
    const api = await startApi({
      config,
      logger,
      database: { prisma, url: database.url, embedded: false, close: async () => undefined },
      boss,
    });
    cleanups.push(() => api.close());
    const ingestKey = (await createApiKey(prisma, { name: 'eventbridge', scope: 'ingest' })).key;
    const startDeliveries = async () => {
      const worker = await startWorker({ config, logger, database: { prisma }, boss, shutdownGraceMs: 500 });
      cleanups.push(() => worker.close());
    };
    return { prisma, statements, apiUrl: api.url, ingestKey, close, startDeliveries };
  } catch (error) {
    await close();
    throw error;
  }
}

function envelopes(model: OrganizationModel, seed: number, count: number): EventBridgeEnvelope[] {
  const next = rootActivity(model, { seed, scenarios: SCENARIOS });
  return Array.from({ length: count }, () => next().envelope);
}

interface PushRun {
  concurrency: number;
  events: number;
  perSecond: number;
  duplicatesPerSecond: number;
  bareInsertsPerSecond: number;
  /** Transactions committed in the database per new event (pg_stat_database), and per duplicate. */
  commitsPerEvent: number | null;
  commitsPerDuplicate: number | null;
  /** CPU time of this Node process (the API and the sender share it) per event, in ms. */
  nodeCpuMsPerEvent: number;
  nodeCpuMsPerDuplicate: number;
  nodeCpuMsPerBareInsert: number;
  /** Statements sent to PostgreSQL per event (BEGIN and COMMIT included). */
  statementsPerEvent: number;
  statementsPerDuplicate: number;
}

/** CPU time (user + system) of this process since `since`, in ms. */
function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

async function committed(prisma: PrismaClient): Promise<number> {
  // Backends report their counters at most once a second: wait for them. Outside a transaction each
  // read sees fresh statistics.
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  const rows = await prisma.$queryRawUnsafe<{ n: bigint }[]>(
    'SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()',
  );
  return Number(rows[0]?.n ?? Number.NaN);
}

async function measurePush(
  postgres: BenchPostgres,
  model: OrganizationModel,
  concurrency: number,
  events: number,
  log: (line: string) => void,
): Promise<PushRun> {
  const database = await postgres.createDatabase();
  // Nothing listens there and no worker runs: the deliveries are written, not sent.
  const stack = await startStack(database, model, 'http://127.0.0.1:9/hook').catch(async (error) => {
    await database.drop();
    throw error;
  });
  try {
    const sink = httpSink({ url: `${stack.apiUrl}/v1/events/aws`, apiKey: stack.ingestKey });
    // Warm-up: connections, the key cache, the JIT (its own events, not counted).
    const warm = await emitRootEvents(envelopes(model, 900 + concurrency, 200), sink, { concurrency });
    if (warm.failed.length > 0) throw new Error(`warm-up refused: ${warm.failed[0]?.error}`);
    const batch = envelopes(model, concurrency, events);

    const before = await committed(stack.prisma);
    let cpu = process.cpuUsage();
    let counted = stack.statements.count;
    const pushed = await emitRootEvents(batch, sink, { concurrency });
    const pushCpu = cpuMs(cpu);
    const pushStatements = stack.statements.count - counted;
    if (pushed.failed.length > 0) throw new Error(`push refused: ${pushed.failed[0]?.error}`);
    const afterPush = await committed(stack.prisma);
    const stored = await stack.prisma.rootEvent.count();
    if (stored !== events + 200) throw new Error(`${stored} events stored, expected ${events + 200}`);

    cpu = process.cpuUsage();
    counted = stack.statements.count;
    const duplicates = await emitRootEvents(batch, sink, { concurrency });
    const duplicatesCpu = cpuMs(cpu);
    const duplicateStatements = stack.statements.count - counted;
    if (duplicates.failed.length > 0) throw new Error(`duplicates refused: ${duplicates.failed[0]?.error}`);
    const afterDuplicates = await committed(stack.prisma);

    // The event row alone: as many bare inserts of other events, the same number at once.
    const parsed = envelopes(model, 5_000 + concurrency, events).map((envelope) => {
      const result = parseRootEvent(envelope);
      if (!result.ok) throw new Error(result.reason);
      return result.event;
    });
    let index = 0;
    cpu = process.cpuUsage();
    const bareStarted = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (index < parsed.length) {
          const event = parsed[index++];
          if (event) await recordRootEvent(stack.prisma, event);
        }
      }),
    );
    const bareSeconds = (performance.now() - bareStarted) / 1000;
    const bareCpu = cpuMs(cpu);

    const run: PushRun = {
      concurrency,
      events,
      perSecond: round(events / (pushed.elapsedMs / 1000), 0),
      duplicatesPerSecond: round(events / (duplicates.elapsedMs / 1000), 0),
      bareInsertsPerSecond: round(events / bareSeconds, 0),
      commitsPerEvent: Number.isFinite(afterPush - before) ? round((afterPush - before) / events) : null,
      commitsPerDuplicate: Number.isFinite(afterDuplicates - afterPush)
        ? round((afterDuplicates - afterPush) / events)
        : null,
      nodeCpuMsPerEvent: round(pushCpu / events),
      nodeCpuMsPerDuplicate: round(duplicatesCpu / events),
      nodeCpuMsPerBareInsert: round(bareCpu / events),
      statementsPerEvent: round(pushStatements / events, 1),
      statementsPerDuplicate: round(duplicateStatements / events, 1),
    };
    log(`events: push ${JSON.stringify(run)}`);
    return run;
  } finally {
    await stack.close();
    await database.drop();
  }
}

interface WebhookRun {
  ratePerSecond: number;
  /** The rate the POSTs were answered at (below ratePerSecond when ingest cannot keep up). */
  sentPerSecond: number;
  events: number;
  delivered: number;
  waitedSeconds: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  deliveriesPerSecond: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function measureWebhook(
  postgres: BenchPostgres,
  model: OrganizationModel,
  ratePerSecond: number,
  seconds: number,
  maxWaitSeconds: number,
  log: (line: string) => void,
): Promise<WebhookRun> {
  const arrived = new Map<string, number>();
  const arrivals: number[] = [];
  const receiver = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      const at = performance.now();
      arrivals.push(at);
      if (request.headers['x-rootaudit-event'] === 'root.activity') {
        const eventId = (JSON.parse(body) as { data?: { rootEvent?: { eventId?: string } } }).data?.rootEvent
          ?.eventId;
        if (eventId && !arrived.has(eventId)) arrived.set(eventId, at);
      }
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const database = await postgres.createDatabase();
  const port = (receiver.address() as AddressInfo).port;
  const stack = await startStack(database, model, `http://127.0.0.1:${port}/hook`).catch(async (error) => {
    await database.drop();
    throw error;
  });
  try {
    await stack.startDeliveries();
    const events = Math.round(ratePerSecond * seconds);
    const batch = envelopes(model, 77, events);
    const sent = new Map<string, number>();
    const post = httpSink({ url: `${stack.apiUrl}/v1/events/aws`, apiKey: stack.ingestKey });
    const sink = (envelope: EventBridgeEnvelope) => {
      sent.set(String(envelope.detail.eventID), performance.now());
      return post(envelope);
    };
    const pushed = await emitRootEvents(batch, sink, { concurrency: 16, ratePerSecond });
    if (pushed.failed.length > 0) throw new Error(`push refused: ${pushed.failed[0]?.error}`);
    const lastSent = performance.now();
    const deadline = lastSent + maxWaitSeconds * 1000;
    while (arrived.size < events && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const waitedSeconds = (performance.now() - lastSent) / 1000;
    const end = performance.now();
    // A delivery still missing counts as the time it has waited so far: a lower bound.
    const latencies = [...sent].map(([id, at]) => (arrived.get(id) ?? end) - at).sort((a, b) => a - b);
    const firstArrival = arrivals[0];
    const lastArrival = arrivals.at(-1);
    const run: WebhookRun = {
      ratePerSecond,
      sentPerSecond: round(events / (pushed.elapsedMs / 1000), 0),
      events,
      delivered: [...sent.keys()].filter((id) => arrived.has(id)).length,
      waitedSeconds: round(waitedSeconds, 1),
      p50: round(percentile(latencies, 50), 0),
      p95: round(percentile(latencies, 95), 0),
      p99: round(percentile(latencies, 99), 0),
      max: round(latencies.at(-1) ?? Number.NaN, 0),
      deliveriesPerSecond:
        firstArrival !== undefined && lastArrival !== undefined && lastArrival > firstArrival
          ? round((arrivals.length - 1) / ((lastArrival - firstArrival) / 1000), 1)
          : 0,
    };
    log(`events: webhook ${JSON.stringify(run)}`);
    return run;
  } finally {
    await stack.close();
    await database.drop();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
}

export async function runEventsBenchmark(
  options: BenchOptions,
  postgres: BenchPostgres,
): Promise<BenchSection> {
  const model = generateOrganization({ accounts: ACCOUNTS, seed: 14 });
  const events = options.quick ? 1_000 : 5_000;
  const push: PushRun[] = [];
  for (const concurrency of [16, 64]) {
    push.push(await measurePush(postgres, model, concurrency, events, options.log));
  }
  const webhook = await measureWebhook(
    postgres,
    model,
    100,
    options.quick ? 3 : 10,
    options.quick ? 20 : 60,
    options.log,
  );

  const rows: BenchRow[] = push.flatMap((run) => [
    {
      name: `push, ${run.concurrency} in flight: new root events ingested per second`,
      value: run.perSecond,
      unit: 'events/s',
      target: `≥ ${TARGET_PER_SECOND}`,
      met: run.perSecond >= TARGET_PER_SECOND,
      note:
        `${run.events} distinct events over ${ACCOUNTS} accounts; each new one is one transaction (event row, finding, webhook deliveries and jobs, durable commit), ${run.statementsPerEvent} statements per event (${run.statementsPerDuplicate} per duplicate)` +
        (run.commitsPerEvent !== null
          ? `, ${run.commitsPerEvent} commits per event in pg_stat_database`
          : '') +
        `; the same POSTs again (duplicates) ran at ${run.duplicatesPerSecond} events/s` +
        (run.commitsPerDuplicate !== null ? ` (${run.commitsPerDuplicate} commits each)` : '') +
        `, bare recordRootEvent inserts at ${run.bareInsertsPerSecond}/s`,
    },
    {
      name: `push, ${run.concurrency} in flight: Node CPU per new event (API and sender, one process)`,
      value: run.nodeCpuMsPerEvent,
      unit: 'ms',
      note: `${run.nodeCpuMsPerDuplicate} ms per duplicate, ${run.nodeCpuMsPerBareInsert} ms per bare insert; 1000 ms ÷ this is the rate one saturated Node thread allows`,
    },
    {
      name: `push, ${run.concurrency} in flight: new events / duplicate POSTs`,
      value: round(run.perSecond / run.duplicatesPerSecond),
      unit: '×',
    },
    {
      name: `push, ${run.concurrency} in flight: new events / bare recordRootEvent inserts`,
      value: round(run.perSecond / run.bareInsertsPerSecond),
      unit: '×',
    },
  ]);
  const complete = webhook.delivered === webhook.events;
  const bound = complete
    ? ''
    : `lower bound: ${webhook.events - webhook.delivered} not delivered after ${webhook.waitedSeconds} s`;
  rows.push(
    {
      name: `POST sent → root.activity webhook received, ${webhook.ratePerSecond} events/s: p50`,
      value: webhook.p50,
      unit: 'ms',
      ...(bound ? { note: bound } : {}),
    },
    {
      name: `POST sent → root.activity webhook received, ${webhook.ratePerSecond} events/s: p95`,
      value: webhook.p95,
      unit: 'ms',
    },
    {
      name: `POST sent → root.activity webhook received, ${webhook.ratePerSecond} events/s: p99`,
      value: webhook.p99,
      unit: 'ms',
      target: `≤ ${TARGET_P99_MS}`,
      met: complete && webhook.p99 <= TARGET_P99_MS,
      note:
        `${webhook.events} events paced at ${webhook.ratePerSecond}/s (answered at ${webhook.sentPerSecond}/s), ${webhook.delivered} delivered; ` +
        `the worker delivered ${webhook.deliveriesPerSecond} webhooks/s: 4 delivery slots, each taking 1 job per pg-boss poll ` +
        'and waiting out its 2 s polling interval after each (no notifyWorker, unlike the account slots)',
    },
  );
  return {
    id: 'events',
    title: 'Live root events by push, and to the webhook',
    rows,
    details: { accounts: ACCOUNTS, postgres: postgres.description, push, webhook },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const log = (line: string) => process.stderr.write(`[events] ${line}\n`);
  const postgres = await startBenchPostgres(log);
  try {
    const section = await runEventsBenchmark({ quick: process.argv.includes('--quick'), log }, postgres);
    for (const row of section.rows) {
      process.stdout.write(
        `${row.name}: ${row.value} ${row.unit}${row.target ? `  target ${row.target} ${row.met ? 'met' : 'NOT MET'}` : ''}${row.note ? `  (${row.note})` : ''}\n`,
      );
    }
  } finally {
    await postgres.stop();
  }
}
