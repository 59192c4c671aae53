/**
 * `rootaudit <command>`: one entry point for every role of the image and every user command.
 * Each command is its own module; this file only dispatches and turns usage errors into exit 2.
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
    '  api-key   create --name N --scope read|write (prints the key once), list, revoke <id>',
    '  scan      scan the organization once and print the results (no database):',
    '            [--format table|json|csv] [--checks id,id] [--accounts 111122223333,...]',
    '  demo      the service against a simulated AWS organization, with an API key and a first scan:',
    '            [--port 3000] [--accounts 36] [--data-dir .data/demo] [--database-url URL]',
    '',
    'Configuration comes from environment variables; see README.md.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${help()}\n`);
    return name === undefined ? 2 : 0;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`rootaudit: unknown command "${name}"\n\n${help()}\n`);
    return 2;
  }
  const command = await load();
  try {
    return (await command.run(rest)) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`rootaudit ${name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
