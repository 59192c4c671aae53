/** Small shared pieces: badges, dates, percentages, messages, paging and scan progress. */
import type { ComponentChildren } from 'preact';
import type { ApiFailure } from './api.ts';
import type { CheckStatus, Scan, Severity } from './types.ts';

export function SeverityBadge({ severity }: { severity: Severity | null }) {
  if (!severity) return <span class="badge sev-none">none failing</span>;
  return <span class={`badge sev-${severity}`}>{severity}</span>;
}

const STATUS_LABELS: Record<CheckStatus, string> = {
  PASS: 'PASS',
  FAIL: 'FAIL',
  ERROR: 'ERROR',
  NOT_APPLICABLE: 'N/A',
};

export function StatusBadge({ status }: { status: CheckStatus }) {
  return (
    <span class={`badge st-${status.toLowerCase()}`} title={status}>
      {STATUS_LABELS[status]}
    </span>
  );
}

export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)} %`;
}

export function When({ at }: { at: string | null | undefined }) {
  if (!at) return <span>—</span>;
  const date = new Date(at);
  return <time dateTime={at}>{date.toISOString().replace('T', ' ').slice(0, 16)} UTC</time>;
}

export function Problem({ error, what }: { error: ApiFailure; what: string }) {
  return (
    <p class="problem" role="alert">
      Could not load {what}: {error.message}
      {error.status === 403 ? ' (this API key lacks the scope)' : ''}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Pager(props: {
  hasPrevious: boolean;
  next: string | null;
  onFirst: () => void;
  onNext: () => void;
}) {
  return (
    <nav class="pager" aria-label="result pages">
      <button type="button" disabled={!props.hasPrevious} onClick={props.onFirst}>
        First page
      </button>
      <button type="button" disabled={!props.next} onClick={props.onNext}>
        Next page
      </button>
    </nav>
  );
}

export function ScanProgress({ scan }: { scan: Scan }) {
  const done = scan.accountsDone + scan.accountsFailed + scan.accountsSkipped;
  const label = `Scan ${scan.status.toLowerCase()}: ${done} of ${scan.accountsTotal || '?'} accounts`;
  return (
    <div class="scan-progress">
      <span class={`badge scan-${scan.status.toLowerCase()}`}>{scan.status}</span>{' '}
      {scan.status === 'QUEUED' || scan.status === 'RUNNING' ? (
        <>
          <progress max={scan.accountsTotal || 1} value={done} aria-label={label} />{' '}
          <span>
            {done} of {scan.accountsTotal || '?'} accounts
          </span>
        </>
      ) : (
        <span>
          {scan.accountsDone} accounts scanned, {scan.accountsFailed} unreadable, {scan.accountsSkipped}{' '}
          skipped; {scan.results.FAIL} FAIL, {scan.results.PASS} PASS, {scan.results.ERROR} ERROR
        </span>
      )}
    </div>
  );
}

export function Section(props: { title: string; children: ComponentChildren; id?: string }) {
  const id = props.id ?? props.title.toLowerCase().replace(/\W+/g, '-');
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{props.title}</h2>
      {props.children}
    </section>
  );
}
