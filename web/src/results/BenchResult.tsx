// An explain-bench run's scorecard: per dataset and attribution method the ground-truth scores
// (AUP, AUR, AUPR), the deletion AUC and the sanity check's rank correlation, the best AUPR of
// each dataset marked; beside it AUPR per method. A method row and its points select each other.
import { useMemo } from 'react';
import { fmt } from '../format';
import { VegaFigure } from '../VegaFigure';
import { ArtifactError, useArtifact, useLocalSelection, type ResultProps } from './common';

interface BenchRow {
  dataset: string;
  method: string;
  aup?: number;
  aur?: number;
  aupr?: number;
  deletionAuc?: number;
  sanityRho?: number;
}

export const BENCH_ARTIFACT = 'results.json';
const COLUMNS = ['aup', 'aur', 'aupr', 'deletionAuc', 'sanityRho'] as const;

export function BenchResult({ d }: ResultProps) {
  const { data, error } = useArtifact<{ results: BenchRow[] }>(d, BENCH_ARTIFACT);
  const sel = useLocalSelection();
  const best = useMemo(() => {
    const b = new Map<string, number>();
    for (const r of data?.results ?? [])
      if (r.aupr !== undefined && r.aupr > (b.get(r.dataset) ?? -Infinity))
        b.set(r.dataset, r.aupr);
    return b;
  }, [data]);
  const spec = useMemo(
    () =>
      data && {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: 'AUPR per method (higher: closer to the ground truth)',
        width: 300,
        data: {
          values: data.results
            .filter((r) => r.aupr !== undefined)
            .map((r) => ({ method: r.method, dataset: r.dataset, aupr: r.aupr })),
        },
        mark: { type: 'point', filled: true, size: 80 },
        encoding: {
          y: { field: 'method', type: 'nominal', sort: null, title: null },
          x: { field: 'aupr', type: 'quantitative', title: 'AUPR', scale: { zero: false } },
          color: { field: 'dataset', type: 'nominal' },
          tooltip: [{ field: 'dataset' }, { field: 'method' }, { field: 'aupr', format: '.3f' }],
        },
      },
    [data],
  );
  if (error) return <ArtifactError name={BENCH_ARTIFACT} error={error} />;
  if (!data || !spec) return null;
  return (
    <div className="kind-result" data-result="explain-bench">
      <table className="result-table scorecard">
        <thead>
          <tr>
            <th>dataset</th>
            <th>method</th>
            {COLUMNS.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.results.map((r) => (
            <tr
              key={`${r.dataset}:${r.method}`}
              data-method={r.method}
              data-dataset={r.dataset}
              className={sel.picked === r.method ? 'selected' : ''}
              onClick={() => sel.pick(r.method)}
            >
              <td>{r.dataset}</td>
              <td>{r.method}</td>
              {COLUMNS.map((c) => (
                <td
                  key={c}
                  className={`num ${c === 'aupr' && r.aupr === best.get(r.dataset) ? 'best' : ''}`}
                >
                  {fmt(r[c] ?? null)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <div className="figure-grid">
        <VegaFigure
          figureKey="result:scorecard"
          title="Scorecard"
          spec={spec}
          link={{ seq: 'method' }}
          selection={sel.selection}
          onSelect={sel.onSelect}
          seqLabel="method"
        />
      </div>
    </div>
  );
}
