/**
 * `pnpm bench [--quick] [--only scan,throttling,worker,recovery,api,cli,console,queue,events]`: runs the benchmark
 * sections one after another, prints one table (stdout) and writes it, with the machine and every
 * raw figure, to bench/results/<date>.json and bench/results/latest.json. Progress goes to stderr.
 * Not part of the test suite. See BENCHMARKS.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BenchPostgres, startBenchPostgres } from './postgres.ts';
import { runRecoveryBenchmark } from './recovery.ts';
import { runScanSpeedBenchmark, runThrottlingBenchmark } from './scan.ts';
import { round } from './support.ts';
import type { BenchOptions, BenchSection } from './types.ts';
import { runWorkerBenchmark } from './worker.ts';

const SECTIONS = [
  'scan',
  'throttling',
  'worker',
  'recovery',
  'api',
  'cli',
  'console',
  'queue',
  'events',
] as const;
type SectionId = (typeof SECTIONS)[number];

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } },
});
const wanted = new Set<SectionId>(
  values.only ? (values.only.split(',').map((id) => id.trim()) as SectionId[]) : SECTIONS,
);
for (const id of wanted) {
  if (!SECTIONS.includes(id)) {
    process.stderr.write(`--only: unknown section "${id}"; sections: ${SECTIONS.join(', ')}\n`);
    process.exit(2);
  }
}

const started = new Date();
const log = (line: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const options: BenchOptions = { quick: values.quick, log };

function machine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpuMHz: cpus[0]?.speed ?? null,
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverageAtStart: os.loadavg().map((value) => round(value)),
  };
}

const info = machine();
const sections: BenchSection[] = [];
const failures: { section: SectionId; error: string }[] = [];
let postgres: BenchPostgres | null = null;
const needsPostgres = wanted.has('worker') || wanted.has('recovery') || wanted.has('events');
try {
  if (needsPostgres) postgres = await startBenchPostgres(log);
  const run = async (id: SectionId, body: () => Promise<BenchSection | BenchSection[] | null>) => {
    if (!wanted.has(id)) return;
    const sectionStarted = performance.now();
    log(`${id}: start`);
    try {
      const produced = await body();
      const seconds = Math.round((performance.now() - sectionStarted) / 1000);
      for (const section of produced === null ? [] : Array.isArray(produced) ? produced : [produced]) {
        section.details = { ...section.details, seconds };
        sections.push(section);
      }
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`${id}: FAILED: ${message}`);
      failures.push({ section: id, error: message });
    }
    log(`${id}: done in ${Math.round((performance.now() - sectionStarted) / 1000)} s`);
  };
  await run('scan', () => runScanSpeedBenchmark(options));
  await run('throttling', () => runThrottlingBenchmark(options));
  await run('worker', () => runWorkerBenchmark(options, postgres as BenchPostgres));
  await run('recovery', () => runRecoveryBenchmark(options, postgres as BenchPostgres));
  // Loaded on demand: the other sections need none of the API, autocannon and their start-up.
  await run('api', async () => (await import('./api.ts')).runApiBenchmark(options));
  await run('cli', async () => (await import('./cli.ts')).runCliStartupBenchmark(options));
  await run('console', async () => (await import('./console.ts')).runConsoleBenchmark(options));
  await run('queue', async () => (await import('./queue.ts')).runQueueBenchmark(options));
  await run('events', async () =>
    (await import('./events.ts')).runEventsBenchmark(options, postgres as BenchPostgres),
  );
} finally {
  await postgres?.stop();
}

// ── The table ──────────────────────────────────────────────────────────────────────────────
const formatValue = (value: number, unit: string) =>
  `${value.toLocaleString('en-US', { maximumFractionDigits: 2 })}${unit === '×' ? '×' : ` ${unit}`}`;
const rows = sections.flatMap((section) =>
  section.rows.map((row) => ({
    section: section.id,
    metric: row.name,
    value: formatValue(row.value, row.unit),
    target: row.target ?? '',
    met: row.met === undefined ? '' : row.met ? 'yes' : 'NO',
    note: row.note ?? '',
  })),
);
const columns = ['section', 'metric', 'value', 'target', 'met'] as const;
const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => row[column].length)));
const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
const table = [
  line([...columns]),
  line(widths.map((width) => '-'.repeat(width))),
  ...rows.map((row) => line(columns.map((column) => row[column]))),
];
const ended = new Date();
const seconds = Math.round((ended.getTime() - started.getTime()) / 1000);
process.stdout.write(
  `\nrootaudit benchmarks${options.quick ? ' (--quick)' : ''}, ${started.toISOString()}, ${seconds} s\n` +
    `${info.cpus} × ${info.cpuModel}, ${info.memoryGiB} GiB, ${info.os}, Node ${info.node}\n\n` +
    `${table.join('\n')}\n\n` +
    rows
      .filter((row) => row.note)
      .map((row) => `- ${row.section} / ${row.metric}: ${row.note}`)
      .join('\n') +
    '\n',
);
for (const failure of failures)
  process.stdout.write(`\nsection ${failure.section} FAILED: ${failure.error}\n`);

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
await mkdir(resultsDir, { recursive: true });
const report = {
  startedAt: started.toISOString(),
  seconds,
  quick: options.quick,
  sections: [...wanted],
  machine: { ...info, loadAverageAtEnd: os.loadavg().map((value) => round(value)) },
  results: sections,
  failures,
};
const stamp = started
  .toISOString()
  .replaceAll(':', '-')
  .replace(/\.\d+Z$/, 'Z');
const json = `${JSON.stringify(report, null, 2)}\n`;
await writeFile(`${resultsDir}${stamp}${options.quick ? '-quick' : ''}.json`, json);
await writeFile(`${resultsDir}latest.json`, json);
process.stderr.write(
  `results: bench/results/${stamp}${options.quick ? '-quick' : ''}.json and latest.json\n`,
);
process.exit(failures.length > 0 ? 1 : 0);
