/**
 * GET /metrics in the Prometheus text format (0.0.4), through prom-client (one registry per app):
 * gauges read from the database at scrape time (scans, findings, accounts), the AWS call counters,
 * and this process's request counters. Like /healthz it is outside /v1 and needs no key: expose it only on the network
 * Prometheus scrapes from.
 *
 * AWS calls happen in the workers, so their counters come from the database too: each account
 * scan's calls are added to aws_call_totals in the transaction that records the account (see
 * @rootaudit/store recordAccountResults), so every API replica reports the same totals and a
 * re-delivered job adds nothing. Organization discovery in the scheduler is not counted. Root
 * events ignored (rootaudit_root_events_ignored_total) arrive by the worker's SQS consumer as well
 * as by this API: counted in the database for the same reason.
 */
import type { PrismaClient } from '@rootaudit/db';
import { readMetricsSnapshot } from '@rootaudit/store';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Counter, Gauge, Registry } from 'prom-client';
import { z } from 'zod';

async function metrics(instance: FastifyInstance, options: { prisma: PrismaClient }): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { prisma } = options;
  // Not prom-client's global registry: each app (tests run several) counts its own requests.
  const registry = new Registry();
  const registers = [registry];

  const scans = new Gauge({
    name: 'rootaudit_scans',
    help: 'Scans by status.',
    labelNames: ['status'],
    registers,
  });
  const lastScanDuration = new Gauge({
    name: 'rootaudit_last_scan_duration_seconds',
    help: 'Duration of the last finished scan.',
    labelNames: ['status'],
    registers,
  });
  const lastScanFinished = new Gauge({
    name: 'rootaudit_last_scan_finished_timestamp_seconds',
    help: 'When the last scan finished.',
    labelNames: ['status'],
    registers,
  });
  const lastScanAccounts = new Gauge({
    name: 'rootaudit_last_scan_accounts',
    help: 'Accounts of the last finished scan by outcome.',
    labelNames: ['outcome'],
    registers,
  });
  const findings = new Gauge({
    name: 'rootaudit_findings',
    help: 'Current findings by status, severity and muted.',
    labelNames: ['status', 'severity', 'muted'],
    registers,
  });
  const accounts = new Gauge({
    name: 'rootaudit_accounts',
    help: 'Accounts by status.',
    labelNames: ['status'],
    registers,
  });
  const awsCalls = new Counter({
    name: 'rootaudit_aws_calls_total',
    help: "AWS API requests made by worker account jobs, by service (IAM prefix), counted when the account is recorded. Every HTTP attempt counts, SDK retries included; the scheduler's organization discovery is not counted.",
    labelNames: ['service'],
    registers,
  });
  const awsErrors = new Counter({
    name: 'rootaudit_aws_errors_total',
    help: 'AWS API requests answered with an error (AWS error code, network failure or timeout), throttles included, whether a retry then succeeded or not.',
    labelNames: ['service'],
    registers,
  });
  const awsThrottles = new Counter({
    name: 'rootaudit_aws_throttles_total',
    help: 'AWS API requests answered with a throttling error code (Throttling, ThrottlingException, TooManyRequestsException, RequestLimitExceeded, ...), whether a retry then succeeded or not.',
    labelNames: ['service'],
    registers,
  });
  const rootEventsIgnored = new Counter({
    name: 'rootaudit_root_events_ignored_total',
    help: "Root events accepted and not stored, by reason: foreign-account (the account is not in the organization, or left it), own-session (rootaudit's own privileged root session). Both ways in (SQS and POST /v1/events/aws); every delivery counts.",
    labelNames: ['reason'],
    registers,
  });
  const httpRequests = new Counter({
    name: 'rootaudit_http_requests_total',
    help: 'HTTP requests answered by this API process.',
    labelNames: ['method', 'route', 'code'],
    registers,
  });

  // Not encapsulated (fastify-plugin) and registered first: the hook counts every route of the app.
  instance.addHook('onResponse', async (request, reply) => {
    httpRequests.inc({
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      code: String(reply.statusCode),
    });
  });

  /** The database's values, replacing the previous scrape's (a label gone from the data goes). */
  async function readDatabase(): Promise<void> {
    const snapshot = await readMetricsSnapshot(prisma);
    const lastScan = snapshot.lastFinishedScan;
    for (const metric of [scans, lastScanDuration, lastScanFinished, lastScanAccounts, findings, accounts]) {
      metric.reset();
    }
    for (const metric of [awsCalls, awsErrors, awsThrottles, rootEventsIgnored]) metric.reset();
    for (const row of snapshot.scansByStatus) scans.set({ status: row.status }, row.count);
    const started = lastScan?.startedAt ?? lastScan?.createdAt;
    if (lastScan?.finishedAt && started) {
      const status = { status: lastScan.status };
      lastScanDuration.set(status, (lastScan.finishedAt.getTime() - started.getTime()) / 1000);
      lastScanFinished.set(status, lastScan.finishedAt.getTime() / 1000);
      lastScanAccounts.set({ outcome: 'done' }, lastScan.accountsDone);
      lastScanAccounts.set({ outcome: 'failed' }, lastScan.accountsFailed);
      lastScanAccounts.set({ outcome: 'skipped' }, lastScan.accountsSkipped);
    }
    for (const row of snapshot.findings) {
      findings.set({ status: row.status, severity: row.severity, muted: String(row.muted) }, row.count);
    }
    for (const row of snapshot.accountsByStatus) accounts.set({ status: row.status }, row.count);
    // Totals kept in the database: the counters show them as they are (reset, then one inc each).
    for (const row of snapshot.awsCallTotals) {
      awsCalls.inc({ service: row.service }, Number(row.calls));
      awsErrors.inc({ service: row.service }, Number(row.errors));
      awsThrottles.inc({ service: row.service }, Number(row.throttles));
    }
    for (const row of snapshot.rootEventsIgnored) {
      rootEventsIgnored.inc({ reason: row.reason }, Number(row.count));
    }
  }

  // Scrapes read the database one at a time, so one scrape's values never mix with another's.
  let scraping: Promise<string> = Promise.resolve('');
  const scrape = (): Promise<string> => {
    scraping = scraping
      .catch(() => '')
      .then(async () => {
        await readDatabase();
        return registry.metrics();
      });
    return scraping;
  };

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics',
        querystring: z.object({}).strict(),
        response: { 200: z.string() },
      },
    },
    async (_request, reply) => reply.type(registry.contentType).send(await scrape()),
  );
}

export const metricsRoutes = fp(metrics, { name: 'rootaudit-metrics', fastify: '5.x' });
