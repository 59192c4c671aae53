// `rootaudit start --role …` as docker compose runs it: one role per process.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import t from 'tap';
import {
  startEnvironment as environment,
  runRootaudit,
  sourceCondition,
} from '../../../../test/support/cli.ts';
import { testDatabase } from '../../../../test/support/db.ts';

const bin = resolve(import.meta.dirname, '../../bin/rootaudit.mjs');

t.test('usage errors exit 2 with one line and touch no database', async (t) => {
  const unreachable = 'postgresql://nobody@127.0.0.1:1/none';
  const cases: [string[], RegExp][] = [
    [
      ['start', '--role', 'web'],
      /--role must be one or more of api, scheduler, worker \(comma-separated\), not "web"/,
    ],
    [['start', '--role', 'api,'], /not "api,"/],
    [['start', '--role', ''], /not ""/],
    [['start', '--role'], /--role/],
    [['start', '--roles', 'api'], /--roles/],
    [['start', 'api'], /positional/],
  ];
  await Promise.all(
    cases.map(async ([args, message]) => {
      const outcome = await runRootaudit(args, environment(unreachable));
      t.equal(outcome.code, 2, args.join(' '));
      t.match(outcome.stderr, message, args.join(' '));
      t.equal(outcome.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line`);
      t.equal(outcome.stdout, '', args.join(' '));
    }),
  );
});

t.test('--role worker runs the worker alone, under its own name, until SIGTERM', async (t) => {
  const { url } = await testDatabase(t);
  const child = spawn(process.execPath, [sourceCondition, bin, 'start', '--role', 'worker'], {
    env: environment(url),
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
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  // Stop it once the worker says it started (or the test fails on the early exit below).
  await new Promise<void>((started, failed) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('"msg":"worker started"')) started();
    });
    exited.then(([code]) => failed(new Error(`exited ${code} before the worker started: ${stderr}`)));
  });
  child.kill('SIGTERM');
  const [code, signal] = await exited;
  t.equal(code, 0, 'exits 0 on SIGTERM', { stderr });
  t.equal(signal, null);

  const lines = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { msg: string; service?: string });
  const messages = lines.map((line) => line.msg);
  t.ok(messages.includes('worker started'));
  t.notOk(messages.includes('scheduler started'), 'no scheduler');
  t.notOk(messages.includes('api listening'), 'no API');
  t.ok(messages.includes('shutting down'));
  t.same(new Set(lines.map((line) => line.service)), new Set(['worker']), 'every line is tagged worker');
});
