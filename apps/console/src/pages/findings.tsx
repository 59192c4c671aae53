/**
 * Findings: every filter of GET /v1/findings as a control, kept in the URL (shareable), cursor
 * paging, mute and unmute (write keys) through suppressions, and exports of the same filter.
 */
import { useState } from 'preact/hooks';
import { ApiFailure, api, download, query } from '../api.ts';
import { useApi } from '../hooks.ts';
import type { PageProps } from '../page.ts';
import { href, navigate } from '../router.ts';
import { type Check, type Finding, type Page, SEVERITIES, STATUSES, type Suppression } from '../types.ts';
import { Loading, Pager, Problem, SeverityBadge, StatusBadge, When } from '../ui.tsx';

export const FINDING_FILTERS = [
  'status',
  'severity',
  'check',
  'account',
  'ou',
  'muted',
  'changedSince',
] as const;
const PAGE_SIZE = 50;

type Filters = Partial<Record<(typeof FINDING_FILTERS)[number], string>>;

function filtersOf(params: URLSearchParams): Filters {
  const filters: Filters = {};
  for (const name of FINDING_FILTERS) {
    const value = params.get(name);
    if (value) filters[name] = value;
  }
  return filters;
}

function CheckboxGroup(props: {
  legend: string;
  name: string;
  options: readonly string[];
  selected: string | undefined;
}) {
  const chosen = new Set((props.selected ?? '').split(',').filter(Boolean));
  return (
    <fieldset class="checkboxes">
      <legend>{props.legend}</legend>
      {props.options.map((option) => (
        <label key={option}>
          <input type="checkbox" name={props.name} value={option} defaultChecked={chosen.has(option)} />{' '}
          {option}
        </label>
      ))}
    </fieldset>
  );
}

function FilterForm({ filters, checks }: { filters: Filters; checks: Check[] }) {
  const apply = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const list = (name: string) => form.getAll(name).map(String).join(',');
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const since = text('changedSince');
    navigate('/findings', {
      status: list('status'),
      severity: list('severity'),
      check: text('check'),
      account: text('account'),
      ou: text('ou'),
      muted: text('muted'),
      // A date picked here is the start of that day in UTC.
      changedSince: since ? new Date(`${since}T00:00:00Z`).toISOString() : undefined,
    });
  };
  // Keyed by the URL's filters: back and forward reset the controls to what the URL says.
  return (
    <form class="filters" onSubmit={apply} key={JSON.stringify(filters)} aria-label="finding filters">
      <CheckboxGroup legend="Status" name="status" options={STATUSES} selected={filters.status} />
      <CheckboxGroup legend="Severity" name="severity" options={SEVERITIES} selected={filters.severity} />
      <div class="fields">
        <label>
          Check
          <select name="check" defaultValue={filters.check ?? ''}>
            <option value="">any check</option>
            {checks.map((check) => (
              <option key={check.id} value={check.id}>
                {check.id}
              </option>
            ))}
          </select>
        </label>
        <label>
          Account id
          <input
            name="account"
            defaultValue={filters.account ?? ''}
            inputMode="numeric"
            placeholder="111122223333"
          />
        </label>
        <label>
          OU or root id
          <input name="ou" defaultValue={filters.ou ?? ''} placeholder="ou-ab12-34cd5678" />
        </label>
        <label>
          Muted
          <select name="muted" defaultValue={filters.muted ?? ''}>
            <option value="">muted or not</option>
            <option value="false">not muted</option>
            <option value="true">muted only</option>
          </select>
        </label>
        <label>
          Changed since
          <input name="changedSince" type="date" defaultValue={filters.changedSince?.slice(0, 10) ?? ''} />
        </label>
      </div>
      <div class="actions">
        <button type="submit">Apply filters</button>
        <a href={href('/findings')}>Clear</a>
      </div>
    </form>
  );
}

function MuteForm({ finding, onDone }: { finding: Finding; onDone: (message: string) => void }) {
  const [problem, setProblem] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const expires = String(form.get('expires') ?? '');
    try {
      const created = await api<{ mutedFindings: number }>('/v1/suppressions', {
        method: 'POST',
        body: {
          checkId: finding.checkId,
          ...(finding.accountId ? { accountId: finding.accountId } : {}),
          reason: String(form.get('reason') ?? ''),
          ...(expires ? { expiresAt: new Date(`${expires}T23:59:59Z`).toISOString() } : {}),
        },
      });
      onDone(
        `Muted ${finding.checkId} in ${finding.accountId ?? 'the organization'} (${created.mutedFindings} findings).`,
      );
    } catch (error) {
      setProblem(error instanceof ApiFailure ? error.message : String(error));
    }
  };
  const id = `mute-${finding.id}`;
  return (
    <form
      class="mute-form"
      onSubmit={submit}
      aria-label={`mute ${finding.checkId} in ${finding.accountId ?? 'organization'}`}
    >
      <label for={`${id}-reason`}>Reason</label>
      <input id={`${id}-reason`} name="reason" required maxLength={1000} />
      <label for={`${id}-expires`}>Expires (optional)</label>
      <input id={`${id}-expires`} name="expires" type="date" />
      <button type="submit">Mute</button>
      {problem && (
        <span class="problem" role="alert">
          {problem}
        </span>
      )}
    </form>
  );
}

async function unmute(finding: Finding): Promise<string> {
  // Only suppressions of exactly this check and account: a broader one mutes other findings too.
  const matching: Suppression[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<Suppression> = await api(
      `/v1/suppressions${query({ expired: 'false', limit: 500, cursor })}`,
    );
    matching.push(
      ...page.items.filter(
        (item) => item.checkId === finding.checkId && item.accountId === finding.accountId,
      ),
    );
    cursor = page.nextCursor;
  } while (cursor);
  if (matching.length === 0) {
    return 'This finding is muted by a broader suppression (a whole check or account): see Settings.';
  }
  for (const suppression of matching) await api(`/v1/suppressions/${suppression.id}`, { method: 'DELETE' });
  return `Unmuted ${finding.checkId} in ${finding.accountId ?? 'the organization'}.`;
}

export function FindingsPage({ route, me }: PageProps) {
  const filters = filtersOf(route.params);
  const cursor = route.params.get('cursor');
  const key = route.params.toString();
  const checks = useApi(() => api<Page<Check>>('/v1/checks'), []);
  const findings = useApi(
    () => api<Page<Finding>>(`/v1/findings${query({ ...filters, limit: PAGE_SIZE, cursor })}`),
    [key],
  );
  const [muting, setMuting] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const done = (message: string) => {
    setMuting(null);
    setNotice(message);
    findings.reload();
  };
  const exportAs = async (format: 'csv' | 'json' | 'ocsf') => {
    const extension = format === 'csv' ? 'csv' : format === 'json' ? 'jsonl' : 'ocsf.json';
    try {
      await download(
        `/v1/findings/export${query({ ...filters, format })}`,
        `rootaudit-findings.${extension}`,
      );
      setNotice(`Exported the filtered findings as ${format.toUpperCase()}.`);
    } catch (error) {
      setNotice(`Export failed: ${error instanceof ApiFailure ? error.message : String(error)}`);
    }
  };
  return (
    <>
      <h1>Findings</h1>
      <FilterForm filters={filters} checks={checks.data?.items ?? []} />
      <fieldset class="toolbar">
        <legend>Export these findings</legend>
        <button type="button" onClick={() => exportAs('csv')}>
          CSV
        </button>
        <button type="button" onClick={() => exportAs('json')}>
          JSON lines
        </button>
        <button type="button" onClick={() => exportAs('ocsf')}>
          OCSF
        </button>
      </fieldset>
      <p class="notice" aria-live="polite">
        {notice}
      </p>
      {findings.error && <Problem error={findings.error} what="findings" />}
      {findings.loading && !findings.data && <Loading what="findings" />}
      {findings.data && (
        <>
          <table class="findings" aria-busy={findings.loading}>
            <caption>
              {findings.data.items.length === 0
                ? 'No finding matches these filters.'
                : `${findings.data.items.length} findings on this page${findings.data.nextCursor ? ', more on the next' : ''}`}
            </caption>
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">Check</th>
                <th scope="col">Status</th>
                <th scope="col">Severity</th>
                <th scope="col">Message</th>
                <th scope="col">Last changed</th>
                <th scope="col">Muted</th>
                {me.canWrite && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {findings.data.items.map((finding) => (
                <tr key={finding.id}>
                  <td>
                    {finding.accountId ? (
                      <a href={href(`/accounts/${finding.accountId}`)}>
                        {finding.accountName ?? finding.accountId} ({finding.accountId})
                      </a>
                    ) : (
                      'organization'
                    )}
                  </td>
                  <td>
                    <a href={href('/checks', { id: finding.checkId })}>{finding.checkId}</a>
                  </td>
                  <td>
                    <StatusBadge status={finding.status} />
                  </td>
                  <td>
                    <SeverityBadge severity={finding.severity} />
                  </td>
                  <td class="message">{finding.message}</td>
                  <td>
                    <When at={finding.statusChangedAt ?? finding.firstSeenAt} />
                  </td>
                  <td>{finding.muted ? 'muted' : 'no'}</td>
                  {me.canWrite && (
                    <td>
                      {finding.muted ? (
                        <button
                          type="button"
                          onClick={async () => done(await unmute(finding).catch((e) => String(e.message)))}
                        >
                          Unmute
                        </button>
                      ) : muting === finding.id ? (
                        <MuteForm finding={finding} onDone={done} />
                      ) : (
                        <button type="button" onClick={() => setMuting(finding.id)}>
                          Mute…
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            hasPrevious={cursor !== null}
            next={findings.data.nextCursor}
            onFirst={() => navigate('/findings', filters)}
            onNext={() => navigate('/findings', { ...filters, cursor: findings.data?.nextCursor })}
          />
        </>
      )}
    </>
  );
}
