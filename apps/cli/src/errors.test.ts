// A failing `rootaudit` command, as a user runs it: one line on stderr naming what failed and what to
// do, a non-zero exit code, and the stack trace only with --verbose.
import t, { type Test } from 'tap';
import { startEnvironment as environment, runRootaudit } from '../../../test/support/cli.ts';
import { testDatabase } from '../../../test/support/db.ts';

// Nothing listens on port 1; the password must never be shown.
const unreachable = 'postgresql://rootaudit:s3cret-pw@127.0.0.1:1/rootaudit';
const stackFrame = /\n\s+at /;

function assertOneLine(
  t: Test,
  outcome: { code: number | null; stdout: string; stderr: string },
  code: number,
  message: RegExp,
) {
  t.equal(outcome.code, code, 'exit code');
  t.equal(outcome.stderr.trim().split('\n').length, 1, 'one line on stderr');
  t.match(outcome.stderr, message);
  t.notMatch(outcome.stderr, stackFrame, 'no stack trace');
  t.notMatch(outcome.stdout + outcome.stderr, /s3cret-pw/, 'no password');
  t.equal(outcome.stdout, '', 'nothing on stdout');
}

t.test('a bad option value: one line, exit 2', async (t) => {
  const outcome = await runRootaudit(
    ['api-key', 'create', '--name', 'x', '--scope', 'admin'],
    environment(unreachable),
  );
  assertOneLine(t, outcome, 2, /^rootaudit api-key: --scope must be read, write or ingest, not "admin"\n$/);
});

t.test(
  'an unreachable database: one line with its address, exit 1, for every command that needs it',
  async (t) => {
    for (const args of [['api-key', 'list'], ['api-key', 'create', '--name', 'x'], ['migrate']]) {
      const outcome = await runRootaudit(args, { ...environment(unreachable), LOG_LEVEL: 'warn' });
      assertOneLine(
        t,
        outcome,
        1,
        new RegExp(
          `^rootaudit ${args[0]}: the database at 127\\.0\\.0\\.1:1 \\(DATABASE_URL\\) is unreachable`,
        ),
      );
    }
  },
);

t.test('--verbose adds the stack trace, anywhere on the line', async (t) => {
  for (const args of [
    ['--verbose', 'api-key', 'list'],
    ['api-key', 'list', '--verbose'],
  ]) {
    const outcome = await runRootaudit(args, { ...environment(unreachable), LOG_LEVEL: 'warn' });
    t.equal(outcome.code, 1, args.join(' '));
    t.match(outcome.stderr, /is unreachable/);
    t.match(outcome.stderr, stackFrame, `${args.join(' ')}: the stack is shown`);
    t.notMatch(outcome.stderr, /s3cret-pw/);
  }
});

t.test('an unknown API key id: one line, exit 1', async (t) => {
  const { url } = await testDatabase(t);
  const outcome = await runRootaudit(['api-key', 'revoke', '0190a000-0000-7000-8000-000000000000'], {
    ...environment(url),
    LOG_LEVEL: 'warn',
  });
  assertOneLine(
    t,
    outcome,
    1,
    /^rootaudit api-key: no API key with id 0190a000-0000-7000-8000-000000000000\n$/,
  );
});
