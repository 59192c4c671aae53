/**
 * The AWS endpoint unreachable while accounts are scanned: no account is recorded ERROR for it
 * while its job has attempts left; the job fails and pg-boss retries it, and once the endpoint is
 * back each account is recorded once, with one result per check. Down through every attempt, the
 * last one records ERROR naming the account, the action and the cause.
 */
import t from 'tap';
import { scanThroughWorker, switchableEndpoint } from './testing.ts';

interface Entry {
  level: string;
  fields: Record<string, unknown>;
  message: string;
}

function recordingLogger(entries: Entry[], bindings: Record<string, unknown> = {}): never {
  const at = (level: string) => (fields: Record<string, unknown> | string, message?: string) => {
    if (typeof fields === 'string') entries.push({ level, fields: { ...bindings }, message: fields });
    else entries.push({ level, fields: { ...bindings, ...fields }, message: message ?? '' });
  };
  return {
    child: (more: Record<string, unknown>) => recordingLogger(entries, { ...bindings, ...more }),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  } as never;
}

t.test(
  'endpoint down when the accounts start, back 2.5 s later: every account recorded once, none ERROR',
  async (t) => {
    const entries: Entry[] = [];
    const { scan, prisma, accountIds } = await scanThroughWorker(t, {
      accounts: 3,
      logger: recordingLogger(entries),
      accountRetries: { retryLimit: 3, retryDelay: 1 },
      workerEndpoint: async (sim) => {
        const proxy = await switchableEndpoint(t, sim.endpoint);
        await proxy.down();
        const back = setTimeout(() => void proxy.up(), 2_500);
        t.teardown(() => clearTimeout(back));
        return proxy.endpoint;
      },
    });
    t.equal(scan.status, 'SUCCEEDED', 'no account ended ERROR for the outage');
    const rows = await prisma.accountScan.findMany({ where: { scanId: scan.id } });
    t.equal(rows.length, accountIds.length, 'one record per account');
    t.same(
      rows.map((row) => row.status),
      rows.map(() => 'SUCCEEDED'),
    );
    t.ok(
      rows.some((row) => row.attempts > 1),
      'the accounts that met the outage were attempted again',
    );
    const results = await prisma.checkResult.findMany({ where: { scanId: scan.id } });
    t.notOk(
      results.some((result) => result.status === 'ERROR'),
      'no ERROR result: nothing of an attempt that met the outage was written',
    );
    const perAccount = new Map<string, number>();
    for (const result of results)
      perAccount.set(result.accountId, (perAccount.get(result.accountId) ?? 0) + 1);
    t.equal(new Set(perAccount.values()).size, 1, 'the same number of results for every account');
    const retried = entries.filter(
      (entry) => entry.level === 'warn' && /pg-boss retries it/.test(entry.message),
    );
    t.ok(retried.length > 0, 'each failed attempt said at warn');
    // The first call of a job is its AssumeRole (workers read no organization), which names the role.
    t.match(
      retried[0]?.fields.cause,
      /^AWS unavailable while scanning \d{12}( \([a-z0-9-]+\))?: ECONNREFUSED on [a-z]+:\w+( for arn:aws:iam::\d{12}:role\/\w+)?: connect ECONNREFUSED/,
    );
  },
);

t.test(
  'endpoint down through every attempt: the last attempt records ERROR with account, action and cause',
  async (t) => {
    const { scan, prisma, accountIds } = await scanThroughWorker(t, {
      accounts: 2,
      accountRetries: { retryLimit: 1, retryDelay: 1 },
      workerEndpoint: async (sim) => {
        const proxy = await switchableEndpoint(t, sim.endpoint);
        await proxy.down();
        return proxy.endpoint;
      },
    });
    t.equal(scan.status, 'FAILED', 'no account could be scanned');
    const rows = await prisma.accountScan.findMany({ where: { scanId: scan.id } });
    t.equal(rows.length, accountIds.length);
    for (const row of rows) {
      t.equal(row.status, 'ERROR', row.accountId);
      t.equal(row.attempts, 2, 'recorded by its last attempt, not its first');
      t.match(
        row.error,
        new RegExp(
          `^ECONNREFUSED on sts:AssumeRole for arn:aws:iam::${row.accountId}:role/RootAuditRole: connect ECONNREFUSED`,
        ),
      );
    }
  },
);
