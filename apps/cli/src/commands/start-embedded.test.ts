// `rootaudit start` on the embedded PostgreSQL (DATABASE_URL unset), and CLI commands beside it.
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { startEnvironment as environment, runRootaudit, startService } from '../../../../test/support/cli.ts';

// initdb, the server's start and the migrations, then three CLI processes: minutes on a busy machine.
t.setTimeout(600_000);

/** The environment of a service on the embedded PostgreSQL (DATABASE_URL unset) under a new data dir. */
async function embeddedEnvironment(t: Test): Promise<{ env: NodeJS.ProcessEnv; dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'rootaudit-start-embedded-'));
  // As root, PostgreSQL runs as the postgres user, which must reach the data directory.
  await chmod(dataDir, 0o755);
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const { DATABASE_URL: _unset, ...env } = environment('');
  return { env: { ...env, ROOTAUDIT_DATA_DIR: dataDir, PORT: '0' }, dataDir };
}

t.test('while the service runs on the embedded PostgreSQL, api-key commands work beside it', async (t) => {
  const { env, dataDir } = await embeddedEnvironment(t);
  const service = startService(t, env);
  await service.waitFor('api listening');

  const created = await runRootaudit(['api-key', 'create', '--name', 'beside-the-service'], env);
  t.equal(created.code, 0, created.stderr);
  t.match(created.stdout, /^ra_[A-Za-z0-9_-]{43}\n$/);
  const listed = await runRootaudit(['api-key', 'list'], env);
  t.equal(listed.code, 0, listed.stderr);
  t.match(listed.stdout, / beside-the-service +ra_/);
  t.match(listed.stderr, /connecting to the server of process \d+/, 'it used the running server');

  const [code] = await service.stop();
  t.equal(code, 0, 'the service stops cleanly', service.output());
  t.notOk(existsSync(join(dataDir, 'postgres', 'postmaster.pid')), 'its server stopped with it');

  // With no service running, a command starts the server for as long as it runs.
  const alone = await runRootaudit(['api-key', 'list'], env);
  t.equal(alone.code, 0, alone.stderr);
  t.match(alone.stdout, / beside-the-service +ra_/, 'the data is kept');
  t.notOk(existsSync(join(dataDir, 'postgres', 'postmaster.pid')), 'and stops it when done');
});
