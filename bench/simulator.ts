/** Starts the AWS simulator in a child process (bench/sim-child.ts) and talks to it over IPC. */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Knobs } from '@rootaudit/aws-sim';

export const BENCH_EXTERNAL_ID = 'rootaudit-bench-external-id';
export const BENCH_REGIONS = ['us-east-1', 'eu-west-1'];
export const BENCH_CREDENTIALS = { accessKeyId: 'AKIDBENCHEXAMPLE', secretAccessKey: 'bench' };

/** How one token bucket of the simulator was used: signer account × API (× region for LookupEvents). */
export interface BucketUse {
  accountId: string;
  service: string;
  operation: string;
  region: string | null;
  ok: number;
  throttled: number;
  otherErrors: number;
  firstAt: number;
  lastAt: number;
}

export type SimRequest =
  | {
      type: 'start';
      accounts: number;
      seed: number;
      regions: string[];
      externalId: string;
      knobs: Knobs;
      callLogCapacity: number;
      allAuditRoles: boolean;
    }
  | { type: 'knobs'; knobs: Knobs }
  | { type: 'reset' }
  | { type: 'stats'; buckets: boolean }
  | { type: 'stop' };

export interface SimAccount {
  id: string;
  status: string;
  auditRole: boolean;
}

export type SimResponse =
  | { type: 'ok' }
  | { type: 'error'; message: string }
  | {
      type: 'started';
      endpoint: string;
      accounts: SimAccount[];
      managementAccountId: string;
    }
  | { type: 'stats'; total: number; byOperation: Record<string, number>; buckets: BucketUse[] };

export interface SimulatorProcess {
  endpoint: string;
  accounts: SimAccount[];
  managementAccountId: string;
  pid: number;
  setKnobs(knobs: Knobs): Promise<void>;
  /** Forgets sessions, credential reports and the call log. */
  reset(): Promise<void>;
  stats(options?: { buckets?: boolean }): Promise<Extract<SimResponse, { type: 'stats' }>>;
  stop(): Promise<void>;
}

export interface SimulatorProcessOptions {
  accounts: number;
  seed?: number;
  knobs?: Knobs;
  /** Call records kept for stats(): enough for every call of the run when buckets are wanted. */
  callLogCapacity?: number;
  /** Deploy the audit role everywhere (the generator leaves ~1 % without it) [false]. */
  allAuditRoles?: boolean;
}

export async function startSimulatorProcess(options: SimulatorProcessOptions): Promise<SimulatorProcess> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./sim-child.ts', import.meta.url)), [], {
    execArgv: [
      '--conditions=rootaudit-source',
      '--import',
      import.meta.resolve('tsx'),
      '--max-old-space-size=4096',
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  const pending = new Map<number, (response: SimResponse) => void>();
  let nextId = 1;
  let exited = false;
  const ready = new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) =>
      reject(new Error(`the simulator process exited (${code}) before it was ready`)),
    );
  });
  child.on('message', (message: { id?: number; response?: SimResponse }) => {
    if (message.id === undefined || !message.response) return;
    pending.get(message.id)?.(message.response);
    pending.delete(message.id);
  });
  child.on('exit', (code, signal) => {
    exited = true;
    for (const resolve of pending.values()) {
      resolve({ type: 'error', message: `the simulator process exited (${code ?? signal})` });
    }
    pending.clear();
  });
  const request = async (body: SimRequest): Promise<SimResponse> => {
    if (exited) throw new Error('the simulator process has exited');
    const id = nextId++;
    const response = await new Promise<SimResponse>((resolve) => {
      pending.set(id, resolve);
      child.send({ id, request: body });
    });
    if (response.type === 'error') throw new Error(`simulator: ${response.message}`);
    return response;
  };
  await ready;
  const started = await request({
    type: 'start',
    accounts: options.accounts,
    seed: options.seed ?? 1,
    regions: BENCH_REGIONS,
    externalId: BENCH_EXTERNAL_ID,
    knobs: options.knobs ?? {},
    callLogCapacity: options.callLogCapacity ?? 1_000,
    allAuditRoles: options.allAuditRoles ?? false,
  });
  if (started.type !== 'started') throw new Error('the simulator did not start');
  return {
    endpoint: started.endpoint,
    accounts: started.accounts,
    managementAccountId: started.managementAccountId,
    pid: child.pid ?? 0,
    async setKnobs(knobs) {
      await request({ type: 'knobs', knobs });
    },
    async reset() {
      await request({ type: 'reset' });
    },
    async stats(statsOptions = {}) {
      const response = await request({ type: 'stats', buckets: statsOptions.buckets ?? false });
      if (response.type !== 'stats') throw new Error('unexpected simulator answer');
      return response;
    },
    async stop() {
      if (exited) return;
      const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await request({ type: 'stop' }).catch(() => undefined);
      child.disconnect();
      await exit;
    },
  };
}
