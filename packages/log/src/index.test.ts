import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
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
