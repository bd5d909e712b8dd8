// Comparison of selected runs: their final metrics side by side (best value marked) and the
// training curves of all of them overlaid in the curves view, beside their settings.
import { reportUrl, type RunSummary } from './api';
import { CurvesExplorer } from './CurvesExplorer';
import { ErrorBox, Loading } from './ErrorBox';
import { fmt } from './format';
import { HyperparamTable } from './HyperparamTable';
import { useApi } from './use-api';
import { useUrlState } from './url-state';

const LOWER_IS_BETTER = /loss|error|rmse|mae|bpc|perplexity|ece/i;

export function ComparePage({ runs }: { runs: string[] }) {
  const [, setUrl] = useUrlState();
  const { data, error, loading } = useApi<{
    runs: RunSummary[];
    metricNames: string[];
    curves: Record<string, unknown> | null;
  }>('compare', {
    runs: runs.join(','),
  });
  if (error) return <ErrorBox error={error} what="the comparison" />;
  if (loading || !data) return <Loading what="the comparison" />;
  const best = (m: string): number | undefined => {
    const vals = data.runs
      .map((r) => r.metrics[m])
      .filter((v): v is number => typeof v === 'number');
    if (vals.length < 2) return undefined;
    return LOWER_IS_BETTER.test(m) ? Math.min(...vals) : Math.max(...vals);
  };
  return (
    <section className="page" data-page="compare">
      <h2>Comparing {data.runs.length} runs</h2>
      <p>
        <a href={reportUrl(runs)} target="_blank" rel="noreferrer">
          Static report of these runs
        </a>
      </p>
      <table className="compare">
        <thead>
          <tr>
            <th>metric</th>
            {data.runs.map((r) => (
              <th key={r.id}>
                <a
                  href={`?run=${r.id}`}
                  onClick={(e) => (
                    e.preventDefault(),
                    setUrl({ run: r.id }, { push: true, reset: true })
                  )}
                >
                  <code>{r.id.slice(-13)}</code>
                </a>
                <div className="sub">
                  {r.kind} · {r.status}
                </div>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.metricNames.map((m) => {
            const b = best(m);
            return (
              <tr key={m}>
                <td>{m}</td>
                {data.runs.map((r) => (
                  <td
                    key={r.id}
                    className={`num ${r.metrics[m] !== undefined && r.metrics[m] === b ? 'best' : ''}`}
                  >
                    {fmt(r.metrics[m])}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="compare-side">
        <HyperparamTable runs={runs} />
        <div className="compare-curves">
          <h3>Training curves</h3>
          <CurvesExplorer runs={runs} />
        </div>
      </div>
    </section>
  );
}
