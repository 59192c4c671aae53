/**
 * An account job that throws (the database went away mid-write): said at warn with the account,
 * the scan and the cause, then retried by pg-boss; the retry records the account once.
 */
import type { PrismaClient } from '@rootaudit/db';
import type { Logger } from '@rootaudit/log';
import t from 'tap';
import { scanThroughWorker } from './testing.ts';

interface Entry {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

/** A logger keeping what it is told (with child bindings), for assertions. */
function recordingLogger(entries: Entry[], bindings: Record<string, unknown> = {}): Logger {
  const at = (level: Entry['level']) => (fields: Record<string, unknown> | string, message?: string) => {
    if (typeof fields === 'string') entries.push({ level, fields: { ...bindings }, message: fields });
    else entries.push({ level, fields: { ...bindings, ...fields }, message: message ?? '' });
  };
  return {
    child: (more: Record<string, unknown>) => recordingLogger(entries, { ...bindings, ...more }),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  } as unknown as Logger;
}

t.test('a failed account job is logged at warn with account, scan and cause, then retried', async (t) => {
  const entries: Entry[] = [];
  let failures = 0;
  // The first write of an account's results fails as a dropped connection would.
  const failFirstTransaction = (prisma: PrismaClient) =>
    new Proxy(prisma, {
      get(target, property, receiver) {
        if (property === '$transaction' && failures === 0) {
          return () => {
            failures++;
            return Promise.reject(new Error('Connection terminated unexpectedly'));
          };
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  const { scan, accountIds } = await scanThroughWorker(t, {
    accounts: 3,
    logger: recordingLogger(entries),
    workerPrisma: failFirstTransaction,
  });
  t.equal(failures, 1);
  t.equal(scan.status, 'SUCCEEDED', 'the retry recorded the account');
  t.equal(scan.accountsDone, accountIds.length);
  const warnings = entries.filter((entry) => entry.level === 'warn');
  t.equal(warnings.length, 1);
  const [warning] = warnings;
  t.equal(warning?.fields.scanId, scan.id);
  t.ok(accountIds.includes(String(warning?.fields.accountId)), 'names the account');
  t.equal(warning?.fields.cause, 'Connection terminated unexpectedly');
  t.equal(warning?.fields.attempt, 1);
  t.match(warning?.message, /failed \(Connection terminated unexpectedly\); pg-boss retries it/);
});
