/**
 * Storage and API benchmark (BENCHMARKS.md §4): PostgreSQL loaded with 200,000 current findings and
 * 5,000,000 result rows; `GET /v1/findings` with typical filters and cursor pages over loopback,
 * p50 and p99, and the ratio of the API's p50 to the p50 of the same SQL run directly over pg.
 * Targets: p99 ≤ 25 ms, ratio ≤ 3.
 *
 * How (so the figures hold on a noisy 2-core machine):
 * - A fresh database: an embedded PostgreSQL in a temp dir, or a new database on BENCH_DATABASE_URL
 *   (else DATABASE_URL)'s server; either is deleted at the end. Migrated with the project's
 *   migrations, then filled with SQL (bench/api-data.ts) and VACUUM ANALYZE'd.
 * - The API is the real app (buildApi) in its own process with a real read key; the load is
 *   autocannon over keep-alive connections from this process.
 * - "The same SQL": the statements the route issues for each request are captured at the pg driver
 *   (a pg.Client subclass under @prisma/adapter-pg) while the app serves that request, minus the
 *   API-key lookup; the SQL side replays them per request, in order, on its own connections.
 * - For each scenario, SQL and API phases alternate over several rounds (the order flips each
 *   round), so drift and neighbours' noise hit both sides alike; the ratio comes from the same run.
 * - Two figures that noise hardly moves sit beside the latencies: the API process's CPU time per
 *   request, and a floor (GET /healthz vs SELECT 1, measured the same way) with the load average,
 *   which tells how busy the machine was. The SQL p99 shows how much of the API p99 is not the API.
 *
 * Alone: `npx tsx bench/api.ts [--quick] [--connections 1,4] [--seconds 2] [--rounds 3] [--json file]
 *   [--profile-api dir]` (the last writes a V8 CPU profile of the API process).
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import { buildApi } from '@rootaudit/api';
import { createPrismaClient, migrateDatabase, PrismaClient, startTemporaryPostgres } from '@rootaudit/db';
import { createLogger } from '@rootaudit/log';
import { createApiKey } from '@rootaudit/store';
import pg from 'pg';
import {
  ACCOUNT_CHECK_IDS,
  accountIdAt,
  type BenchDataSize,
  childOuId,
  FULL_SIZE,
  type LoadedCounts,
  type LoadTimings,
  loadBenchData,
  QUICK_SIZE,
  TOP_OUS,
} from './api-data.ts';
import {
  connectClients,
  type Latencies,
  merge,
  runHttpPhase,
  runSqlPhase,
  type Statement,
  type Summary,
  summarize,
} from './api-measure.ts';
import type { BenchRow, BenchSection } from './types.ts';

export interface ApiBenchmarkOptions {
  quick?: boolean;
  log?: (line: string) => void;
  /** Concurrent connections per measured level [1 and 4]. */
  connections?: number[];
  /** Seconds per phase (one side, one round) [2; 1 when quick]. */
  phaseSeconds?: number;
  /** Rounds of (SQL, API) per scenario [3; 2 when quick]. */
  rounds?: number;
  /** Write a V8 CPU profile of the API process into this folder. */
  profileApiDir?: string;
}

const P99_TARGET_MS = 25;
const RATIO_TARGET = 3;

interface Scenario {
  id: string;
  /** What the requests are, for the report. */
  query: string;
  paths: string[];
}

interface CapturedRequest {
  path: string;
  statements: Statement[];
  items: number;
}

interface ScenarioResult {
  id: string;
  query: string;
  connections: number;
  requests: number;
  api: Summary;
  sql: Summary;
  ratio: number;
  /** CPU time of the API process per request (user + system): what the API adds, free of noise. */
  apiCpuMsPerRequest: number;
}

/** A database for the run, and how to get rid of it (also used by bench/console.ts). */
export async function benchDatabase(
  log: (line: string) => void,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `rootaudit_bench_${randomBytes(4).toString('hex')}`;
  const configured = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL;
  let serverUrl: string;
  let stopServer = async () => {};
  if (configured) {
    serverUrl = configured;
    log(
      `using the PostgreSQL server of ${process.env.BENCH_DATABASE_URL ? 'BENCH_DATABASE_URL' : 'DATABASE_URL'}`,
    );
  } else {
    const server = await startTemporaryPostgres({
      logger: (line) => {
        if (!line.startsWith('postgres:') || /\b(PANIC|FATAL)\b/.test(line)) log(line);
      },
    });
    serverUrl = server.url;
    stopServer = () => server.stop();
  }
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      if (configured) {
        const client = new pg.Client({ connectionString: serverUrl });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.end();
      }
      await stopServer();
    },
  };
}

/**
 * The API in its own process (bench/api-server.ts); resolves with its URL and a stop function.
 * `profileDir`: write a V8 CPU profile of the API process there (node --cpu-prof).
 */
async function startApiProcess(
  databaseUrl: string,
  profileDir: string | undefined,
): Promise<{ url: string; cpuMs: () => Promise<number>; stop: () => Promise<void> }> {
  const child = fork(fileURLToPath(new URL('./api-server.ts', import.meta.url)), [], {
    execArgv: [
      '--conditions=rootaudit-source',
      '--import',
      import.meta.resolve('tsx'),
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ],
    // Request logs (stdout) go to /dev/null, as a log shipper would take them away.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`the API process exited (${code}) before listening`)));
    child.send({ databaseUrl });
  });
  return {
    url,
    cpuMs: () =>
      new Promise((resolve) => {
        const listener = (message: unknown) => {
          const cpu = (message as { cpu?: { user: number; system: number } }).cpu;
          if (!cpu) return;
          child.off('message', listener);
          resolve((cpu.user + cpu.system) / 1000);
        };
        child.on('message', listener);
        child.send('cpu');
      }),
    stop: async () => {
      if (child.connected) child.send('stop');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The app in this process over a pg pool whose clients record every statement; serves each path
 * once and returns the statements of that request (without the API-key lookup), and its item count.
 */
async function captureStatements(databaseUrl: string, authorization: string) {
  let recording: Statement[] | undefined;
  class RecordingClient extends pg.Client {
    constructor() {
      super({ connectionString: databaseUrl });
      const query = this.query.bind(this) as (...args: unknown[]) => unknown;
      this.query = ((...args: unknown[]) => {
        const config = args[0] as { text?: string; values?: unknown[] };
        if (recording && typeof config === 'object' && config.text) {
          recording.push({ text: config.text, values: config.values ?? [] });
        }
        return query(...args);
      }) as typeof this.query;
    }
  }
  const pool = new pg.Pool({ Client: RecordingClient, max: 1 });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const app = await buildApi({
    logger: createLogger({ level: 'silent' }),
    prisma,
    readiness: async () => ({ ready: true }),
    rateLimit: { max: 1_000_000_000, timeWindowMs: 60_000 },
  });
  await app.ready();
  return {
    async serve(path: string): Promise<CapturedRequest & { nextCursor: string | null }> {
      recording = [];
      const response = await app.inject({ method: 'GET', url: path, headers: { authorization } });
      const statements = recording.filter((statement) => !statement.text.includes('"api_keys"'));
      recording = undefined;
      if (response.statusCode !== 200) {
        throw new Error(`GET ${path} answered ${response.statusCode}: ${response.body.slice(0, 300)}`);
      }
      const body = response.json() as { items: unknown[]; nextCursor: string | null };
      return { path, statements, items: body.items.length, nextCursor: body.nextCursor };
    },
    async close() {
      await app.close();
      await prisma.$disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}

function scenarioQueries(
  size: BenchDataSize,
): Array<{ id: string; query: string; paths: string[]; pages?: number }> {
  const spread = (count: number) =>
    Array.from({ length: count }, (_, k) => accountIdAt(1 + Math.floor((k * (size.accounts - 1)) / count)));
  const production = TOP_OUS[0];
  const productionUnits = Array.from({ length: production.children }, (_, k) =>
    childOuId(production.id, k + 1),
  );
  return [
    { id: 'status-fail', query: 'status=FAIL', paths: ['/v1/findings?status=FAIL'] },
    { id: 'severity-critical', query: 'severity=critical', paths: ['/v1/findings?severity=critical'] },
    {
      id: 'check',
      query: 'check=<one of 16 checks>',
      paths: ACCOUNT_CHECK_IDS.map((check) => `/v1/findings?check=${check}`),
    },
    {
      id: 'account',
      query: 'account=<one of 50 accounts>',
      paths: spread(50).map((account) => `/v1/findings?account=${account}`),
    },
    {
      id: 'ou',
      query: 'ou=<one of 10 business-unit OUs>',
      paths: productionUnits.map((ou) => `/v1/findings?ou=${ou}`),
    },
    {
      id: 'fail-critical',
      query: 'status=FAIL&severity=critical',
      paths: ['/v1/findings?status=FAIL&severity=critical'],
    },
    {
      id: 'fail-pages',
      query: 'status=FAIL, cursor pages 2-21',
      paths: ['/v1/findings?status=FAIL'],
      pages: 20,
    },
    {
      id: 'check-fail-pages',
      query: 'check=root-hardware-mfa&status=FAIL, cursor pages 2-11',
      paths: ['/v1/findings?check=root-hardware-mfa&status=FAIL'],
      pages: 10,
    },
    {
      id: 'ou-pages',
      query: `ou=${production.id} (Production, 40% of accounts), cursor pages 2-11`,
      paths: [`/v1/findings?ou=${production.id}`],
      pages: 10,
    },
  ];
}

/** Interleaves the scenarios' requests: one of each in turn. */
function interleave(lists: CapturedRequest[][]): CapturedRequest[] {
  const longest = Math.max(...lists.map((list) => list.length));
  const mixed: CapturedRequest[] = [];
  for (let i = 0; i < longest; i++) {
    for (const list of lists) {
      const request = list[i % list.length];
      if (request) mixed.push(request);
    }
  }
  return mixed;
}

function ms(value: number): number {
  return Math.round(value * 100) / 100;
}

export async function runApiBenchmark(options: ApiBenchmarkOptions = {}): Promise<BenchSection> {
  const log = options.log ?? ((line: string) => process.stderr.write(`[api] ${line}\n`));
  const quick = options.quick ?? false;
  const size = quick ? QUICK_SIZE : FULL_SIZE;
  const levels = options.connections ?? [1, 4];
  const seconds = options.phaseSeconds ?? (quick ? 1 : 2);
  const rounds = options.rounds ?? (quick ? 2 : 3);

  const database = await benchDatabase(log);
  const cleanups: Array<() => Promise<void>> = [database.drop];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch((error) => log(`cleanup: ${String(error)}`));
    cleanups.length = 0;
  };
  const onSignal = () => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await migrateDatabase(database.url);
    log(
      `loading ${size.accounts.toLocaleString('en')} accounts, ${size.scans} scans` +
        `${quick ? ' (quick: 10× less)' : ''}`,
    );
    const connect = async () => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      return client;
    };
    const loaded: { timings: LoadTimings; counts: LoadedCounts } = await loadBenchData(connect, size, log);
    log(
      `loaded ${loaded.counts.findings.toLocaleString('en')} findings, ` +
        `${loaded.counts.checkResults.toLocaleString('en')} result rows in ${(loaded.timings.totalMs / 1000).toFixed(1)} s`,
    );

    // A real read key, made by the app's own code.
    const keyPrisma = createPrismaClient(database.url);
    const { key } = await createApiKey(keyPrisma, { name: 'bench', scope: 'read' });
    await keyPrisma.$disconnect();
    const authorization = `Bearer ${key}`;

    // The statements behind every request, and the cursor pages (walked through the app).
    const capture = await captureStatements(database.url, authorization);
    cleanups.push(() => capture.close());
    const scenarios: Array<Scenario & { requests: CapturedRequest[] }> = [];
    for (const definition of scenarioQueries(size)) {
      const requests: CapturedRequest[] = [];
      for (const path of definition.paths) {
        let served = await capture.serve(path);
        if (!definition.pages) requests.push(served);
        for (let page = 0; definition.pages && page < definition.pages && served.nextCursor; page++) {
          served = await capture.serve(`${path}&cursor=${served.nextCursor}`);
          requests.push(served);
        }
      }
      if (requests.length === 0) throw new Error(`scenario ${definition.id} has no requests`);
      scenarios.push({ ...definition, paths: requests.map((request) => request.path), requests });
    }
    const mixRequests = interleave(scenarios.map((scenario) => scenario.requests));
    scenarios.push({
      id: 'mix',
      query: 'all of the above, interleaved',
      paths: mixRequests.map((request) => request.path),
      requests: mixRequests,
    });
    await capture.close();
    cleanups.pop();

    // What PostgreSQL does with each scenario's statements (first request of each).
    const explainClient = await connect();
    const plans: Record<string, Array<{ statement: string; plan: string[]; executionMs: number }>> = {};
    for (const scenario of scenarios.filter((s) => s.id !== 'mix')) {
      const first = scenario.requests[0] as CapturedRequest;
      plans[scenario.id] = [];
      for (const statement of first.statements) {
        const result = await explainClient.query<{ 'QUERY PLAN': string }>({
          text: `EXPLAIN (ANALYZE, BUFFERS) ${statement.text}`,
          values: statement.values,
        });
        const lines = result.rows.map((row) => row['QUERY PLAN']);
        const execution = lines.find((line) => line.startsWith('Execution Time'));
        plans[scenario.id]?.push({
          statement: statement.text,
          plan: lines,
          executionMs: Number(/([\d.]+) ms/.exec(execution ?? '')?.[1] ?? Number.NaN),
        });
      }
    }
    await explainClient.end();

    const api = await startApiProcess(database.url, options.profileApiDir);
    cleanups.push(api.stop);
    log(`API listening on ${api.url} (separate process); ${scenarios.length} scenarios`);

    const maxConnections = Math.max(...levels);
    const sqlClients = await connectClients(database.url, maxConnections);
    cleanups.push(async () => {
      await Promise.all(sqlClients.map((client) => client.end()));
    });

    // Warm-up: every request through both paths, not recorded.
    const all = scenarios.find((scenario) => scenario.id === 'mix') as Scenario & {
      requests: CapturedRequest[];
    };
    await runSqlPhase({
      clients: sqlClients.slice(0, 2),
      requests: all.requests.map((r) => r.statements),
      seconds: 2,
    });
    await runHttpPhase({ url: api.url, paths: all.paths, authorization, connections: 2, seconds: 2 });

    // The floor: what loopback HTTP (GET /healthz: no key, no query) and a pg round trip (SELECT 1)
    // cost on this machine right now, measured the same way; it shows how noisy the run was.
    const floor = {
      id: 'floor',
      query: 'GET /healthz vs SELECT 1',
      paths: ['/healthz'],
      statements: [[{ text: 'SELECT 1', values: [] }]],
    };
    const measured = [
      floor,
      ...scenarios.map((scenario) => ({
        id: scenario.id,
        query: scenario.query,
        paths: scenario.paths,
        statements: scenario.requests.map((request) => request.statements),
      })),
    ];
    const loadAverage = { before: loadavg()[0] ?? Number.NaN, after: Number.NaN };
    const results: ScenarioResult[] = [];
    for (const connections of levels) {
      const clients = sqlClients.slice(0, connections);
      for (const scenario of measured) {
        const apiParts: Latencies[] = [];
        const sqlParts: Latencies[] = [];
        let apiCpuMs = 0;
        for (let round = 0; round < rounds; round++) {
          const sqlPhase = async () =>
            sqlParts.push(await runSqlPhase({ clients, requests: scenario.statements, seconds }));
          const apiPhase = async () => {
            const cpuBefore = await api.cpuMs();
            apiParts.push(
              await runHttpPhase({
                url: api.url,
                paths: scenario.paths,
                authorization,
                connections,
                seconds,
              }),
            );
            apiCpuMs += (await api.cpuMs()) - cpuBefore;
          };
          // The order flips every round, so neither side always runs first (or right after a warm-up).
          if (round % 2 === 0) {
            await sqlPhase();
            await apiPhase();
          } else {
            await apiPhase();
            await sqlPhase();
          }
        }
        const apiSummary = summarize(merge(apiParts));
        const sqlSummary = summarize(merge(sqlParts));
        if (apiSummary.errors > 0 || sqlSummary.errors > 0) {
          throw new Error(
            `${scenario.id}: ${apiSummary.errors} API responses were not 2xx, ${sqlSummary.errors} SQL requests failed`,
          );
        }
        const result: ScenarioResult = {
          id: scenario.id,
          query: scenario.query,
          connections,
          requests: scenario.statements.length,
          api: apiSummary,
          sql: sqlSummary,
          ratio: Math.round((apiSummary.p50 / sqlSummary.p50) * 100) / 100,
          apiCpuMsPerRequest: Math.round((apiCpuMs / apiSummary.count) * 1000) / 1000,
        };
        results.push(result);
        log(
          `c=${connections} ${scenario.id.padEnd(18)} API p50 ${ms(apiSummary.p50)} p99 ${ms(apiSummary.p99)} ms ` +
            `(${apiSummary.count}) | SQL p50 ${ms(sqlSummary.p50)} p99 ${ms(sqlSummary.p99)} ms (${sqlSummary.count}) ` +
            `| ratio ${result.ratio} | API CPU ${result.apiCpuMsPerRequest} ms/request`,
        );
      }
    }
    loadAverage.after = loadavg()[0] ?? Number.NaN;

    const rows: BenchRow[] = [
      { name: 'findings loaded', value: loaded.counts.findings, unit: 'rows' },
      { name: 'result rows loaded', value: loaded.counts.checkResults, unit: 'rows' },
      {
        name: 'load time (SQL, incl. index rebuild and VACUUM ANALYZE)',
        value: Math.round(loaded.timings.totalMs / 100) / 10,
        unit: 's',
        note:
          `findings ${(loaded.timings.findingsMs / 1000).toFixed(1)} s, result rows ${(loaded.timings.resultsInsertMs / 1000).toFixed(1)} s, ` +
          `their indexes ${(loaded.timings.resultsIndexMs / 1000).toFixed(1)} s, VACUUM ANALYZE ${(loaded.timings.vacuumMs / 1000).toFixed(1)} s`,
      },
    ];
    const both = (summary: Summary) => `p50 ${ms(summary.p50)} ms, p99 ${ms(summary.p99)} ms`;
    for (const result of results) {
      const level = `c=${result.connections}`;
      if (result.id === 'floor') {
        rows.push({
          name: `loopback floor, ${level}: GET /healthz p99`,
          value: ms(result.api.p99),
          unit: 'ms',
          note:
            `GET /healthz ${both(result.api)}; SELECT 1 ${both(result.sql)}; ` +
            `1-min load average ${loadAverage.before.toFixed(1)} → ${loadAverage.after.toFixed(1)} on ${cpus().length} CPUs`,
        });
      } else if (result.id === 'mix') {
        const label = `GET /v1/findings typical mix, ${level}`;
        rows.push(
          { name: `${label}: API p50`, value: ms(result.api.p50), unit: 'ms' },
          {
            name: `${label}: API p99`,
            value: ms(result.api.p99),
            unit: 'ms',
            target: `≤ ${P99_TARGET_MS}`,
            met: result.api.p99 <= P99_TARGET_MS,
          },
          { name: `${label}: SQL p50 (the same statements over pg)`, value: ms(result.sql.p50), unit: 'ms' },
          {
            name: `${label}: API process CPU per request`,
            value: result.apiCpuMsPerRequest,
            unit: 'ms',
            note: 'user + system time of the API process over its phases ÷ requests: unaffected by waiting',
          },
          {
            name: `${label}: SQL p99`,
            value: ms(result.sql.p99),
            unit: 'ms',
            note: 'the database alone: the part of the API p99 that is not the API',
          },
          {
            name: `${label}: API p50 / SQL p50`,
            value: result.ratio,
            unit: '×',
            target: `≤ ${RATIO_TARGET}`,
            met: result.ratio <= RATIO_TARGET,
          },
        );
      } else {
        rows.push({
          name: `GET /v1/findings ${result.query}, ${level}: API p50 / SQL p50`,
          value: result.ratio,
          unit: '×',
          target: `≤ ${RATIO_TARGET}`,
          met: result.ratio <= RATIO_TARGET,
          note: `API ${both(result.api)}; SQL ${both(result.sql)}`,
        });
      }
    }

    return {
      id: 'api',
      title: `Storage and API: GET /v1/findings over ${loaded.counts.findings.toLocaleString('en')} findings and ${loaded.counts.checkResults.toLocaleString('en')} result rows`,
      rows,
      details: {
        size,
        counts: loaded.counts,
        loadTimings: loaded.timings,
        method: {
          api: "real app (buildApi) in its own process, info-level request logs to /dev/null, real read API key (per-key rate limit raised to 1e9/min through buildApi's rateLimit option; verified keys remembered for 5 s as in production)",
          load: 'autocannon, keep-alive, closed loop, per-response latency with sub-ms precision',
          sql: 'the statements the route issued for each request (captured at the pg driver, API-key lookup excluded), unnamed with array rows like @prisma/adapter-pg, sequential per request',
          phaseSeconds: seconds,
          rounds,
          connections: levels,
          loadAverage,
          postgres:
            process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL
              ? 'configured server'
              : 'embedded PostgreSQL 17, default settings',
        },
        scenarios: scenarios.map((scenario) => ({
          id: scenario.id,
          query: scenario.query,
          requests: scenario.requests.length,
          statementsPerRequest: scenario.requests[0]?.statements.length,
          itemsPerPage: scenario.requests[0]?.items,
        })),
        results,
        plans,
      },
    };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
  }
}

function parseArguments(argv: string[]): ApiBenchmarkOptions {
  const options: ApiBenchmarkOptions = { quick: argv.includes('--quick') };
  const value = (flag: string) => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const connections = value('--connections');
  if (connections) options.connections = connections.split(',').map(Number);
  const seconds = value('--seconds');
  if (seconds) options.phaseSeconds = Number(seconds);
  const rounds = value('--rounds');
  if (rounds) options.rounds = Number(rounds);
  const profileDir = value('--profile-api');
  if (profileDir) options.profileApiDir = profileDir;
  return options;
}

/** `--json <file>`: the whole section, details included. */
function jsonPath(argv: string[]): string | undefined {
  const index = argv.indexOf('--json');
  return index >= 0 ? argv[index + 1] : undefined;
}

function printSection(section: BenchSection): void {
  const lines = [`# ${section.title}`, ''];
  for (const row of section.rows) {
    const target = row.target ? `  target ${row.target} ${row.met ? 'met' : 'NOT MET'}` : '';
    const note = row.note ? `  (${row.note})` : '';
    lines.push(`${row.name}: ${row.value} ${row.unit}${target}${note}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const section = await runApiBenchmark(parseArguments(argv));
  printSection(section);
  const json = jsonPath(argv);
  if (json) await writeFile(json, `${JSON.stringify(section, null, 2)}\n`);
}
