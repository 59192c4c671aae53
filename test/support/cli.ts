/**
 * Commands run as separate processes, the way a user or the image runs them: the `rootaudit` CLI
 * above all. Never rejects: the outcome carries the exit code (null when killed) and both outputs.
 */
import { execFile } from 'node:child_process';
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
