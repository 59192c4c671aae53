/** The check catalog: severity, rationale, compliance mappings, and each check's pass rate now. */
import { api } from '../api.ts';
import { useApi } from '../hooks.ts';
import type { PageProps } from '../page.ts';
import { href } from '../router.ts';
import type { Check, Page, Summary } from '../types.ts';
import { Loading, Problem, percent, SeverityBadge } from '../ui.tsx';

export function ChecksPage({ route }: PageProps) {
  const checks = useApi(() => api<Page<Check>>('/v1/checks'), []);
  const summary = useApi(() => api<Summary>('/v1/summary?trend=1'), []);
  const selected = route.params.get('id');
  const rates = new Map((summary.data?.byCheck ?? []).map((row) => [row.checkId, row]));
  return (
    <>
      <h1>Checks</h1>
      {checks.error && <Problem error={checks.error} what="the checks" />}
      {!checks.data && !checks.error && <Loading what="the checks" />}
      {checks.data && (
        <ul class="check-list">
          {checks.data.items.map((check) => {
            const rate = rates.get(check.id);
            return (
              <li key={check.id} id={`check-${check.id}`}>
                <details open={selected === check.id}>
                  <summary>
                    <SeverityBadge severity={check.severity} /> <strong>{check.title}</strong>{' '}
                    <span class="muted-text">
                      ({check.id}, {check.scope})
                    </span>{' '}
                    — pass rate {percent(rate?.passRate)}
                    {rate && rate.counts.FAIL > 0 ? `, ${rate.counts.FAIL} failing` : ''}
                  </summary>
                  <p>{check.description}</p>
                  <p>
                    <strong>Why it matters:</strong> {check.rationale}
                  </p>
                  {check.compliance.length > 0 && (
                    <p>
                      <strong>Compliance:</strong>{' '}
                      {check.compliance.map((m) => `${m.framework} ${m.version} ${m.control}`).join('; ')}
                    </p>
                  )}
                  <p>
                    <strong>Remediation:</strong>
                  </p>
                  <ol>
                    {check.remediation.console.map((step) => (
                      <li key={step}>{step}</li>
                    ))}
                  </ol>
                  {check.remediation.cli && <pre>{check.remediation.cli}</pre>}
                  <p>
                    <a href={href('/findings', { check: check.id, status: 'FAIL' })}>
                      Failing findings of this check
                    </a>
                  </p>
                </details>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
