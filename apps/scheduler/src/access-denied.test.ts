/**
 * Containment: AccessDenied in some accounts makes them ERROR; the scan goes on and ends PARTIAL.
 */
import t from 'tap';
import { activeAccounts, scanOnce, startPipeline } from './testing.ts';

t.test(
  'AccessDenied in two accounts: PARTIAL, those two ERROR naming the action, the rest done',
  async (t) => {
    const pipeline = await startPipeline(t, { accounts: 20, seed: 3 });
    const { prisma, sim } = pipeline;
    const members = activeAccounts(pipeline).filter(
      (account) => account.id !== pipeline.sim.model.organization.managementAccountId,
    );
    const denied = [members[3]!.id, members[12]!.id];
    // The account summary and the credential report both refused: the root-credential checks have
    // nothing left to answer from (one alone is not enough: each stands in for the other).
    sim.setKnobs({
      faults: {
        accessDenied: denied.flatMap((accountId) =>
          ['GetAccountSummary', 'GenerateCredentialReport'].map((operation) => ({
            service: 'iam',
            operation,
            accountId,
          })),
        ),
      },
    });
    const scan = await scanOnce(pipeline);
    t.equal(scan.status, 'PARTIAL');
    t.equal(scan.accountsFailed, 2);
    t.match(scan.failureReason, /2 of \d+ accounts could not be scanned/);
    const rows = await prisma.accountScan.findMany({ where: { scanId: scan.id } });
    for (const row of rows) {
      if (denied.includes(row.accountId)) {
        t.equal(row.status, 'ERROR', `${row.accountId} ERROR`);
        t.match(row.error, /AccessDenied/);
        t.match(row.error, /iam:GetAccountSummary/);
      } else if (row.status !== 'SKIPPED') {
        t.equal(row.status, 'SUCCEEDED', `${row.accountId} done`);
      }
    }
    const errors = await prisma.checkResult.findMany({ where: { scanId: scan.id, status: 'ERROR' } });
    t.ok(errors.length > 0);
    t.ok(
      errors.every((result) => denied.includes(result.accountId)),
      'only the denied accounts have ERROR results',
    );
  },
);

t.test(
  'throttling past the retry budget: that account ERROR naming the action, the scan goes on',
  async (t) => {
    // Throttled past the SDK's retries, the account's job is tried again (4 attempts here), each
    // taking seconds of SDK backoff: not the 6 s expiry meant for killed workers.
    const pipeline = await startPipeline(t, {
      accounts: 6,
      seed: 4,
      queueOverrides: { scanAccount: { expireInSeconds: 60 } },
    });
    const { prisma, sim } = pipeline;
    const member = activeAccounts(pipeline).find(
      (account) => account.id !== sim.model.organization.managementAccountId,
    )!;
    // One call a minute: the SDK's retries (3 attempts here) cannot get through. The summary and
    // the credential report both, as each stands in for the other.
    sim.setKnobs({
      throttling: ['GetAccountSummary', 'GenerateCredentialReport'].map((operation) => ({
        service: 'iam',
        operation,
        accountId: member.id,
        ratePerSecond: 1 / 60,
        burst: 0,
      })),
    });
    const scan = await scanOnce(pipeline);
    t.equal(scan.status, 'PARTIAL');
    t.equal(scan.accountsFailed, 1);
    const row = await prisma.accountScan.findUniqueOrThrow({
      where: { scanId_accountId: { scanId: scan.id, accountId: member.id } },
    });
    t.equal(row.status, 'ERROR');
    t.equal(row.attempts, 4, 'recorded by the last attempt of its job');
    t.match(row.error, /Throttling/);
    t.match(row.error, /iam:GetAccountSummary/);
  },
);
