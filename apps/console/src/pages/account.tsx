/** One account: every check with status, message, evidence, remediation and history. */
import { api } from '../api.ts';
import { useApi } from '../hooks.ts';
import type { PageProps } from '../page.ts';
import { href } from '../router.ts';
import { type AccountDetail, type Check, type Finding, type Page, SEVERITIES } from '../types.ts';
import { Loading, Problem, percent, SeverityBadge, StatusBadge, When } from '../ui.tsx';

const ORDER = { FAIL: 0, ERROR: 1, PASS: 2, NOT_APPLICABLE: 3 } as const;

function FindingCard({ finding, check }: { finding: Finding; check: Check | undefined }) {
  return (
    <article
      class={`finding-card st-border-${finding.status.toLowerCase()}`}
      aria-labelledby={`f-${finding.id}`}
    >
      <h3 id={`f-${finding.id}`}>
        <StatusBadge status={finding.status} /> <SeverityBadge severity={finding.severity} />{' '}
        {check?.title ?? finding.checkId} <span class="muted-text">({finding.checkId})</span>
        {finding.muted && <span class="badge muted-badge">muted</span>}
      </h3>
      <p>{finding.message}</p>
      {finding.resource && (
        <p class="muted-text">
          Resource: <code>{finding.resource}</code>
        </p>
      )}
      <dl class="history">
        <dt>First seen</dt>
        <dd>
          <When at={finding.firstSeenAt} />
        </dd>
        <dt>Last seen</dt>
        <dd>
          <When at={finding.lastSeenAt} />
        </dd>
        <dt>Status since</dt>
        <dd>
          <When at={finding.statusChangedAt} />
        </dd>
        <dt>Resolved</dt>
        <dd>
          <When at={finding.resolvedAt} />
        </dd>
        <dt>Reopened</dt>
        <dd>
          <When at={finding.reopenedAt} /> {finding.reopenCount > 0 ? `(${finding.reopenCount} times)` : ''}
        </dd>
      </dl>
      <details>
        <summary>Evidence</summary>
        <pre>{JSON.stringify(finding.evidence, null, 2)}</pre>
      </details>
      {check && finding.status !== 'PASS' && finding.status !== 'NOT_APPLICABLE' && (
        <details open={finding.status === 'FAIL'}>
          <summary>Remediation</summary>
          <ol>
            {check.remediation.console.map((step) => (
              <li key={step}>{step}</li>
            ))}
          </ol>
          {check.remediation.cli && (
            <>
              <p>CLI:</p>
              <pre>{check.remediation.cli}</pre>
            </>
          )}
        </details>
      )}
    </article>
  );
}

export function AccountPage({ route }: PageProps) {
  const id = route.segments[1] ?? '';
  const account = useApi(() => api<AccountDetail>(`/v1/accounts/${encodeURIComponent(id)}`), [id]);
  const checks = useApi(() => api<Page<Check>>('/v1/checks'), []);
  const byId = new Map((checks.data?.items ?? []).map((check) => [check.id, check]));
  if (account.error) {
    return (
      <>
        <h1>Account {id}</h1>
        <Problem error={account.error} what={`account ${id}`} />
      </>
    );
  }
  if (!account.data) return <Loading what={`account ${id}`} />;
  const detail = account.data;
  const findings = [...detail.findings].sort(
    (a, b) =>
      ORDER[a.status] - ORDER[b.status] ||
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
      a.checkId.localeCompare(b.checkId),
  );
  return (
    <>
      <h1>
        {detail.name} ({detail.id})
      </h1>
      <p>
        {detail.status}
        {detail.isManagementAccount ? ', management account' : ''} · {detail.email} · OU {detail.ouId ?? '—'}{' '}
        · last scanned <When at={detail.lastScannedAt} />
        {detail.skipReason ? ` · skipped: ${detail.skipReason}` : ''}
      </p>
      <div class="cards">
        <div class="card">
          <span class="card-label">Pass rate</span>
          <span class="card-value">{percent(detail.posture.passRate)}</span>
        </div>
        <div class="card">
          <span class="card-label">Failing</span>
          <span class="card-value">{detail.posture.byStatus.FAIL}</span>
          <span class="card-note">
            worst <SeverityBadge severity={detail.worstFailingSeverity} />; {detail.posture.muted} muted
          </span>
        </div>
        <div class="card">
          <span class="card-label">Errors</span>
          <span class="card-value">{detail.posture.byStatus.ERROR}</span>
        </div>
      </div>
      <p>
        <a href={href('/findings', { account: detail.id })}>These findings in the Findings list</a>
      </p>
      <h2>Checks ({findings.length})</h2>
      {findings.length === 0 && <p>No finding for this account yet.</p>}
      {findings.map((finding) => (
        <FindingCard key={finding.id} finding={finding} check={byId.get(finding.checkId)} />
      ))}
    </>
  );
}
