/**
 * GET /metrics in the Prometheus text format (0.0.4), hand-written: gauges read from the database at
 * scrape time (scans, findings, accounts), the AWS call counters, and this process's request
 * counters. Like /healthz it is outside /v1 and needs no key: expose it only on the network
 * Prometheus scrapes from.
 *
 * AWS calls happen in the workers, so their counters come from the database too: each account
 * scan's calls are added to aws_call_totals in the transaction that records the account (see
 * @rootaudit/store recordAccountResults), so every API replica reports the same totals and a
 * re-delivered job adds nothing. Organization discovery in the scheduler is not counted.
 */
import type { PrismaClient } from '@rootaudit/db';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

type Labels = Record<string, string>;

function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

class Exposition {
  private readonly lines: string[] = [];

  metric(name: string, type: 'gauge' | 'counter', help: string, samples: [Labels, number][]): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const pairs = Object.entries(labels).map(([key, label]) => `${key}="${escapeLabel(label)}"`);
      this.lines.push(`${name}${pairs.length ? `{${pairs.join(',')}}` : ''} ${value}`);
    }
  }

  toString(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

async function metrics(instance: FastifyInstance, options: { prisma: PrismaClient }): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { prisma } = options;
  const requests = new Map<string, { labels: Labels; count: number }>();

  // Not encapsulated (fastify-plugin) and registered first: the hook counts every route of the app.
  instance.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { method: request.method, route, code: String(reply.statusCode) };
    const key = `${labels.method} ${labels.route} ${labels.code}`;
    const entry = requests.get(key) ?? { labels, count: 0 };
    entry.count++;
    requests.set(key, entry);
  });

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
    async (_request, reply) => {
      const [scans, lastScan, findings, accounts, awsCalls] = await Promise.all([
        prisma.scan.groupBy({ by: ['status'], _count: { _all: true } }),
        prisma.scan.findFirst({
          where: { status: { in: ['SUCCEEDED', 'PARTIAL', 'FAILED'] }, finishedAt: { not: null } },
          orderBy: [{ finishedAt: 'desc' }, { id: 'desc' }],
        }),
        prisma.finding.groupBy({ by: ['status', 'severity', 'muted'], _count: { _all: true } }),
        prisma.account.groupBy({ by: ['status'], _count: { _all: true } }),
        prisma.awsCallTotal.findMany({ orderBy: { service: 'asc' } }),
      ]);
      const out = new Exposition();
      out.metric(
        'rootaudit_scans',
        'gauge',
        'Scans by status.',
        scans.map((row) => [{ status: row.status }, row._count._all]),
      );
      const started = lastScan?.startedAt ?? lastScan?.createdAt;
      if (lastScan?.finishedAt && started) {
        out.metric('rootaudit_last_scan_duration_seconds', 'gauge', 'Duration of the last finished scan.', [
          [{ status: lastScan.status }, (lastScan.finishedAt.getTime() - started.getTime()) / 1000],
        ]);
        out.metric(
          'rootaudit_last_scan_finished_timestamp_seconds',
          'gauge',
          'When the last scan finished.',
          [[{ status: lastScan.status }, lastScan.finishedAt.getTime() / 1000]],
        );
        out.metric(
          'rootaudit_last_scan_accounts',
          'gauge',
          'Accounts of the last finished scan by outcome.',
          [
            [{ outcome: 'done' }, lastScan.accountsDone],
            [{ outcome: 'failed' }, lastScan.accountsFailed],
            [{ outcome: 'skipped' }, lastScan.accountsSkipped],
          ],
        );
      }
      out.metric(
        'rootaudit_findings',
        'gauge',
        'Current findings by status, severity and muted.',
        findings.map((row) => [
          { status: row.status, severity: row.severity, muted: String(row.muted) },
          row._count._all,
        ]),
      );
      out.metric(
        'rootaudit_accounts',
        'gauge',
        'Accounts by status.',
        accounts.map((row) => [{ status: row.status }, row._count._all]),
      );
      const byService = (count: (row: (typeof awsCalls)[number]) => bigint): [Labels, number][] =>
        awsCalls.map((row) => [{ service: row.service }, Number(count(row))]);
      out.metric(
        'rootaudit_aws_calls_total',
        'counter',
        "AWS API requests made by worker account jobs, by service (IAM prefix), counted when the account is recorded. Every HTTP attempt counts, SDK retries included; the scheduler's organization discovery is not counted.",
        byService((row) => row.calls),
      );
      out.metric(
        'rootaudit_aws_errors_total',
        'counter',
        'AWS API requests answered with an error (AWS error code, network failure or timeout), throttles included, whether a retry then succeeded or not.',
        byService((row) => row.errors),
      );
      out.metric(
        'rootaudit_aws_throttles_total',
        'counter',
        'AWS API requests answered with a throttling error code (Throttling, ThrottlingException, TooManyRequestsException, RequestLimitExceeded, ...), whether a retry then succeeded or not.',
        byService((row) => row.throttles),
      );
      out.metric(
        'rootaudit_http_requests_total',
        'counter',
        'HTTP requests answered by this API process.',
        [...requests.values()].map((entry) => [entry.labels, entry.count]),
      );
      return reply.type('text/plain; version=0.0.4; charset=utf-8').send(out.toString());
    },
  );
}

export const metricsRoutes = fp(metrics, { name: 'rootaudit-metrics', fastify: '5.x' });
