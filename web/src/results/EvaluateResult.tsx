// An evaluate run's result: every metric with its confidence interval beside the baselines', the
// model against each baseline (difference with its interval, McNemar's test), the reliability
// diagram with ECE and MCE, and the confusion matrix. A metric row and its intervals in the
// figure select each other.
import { useMemo } from 'react';
import { fmt } from '../format';
import { VegaFigure } from '../VegaFigure';
import {
  ArtifactError,
  Interval,
  useArtifact,
  useLocalSelection,
  YesNo,
  type ResultProps,
} from './common';
import {
  calibrationSpec,
  confusionSpec,
  intervalSpec,
  type CalibrationBin,
  type IntervalRow,
} from './specs';

interface Estimate {
  value: number;
  ci?: [number, number] | null;
  method?: string;
}

interface Scores {
  task: string;
  n: number;
  numClasses?: number;
  metrics: Record<string, Estimate>;
  calibration?: { bins: number; ece: number; mce: number; table: CalibrationBin[] } | null;
  confusion?: number[][] | null;
  warnings?: string[];
}

interface Evaluation {
  source?: string;
  scores: Scores;
  baselines?: {
    name: string;
    fittedOn?: string;
    scores: Scores;
    comparison?: {
      metric: string;
      difference: Estimate;
      mcnemar?: { b: number; c: number; statistic: number; pvalue: number; test: string } | null;
    } | null;
  }[];
  classNames?: string[];
}

export const EVALUATION = 'evaluate.json';

export function EvaluateResult({ d }: ResultProps) {
  const { data, error } = useArtifact<Evaluation>(d, EVALUATION);
  const sel = useLocalSelection();
  const specs = useMemo(() => {
    if (!data) return null;
    const rows: IntervalRow[] = [];
    const add = (group: string, s: Scores) => {
      for (const [m, e] of Object.entries(s.metrics))
        if (e.ci) rows.push({ row: m, group, value: e.value, lo: e.ci[0], hi: e.ci[1] });
    };
    add('model', data.scores);
    for (const b of data.baselines ?? []) add(b.name, b.scores);
    const c = data.scores.calibration;
    const k = data.scores.confusion;
    return {
      intervals:
        rows.length > 0
          ? intervalSpec(rows, 'Metrics with their confidence intervals', 'value')
          : null,
      calibration:
        c && c.table.some((b) => b.count > 0)
          ? calibrationSpec(c.table, `Calibration (ECE ${fmt(c.ece)}, MCE ${fmt(c.mce)})`)
          : null,
      confusion:
        k && k.length > 0
          ? confusionSpec(k, data.classNames ?? [], 'Confusion matrix (rows: actual)')
          : null,
    };
  }, [data]);
  if (error) return <ArtifactError name={EVALUATION} error={error} />;
  if (!data || !specs) return null;
  const baselines = data.baselines ?? [];
  const c = data.scores.calibration;
  return (
    <div className="kind-result" data-result="evaluate">
      <p className="result-source">
        {data.source ?? 'data'}: {data.scores.n} items
      </p>
      <table className="result-table metric-intervals">
        <thead>
          <tr>
            <th>metric</th>
            <th>model [interval]</th>
            {baselines.map((b) => (
              <th key={b.name}>{b.name} [interval]</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {Object.entries(data.scores.metrics).map(([m, e]) => (
            <tr
              key={m}
              data-metric={m}
              className={sel.picked === m ? 'selected' : ''}
              onClick={() => sel.pick(m)}
            >
              <td>{m}</td>
              <td className="num">
                <Interval value={e.value} ci={e.ci} />
              </td>
              {baselines.map((b) => (
                <td key={b.name} className="num">
                  <Interval value={b.scores.metrics[m]?.value} ci={b.scores.metrics[m]?.ci} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {baselines.some((b) => b.comparison) && (
        <table className="result-table baseline-comparison">
          <thead>
            <tr>
              <th>model vs</th>
              <th>metric</th>
              <th>difference [interval]</th>
              <th>McNemar b / c</th>
              <th>statistic</th>
              <th>p</th>
              <th>interval excludes 0</th>
            </tr>
          </thead>
          <tbody>
            {baselines.map(
              (b) =>
                b.comparison && (
                  <tr key={b.name} data-baseline={b.name}>
                    <td>{b.name}</td>
                    <td>{b.comparison.metric}</td>
                    <td className="num">
                      <Interval
                        value={b.comparison.difference.value}
                        ci={b.comparison.difference.ci}
                      />
                    </td>
                    <td className="num">
                      {b.comparison.mcnemar
                        ? `${b.comparison.mcnemar.b} / ${b.comparison.mcnemar.c}`
                        : '-'}
                    </td>
                    <td className="num">{fmt(b.comparison.mcnemar?.statistic ?? null)}</td>
                    <td className="num">{fmt(b.comparison.mcnemar?.pvalue ?? null)}</td>
                    <td>
                      <YesNo
                        ok={
                          !!b.comparison.difference.ci &&
                          (b.comparison.difference.ci[0] > 0 || b.comparison.difference.ci[1] < 0)
                        }
                      />
                    </td>
                  </tr>
                ),
            )}
          </tbody>
        </table>
      )}
      {c && (
        <p className="calibration-summary" data-ece={c.ece}>
          calibration over {c.bins} bins: ECE {fmt(c.ece)}, MCE {fmt(c.mce)}
        </p>
      )}
      <div className="figure-grid">
        {specs.intervals && (
          <VegaFigure
            figureKey="result:intervals"
            title="Intervals"
            spec={specs.intervals}
            link={{ seq: 'row' }}
            selection={sel.selection}
            onSelect={sel.onSelect}
            seqLabel="metric"
          />
        )}
        {specs.calibration && (
          <VegaFigure figureKey="result:calibration" title="Calibration" spec={specs.calibration} />
        )}
        {specs.confusion && (
          <VegaFigure
            figureKey="result:confusion"
            title="Confusion matrix"
            spec={specs.confusion}
          />
        )}
      </div>
    </div>
  );
}
