/** Scans: the list, starting one (write keys), live progress, and one scan's changes since the previous. */
import { useCallback, useState } from 'preact/hooks';
import { ApiFailure, api, query } from '../api.ts';
import { useApi, usePolling } from '../hooks.ts';
import type { PageProps } from '../page.ts';
import { href, navigate } from '../router.ts';
import { ACTIVE_SCAN, type DiffItem, type Page, type Scan, type ScanDiff } from '../types.ts';
import { Loading, Pager, Problem, ScanProgress, SeverityBadge, StatusBadge, When } from '../ui.tsx';

function DiffTable({ title, items }: { title: string; items: DiffItem[] }) {
  return (
    <>
      <h3>
        {title} ({items.length})
      </h3>
      {items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">Check</th>
              <th scope="col">Was</th>
              <th scope="col">Now</th>
              <th scope="col">Severity</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={`${item.accountId}/${item.checkId}/${item.resource}`}>
                <td>
                  {item.accountId ? (
                    <a href={href(`/accounts/${item.accountId}`)}>{item.accountId}</a>
                  ) : (
                    'organization'
                  )}
                </td>
                <td>{item.checkId}</td>
                <td>{item.previousStatus ? <StatusBadge status={item.previousStatus} /> : 'new'}</td>
                <td>
                  <StatusBadge status={item.status} />
                </td>
                <td>
                  <SeverityBadge severity={item.severity} />
                </td>
                <td class="message">{item.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function ScanDetail({ id }: { id: string }) {
  const scan = useApi(() => api<Scan>(`/v1/scans/${encodeURIComponent(id)}`), [id]);
  const running = scan.data ? ACTIVE_SCAN.includes(scan.data.status) : false;
  usePolling(running, 1_500, scan.reload);
  const [diffCursor, setDiffCursor] = useState<string | null>(null);
  const diff = useApi(
    () =>
      running
        ? Promise.resolve(undefined)
        : api<ScanDiff>(`/v1/scans/${encodeURIComponent(id)}/diff${query({ cursor: diffCursor })}`),
    [id, running, diffCursor],
  );
  return (
    <>
      <h1>Scan {id}</h1>
      <p>
        <a href={href('/scans')}>All scans</a>
      </p>
      {scan.error && <Problem error={scan.error} what="the scan" />}
      {scan.data && (
        <>
          <ScanProgress scan={scan.data} />
          <p>
            {scan.data.trigger.toLowerCase()} scan
            {scan.data.requestedBy ? ` by ${scan.data.requestedBy}` : ''}, created{' '}
            <When at={scan.data.createdAt} />, finished <When at={scan.data.finishedAt} />
            {scan.data.failureReason ? `; ${scan.data.failureReason}` : ''}
          </p>
        </>
      )}
      <h2>Changes since the previous scan</h2>
      {running && <p>The changes are shown when the scan finishes.</p>}
      {diff.error && <Problem error={diff.error} what="the changes" />}
      {diff.data && (
        <>
          <p>
            {diff.data.previousScanId ? (
              <>
                Compared with{' '}
                <a href={href(`/scans/${diff.data.previousScanId}`)}>{diff.data.previousScanId}</a>:{' '}
              </>
            ) : (
              'First scan: '
            )}
            {diff.data.counts.new} new, {diff.data.counts.resolved} resolved, {diff.data.counts.reopened}{' '}
            reopened.
          </p>
          <DiffTable title="New" items={diff.data.new} />
          <DiffTable title="Resolved" items={diff.data.resolved} />
          <DiffTable title="Reopened" items={diff.data.reopened} />
          <Pager
            hasPrevious={diffCursor !== null}
            next={diff.data.nextCursor}
            onFirst={() => setDiffCursor(null)}
            onNext={() => setDiffCursor(diff.data?.nextCursor ?? null)}
          />
        </>
      )}
    </>
  );
}

function ScanList({ route, me }: PageProps) {
  const cursor = route.params.get('cursor');
  const scans = useApi(() => api<Page<Scan>>(`/v1/scans${query({ limit: 20, cursor })}`), [cursor]);
  const [notice, setNotice] = useState<string | null>(null);
  const anyRunning = scans.data?.items.some((scan) => ACTIVE_SCAN.includes(scan.status)) ?? false;
  const refresh = useCallback(() => scans.reload(), [scans.reload]);
  usePolling(anyRunning, 1_500, refresh);
  const start = async () => {
    try {
      const scan = await api<Scan>('/v1/scans', { method: 'POST', body: {} });
      navigate(`/scans/${scan.id}`);
    } catch (error) {
      const failure = error instanceof ApiFailure ? error : new ApiFailure(0, String(error));
      setNotice(
        failure.status === 409
          ? `A scan is already running: ${failure.message}`
          : `Could not start a scan: ${failure.message}`,
      );
    }
  };
  return (
    <>
      <h1>Scans</h1>
      {me.canWrite && (
        <p>
          <button type="button" onClick={start} disabled={anyRunning}>
            Start a scan
          </button>
        </p>
      )}
      <p class="notice" aria-live="polite">
        {notice}
      </p>
      {scans.error && <Problem error={scans.error} what="scans" />}
      {!scans.data && !scans.error && <Loading what="scans" />}
      {scans.data && (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">Scan</th>
                <th scope="col">Created</th>
                <th scope="col">Trigger</th>
                <th scope="col">Progress and results</th>
              </tr>
            </thead>
            <tbody>
              {scans.data.items.map((scan) => (
                <tr key={scan.id}>
                  <td>
                    <a href={href(`/scans/${scan.id}`)}>{scan.id.slice(0, 8)}</a>
                  </td>
                  <td>
                    <When at={scan.createdAt} />
                  </td>
                  <td>{scan.trigger.toLowerCase()}</td>
                  <td>
                    <ScanProgress scan={scan} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            hasPrevious={cursor !== null}
            next={scans.data.nextCursor}
            onFirst={() => navigate('/scans')}
            onNext={() => navigate('/scans', { cursor: scans.data?.nextCursor })}
          />
        </>
      )}
    </>
  );
}

export function ScansPage(props: PageProps) {
  const id = props.route.segments[1];
  return id ? <ScanDetail id={id} /> : <ScanList {...props} />;
}
