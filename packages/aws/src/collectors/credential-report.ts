/**
 * iam:GenerateCredentialReport, polled with backoff until COMPLETE (or a time limit), then
 * iam:GetCredentialReport, parsed for the `<root_account>` row. AWS regenerates a report at most
 * every 4 hours, so its GeneratedTime is part of the evidence.
 */
import { GenerateCredentialReportCommand, GetCredentialReportCommand } from '@aws-sdk/client-iam';
import type { CredentialReport } from '@rootaudit/checks';
import { type AccountCollector, awsCall, type CredentialReportPolling } from '../collector.ts';
import { CredentialReportFormatError, parseRootRow } from '../credential-report-csv.ts';
import { AwsCallError, collected } from '../errors.ts';
import { realClock } from '../pacer.ts';

const GENERATE = 'iam:GenerateCredentialReport';
const GET = 'iam:GetCredentialReport';

/**
 * The first poll comes soon: a small account's report is often ready within a fraction of a second,
 * and a one-account scan waits on it (BENCHMARKS.md §6). Doubling from there costs an account at
 * most two calls more than starting at 500 ms, within IAM's per-account rate.
 */
export const defaultCredentialReportPolling: CredentialReportPolling = {
  initialDelayMs: 100,
  maxDelayMs: 5_000,
  timeLimitMs: 120_000,
};

/** GetCredentialReport errors that mean "not ready yet": keep polling. */
const NOT_READY = new Set([
  'ReportInProgress',
  'CredentialReportNotReadyException',
  'ReportNotPresent',
  'CredentialReportNotPresentException',
  'ReportExpired',
  'CredentialReportExpiredException',
]);

export const credentialReportCollector: AccountCollector<'credentialReport'> = {
  key: 'credentialReport',
  actions: [GENERATE, GET],
  principals: ['audit-role'],
  needs: [],
  collect: ({ clients, clock = realClock, credentialReportPolling }) =>
    collected(GET, async (): Promise<CredentialReport> => {
      const polling = { ...defaultCredentialReportPolling, ...credentialReportPolling };
      const iam = clients.client('iam');
      const started = clock.now();
      let delay = polling.initialDelayMs;
      let state = 'unknown';
      for (;;) {
        const generated = await awsCall(clients.limit, GENERATE, undefined, () =>
          iam.send(new GenerateCredentialReportCommand({})),
        );
        state = generated.State ?? 'unknown';
        if (state === 'COMPLETE') {
          try {
            const report = await awsCall(clients.limit, GET, undefined, () =>
              iam.send(new GetCredentialReportCommand({})),
            );
            const csv = new TextDecoder().decode(report.Content ?? new Uint8Array());
            // The report can be 4 hours old: its age is evidence, never guessed from our clock.
            if (!report.GeneratedTime) {
              throw new CredentialReportFormatError('GetCredentialReport answered without a GeneratedTime');
            }
            return { generatedTime: report.GeneratedTime.toISOString(), root: parseRootRow(csv) };
          } catch (error) {
            if (!(error instanceof AwsCallError && NOT_READY.has(error.collectionError.code))) throw error;
            state = error.collectionError.code;
          }
        }
        const elapsed = clock.now() - started;
        if (elapsed >= polling.timeLimitMs) {
          throw new AwsCallError({
            action: GET,
            code: 'CredentialReportTimeout',
            message: `the credential report was not ready after ${Math.round(elapsed / 1000)} s (last state ${state}); the next scan will try again`,
          });
        }
        await clock.sleep(Math.min(delay, polling.timeLimitMs - elapsed));
        delay = Math.min(delay * 2, polling.maxDelayMs);
      }
    }),
};
