// The runs list: server-side paging and filters (kind, status, text), selection of runs to
// compare or to put into one static report.
import { useState } from 'react';
import { reportUrl, type RunSummary } from './api';
import { ErrorBox, Loading } from './ErrorBox';
import { fmt, when } from './format';
import { useApi } from './use-api';
import { useUrlState } from './url-state';

const PAGE = 20;

export function RunsList() {
  const [url, setUrl] = useUrlState();
  const page = Math.max(0, Number(url.page ?? 0) || 0);
  const [picked, setPicked] = useState<string[]>([]);
  const { data, error, loading } = useApi<{ total: number; runs: RunSummary[]; metricNames?: string[] }>('runs', {
    offset: page * PAGE,
    limit: PAGE,
    kind: url.kind,
    status: url.status,
    q: url.q,
  });
  // the server picks the most telling metrics of the page (test accuracy before train loss, ...)
  const metricNames = data
    ? (data.metricNames ?? [...new Set(data.runs.flatMap((r) => Object.keys(r.metrics)))].sort().slice(0, 6))
    : [];
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE)) : 1;
  const toggle = (id: string): void =>
    setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));

  return (
    <section className="page" data-page="runs">
      <h2>Runs</h2>
      <div className="filters">
        <label>
          kind
          <select
            value={url.kind ?? ''}
            onChange={(e) => setUrl({ kind: e.target.value, page: '' })}
            name="kind"
          >
            <option value="">any</option>
            {['train', 'cv', 'compare', 'sweep', 'explain', 'internals', 'certify', 'explain-bench', 'dynamics', 'extract', 'intervene', 'probe'].map(
              (k) => (
                <option key={k}>{k}</option>
              ),
            )}
          </select>
        </label>
        <label>
          status
          <select
            value={url.status ?? ''}
            onChange={(e) => setUrl({ status: e.target.value, page: '' })}
            name="status"
          >
            <option value="">any</option>
            <option>finished</option>
            <option>running</option>
            <option>failed</option>
          </select>
        </label>
        <label>
          search
          <input
            name="q"
            defaultValue={url.q ?? ''}
            placeholder="id, tag or config text"
            onKeyDown={(e) =>
              e.key === 'Enter' && setUrl({ q: (e.target as HTMLInputElement).value, page: '' })
            }
          />
        </label>
        <button
          disabled={picked.length < 2}
          onClick={() => setUrl({ compare: picked.join(','), run: '', view: '' }, { push: true })}
          data-action="compare"
        >
          Compare {picked.length} selected
        </button>
        <a
          className={`button ${picked.length === 0 ? 'disabled' : ''}`}
          href={picked.length ? reportUrl(picked) : undefined}
          target="_blank"
          rel="noreferrer"
        >
          Static report
        </a>
      </div>
      {error && <ErrorBox error={error} what="the runs" />}
      {loading && !data && <Loading what="runs" />}
      {data && data.total === 0 && (
        <p className="empty">
          No runs match. Record one with <code>rnnlens train</code> (or <code>npm start</code>).
        </p>
      )}
      {data && data.total > 0 && (
        <>
          <table className="runs">
            <thead>
              <tr>
                <th />
                <th>run</th>
                <th>kind</th>
                <th>status</th>
                <th>created</th>
                <th>tags</th>
                {metricNames.map((m) => (
                  <th key={m}>{m}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.runs.map((r) => (
                <tr key={r.id} data-run={r.id}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`select ${r.id}`}
                      checked={picked.includes(r.id)}
                      onChange={() => toggle(r.id)}
                    />
                  </td>
                  <td>
                    <a
                      href={`?run=${r.id}`}
                      onClick={(e) => (
                        e.preventDefault(),
                        setUrl({ run: r.id }, { push: true, reset: true })
                      )}
                    >
                      <code>{r.id}</code>
                    </a>
                  </td>
                  <td>{r.kind}</td>
                  <td className={`status-${r.status}`}>
                    {r.status}
                    {r.stale ? ' (writer gone)' : ''}
                  </td>
                  <td>{when(r.created)}</td>
                  <td>{r.tags.join(', ')}</td>
                  {metricNames.map((m) => (
                    <td key={m} className="num">
                      {fmt(r.metrics[m])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <div className="pager">
            <button disabled={page === 0} onClick={() => setUrl({ page: String(page - 1) })}>
              ‹ previous
            </button>
            <span>
              page {page + 1} of {pages} · {data.total} runs
            </span>
            <button disabled={page + 1 >= pages} onClick={() => setUrl({ page: String(page + 1) })}>
              next ›
            </button>
          </div>
        </>
      )}
    </section>
  );
}
