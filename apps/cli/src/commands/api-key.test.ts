import { createHash } from 'node:crypto';
import t from 'tap';
import { runRootaudit } from '../../../../test/support/cli.ts';
import { testDatabase } from '../../../../test/support/db.ts';

function rootaudit(args: string[], databaseUrl: string) {
  return runRootaudit(args, {
    ...process.env,
    // Without tap's loaders and coverage hooks: they triple the start-up time of each child.
    NODE_OPTIONS: '',
    NODE_V8_COVERAGE: '',
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
  });
}

const database = testDatabase(t);

t.test('create prints the key alone on stdout, once, and stores only its hash', async (t) => {
  const { url, prisma } = await database;
  const created = await rootaudit(['api-key', 'create', '--name', 'siem-export', '--scope', 'write'], url);
  t.equal(created.code, 0, created.stderr);
  t.match(created.stdout, /^ra_[A-Za-z0-9_-]{43}\n$/);
  t.match(created.stderr, /will not be shown again/);
  const key = created.stdout.trim();
  t.notOk(created.stderr.includes(key), 'stderr does not repeat the key');
  const stored = await prisma.apiKey.findUniqueOrThrow({
    where: { hash: createHash('sha256').update(key).digest('hex') },
  });
  t.equal(stored.name, 'siem-export');
  t.same(stored.scopes, ['read', 'write']);
  t.equal(stored.prefix, key.slice(0, 11));

  const listed = await rootaudit(['api-key', 'list'], url);
  t.equal(listed.code, 0, listed.stderr);
  t.match(listed.stdout, /^ID +NAME +PREFIX +SCOPES +CREATED +LAST USED +REVOKED\n/);
  t.match(listed.stdout, new RegExp(`${stored.id} +siem-export +${stored.prefix}… +read,write `));
  t.notOk(listed.stdout.includes(key), 'list never shows the key');

  const revoked = await rootaudit(['api-key', 'revoke', stored.id], url);
  t.equal(revoked.code, 0, revoked.stderr);
  const after = await prisma.apiKey.findUniqueOrThrow({ where: { id: stored.id } });
  t.ok(after.revokedAt, 'revokedAt is set');
});

t.test('the scope defaults to read', async (t) => {
  const { url, prisma } = await database;
  const created = await rootaudit(['api-key', 'create', '--name', 'dashboard'], url);
  t.equal(created.code, 0, created.stderr);
  const stored = await prisma.apiKey.findFirstOrThrow({ where: { name: 'dashboard' } });
  t.same(stored.scopes, ['read']);
});

t.test('an ingest key has the ingest scope alone', async (t) => {
  const { url, prisma } = await database;
  const created = await rootaudit(['api-key', 'create', '--name', 'eventbridge', '--scope', 'ingest'], url);
  t.equal(created.code, 0, created.stderr);
  t.match(created.stdout, /^ra_[A-Za-z0-9_-]{43}\n$/);
  const stored = await prisma.apiKey.findUniqueOrThrow({
    where: { hash: createHash('sha256').update(created.stdout.trim()).digest('hex') },
  });
  t.same(stored.scopes, ['ingest']);
  t.match(created.stderr, /scopes: ingest\)/);
});

t.test('revoking an unknown id exits 1 and says so', async (t) => {
  const { url } = await database;
  const outcome = await rootaudit(['api-key', 'revoke', '0190a000-0000-7000-8000-000000000000'], url);
  t.equal(outcome.code, 1);
  t.match(outcome.stderr, /no API key with id 0190a000-0000-7000-8000-000000000000/);
});

t.test('usage errors exit 2 with one line and touch no database', async (t) => {
  const unreachable = 'postgresql://nobody@127.0.0.1:1/none';
  const cases: [string[], RegExp][] = [
    [['api-key'], /usage: rootaudit api-key create/],
    [['api-key', 'rotate'], /unknown action "rotate"/],
    [['api-key', 'create'], /--name is required/],
    [
      ['api-key', 'create', '--name', 'x', '--scope', 'admin'],
      /--scope must be read, write or ingest, not "admin"/,
    ],
    [['api-key', 'revoke', 'abc'], /"abc" is not an API key id/],
  ];
  await Promise.all(
    cases.map(async ([args, message]) => {
      const outcome = await rootaudit(args, unreachable);
      t.equal(outcome.code, 2, args.join(' '));
      t.match(outcome.stderr, message, args.join(' '));
      t.equal(outcome.stdout, '', args.join(' '));
    }),
  );
});
