/**
 * Runs scripts/conformance.py: boto3, a client written by AWS rather than here, calls the
 * simulator and checks each raw answer against botocore's service models. One JSON document per
 * line each way; the caller changes the simulator's knobs between phases.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Call, Phase } from './scenarios.ts';

export const SCRIPT = fileURLToPath(new URL('../../scripts/conformance.py', import.meta.url));

export interface CallResult {
  id: string;
  service: string;
  operation: string;
  status: number | null;
  /** The error code boto3 surfaced; null on success. */
  code: string | null;
  /** What in the answer disagrees with the model, `path: problem`. */
  findings: string[];
}

export interface ServiceModel {
  protocol: string;
  targetPrefix: string | null;
  awsQueryCompatible: boolean;
  /** Operation → the error codes it declares (shape names and wire codes). */
  errors: Record<string, string[]>;
}

export interface Models {
  services: Record<string, ServiceModel>;
  commonErrors: string[];
}

/** Why the test cannot run here, or null when python3 has boto3. */
export function boto3Missing(): string | null {
  const probe = spawnSync('python3', ['-c', 'import boto3, botocore'], { encoding: 'utf8' });
  if (probe.error) return `python3 is not on PATH (${probe.error.message})`;
  if (probe.status !== 0) return `python3 has no boto3: ${probe.stderr.trim().split('\n').pop()}`;
  return null;
}

export interface SelfTestCase {
  case: string;
  expected: string;
  findings: string[];
}

/** The checker run on answers known to break the models (scripts/conformance.py --self-test). */
export function checkerSelfTest(): SelfTestCase[] {
  const run = spawnSync('python3', [SCRIPT, '--self-test'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`conformance.py --self-test failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { selfTest: SelfTestCase[] }).selfTest;
}

export interface Plan {
  endpoint: string;
  auditRole: string;
  externalId: string;
  rootTaskPolicyArn: string;
  /** `service:Operation`s whose declared errors the answer's models list. */
  operations: string[];
}

export class Boto3Session {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: AsyncIterator<string>;
  #stderr = '';

  private constructor(child: ChildProcessWithoutNullStreams) {
    this.#child = child;
    child.stderr.on('data', (chunk: Buffer) => {
      this.#stderr += chunk.toString('utf8');
    });
    this.#lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  }

  /** Starts the script with the plan; answers the models it read. */
  static async start(
    plan: Plan,
    phases: readonly Phase[],
  ): Promise<{ session: Boto3Session; models: Models }> {
    const session = new Boto3Session(spawn('python3', [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] }));
    const wire = {
      ...plan,
      phases: phases.map((phase) => ({ name: phase.name, calls: phase.calls.map(toWire) })),
    };
    session.#child.stdin.write(`${JSON.stringify(wire)}\n`);
    const first = await session.#read();
    return { session, models: first.models as Models };
  }

  /** The results of the next phase; `resume` after the first, once its knobs are set. */
  async phase(resume: boolean): Promise<CallResult[]> {
    if (resume) this.#child.stdin.write('next\n');
    return (await this.#read()).results as CallResult[];
  }

  async #read(): Promise<Record<string, unknown>> {
    const next = await this.#lines.next();
    if (next.done) throw new Error(`conformance.py ended early: ${this.#stderr.trim()}`);
    return JSON.parse(next.value) as Record<string, unknown>;
  }

  close(): void {
    this.#child.stdin.end();
    this.#child.kill();
  }
}

function toWire({ expect: _expect, deviations: _deviations, ...call }: Call) {
  return call;
}
