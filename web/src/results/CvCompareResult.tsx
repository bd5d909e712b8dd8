// cv and compare runs: their artifact (cv.json, compare.json) read into the fold view; compare
// adds the paired test of the RNN against each contender (mean difference with its interval,
// statistic, degrees of freedom, p, McNemar on the pooled out-of-fold predictions, verdict).
import { useMemo } from 'react';
import { fmt } from '../format';
import { ArtifactError, Interval, useArtifact, YesNo, type ResultProps } from './common';
import { HEADLINE, type Oof, type Summary } from './fold-data';
import { FoldsResult } from './FoldsResult';

interface CvJson {
  folds: { test: number[]; metrics: Record<string, number> }[];
  summary: Record<string, Summary>;
  oof?: Oof;
}

interface PairedComparison {
  against: string;
  metric: string;
  meanDifference: number;
  ci: [number, number];
  test: string;
  statistic: number | null;
  df: number | null;
  pvalue: number | null;
  significant: boolean;
  rnnBetter: boolean;
  mcnemar?: { b: number; c: number; statistic: number; pvalue: number } | null;
}

interface CompareJson {
  metric: string;
  alpha: number;
  /** `{ summary }`; compare runs recorded by older `rnnlens start` hold the summary itself. */
  rnn: { summary: Record<string, Summary> } | Record<string, Summary>;
  contenders: { name: string; summary: Record<string, Summary> }[];
  comparisons: PairedComparison[];
  folds?: ({ test: number[] } & Record<string, unknown>)[];
  oof?: Oof;
}

export const CV_ARTIFACT = 'cv.json';
export const COMPARE_ARTIFACT = 'compare.json';

export function CvResult({ d }: ResultProps) {
  const { data, error } = useArtifact<CvJson>(d, CV_ARTIFACT);
  const view = useMemo(
    () =>
      data && {
        folds: data.folds.map((f) => ({ test: f.test, bySeries: { rnn: f.metrics } })),
        metrics: HEADLINE.filter((m) => m in data.summary).slice(0, 5),
        summaries: { rnn: data.summary },
      },
    [data],
  );
  if (error) return <ArtifactError name={CV_ARTIFACT} error={error} />;
  if (!data || !view || view.metrics.length === 0) return null;
  return <FoldsResult kind="cv" series={['rnn']} oof={data.oof ?? null} {...view} />;
}

export function CompareResult({ d }: ResultProps) {
  const { data, error } = useArtifact<CompareJson>(d, COMPARE_ARTIFACT);
  const view = useMemo(() => {
    if (!data) return null;
    const series = ['rnn', ...data.contenders.map((c) => c.name)];
    const rnn = ('summary' in data.rnn ? data.rnn.summary : data.rnn) as Record<string, Summary>;
    const summaries: Record<string, Record<string, Summary>> = { rnn };
    for (const c of data.contenders) summaries[c.name] = c.summary;
    const metrics = [
      data.metric,
      ...HEADLINE.filter((m) => m !== data.metric && m in rnn).slice(0, 1),
    ];
    const folds = (data.folds ?? []).map((f) => ({
      test: f.test,
      bySeries: Object.fromEntries(series.map((s) => [s, (f[s] ?? {}) as Record<string, number>])),
    }));
    return { series, summaries, metrics, folds };
  }, [data]);
  if (error) return <ArtifactError name={COMPARE_ARTIFACT} error={error} />;
  if (!data || !view) return null;
  return (
    <FoldsResult kind="compare" oof={data.oof ?? null} {...view}>
      <table className="result-table test-statistics">
        <thead>
          <tr>
            <th>rnn vs</th>
            <th>{data.metric} difference [interval]</th>
            <th>test</th>
            <th>statistic</th>
            <th>df</th>
            <th>p</th>
            <th>McNemar b / c, p</th>
            <th>verdict (alpha {data.alpha})</th>
          </tr>
        </thead>
        <tbody>
          {data.comparisons.map((c) => (
            <tr key={c.against} data-against={c.against} data-significant={String(c.significant)}>
              <td>{c.against}</td>
              <td className="num">
                <Interval value={c.meanDifference} ci={c.ci} />
              </td>
              <td>{c.test}</td>
              <td className="num">{fmt(c.statistic)}</td>
              <td className="num">{fmt(c.df)}</td>
              <td className="num">{fmt(c.pvalue)}</td>
              <td className="num">
                {c.mcnemar ? `${c.mcnemar.b} / ${c.mcnemar.c}, ${fmt(c.mcnemar.pvalue)}` : '-'}
              </td>
              <td>
                {c.significant ? (
                  <YesNo
                    ok={c.rnnBetter}
                    yes="rnn significantly better"
                    no="rnn significantly worse"
                  />
                ) : (
                  <span className="verdict">no significant difference</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </FoldsResult>
  );
}
