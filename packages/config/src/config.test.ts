import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t from 'tap';
import { ConfigError, loadConfig } from './config.ts';

t.test('defaults match SPEC §6 when nothing is set', async (t) => {
  const config = loadConfig({});
  t.same(config, {
    databaseUrl: null,
    dataDir: resolve('.data'),
    port: 3000,
    host: '127.0.0.1',
    auditRoleName: 'RootAuditRole',
    externalId: null,
    orgRoleArn: null,
    regions: ['us-east-1'],
    rootUsageWindowDays: 90,
    allowedEmailDomains: [],
    scanCron: '0 2 * * *',
    scanTimezone: 'UTC',
    accountConcurrency: 16,
    allowPrivateWebhookUrls: false,
    scanStallMinutes: 60,
    awsEndpointUrl: null,
    eventsQueueUrl: null,
    eventsQueueConcurrency: 10,
    logLevel: 'info',
  });
});

t.test('regions default to AWS_REGION', async (t) => {
  t.same(loadConfig({ AWS_REGION: 'eu-west-1' }).regions, ['eu-west-1']);
});

t.test('every variable is read and normalised', async (t) => {
  const config = loadConfig({
    DATABASE_URL: 'postgresql://rootaudit:s3cret@db:5432/rootaudit',
    ROOTAUDIT_DATA_DIR: '/var/lib/rootaudit',
    PORT: '8080',
    HOST: '0.0.0.0',
    ROOTAUDIT_AUDIT_ROLE_NAME: 'Audit.Role-1',
    ROOTAUDIT_EXTERNAL_ID: 'org-12345',
    ROOTAUDIT_ORG_ROLE_ARN: 'arn:aws-us-gov:iam::111122223333:role/OrgReader',
    ROOTAUDIT_REGIONS: ' us-east-1, eu-central-1 ,us-gov-west-1',
    ROOTAUDIT_ROOT_USAGE_WINDOW_DAYS: '30',
    ROOTAUDIT_ALLOWED_EMAIL_DOMAINS: 'Example.com,aws.corp.example.com',
    ROOTAUDIT_SCAN_CRON: '*/15 1-5 * * 1,3',
    ROOTAUDIT_SCAN_TIMEZONE: 'Europe/Berlin',
    ROOTAUDIT_ACCOUNT_CONCURRENCY: '64',
    ROOTAUDIT_ALLOW_PRIVATE_WEBHOOK_URLS: 'TRUE',
    ROOTAUDIT_SCAN_STALL_MINUTES: '20',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
    ROOTAUDIT_EVENTS_QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/111122223333/rootaudit-root-events',
    ROOTAUDIT_EVENTS_QUEUE_CONCURRENCY: '25',
    LOG_LEVEL: 'debug',
  });
  t.equal(config.databaseUrl, 'postgresql://rootaudit:s3cret@db:5432/rootaudit');
  t.equal(config.dataDir, '/var/lib/rootaudit');
  t.equal(config.port, 8080);
  t.same(config.regions, ['us-east-1', 'eu-central-1', 'us-gov-west-1']);
  t.same(config.allowedEmailDomains, ['example.com', 'aws.corp.example.com']);
  t.equal(config.orgRoleArn, 'arn:aws-us-gov:iam::111122223333:role/OrgReader');
  t.equal(config.accountConcurrency, 64);
  t.equal(config.allowPrivateWebhookUrls, true);
  t.equal(config.scanStallMinutes, 20);
  t.equal(config.scanTimezone, 'Europe/Berlin');
  t.equal(config.eventsQueueUrl, 'https://sqs.eu-central-1.amazonaws.com/111122223333/rootaudit-root-events');
  t.equal(config.eventsQueueConcurrency, 25);
  t.equal(config.logLevel, 'debug');
});

t.test('ROOTAUDIT_EVENTS_QUEUE_URL: the URLs SQS gives queues are accepted', async (t) => {
  for (const url of [
    'https://sqs.us-east-1.amazonaws.com/111122223333/rootaudit-root-events',
    'https://eu-west-1.queue.amazonaws.com/111122223333/root_events',
    'https://sqs.cn-north-1.amazonaws.com.cn/111122223333/root-events',
    'https://vpce-0a1b2c3d-e4f5.sqs.us-east-2.vpce.amazonaws.com/111122223333/root-events',
    'https://sqs.us-east-1.amazonaws.com/111122223333/root-events.fifo',
    'http://127.0.0.1:4566/000000000000/root-events',
    'http://localstack:4566/000000000000/root-events',
  ]) {
    t.equal(loadConfig({ ROOTAUDIT_EVENTS_QUEUE_URL: url }).eventsQueueUrl, url, url);
  }
});

t.test('empty values count as unset', async (t) => {
  const config = loadConfig({ DATABASE_URL: '', PORT: ' ', ROOTAUDIT_EXTERNAL_ID: '' });
  t.equal(config.databaseUrl, null);
  t.equal(config.port, 3000);
  t.equal(config.externalId, null);
});

const badValues: [string, string, RegExp][] = [
  ['PORT', '70000', /integer from 0 to 65535/],
  ['PORT', 'http', /integer from 0 to 65535/],
  ['HOST', 'bad host', /host name or IP/],
  ['DATABASE_URL', 'mysql://db/x', /postgres:\/\/ or postgresql:\/\//],
  ['ROOTAUDIT_AUDIT_ROLE_NAME', 'role with spaces', /IAM role name/],
  ['ROOTAUDIT_EXTERNAL_ID', 'x', /2-1224/],
  ['ROOTAUDIT_ORG_ROLE_ARN', 'arn:aws:iam::123:role/X', /IAM role ARN/],
  ['ROOTAUDIT_REGIONS', 'us-east-1,moon-base', /region names/],
  ['ROOTAUDIT_REGIONS', ',', /region names/],
  ['ROOTAUDIT_ROOT_USAGE_WINDOW_DAYS', '0', /1 to 3650/],
  ['ROOTAUDIT_ROOT_USAGE_WINDOW_DAYS', '7.5', /1 to 3650/],
  ['ROOTAUDIT_ALLOWED_EMAIL_DOMAINS', 'example.com,not a domain', /domain names/],
  ['ROOTAUDIT_SCAN_CRON', '0 2 * *', /five-field cron/],
  ['ROOTAUDIT_SCAN_CRON', '61 2 * * *', /five-field cron/],
  ['ROOTAUDIT_SCAN_CRON', '5-1 * * * *', /ranges low-high/],
  ['ROOTAUDIT_SCAN_CRON', '0 2 * * 5-1', /ranges low-high/],
  ['ROOTAUDIT_SCAN_CRON', '0 2 * 12-1 *', /ranges low-high/],
  ['ROOTAUDIT_SCAN_CRON', '0 2 31 2 *', /exists in a month named/],
  ['ROOTAUDIT_SCAN_CRON', '0 2 30,31 2 *', /exists in a month named/],
  ['ROOTAUDIT_SCAN_CRON', '0 2 0 * *', /day 1-31/],
  ['ROOTAUDIT_SCAN_TIMEZONE', 'Mars/Olympus', /IANA time zone/],
  ['ROOTAUDIT_ACCOUNT_CONCURRENCY', '0', /1 to 256/],
  ['ROOTAUDIT_ALLOW_PRIVATE_WEBHOOK_URLS', 'yes', /true or false/],
  [
    'ROOTAUDIT_SCAN_STALL_MINUTES',
    '15',
    /16 to 1440: below 16, a scan could be ended while the queue is still recovering/,
  ],
  ['ROOTAUDIT_SCAN_STALL_MINUTES', '1441', /16 to 1440/],
  ['AWS_ENDPOINT_URL', 'localhost:4566', /http:\/\/ or https:\/\//],
  ['ROOTAUDIT_EVENTS_QUEUE_URL', 'rootaudit-root-events', /must be an SQS queue URL like https:\/\/sqs\./],
  ['ROOTAUDIT_EVENTS_QUEUE_URL', 'arn:aws:sqs:us-east-1:111122223333:root-events', /SQS queue URL/],
  ['ROOTAUDIT_EVENTS_QUEUE_URL', 'https://sqs.us-east-1.amazonaws.com/root-events', /SQS queue URL/],
  ['ROOTAUDIT_EVENTS_QUEUE_URL', 'https://sqs.us-east-1.amazonaws.com/1111/root-events', /SQS queue URL/],
  [
    'ROOTAUDIT_EVENTS_QUEUE_URL',
    'https://sqs.us-east-1.amazonaws.com/111122223333/root events',
    /SQS queue URL/,
  ],
  [
    'ROOTAUDIT_EVENTS_QUEUE_URL',
    `https://sqs.us-east-1.amazonaws.com/111122223333/${'q'.repeat(81)}`,
    /SQS queue URL/,
  ],
  [
    'ROOTAUDIT_EVENTS_QUEUE_URL',
    'http://sqs.us-east-1.amazonaws.com/111122223333/root-events',
    /https for AWS/,
  ],
  ['ROOTAUDIT_EVENTS_QUEUE_CONCURRENCY', '0', /1 to 100/],
  ['ROOTAUDIT_EVENTS_QUEUE_CONCURRENCY', '101', /1 to 100/],
  ['LOG_LEVEL', 'loud', /one of fatal, error/],
];

for (const [variable, value, allowed] of badValues) {
  t.test(
    `${variable}=${JSON.stringify(value)} is refused with the variable, value and what is allowed`,
    async (t) => {
      try {
        loadConfig({ [variable]: value });
        t.fail('expected a ConfigError');
      } catch (error) {
        t.type(error, ConfigError);
        const configError = error as ConfigError;
        t.equal(configError.variable, variable);
        t.match(configError.message, allowed);
        t.match(configError.message, variable);
      }
    },
  );
}

t.test('secrets are never echoed back', async (t) => {
  t.throws(() => loadConfig({ DATABASE_URL: 'mysql://user:hunter2@db/x' }), {
    message: /DATABASE_URL="<redacted>"/,
  });
  try {
    loadConfig({ DATABASE_URL: 'mysql://user:hunter2@db/x' });
  } catch (error) {
    t.notMatch((error as Error).message, /hunter2/);
  }
});

t.test('a config file supplies values and the environment overrides them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rootaudit-config-'));
  const file = join(dir, 'rootaudit.json');
  writeFileSync(file, JSON.stringify({ PORT: 4000, ROOTAUDIT_REGIONS: 'eu-west-1', LOG_LEVEL: 'warn' }));
  const config = loadConfig({ ROOTAUDIT_CONFIG_FILE: file, LOG_LEVEL: 'error' });
  t.equal(config.port, 4000);
  t.same(config.regions, ['eu-west-1']);
  t.equal(config.logLevel, 'error');
});

t.test('an unreadable or malformed config file is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rootaudit-config-'));
  t.throws(() => loadConfig({ ROOTAUDIT_CONFIG_FILE: join(dir, 'missing.json') }), {
    message: /ROOTAUDIT_CONFIG_FILE=.*readable JSON file/,
  });
  const file = join(dir, 'list.json');
  writeFileSync(file, '[1,2]');
  t.throws(() => loadConfig({ ROOTAUDIT_CONFIG_FILE: file }), { message: /one JSON object/ });
});

t.test('a bad value stops a process with one line on stderr', async (t) => {
  const script = `import { loadConfigOrExit } from ${JSON.stringify(resolve(import.meta.dirname, 'config.ts'))};
loadConfigOrExit(); console.log('started');`;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, PORT: 'eighty' },
    encoding: 'utf8',
  });
  t.equal(result.status, 78);
  t.equal(result.stdout, '');
  t.equal(
    result.stderr,
    'rootaudit: invalid configuration: PORT="eighty": must be an integer from 0 to 65535\n',
  );
});

t.test('ROOTAUDIT_SCAN_CRON: expressions pg-boss schedules are accepted', async (t) => {
  for (const cron of [
    '0 2 29 2 *',
    '0 2 31 1-3 *',
    '0 2 31 */2 *',
    '0 2 * * 7',
    '0 0 1,15 * *',
    '5-5 0-23/2 * * 0-6',
  ]) {
    t.equal(loadConfig({ ROOTAUDIT_SCAN_CRON: cron }).scanCron, cron, cron);
  }
});
