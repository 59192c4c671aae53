/**
 * `rootaudit demo` as a user runs it: a process that prints the API URL, a key and the outcome of a
 * first scan of the simulated organization, serves real findings over HTTP, and stops cleanly on
 * SIGTERM. It runs on this test's database (--database-url) rather than an embedded server.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import t from 'tap';
import { sourceCondition } from '../../../../test/support/cli.ts';
import { testDatabase } from '../../../../test/support/db.ts';

const bin = resolve(import.meta.dirname, '../../bin/rootaudit.mjs');

t.test('demo: prints the URL, a key and the first scan, serves findings, stops on SIGTERM', async (t) => {
  const { url } = await testDatabase(t);
  const child = spawn(
    process.execPath,
    [
      sourceCondition,
      bin,
      'demo',
      '--port',
      '0',
      '--accounts',
      '12',
      '--database-url',
      url,
      '--root-activity',
      '1',
    ],
    {
      // Without tap's loaders and coverage hooks: they triple the start-up time of the child.
      env: { ...process.env, NODE_OPTIONS: '', NODE_V8_COVERAGE: '', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const finished = new Promise<void>((done, fail) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (/First scan finished: .*\n(.*\n)*The findings come from SIMULATED/.test(stdout)) done();
    });
    child.once('exit', (code) => fail(new Error(`demo exited (${code}) early:\n${stdout}\n${stderr}`)));
  });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 60_000);
  t.teardown(() => clearTimeout(timeout));
  await finished;

  t.match(stdout, /^rootaudit demo: the AWS data is SIMULATED .*nothing is sent to AWS\./m);
  t.match(stdout, /organization +o-sample12345, 12 accounts \(10 active\) in 7 OUs, all hand-made/);
  const api = /^API URL +(http:\/\/127\.0\.0\.1:\d+)/m.exec(stdout)?.[1];
  const key = /^API key +(ra_[A-Za-z0-9_-]{43}) /m.exec(stdout)?.[1];
  t.ok(api && key, 'the URL and the key are printed');
  t.match(
    stdout,
    new RegExp(`^Console +${api}/ +\\(the web console: sign in with the API key below\\)$`, 'm'),
  );
  t.match(
    stdout,
    /curl -H "Authorization: Bearer ra_\S+" "http:\/\/\S+\/v1\/findings\?status=FAIL&severity=critical"/,
  );
  t.match(stdout, /curl .*\/v1\/summary"/);
  t.match(stdout, /curl .*\/v1\/scans\/[0-9a-f-]{36}\/diff"/);
  t.match(stdout, /First scan finished: PARTIAL in [\d.]+ s/);
  t.match(stdout, /accounts +10 scanned \(1 could not be read\), 2 skipped/);
  t.match(stdout, /ERROR +sandbox-bob \(101010101010\): no audit role deployed there, on purpose/);

  const get = async (path: string) => {
    const response = await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${key}` } });
    t.equal(response.status, 200, path);
    return (await response.json()) as { items: Record<string, unknown>[] };
  };
  const keys = await get('/v1/findings?check=root-no-access-keys&account=555555555555');
  t.match(keys.items, [{ accountId: '555555555555', status: 'FAIL', severity: 'critical' }]);
  const clean = await get('/v1/findings?check=root-no-access-keys&account=222222222222');
  t.match(clean.items, [{ status: 'PASS' }]);
  const critical = await get('/v1/findings?status=FAIL&severity=critical');
  t.ok(critical.items.length > 0, 'the first example lists failing critical findings');

  // Live root activity: simulated root events pushed to the API, one line each, then served.
  const arrived = new Promise<void>((done) => {
    const seen = () => {
      if (/^Root activity {2}\d\d:\d\d:\d\d, .* \(\d{12}\): \w+ from .* → (stored|duplicate)$/m.test(stdout))
        done();
      else setTimeout(seen, 100);
    };
    seen();
  });
  await arrived;
  t.match(stdout, /^Live root activity: a simulated root event every 1 s, pushed to POST \/v1\/events\/aws/m);
  const activity = await get('/v1/root-activity');
  t.ok(activity.items.length > 0, 'the events are served by GET /v1/root-activity');

  child.kill('SIGTERM');
  const [code, signal] = await exited;
  t.equal(code, 0, stderr);
  t.equal(signal, null);
});

t.test('demo: a bad option is a usage error, before anything starts', async (t) => {
  const child = spawn(process.execPath, [sourceCondition, bin, 'demo', '--accounts', '3'], {
    env: { ...process.env, NODE_OPTIONS: '', NODE_V8_COVERAGE: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  t.equal(code, 2);
  t.match(output, /rootaudit demo: --accounts must be an integer from 12 to 10000, not "3"/);
  t.notMatch(output, /SIMULATED/, 'nothing started');
});
