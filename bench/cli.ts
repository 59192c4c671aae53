/**
 * CLI start-up (BENCHMARKS.md §6): the wall time of a one-account `rootaudit scan --accounts <id>` as a user
 * runs it, a separate process against the simulator at 50 ms per call: the compiled CLI (what
 * `npm start` and the image run, apps/cli/bin/rootaudit.mjs on dist/) beside, in the same run, the
 * same bin on the TypeScript sources through tsx (the baseline: how every command ran before the
 * build). Runs alternate so that load on the machine falls on both alike; the first run of each is
 * a warm-up (Node's compile cache and the disk cache fill), not counted.
 *
 * The simulator's call log gives the AWS calls of that one-account scan (a scan limited to
 * some accounts reads only their part of the organization), and how many went to Organizations.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { describeStale, staleBuilds } from '../scripts/build-state.mjs';
import { LATENCY } from './scan.ts';
import { BENCH_CREDENTIALS, BENCH_EXTERNAL_ID, BENCH_REGIONS, startSimulatorProcess } from './simulator.ts';
import { percentile, round } from './support.ts';
import type { BenchOptions, BenchSection } from './types.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../apps/cli/bin/rootaudit.mjs', import.meta.url));
/** The target for the compiled CLI on this kind of machine. */
const TARGET_SECONDS = 1.2;

interface Variant {
  label: string;
  nodeArgs: string[];
}

const VARIANTS: Variant[] = [
  { label: 'compiled', nodeArgs: [] },
  { label: 'sources through tsx', nodeArgs: ['--conditions=rootaudit-source'] },
];

/**
 * GNU time, when installed, reports the CPU time of the process: a figure that load on a shared
 * machine disturbs far less than wall time.
 */
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const CPU_LINE = /^rootaudit-cpu ([\d.]+) ([\d.]+)$/m;

/** Wall seconds (and CPU seconds when known) of one `rootaudit scan`, failing on a non-zero exit. */
function timedScan(
  variant: Variant,
  accountId: string,
  env: NodeJS.ProcessEnv,
): Promise<{ wall: number; cpu: number | null }> {
  return new Promise((resolve, reject) => {
    const command = [
      process.execPath,
      ...variant.nodeArgs,
      BIN,
      'scan',
      '--accounts',
      accountId,
      '--format',
      'json',
    ];
    const argv = GNU_TIME ? [GNU_TIME, '-f', 'rootaudit-cpu %U %S', ...command] : command;
    const started = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const wall = (performance.now() - started) / 1000;
      const cpu = CPU_LINE.exec(stderr);
      if (code === 0) resolve({ wall, cpu: cpu ? Number(cpu[1]) + Number(cpu[2]) : null });
      else reject(new Error(`rootaudit scan (${variant.label}) exited ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

export async function runCliStartupBenchmark(options: BenchOptions): Promise<BenchSection> {
  const stale = staleBuilds(ROOT);
  if (stale.length > 0) {
    options.log(`cli: building the workspace (pnpm build): ${describeStale(stale)}`);
    const built = spawnSync('pnpm', ['build', '--output-logs=errors-only'], { cwd: ROOT, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`pnpm build failed: ${built.stdout}${built.stderr}`);
  }

  const sim = await startSimulatorProcess({ accounts: 12, knobs: { latency: LATENCY }, allAuditRoles: true });
  try {
    const account = sim.accounts.find(
      (candidate) => candidate.status === 'ACTIVE' && candidate.id !== sim.managementAccountId,
    );
    if (!account) throw new Error('the simulated organization has no active member account');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      AWS_ENDPOINT_URL: sim.endpoint,
      AWS_ACCESS_KEY_ID: BENCH_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: BENCH_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      ROOTAUDIT_EXTERNAL_ID: BENCH_EXTERNAL_ID,
      ROOTAUDIT_REGIONS: BENCH_REGIONS.join(','),
      LOG_LEVEL: 'warn',
    };
    const rounds = options.quick ? 3 : 7;
    const seconds = new Map<string, number[]>(VARIANTS.map((variant) => [variant.label, []]));
    const cpuSeconds = new Map<string, number[]>(VARIANTS.map((variant) => [variant.label, []]));
    const loadAtStart = os.loadavg()[0] ?? 0;
    let calls: { total: number; byOperation: Record<string, number> } | null = null;
    for (let round = 0; round <= rounds; round += 1) {
      for (const variant of VARIANTS) {
        await sim.reset();
        const { wall, cpu } = await timedScan(variant, account.id, env);
        // reset() clears the call log: these are the calls of this one scan.
        if (round === 0 && variant === VARIANTS[0]) calls = await sim.stats();
        if (round === 0) continue;
        seconds.get(variant.label)!.push(wall);
        if (cpu !== null) cpuSeconds.get(variant.label)!.push(cpu);
      }
    }
    const median = (values: Map<string, number[]>, label: string) => percentile(values.get(label)!, 50);
    const compiled = median(seconds, 'compiled');
    const sources = median(seconds, 'sources through tsx');
    const compiledCpu = median(cpuSeconds, 'compiled');
    const sourcesCpu = median(cpuSeconds, 'sources through tsx');
    const load = `load average ${round(loadAtStart)} at the start on ${os.cpus().length} cores`;
    if (!calls) throw new Error('no call count was taken');
    const organizationCalls = Object.entries(calls.byOperation).filter(([operation]) =>
      operation.startsWith('organizations:'),
    );
    const organizationTotal = organizationCalls.reduce((total, [, count]) => total + count, 0);
    options.log(
      `cli: the one-account scan made ${calls.total} AWS calls, ${organizationTotal} of them to Organizations`,
    );
    options.log(
      `cli: compiled ${round(compiled)} s, sources through tsx ${round(sources)} s (medians; ${load})`,
    );
    return {
      id: 'cli',
      title: 'CLI start-up: a one-account scan as a process (simulator at 50 ms per call)',
      rows: [
        {
          name: 'one-account scan, compiled CLI (median)',
          value: round(compiled),
          unit: 's',
          target: `< ${TARGET_SECONDS}`,
          met: compiled < TARGET_SECONDS,
          note: `node apps/cli/bin/rootaudit.mjs scan --accounts ${account.id}; ${rounds} runs after a warm-up, alternating with the baseline; ${load}`,
        },
        {
          name: 'same, sources through tsx (baseline, median)',
          value: round(sources),
          unit: 's',
          note: 'node --conditions=rootaudit-source apps/cli/bin/rootaudit.mjs …: the bin registers tsx and runs src/',
        },
        { name: 'compiled saves', value: round(sources - compiled), unit: 's' },
        {
          name: 'one-account scan: AWS calls',
          value: calls.total,
          unit: 'calls',
          note: `every call the simulator answered for scan --accounts ${account.id} (all checks but the organization ones)`,
        },
        {
          name: 'of which Organizations calls',
          value: organizationTotal,
          unit: 'calls',
          note: organizationCalls
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([operation, count]) => `${operation.replace('organizations:', '')} ${count}`)
            .join(', '),
        },
        ...(Number.isNaN(compiledCpu)
          ? []
          : [
              { name: 'CPU time, compiled CLI (median)', value: round(compiledCpu), unit: 's' },
              { name: 'CPU time, sources through tsx (median)', value: round(sourcesCpu), unit: 's' },
            ]),
      ],
      details: {
        accountId: account.id,
        callsByOperation: calls.byOperation,
        rounds,
        seconds: Object.fromEntries(seconds),
        cpuSeconds: Object.fromEntries(cpuSeconds),
        loadAverageAtStart: round(loadAtStart),
        min: Object.fromEntries([...seconds].map(([label, values]) => [label, round(Math.min(...values))])),
      },
    };
  } finally {
    await sim.stop();
  }
}
