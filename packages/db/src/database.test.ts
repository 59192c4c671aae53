import t from 'tap';
import { emptyTestDatabase, testDatabase, testServerUrl } from '../../../test/support/db.ts';
import { checkReadiness, createPrismaClient, openDatabase, redactDatabaseUrl } from './database.ts';
import { migrateDatabase } from './migrations.ts';

t.test('readiness is false on an unmigrated database and true once migrated', async (t) => {
  const { url } = await emptyTestDatabase(t);
  const prisma = createPrismaClient(url);
  t.teardown(() => prisma.$disconnect());
  const before = await checkReadiness(url);
  t.equal(before.ready, false);
  t.match(before.reason, /pending migrations: \d{14}_init/);
  t.match(await checkReadiness(prisma), { ready: false, reason: /pending migrations/ }, 'through Prisma too');
  await migrateDatabase(url);
  t.same(await checkReadiness(url), { ready: true });
  t.same(await checkReadiness(prisma), { ready: true }, 'also through a Prisma client');
});

t.test('readiness is false, with the password hidden, when the server is unreachable', async (t) => {
  const readiness = await checkReadiness('postgresql://rootaudit:s3cr3t-pw@127.0.0.1:1/rootaudit');
  t.equal(readiness.ready, false);
  t.match(readiness.reason, /^database unreachable: /);
  t.notMatch(readiness.reason, /s3cr3t-pw/);
});

t.test('redactDatabaseUrl hides passwords', async (t) => {
  t.equal(
    redactDatabaseUrl('postgresql://user:p%40ss@db.example:5432/rootaudit?sslmode=require'),
    'postgresql://user:***@db.example:5432/rootaudit?sslmode=require',
  );
  t.equal(
    redactDatabaseUrl('postgresql://rootaudit:hunter2@db:5432/x'),
    'postgresql://rootaudit:***@db:5432/x',
  );
  t.equal(redactDatabaseUrl('postgresql://db.example/rootaudit'), 'postgresql://db.example/rootaudit');
  t.equal(redactDatabaseUrl('postgresql://db:5432/x'), 'postgresql://db:5432/x');
  t.equal(redactDatabaseUrl('postgresql://h/db?password=x'), 'postgresql://h/db?password=***');
  t.notMatch(redactDatabaseUrl('not a url://u:secret@x'), /secret/);
});

t.test('openDatabase on a URL migrates it and gives a working client', async (t) => {
  const { url } = await emptyTestDatabase(t);
  const database = await openDatabase({ databaseUrl: url, dataDir: '/nonexistent', logger: () => {} });
  t.teardown(() => database.close());
  t.equal(database.embedded, false);
  t.same(await checkReadiness(database.url), { ready: true });
  t.equal(await database.prisma.scan.count(), 0);
  await database.close();
  await database.close(); // twice is harmless
});

t.test('re-delivered results are written once (unique keys + skipDuplicates)', async (t) => {
  const { prisma } = await testDatabase(t);
  await prisma.organization.create({
    data: {
      id: 'o-example1234',
      arn: 'arn:aws:organizations::111111111111:organization/o-example1234',
      featureSet: 'ALL',
      managementAccountId: '111111111111',
    },
  });
  await prisma.account.createMany({
    data: [
      {
        id: '111111111111',
        name: 'management',
        email: 'root+mgmt@example.com',
        status: 'ACTIVE',
        isManagementAccount: true,
      },
      { id: '222222222222', name: 'workload', email: 'root+workload@example.com', status: 'ACTIVE' },
    ],
  });
  const scan = await prisma.scan.create({ data: { trigger: 'MANUAL', status: 'RUNNING' } });
  const results = [
    {
      scanId: scan.id,
      accountId: '222222222222',
      checkId: 'root-mfa-enabled',
      resource: 'arn:aws:iam::222222222222:root',
      status: 'FAIL' as const,
      severity: 'critical' as const,
      message: 'Root has no MFA.',
      evidence: { accountMFAEnabled: 0 },
    },
    {
      // An organization check: stored against the management account, scope organization.
      scanId: scan.id,
      accountId: '111111111111',
      scope: 'organization' as const,
      checkId: 'org-all-features',
      resource: 'arn:aws:organizations::111111111111:organization/o-example1234',
      status: 'PASS' as const,
      severity: 'high' as const,
      message: 'All features are enabled.',
    },
  ];
  const first = await prisma.checkResult.createMany({ data: results, skipDuplicates: true });
  const again = await prisma.checkResult.createMany({ data: results, skipDuplicates: true });
  t.equal(first.count, 2);
  t.equal(again.count, 0, 'the re-delivery inserts nothing');
  t.equal(await prisma.checkResult.count(), 2);
  await t.rejects(
    prisma.checkResult.create({ data: results[0]! }),
    { code: 'P2002' },
    'a plain insert of the same result is a unique violation',
  );

  // AccountScan: one row per scan × account, whatever the number of deliveries.
  for (let i = 0; i < 2; i++) {
    await prisma.accountScan.upsert({
      where: { scanId_accountId: { scanId: scan.id, accountId: '222222222222' } },
      create: { scanId: scan.id, accountId: '222222222222', status: 'RUNNING', attempts: 1 },
      update: { attempts: { increment: 1 } },
    });
  }
  t.equal(await prisma.accountScan.count(), 1);

  // Finding: one current row per account × check × resource.
  const now = new Date();
  const key = {
    accountId_checkId_resource: {
      accountId: '222222222222',
      checkId: 'root-mfa-enabled',
      resource: 'arn:aws:iam::222222222222:root',
    },
  };
  for (let i = 0; i < 2; i++) {
    await prisma.finding.upsert({
      where: key,
      create: {
        ...key.accountId_checkId_resource,
        status: 'FAIL',
        severity: 'critical',
        message: 'Root has no MFA.',
        firstSeenAt: now,
        lastSeenAt: now,
        statusChangedAt: now,
        lastScanId: scan.id,
      },
      update: { lastSeenAt: now, lastScanId: scan.id },
    });
  }
  t.equal(await prisma.finding.count(), 1);
});

t.test('only one scan can be active at a time', async (t) => {
  const { prisma } = await testDatabase(t);
  const running = await prisma.scan.create({ data: { trigger: 'SCHEDULED', status: 'RUNNING' } });
  await t.rejects(prisma.scan.create({ data: { trigger: 'MANUAL' } }), { code: 'P2002' });
  await prisma.scan.update({ where: { id: running.id }, data: { status: 'SUCCEEDED', active: null } });
  await prisma.scan.create({ data: { trigger: 'MANUAL' } });
  await prisma.scan.create({ data: { trigger: 'CLI', status: 'FAILED', active: null } });
  t.equal(await prisma.scan.count(), 3);
});

t.test('test databases are isolated from each other', async (t) => {
  const a = await testDatabase(t);
  const b = await testDatabase(t);
  t.not(a.url, b.url);
  await a.prisma.apiKey.create({
    data: { name: 'ci', prefix: 'ra_12345', hash: 'h'.repeat(64), scopes: ['read'] },
  });
  t.equal(await a.prisma.apiKey.count(), 1);
  t.equal(await b.prisma.apiKey.count(), 0);
  t.ok(await testServerUrl());
});

t.test(
  "rootaudit's sessions end a frozen transaction and give up a stuck lock wait, the URL's options kept",
  async (t) => {
    const { url } = await testDatabase(t);
    const settings = async (databaseUrl: string) => {
      const prisma = createPrismaClient(databaseUrl);
      t.teardown(() => prisma.$disconnect());
      const rows = await prisma.$queryRaw<{ name: string; setting: string; unit: string | null }[]>`
        SELECT name, setting, unit FROM pg_settings
        WHERE name IN ('idle_in_transaction_session_timeout', 'lock_timeout', 'statement_timeout')
        ORDER BY name`;
      return Object.fromEntries(rows.map((row) => [row.name, `${row.setting}${row.unit ?? ''}`]));
    };
    t.same(await settings(url), {
      idle_in_transaction_session_timeout: '60000ms',
      lock_timeout: '30000ms',
      statement_timeout: '0ms',
    });
    const withOptions = new URL(url);
    withOptions.searchParams.set('options', '-c statement_timeout=5s -c lock_timeout=10s');
    t.same(await settings(withOptions.toString()), {
      idle_in_transaction_session_timeout: '60000ms',
      lock_timeout: '10000ms',
      statement_timeout: '5000ms',
    });
  },
);
