import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import t from 'tap';

t.test('secrets are censored in log lines, wherever they sit', async (t) => {
  const script = `import { createLogger } from ${JSON.stringify(resolve(import.meta.dirname, 'index.ts'))};
const log = createLogger({ level: 'info', destination: 2, name: 'test' });
log.info({ externalId: 'ext-123', session: { secretAccessKey: 'wJalr', accessKeyId: 'AKIA1' }, account: '111122223333' }, 'assumed role');`;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  t.equal(result.stdout, '', 'stderr destination leaves stdout empty');
  const line = JSON.parse(result.stderr.trim());
  t.equal(line.msg, 'assumed role');
  t.equal(line.service, 'test');
  t.equal(line.account, '111122223333');
  t.equal(line.externalId, '[redacted]');
  t.equal(line.session.secretAccessKey, '[redacted]');
  t.equal(line.session.accessKeyId, '[redacted]');
  t.notMatch(result.stderr, /wJalr|AKIA1|ext-123/);
});

t.test('secret query values are redacted from URLs', async (t) => {
  const { redactUrl } = await import('./index.ts');
  t.equal(
    redactUrl(
      '/v1/findings?api_key=ra_abc&limit=5&apiKey=x&token=y&X-Amz-Signature=z&check=root-mfa-enabled',
    ),
    '/v1/findings?api_key=[redacted]&limit=5&apiKey=[redacted]&token=[redacted]&X-Amz-Signature=[redacted]&check=root-mfa-enabled',
  );
  t.equal(redactUrl('/v1/findings?api%5Fkey=ra_abc'), '/v1/findings?api%5Fkey=[redacted]', 'an escaped name');
  t.equal(redactUrl('/v1/findings'), '/v1/findings');
  t.equal(redactUrl('/v1/findings?flag'), '/v1/findings?flag');
});

const logRequest = (module: string) => `import { createLogger } from ${JSON.stringify(module)};
const log = createLogger({ level: 'info', destination: 1, name: 'test' });
log.info({ req: { method: 'GET', url: '/v1/findings?api_key=ra_SECRET123&limit=5', ip: '192.0.2.1', socket: { remotePort: 5 } } }, 'incoming request');`;

t.test('a request is logged with its URL redacted, as JSON when stdout is not a terminal', async (t) => {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', logRequest(resolve(import.meta.dirname, 'index.ts'))],
    { encoding: 'utf8' },
  );
  const line = JSON.parse(result.stdout.trim());
  t.same(line.req, {
    method: 'GET',
    url: '/v1/findings?api_key=[redacted]&limit=5',
    remoteAddress: '192.0.2.1',
    remotePort: 5,
  });
  t.notMatch(result.stdout, /SECRET123/);
});

t.test(
  'on a terminal, lines are pretty-printed, not JSON',
  { skip: !existsSync('/usr/bin/script') && 'no script(1) to give the child a terminal' },
  async (t) => {
    const file = join(mkdtempSync(join(tmpdir(), 'rootaudit-log-')), 'log.mjs');
    writeFileSync(file, logRequest(resolve(import.meta.dirname, 'index.ts')));
    t.teardown(() => rmSync(dirname(file), { recursive: true, force: true }));
    // script(1) runs the command with a pseudo-terminal as its stdout.
    const command = `${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(file)}`;
    const result = spawnSync('/usr/bin/script', ['-qec', command, '/dev/null'], {
      encoding: 'utf8',
      cwd: import.meta.dirname,
    });
    t.equal(result.status, 0, result.stderr);
    const output = stripVTControlCharacters(result.stdout);
    t.match(output, /INFO.*incoming request/);
    t.notMatch(output.trim(), /^\{/, 'not a JSON line');
    t.notMatch(output, /SECRET123/);
  },
);
