/** Root activity: root sign-ins and API calls as they happened (GET /v1/root-activity, SPEC §6). */
import { api, query } from '../api.ts';
import { useApi } from '../hooks.ts';
import type { PageProps } from '../page.ts';
import { href, navigate } from '../router.ts';
import type { Page, RootEvent } from '../types.ts';
import { Loading, Pager, Problem, When } from '../ui.tsx';

const FILTERS = ['account', 'ou', 'since', 'until', 'eventName', 'outcome', 'mfa'] as const;

export function ActivityPage({ route }: PageProps) {
  const filters: Record<string, string> = {};
  for (const name of FILTERS) {
    const value = route.params.get(name);
    if (value) filters[name] = value;
  }
  const cursor = route.params.get('cursor');
  const events = useApi(
    () => api<Page<RootEvent>>(`/v1/root-activity${query({ ...filters, limit: 100, cursor })}`),
    [route.params.toString()],
  );
  const apply = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const day = (name: string, time: string) =>
      text(name) ? new Date(`${text(name)}T${time}Z`).toISOString() : '';
    navigate('/activity', {
      account: text('account'),
      ou: text('ou'),
      eventName: text('eventName'),
      outcome: text('outcome'),
      mfa: text('mfa'),
      since: day('since', '00:00:00'),
      until: day('until', '23:59:59'),
    });
  };
  if (events.error?.status === 404) {
    return (
      <>
        <h1>Root activity</h1>
        <p class="notice">
          Root activity is not available on this server: its API has no <code>/v1/root-activity</code> yet.
        </p>
      </>
    );
  }
  return (
    <>
      <h1>Root activity</h1>
      <form class="filters" onSubmit={apply} key={route.params.toString()} aria-label="root activity filters">
        <div class="fields">
          <label>
            Account id
            <input name="account" defaultValue={filters.account ?? ''} />
          </label>
          <label>
            OU or root id
            <input name="ou" defaultValue={filters.ou ?? ''} />
          </label>
          <label>
            Event name
            <input name="eventName" defaultValue={filters.eventName ?? ''} placeholder="ConsoleLogin" />
          </label>
          <label>
            Outcome
            <select name="outcome" defaultValue={filters.outcome ?? ''}>
              <option value="">any</option>
              <option value="success">success</option>
              <option value="failure">failure</option>
            </select>
          </label>
          <label>
            MFA used
            <select name="mfa" defaultValue={filters.mfa ?? ''}>
              <option value="">either</option>
              <option value="true">yes</option>
              <option value="false">no</option>
            </select>
          </label>
          <label>
            From
            <input name="since" type="date" defaultValue={filters.since?.slice(0, 10) ?? ''} />
          </label>
          <label>
            Until
            <input name="until" type="date" defaultValue={filters.until?.slice(0, 10) ?? ''} />
          </label>
        </div>
        <div class="actions">
          <button type="submit">Apply filters</button>
          <a href={href('/activity')}>Clear</a>
        </div>
      </form>
      {events.error && <Problem error={events.error} what="root activity" />}
      {!events.data && !events.error && <Loading what="root activity" />}
      {events.data && (
        <>
          {events.data.items.length === 0 ? (
            <p>No root activity matches.</p>
          ) : (
            <ol class="timeline">
              {events.data.items.map((item) => (
                <li key={item.eventId} class={`outcome-${item.outcome.toLowerCase()}`}>
                  <When at={item.eventTime} /> — <strong>{item.eventName}</strong> in{' '}
                  <a href={href(`/accounts/${item.accountId}`)}>{item.accountId}</a> (
                  {item.region ?? 'global'}): {item.outcome}, MFA{' '}
                  {item.mfaUsed === null ? 'unknown' : item.mfaUsed ? 'used' : 'not used'}, from{' '}
                  {item.sourceIpAddress ?? 'unknown address'}
                  {item.userAgent ? <span class="muted-text"> · {item.userAgent}</span> : null}
                </li>
              ))}
            </ol>
          )}
          <Pager
            hasPrevious={cursor !== null}
            next={events.data.nextCursor}
            onFirst={() => navigate('/activity', filters)}
            onNext={() => navigate('/activity', { ...filters, cursor: events.data?.nextCursor })}
          />
        </>
      )}
    </>
  );
}
