/** Overview: pass rate now and its trend, failing findings by severity, the last scan, the organization. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { TrendChart } from '../chart.tsx';
import { useApi, usePolling } from '../hooks.ts';
import type { PageProps } from '../page.ts';
import { href } from '../router.ts';
import { buildTree, OrgTree } from '../tree.tsx';
import { ACTIVE_SCAN, type Account, type Page, type Scan, type Summary } from '../types.ts';
import { Loading, Problem, percent, ScanProgress, Section, SeverityBadge } from '../ui.tsx';

/** Accounts drawn in the tree; past this, the Findings page (server-side paging) has the rest. */
const TREE_ACCOUNT_CAP = 5_000;

async function loadAccounts(): Promise<{ accounts: Account[]; complete: boolean }> {
  const accounts: Account[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<Account> = await api(
      `/v1/accounts?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    accounts.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && accounts.length < TREE_ACCOUNT_CAP);
  return { accounts, complete: cursor === null };
}

export function OverviewPage(_props: PageProps) {
  const summary = useApi(() => api<Summary>('/v1/summary?trend=20'), []);
  // The tree's pages wait for the summary: both are database work, and the pass rate comes first.
  const summarySettled = summary.data !== undefined || summary.error !== undefined;
  const org = useApi(
    () => (summarySettled ? loadAccounts() : new Promise<never>(() => undefined)),
    [summarySettled],
  );
  const [scan, setScan] = useState<Scan | null | undefined>(undefined);
  const refreshScan = useCallback(() => {
    api<Page<Scan>>('/v1/scans?limit=1').then(
      (page) => setScan(page.items[0] ?? null),
      () => setScan(null),
    );
  }, []);
  useEffect(refreshScan, []);
  const running = scan ? ACTIVE_SCAN.includes(scan.status) : false;
  usePolling(running, 1_500, refreshScan);
  // When the scan being watched ends, the numbers above it change: load them again.
  const [wasRunning, setWasRunning] = useState(false);
  useEffect(() => {
    if (wasRunning && !running) {
      summary.reload();
      org.reload();
    }
    setWasRunning(running);
  }, [running]);

  const ouNames = new Map((summary.data?.byOu ?? []).map((ou) => [ou.ouId, ou.ouName]));
  const failing = summary.data?.bySeverity.filter((row) => row.counts.FAIL > 0) ?? [];
  return (
    <>
      <h1>Overview</h1>
      <div class="cards">
        <div class="card">
          <span class="card-label">Last scan</span>
          {scan === undefined && <Loading what="the last scan" />}
          {scan === null && <span>No scan yet.</span>}
          {scan && (
            <>
              <ScanProgress scan={scan} />
              <a href={href(`/scans/${scan.id}`)}>Scan details and changes</a>
            </>
          )}
        </div>
      </div>
      {summary.error && <Problem error={summary.error} what="the summary" />}
      {!summary.data && !summary.error && <Loading what="the summary" />}
      {summary.data && (
        <div class="cards">
          <div class="card" data-testid="pass-rate">
            <span class="card-label">Pass rate now</span>
            <span class="card-value">{percent(summary.data.totals.passRate)}</span>
            <span class="card-note">
              {summary.data.totals.counts.PASS} PASS, {summary.data.totals.counts.FAIL} FAIL,{' '}
              {summary.data.totals.counts.ERROR} ERROR; {summary.data.totals.muted} muted
            </span>
          </div>
          <div class="card">
            <span class="card-label">Failing findings by severity</span>
            {failing.length === 0 ? (
              <span class="card-value">none</span>
            ) : (
              <ul class="severity-list">
                {failing.map((row) => (
                  <li key={row.severity}>
                    <a href={href('/findings', { status: 'FAIL', severity: row.severity, muted: 'false' })}>
                      <SeverityBadge severity={row.severity} /> {row.counts.FAIL}
                    </a>
                  </li>
                ))}
              </ul>
            )}
          </div>
        </div>
      )}
      <Section title="Pass rate trend">{summary.data && <TrendChart trend={summary.data.trend} />}</Section>
      <Section title="Organization">
        <p class="help">
          Each OU and account is coloured by its worst failing severity (muted findings aside). Open an OU to
          see its accounts.
        </p>
        {org.error && <Problem error={org.error} what="the accounts" />}
        {!org.data && !org.error && <Loading what="the accounts" />}
        {org.data && (
          <>
            {!org.data.complete && (
              <p class="help">
                The tree shows the first {org.data.accounts.length} accounts;{' '}
                <a href={href('/findings')}>Findings</a> filters all of them.
              </p>
            )}
            <OrgTree root={buildTree(org.data.accounts, ouNames)} />
          </>
        )}
      </Section>
    </>
  );
}
