/** Settings: webhooks and suppressions; write keys may create and delete them. */
import { useState } from 'preact/hooks';
import { ApiFailure, api } from '../api.ts';
import { useApi } from '../hooks.ts';
import type { PageProps } from '../page.ts';
import type { Page, Suppression, Webhook } from '../types.ts';
import { Loading, Problem, Section, When } from '../ui.tsx';

const EVENTS = ['finding.failed', 'finding.resolved', 'scan.completed'] as const;
const message = (error: unknown) => (error instanceof ApiFailure ? error.message : String(error));

function Webhooks({ canWrite }: { canWrite: boolean }) {
  const hooks = useApi(() => api<Page<Webhook>>('/v1/webhooks?limit=500'), []);
  const [notice, setNotice] = useState<string | null>(null);
  const create = async (event: Event) => {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    try {
      const created = await api<Webhook & { secret: string }>('/v1/webhooks', {
        method: 'POST',
        body: { url: String(form.get('url') ?? ''), events: form.getAll('events').map(String) },
      });
      formElement.reset();
      setNotice(`Webhook to ${created.host} created. Its signing secret, shown this once: ${created.secret}`);
      hooks.reload();
    } catch (error) {
      setNotice(`Could not create the webhook: ${message(error)}`);
    }
  };
  const remove = async (hook: Webhook) => {
    try {
      await api(`/v1/webhooks/${hook.id}`, { method: 'DELETE' });
      setNotice(`Webhook to ${hook.host} deleted.`);
      hooks.reload();
    } catch (error) {
      setNotice(`Could not delete the webhook: ${message(error)}`);
    }
  };
  return (
    <Section title="Webhooks">
      {hooks.error && <Problem error={hooks.error} what="webhooks" />}
      {!hooks.data && !hooks.error && <Loading what="webhooks" />}
      {hooks.data &&
        (hooks.data.items.length === 0 ? (
          <p>No webhook.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Destination</th>
                <th scope="col">Events</th>
                <th scope="col">Created</th>
                {canWrite && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {hooks.data.items.map((hook) => (
                <tr key={hook.id}>
                  <td>{hook.url ?? hook.host}</td>
                  <td>{hook.events.join(', ')}</td>
                  <td>
                    <When at={hook.createdAt} />
                  </td>
                  {canWrite && (
                    <td>
                      <button
                        type="button"
                        onClick={() => remove(hook)}
                        aria-label={`delete webhook to ${hook.host}`}
                      >
                        Delete
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      {canWrite && (
        <form class="inline-form" onSubmit={create} aria-label="new webhook">
          <label>
            HTTPS URL
            <input name="url" type="url" required placeholder="https://hooks.example.com/rootaudit" />
          </label>
          <fieldset class="checkboxes">
            <legend>Events</legend>
            {EVENTS.map((name) => (
              <label key={name}>
                <input type="checkbox" name="events" value={name} defaultChecked /> {name}
              </label>
            ))}
          </fieldset>
          <button type="submit">Add webhook</button>
        </form>
      )}
      <p class="notice" aria-live="polite">
        {notice}
      </p>
    </Section>
  );
}

function Suppressions({ canWrite }: { canWrite: boolean }) {
  const list = useApi(() => api<Page<Suppression>>('/v1/suppressions?limit=500'), []);
  const [notice, setNotice] = useState<string | null>(null);
  const create = async (event: Event) => {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    try {
      const created = await api<{ mutedFindings: number }>('/v1/suppressions', {
        method: 'POST',
        body: {
          ...(text('checkId') ? { checkId: text('checkId') } : {}),
          ...(text('accountId') ? { accountId: text('accountId') } : {}),
          reason: text('reason'),
          ...(text('expires') ? { expiresAt: new Date(`${text('expires')}T23:59:59Z`).toISOString() } : {}),
        },
      });
      formElement.reset();
      setNotice(`Suppression created: ${created.mutedFindings} findings muted.`);
      list.reload();
    } catch (error) {
      setNotice(`Could not create the suppression: ${message(error)}`);
    }
  };
  const remove = async (suppression: Suppression) => {
    try {
      await api(`/v1/suppressions/${suppression.id}`, { method: 'DELETE' });
      setNotice('Suppression deleted; its findings count again.');
      list.reload();
    } catch (error) {
      setNotice(`Could not delete the suppression: ${message(error)}`);
    }
  };
  return (
    <Section title="Suppressions">
      {list.error && <Problem error={list.error} what="suppressions" />}
      {!list.data && !list.error && <Loading what="suppressions" />}
      {list.data &&
        (list.data.items.length === 0 ? (
          <p>No suppression.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Check</th>
                <th scope="col">Account</th>
                <th scope="col">Reason</th>
                <th scope="col">By</th>
                <th scope="col">Expires</th>
                {canWrite && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((item) => (
                <tr key={item.id}>
                  <td>{item.checkId ?? 'every check'}</td>
                  <td>{item.accountId ?? 'every account'}</td>
                  <td>{item.reason}</td>
                  <td>{item.author}</td>
                  <td>
                    {item.expiresAt ? <When at={item.expiresAt} /> : 'never'}
                    {item.expired ? ' (expired)' : ''}
                  </td>
                  {canWrite && (
                    <td>
                      <button
                        type="button"
                        onClick={() => remove(item)}
                        aria-label={`delete suppression: ${item.reason}`}
                      >
                        Delete
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      {canWrite && (
        <form class="inline-form" onSubmit={create} aria-label="new suppression">
          <label>
            Check id
            <input name="checkId" placeholder="every check" />
          </label>
          <label>
            Account id
            <input name="accountId" placeholder="every account" />
          </label>
          <label>
            Reason
            <input name="reason" required />
          </label>
          <label>
            Expires
            <input name="expires" type="date" />
          </label>
          <button type="submit">Add suppression</button>
        </form>
      )}
      <p class="notice" aria-live="polite">
        {notice}
      </p>
    </Section>
  );
}

export function SettingsPage({ me }: PageProps) {
  return (
    <>
      <h1>Settings</h1>
      {!me.canWrite && (
        <p class="help">This key reads only: creating and deleting need a key with the write scope.</p>
      )}
      <Webhooks canWrite={me.canWrite} />
      <Suppressions canWrite={me.canWrite} />
    </>
  );
}
