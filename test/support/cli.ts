/**
 * Commands run as separate processes, the way a user or the image runs them: the `rootaudit` CLI
 * above all. Never rejects: the outcome carries the exit code (null when killed) and both outputs.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Test } from 'tap';
import { cliBin, repositoryRoot } from './docker-files.ts';

export interface CommandOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** argv[0] with the rest as its arguments, in the repository root, with exactly `env`. */
export function runCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandOutcome> {
  return new Promise((resolve) => {
    execFile(
      argv[0]!,
      argv.slice(1),
      { cwd: repositoryRoot, env, maxBuffer: 32 * 1024 * 1024, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

/**
 * Node's option that makes the workspace packages resolve to their TypeScript sources (package.json
 * exports) and the CLI's bin run src/main.ts through tsx: what tests run, so they need no build.
 */
export const sourceCondition = '--conditions=rootaudit-source';

/**
 * `rootaudit <args>` (apps/cli/bin/rootaudit.mjs) run by this node from the TypeScript sources, with
 * exactly `env`. test/build/compiled-cli.test.ts runs the compiled one.
 */
export function runRootaudit(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandOutcome> {
  return runCommand([process.execPath, sourceCondition, cliBin, ...args], env);
}

/**
 * The environment of a `rootaudit start` under test: without tap's loaders and coverage hooks (they
 * triple the start-up time) or inherited settings, on `databaseUrl`.
 */
export function startEnvironment(databaseUrl: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    DATABASE_URL: databaseUrl,
    AWS_EC2_METADATA_DISABLED: 'true',
    LOG_LEVEL: 'info',
  };
}

/**
 * `rootaudit start` in a child process, killed at t's end if still running: its JSON log lines, a
 * wait for one of them, and SIGTERM.
 */
export function startService(t: Test, env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [sourceCondition, cliBin, 'start'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const messages = () =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
  return {
    messages,
    output: () => ({ stdout, stderr }),
    async waitFor(message: string): Promise<void> {
      const deadline = Date.now() + 120_000;
      while (!messages().includes(message)) {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`exited ${child.exitCode} before "${message}": ${stderr}${stdout}`);
        }
        if (Date.now() > deadline) throw new Error(`no "${message}" within 120 s: ${stderr}${stdout}`);
        await new Promise((done) => setTimeout(done, 100));
      }
    },
    async stop(): Promise<[number | null, NodeJS.Signals | null]> {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
