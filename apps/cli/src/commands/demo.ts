/**
 * `rootaudit demo`: the whole service (API, scheduler, worker) against the project's AWS simulator
 * serving a sample organization, with its own database, an API key, and a first scan. Nothing
 * reaches AWS: the simulator answers every call, and the AWS SDK is given its address and dummy
 * credentials in this process only.
 *
 * Once the first scan is done, the simulator's root users act now and then (`--root-activity`
 * seconds apart: sign-ins with and without MFA, failed ones, calls with root keys, privileged
 * sessions), each event pushed to the demo's own POST /v1/events/aws as an EventBridge API
 * destination would, with an ingest key, and recorded in the simulated CloudTrail history so that the
 * next nightly scan finds the same event. Each prints one line as it arrives.
 *
 * The configuration is built here, not read from the environment, so a real deployment's settings
 * (DATABASE_URL, ROOTAUDIT_CONFIG_FILE, AWS_*) never mix demo data into real data; only HOST and
 * LOG_LEVEL are taken from the environment.
 */
import { startApi } from '@rootaudit/api';
import {
  DEMO_ACCOUNTS,
  demoOrganization,
  loadOrganization,
  type OrganizationModel,
  ROOT_ACTIVITY_SCENARIOS,
  recordInEventHistory,
  rootActivity,
  type SimulatedRootEvent,
  startSimulator,
} from '@rootaudit/aws-sim';
import { loadConfigOrExit } from '@rootaudit/config';
import type { PrismaClient, Scan } from '@rootaudit/db';
import { startScheduler } from '@rootaudit/scheduler';
import { type HttpRole, type Role, runRoles, triggerScan } from '@rootaudit/service';
import { type ApiKeyScope, createApiKey, failScan } from '@rootaudit/store';
import { startWorker } from '@rootaudit/worker';
import { parseOptions, UsageError } from '../usage.ts';

export const summary =
  'run the service against a simulated AWS organization, with an API key and a first scan';

const MAX_ACCOUNTS = 10_000;
const DEMO_CONCURRENCY = 32;
/** Pickup of queued jobs: quicker than the service's 2 s, so the first scan starts at once. */
const DEMO_POLLING_SECONDS = 1;
const KEY_SCOPE: ApiKeyScope = 'write';
/** Seconds between two simulated root events, by default; 0 turns them off. */
const ROOT_ACTIVITY_SECONDS = 30;

function integerOption(name: string, value: string, min: number, max: number): number {
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, not "${value}"`);
  }
  return number;
}

const say = (text = '') => process.stdout.write(`${text}\n`);

const seconds = (from: Date | null, to: Date | null) =>
  from && to ? `${((to.getTime() - from.getTime()) / 1000).toFixed(1)} s` : 'an unknown time';

/** One printed line per live root event: who, what, from where, with MFA or not, and its outcome. */
function describeRootEvent(model: OrganizationModel, simulated: SimulatedRootEvent, status: string): string {
  const detail = simulated.envelope.detail as {
    eventName?: string;
    sourceIPAddress?: string;
    additionalEventData?: { MFAUsed?: string };
    responseElements?: Record<string, string> | null;
    errorCode?: string;
    errorMessage?: string;
  };
  const name = model.accounts.find((account) => account.id === simulated.accountId)?.name ?? '';
  const mfa = detail.additionalEventData?.MFAUsed;
  const failed = detail.errorCode ?? (detail.errorMessage ? 'failed' : null);
  const facts = [
    `Root activity  ${new Date(simulated.envelope.time).toISOString().slice(11, 19)}`,
    `${name} (${simulated.accountId}): ${detail.eventName ?? '?'} from ${detail.sourceIPAddress ?? '?'}`,
    mfa ? `MFA ${mfa === 'Yes' ? 'yes' : 'no'}` : null,
    failed ? `refused (${failed})` : null,
  ];
  return `${facts.filter(Boolean).join(', ')} → ${status}`;
}

/**
 * The simulator's root users acting every `intervalMs`: each event recorded in the simulated
 * CloudTrail and pushed to the API like an API destination. Stops with `signal`.
 */
function simulateRootActivity(options: {
  model: OrganizationModel;
  apiUrl: string;
  ingestKey: string;
  intervalMs: number;
  signal: AbortSignal;
  onError: (error: unknown) => void;
}): void {
  const next = rootActivity(options.model, {
    seed: Date.now() % 100_000,
    // The demo's own sessions (rootaudit reading root credentials) would be ignored: act out others.
    scenarios: ROOT_ACTIVITY_SCENARIOS.filter((scenario) => scenario !== 'privileged-session-rootaudit'),
  });
  const act = async () => {
    const simulated = next();
    recordInEventHistory(options.model, simulated);
    const response = await fetch(`${options.apiUrl}/v1/events/aws`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.ingestKey}` },
      body: JSON.stringify(simulated.envelope),
      signal: AbortSignal.timeout(10_000),
    });
    const answer = (await response.json()) as { status?: string; message?: string };
    if (!options.signal.aborted) {
      say(describeRootEvent(options.model, simulated, answer.status ?? `HTTP ${response.status}`));
    }
  };
  const timer = setInterval(() => act().catch(options.onError), options.intervalMs);
  options.signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}

function describeOrganization(model: OrganizationModel): string {
  const active = model.accounts.filter((account) => account.status === 'ACTIVE').length;
  const sample = loadOrganization().accounts.length;
  const made =
    model.accounts.length > sample
      ? `the first ${sample} hand-made good and bad cases, the rest generated`
      : 'all hand-made good and bad cases';
  return `${model.organization.id}, ${model.accounts.length} accounts (${active} active) in ${model.ous.length} OUs, ${made} (packages/aws-sim/README.md)`;
}

/** Polls the scan until it ends, printing progress now and then; null when stopped first. */
async function waitForScan(prisma: PrismaClient, scanId: string, signal: AbortSignal): Promise<Scan | null> {
  let lastProgress = Date.now();
  while (!signal.aborted) {
    const scan = await prisma.scan.findUniqueOrThrow({ where: { id: scanId } });
    if (scan.active !== true) return scan;
    if (Date.now() - lastProgress >= 5_000 && scan.accountsTotal > 0) {
      say(`  … ${scan.accountsDone} of ${scan.accountsTotal} accounts scanned`);
      lastProgress = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return null;
}

async function reportScan(prisma: PrismaClient, scan: Scan, model: OrganizationModel): Promise<void> {
  const criticalFailing = await prisma.finding.count({
    where: { status: 'FAIL', severity: 'critical', muted: false },
  });
  const unreadable = await prisma.accountScan.findMany({
    where: { scanId: scan.id, status: 'ERROR' },
    include: { account: { select: { name: true } } },
    orderBy: { accountId: 'asc' },
  });
  say();
  say(`First scan finished: ${scan.status} in ${seconds(scan.startedAt ?? scan.createdAt, scan.finishedAt)}`);
  say(
    `  accounts   ${scan.accountsDone} scanned (${scan.accountsFailed} could not be read), ` +
      `${scan.accountsSkipped} skipped (suspended or closing)`,
  );
  say(
    `  results    ${scan.resultsPass} PASS, ${scan.resultsFail} FAIL, ${scan.resultsError} ERROR, ` +
      `${scan.resultsNotApplicable} NOT_APPLICABLE; ${criticalFailing} critical findings failing`,
  );
  for (const row of unreadable) {
    const withoutRole = model.accounts.some(
      (account) => account.id === row.accountId && account.auditRole === false,
    );
    const why = withoutRole
      ? 'no audit role deployed there, on purpose'
      : (row.error ?? 'unknown error').slice(0, 160);
    say(`  ERROR      ${row.account.name} (${row.accountId}): ${why}`);
  }
  say();
  say('The findings come from SIMULATED AWS data. The service keeps running; Ctrl-C stops it.');
}

export async function run(argv: string[]): Promise<number | undefined> {
  const options = parseOptions(argv, {
    port: { type: 'string', default: '3000' },
    accounts: { type: 'string', default: String(DEMO_ACCOUNTS) },
    'data-dir': { type: 'string', default: '.data/demo' },
    'database-url': { type: 'string' },
    'root-activity': { type: 'string', default: String(ROOT_ACTIVITY_SECONDS) },
  });
  const port = integerOption('port', options.port, 0, 65_535);
  const accounts = integerOption('accounts', options.accounts, 12, MAX_ACCOUNTS);
  const rootActivitySeconds = integerOption('root-activity', options['root-activity'], 0, 86_400);

  const model = demoOrganization({ accounts });
  const sim = await startSimulator({ model });
  // The AWS SDK reads these itself: dummy base credentials (the simulator checks no signature) and
  // the simulator's address for any client built without one. Real credentials stay unused.
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.AWS_REGION = model.regions[0] ?? 'us-east-1';
  process.env.AWS_ENDPOINT_URL = sim.endpoint;
  for (const name of Object.keys(process.env)) {
    if (name === 'AWS_SESSION_TOKEN' || name === 'AWS_PROFILE' || name.startsWith('AWS_ENDPOINT_URL_')) {
      delete process.env[name];
    }
  }
  const config = loadConfigOrExit({
    DATABASE_URL: options['database-url'],
    ROOTAUDIT_DATA_DIR: options['data-dir'],
    PORT: String(port),
    HOST: process.env.HOST,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    AWS_ENDPOINT_URL: sim.endpoint,
    AWS_REGION: model.regions[0],
    ROOTAUDIT_REGIONS: model.regions.join(','),
    ROOTAUDIT_AUDIT_ROLE_NAME: model.auditRole.name,
    ROOTAUDIT_EXTERNAL_ID: model.auditRole.externalId,
    ROOTAUDIT_ALLOWED_EMAIL_DOMAINS: 'acme-corp.example',
    // One wave for the default organization's 32 active accounts.
    ROOTAUDIT_ACCOUNT_CONCURRENCY: String(DEMO_CONCURRENCY),
  });

  say('rootaudit demo: the AWS data is SIMULATED (packages/aws-sim); nothing is sent to AWS.');
  say(`  organization  ${describeOrganization(model)}`);
  say(`  simulator     ${sim.endpoint}`);
  say(
    `  database      ${config.databaseUrl ? 'the server of --database-url' : `embedded PostgreSQL under ${config.dataDir}`}`,
  );
  say();

  const worker: Role = (context) => startWorker({ ...context, pollingIntervalSeconds: DEMO_POLLING_SECONDS });
  const scheduler: Role = (context) =>
    startScheduler({ ...context, pollingIntervalSeconds: DEMO_POLLING_SECONDS });
  let apiUrl = '';
  const api: HttpRole = async (context) => {
    const started = await startApi(context);
    apiUrl = started.url;
    return started;
  };
  const demo: Role = async ({ database, boss, logger }) => {
    const { prisma } = database;
    const { key } = await createApiKey(prisma, { name: 'demo', scope: KEY_SCOPE });
    const ingestKey = (await createApiKey(prisma, { name: 'demo-eventbridge', scope: 'ingest' })).key;
    let outcome = await triggerScan({ prisma, boss }, { requestedBy: 'demo' });
    if (!outcome.started) {
      // An earlier demo was stopped mid-scan: that scan is replaced, not resumed.
      await failScan(prisma, outcome.scan.id, 'left unfinished by an earlier demo run');
      outcome = await triggerScan({ prisma, boss }, { requestedBy: 'demo' });
    }
    const scanId = outcome.scan.id;
    const curl = (path: string) => `  curl -H "Authorization: Bearer ${key}" "${apiUrl}${path}"`;
    say(`Console   ${apiUrl}/   (the web console: sign in with the API key below)`);
    say(`API URL   ${apiUrl}   (OpenAPI: ${apiUrl}/docs)`);
    say(`API key   ${key}   (${KEY_SCOPE} scope, for this demo only)`);
    say();
    say('Try:');
    say(curl('/v1/findings?status=FAIL&severity=critical'));
    say(curl('/v1/summary'));
    say(curl(`/v1/scans/${scanId}/diff`));
    say();
    say(`First scan ${scanId} started; waiting for it to finish…`);
    const stopped = new AbortController();
    waitForScan(prisma, scanId, stopped.signal)
      .then(async (scan) => {
        if (!scan) return;
        await reportScan(prisma, scan, model);
        if (rootActivitySeconds === 0 || stopped.signal.aborted) return;
        say(
          `Live root activity: a simulated root event every ${rootActivitySeconds} s, pushed to POST /v1/events/aws; see ${apiUrl}/v1/root-activity`,
        );
        simulateRootActivity({
          model,
          apiUrl,
          ingestKey,
          intervalMs: rootActivitySeconds * 1000,
          signal: stopped.signal,
          onError: (error) => {
            if (!stopped.signal.aborted)
              logger.warn({ err: error }, 'a simulated root event was not taken in');
          },
        });
      })
      .catch((error: unknown) => {
        if (!stopped.signal.aborted) logger.error({ err: error }, 'following the first scan failed');
      });
    return { name: 'demo', close: async () => stopped.abort() };
  };

  // The API listens first (runRoles' http role), so the demo, last, can print its address; workers
  // before the scheduler, so the first scan's jobs find a consumer.
  // The simulator is not one of them: it serves until the process exits, after the queue has let
  // go of jobs still in hand (a discovery job among them), which would fail without it.
  await runRoles('demo', [worker, scheduler, demo], { config, http: api });
  return undefined;
}
