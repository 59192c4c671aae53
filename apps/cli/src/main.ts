/**
 * `rootaudit <command>`: one entry point for every role of the image and every user command.
 * Each command is its own module; this file only dispatches, and turns a failure into one line on
 * stderr: usage errors exit 2, any other error exits 1 (with its stack under `--verbose`).
 */
import { UsageError } from './usage.ts';

interface Command {
  summary: string;
  run(argv: string[]): Promise<number | undefined>;
}

const commands: Record<string, () => Promise<Command>> = {
  start: () => import('./commands/start.ts'),
  migrate: () => import('./commands/migrate.ts'),
  'api-key': () => import('./commands/api-key.ts'),
  scan: () => import('./commands/scan.ts'),
  demo: () => import('./commands/demo.ts'),
};

function help(): string {
  return [
    'usage: rootaudit <command> [options]',
    '',
    'commands:',
    '  start     run the API, scheduler and worker in one process;',
    '            --role api|scheduler|worker[,...] runs only those (one per container)',
    '  migrate   apply database migrations (embedded PostgreSQL when DATABASE_URL is unset)',
    '  api-key   create --name N --scope read|write|ingest (prints the key once), list, revoke <id>',
    '  scan      scan the organization once and print the results (no database):',
    '            [--format table|json|csv] [--checks id,id] [--accounts 111122223333,...]',
    '  demo      the service against a simulated AWS organization, with an API key and a first scan:',
    '            [--port 3000] [--accounts 36] [--data-dir .data/demo] [--database-url URL]',
    '            [--root-activity 30] (seconds between simulated root events after the scan; 0: none)',
    '',
    'options of every command:',
    '  --verbose  on failure, print the error with its stack trace (one line without it)',
    '',
    'Configuration comes from environment variables; see README.md.',
  ].join('\n');
}

/**
 * A failure as one line: the message, its lines joined. The stack is for `--verbose`: a person acts
 * on the message (what failed and what to do), and a trace of rootaudit's own frames tells them
 * nothing more.
 */
function describe(error: unknown, verbose: boolean): string {
  if (!(error instanceof Error)) return String(error);
  if (verbose) return error.stack ?? error.message;
  return error.message
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');
}

async function main(argv: string[]): Promise<number> {
  // Accepted anywhere on the line, by every command.
  const verbose = argv.includes('--verbose');
  const [name, ...rest] = argv.filter((arg) => arg !== '--verbose');
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${help()}\n`);
    return name === undefined ? 2 : 0;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`rootaudit: unknown command "${name}"\n\n${help()}\n`);
    return 2;
  }
  try {
    const command = await load();
    return (await command.run(rest)) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`rootaudit ${name}: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`rootaudit ${name}: ${describe(error, verbose)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
