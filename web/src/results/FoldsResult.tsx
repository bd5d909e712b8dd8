// The result of a cross-validated run (cv, compare): the per-fold table, the metrics' means with
// their confidence intervals, and from the out-of-fold scores the confusion matrix, ROC and
// precision-recall curves. Clicking a fold row (or a fold's mark) highlights that fold in the
// per-fold figure and the curves, and shows its own confusion matrix.
import { useMemo, type ReactNode } from 'react';
import { fmt } from '../format';
import { VegaFigure } from '../VegaFigure';
import { Interval, useLocalSelection } from './common';
import {
  curveSeries,
  foldConfusion,
  foldLabel,
  foldsOfItems,
  type Oof,
  type Summary,
} from './fold-data';
import {
  confusionSpec,
  intervalSpec,
  perFoldSpec,
  prSpec,
  rocSpec,
  type IntervalRow,
} from './specs';

export interface FoldsData {
  kind: 'cv' | 'compare';
  /** Per fold: the test items and each series' metrics (cv: only 'rnn'). */
  folds: { test: number[]; bySeries: Record<string, Record<string, number>> }[];
  series: string[];
  /** Metric columns of the fold table and the per-fold figure's metric (the first). */
  metrics: string[];
  summaries: Record<string, Record<string, Summary>>;
  oof?: Oof | null;
  /** Extra rows under the intervals (compare: the test statistics). */
  children?: ReactNode;
}

export function FoldsResult({ kind, folds, series, metrics, summaries, oof, children }: FoldsData) {
  const sel = useLocalSelection();
  const itemFolds = useMemo(() => (oof ? foldsOfItems(folds, oof) : []), [folds, oof]);
  const specs = useMemo(() => {
    const m = metrics[0]!;
    const perFold = perFoldSpec(
      folds.flatMap((f, j) =>
        series.flatMap((s) =>
          typeof f.bySeries[s]?.[m] === 'number'
            ? [{ fold: foldLabel(j), series: s, value: f.bySeries[s]![m]! }]
            : [],
        ),
      ),
      m,
      `${m} per fold`,
    );
    const rows: IntervalRow[] = [];
    for (const s of series)
      for (const metric of metrics) {
        const v = summaries[s]?.[metric];
        if (v) rows.push({ row: metric, group: s, value: v.mean, lo: v.ci[0], hi: v.ci[1] });
      }
    const curves = oof ? curveSeries(oof, itemFolds) : [];
    const base =
      oof && oof.labels.length > 0
        ? oof.labels.filter((y) => y === 1).length / oof.labels.length
        : 0;
    return {
      perFold,
      intervals:
        rows.length > 0
          ? intervalSpec(rows, 'Mean over folds with its confidence interval', 'value')
          : null,
      roc:
        curves.length > 0
          ? rocSpec(
              curves.map((c) => ({
                name: `${c.name} (AUC ${c.auc.toFixed(3)})`,
                fold: c.fold,
                points: c.roc,
              })),
            )
          : null,
      pr:
        curves.length > 0
          ? prSpec(
              curves.map((c) => ({
                name: `${c.name} (AP ${c.ap.toFixed(3)})`,
                fold: c.fold,
                points: c.pr,
              })),
              base,
            )
          : null,
    };
  }, [folds, series, metrics, summaries, oof, itemFolds]);
  const confusion = useMemo(() => {
    const m = oof ? foldConfusion(oof, itemFolds, sel.picked) : null;
    return m
      ? confusionSpec(
          m,
          [],
          `Confusion matrix, ${sel.picked ? `fold ${sel.picked}` : 'all folds'} (rows: actual)`,
        )
      : null;
  }, [oof, itemFolds, sel.picked]);
  const link = { seq: 'fold' };
  return (
    <div className="kind-result" data-result={kind} data-fold={sel.picked}>
      {folds.length > 0 && (
        <table className="result-table folds">
          <thead>
            <tr>
              <th>fold</th>
              <th>test items</th>
              {series.flatMap((s) =>
                metrics.map((m) => (
                  <th key={`${s}:${m}`}>{series.length > 1 ? `${s} ${m}` : m}</th>
                )),
              )}
            </tr>
          </thead>
          <tbody>
            {folds.map((f, j) => (
              <tr
                key={j}
                data-fold={foldLabel(j)}
                className={sel.picked === foldLabel(j) ? 'selected' : ''}
                onClick={() => sel.pick(foldLabel(j))}
              >
                <td>{foldLabel(j)}</td>
                <td className="num">{f.test.length}</td>
                {series.flatMap((s) =>
                  metrics.map((m) => (
                    <td key={`${s}:${m}`} className="num">
                      {fmt(f.bySeries[s]?.[m] ?? null)}
                    </td>
                  )),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <table className="result-table summary-intervals">
        <thead>
          <tr>
            <th>metric</th>
            {series.map((s) => (
              <th key={s}>{s}: mean ± sd [interval]</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {metrics.map((m) => (
            <tr key={m} data-metric={m}>
              <td>{m}</td>
              {series.map((s) => {
                const v = summaries[s]?.[m];
                return (
                  <td key={s} className="num">
                    {v ? (
                      <>
                        {fmt(v.mean)} ± {fmt(v.sd)} <Interval value={null} ci={v.ci} />
                      </>
                    ) : (
                      '-'
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {children}
      <div className="figure-grid">
        {folds.length > 0 && (
          <VegaFigure
            figureKey="result:per-fold"
            title="Per fold"
            spec={specs.perFold}
            link={link}
            selection={sel.selection}
            onSelect={sel.onSelect}
            seqLabel="fold"
          />
        )}
        {specs.intervals && (
          <VegaFigure figureKey="result:intervals" title="Intervals" spec={specs.intervals} />
        )}
        {confusion && (
          <VegaFigure figureKey="result:confusion" title="Confusion matrix" spec={confusion} />
        )}
        {specs.roc && (
          <VegaFigure
            figureKey="result:roc"
            title="ROC"
            spec={specs.roc}
            link={link}
            selection={sel.selection}
            onSelect={sel.onSelect}
            seqLabel="fold"
          />
        )}
        {specs.pr && (
          <VegaFigure
            figureKey="result:pr"
            title="Precision-recall"
            spec={specs.pr}
            link={link}
            selection={sel.selection}
            onSelect={sel.onSelect}
            seqLabel="fold"
          />
        )}
      </div>
    </div>
  );
}
