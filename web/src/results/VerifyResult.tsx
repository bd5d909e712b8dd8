// A verify run's checks. gradients: every tensor's worst relative error against the threshold
// with its analytic and numeric derivative and the verdict; dataset and groups: each metric's
// estimate with its bootstrap interval (per held-out group). A row and its mark select each other.
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
import { intervalSpec, type IntervalRow } from './specs';

interface TensorCheck {
  name: string;
  shape: number[];
  checked: number;
  worstError: number;
  analytic: number;
  numeric: number;
  passed: boolean;
}

type Intervals = Record<string, { estimate: number; low: number; high: number }>;

interface VerifyJson {
  inputs?: string;
  passed?: boolean;
  threshold?: number;
  tensors?: TensorCheck[];
  dataset?: string;
  n?: number;
  intervals?: Intervals;
  groups?: { group: string | number; n: number; trainSize?: number; intervals: Intervals }[];
}

export const VERIFY_ARTIFACT = 'verify.json';

/**
 * Worst errors as bars on a log axis from the decade below the smallest error (or threshold) to
 * the decade above the largest, with the threshold as a rule: a log scale has no zero, so the
 * domain and the bars' base are given.
 */
function gradientSpec(tensors: TensorCheck[], threshold: number): Record<string, unknown> {
  const errors = tensors.map((t) => Math.max(t.worstError, 1e-16));
  const lo = 10 ** Math.floor(Math.log10(Math.min(threshold, ...errors)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(threshold, ...errors)) + 1e-9);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Worst relative error per tensor (rule: threshold)',
    width: 300,
    layer: [
      {
        data: {
          values: tensors.map((t, k) => ({ tensor: t.name, error: errors[k], passed: t.passed })),
        },
        mark: 'bar',
        encoding: {
          y: { field: 'tensor', type: 'nominal', sort: null, title: null },
          x: {
            field: 'error',
            type: 'quantitative',
            scale: { type: 'log', domain: [lo, hi] },
            title: 'worst relative error',
          },
          x2: { datum: lo },
          color: {
            field: 'passed',
            type: 'nominal',
            scale: { domain: [true, false], range: ['#2ca02c', '#d62728'] },
          },
        },
      },
      {
        data: { values: [{ t: threshold }] },
        mark: { type: 'rule', color: '#222', strokeDash: [4, 3] },
        encoding: { x: { field: 't', type: 'quantitative' } },
      },
    ],
  };
}

function IntervalTable({ rows, label }: { rows: [string, Intervals][]; label: string }) {
  const metrics = [...new Set(rows.flatMap(([, i]) => Object.keys(i)))];
  return (
    <table className="result-table metric-intervals">
      <thead>
        <tr>
          <th>{label}</th>
          {metrics.map((m) => (
            <th key={m}>{m} [interval]</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map(([name, i]) => (
          <tr key={name} data-row={name}>
            <td>{name}</td>
            {metrics.map((m) => (
              <td key={m} className="num">
                {i[m] ? <Interval value={i[m]!.estimate} ci={[i[m]!.low, i[m]!.high]} /> : '-'}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function VerifyResult({ d }: ResultProps) {
  const { data, error } = useArtifact<VerifyJson>(d, VERIFY_ARTIFACT);
  const sel = useLocalSelection();
  const rows = useMemo((): [string, Intervals][] => {
    if (!data) return [];
    if (data.groups) return data.groups.map((g) => [String(g.group), g.intervals]);
    return data.intervals ? [[data.dataset ?? 'data', data.intervals]] : [];
  }, [data]);
  const spec = useMemo(() => {
    if (!data) return null;
    if (data.tensors) return gradientSpec(data.tensors, data.threshold ?? 1e-4);
    const r: IntervalRow[] = rows.flatMap(([name, i]) =>
      Object.entries(i).map(([m, v]) => ({
        row: m,
        group: name,
        value: v.estimate,
        lo: v.low,
        hi: v.high,
      })),
    );
    return r.length > 0
      ? intervalSpec(r, 'Estimates with their bootstrap intervals', 'value')
      : null;
  }, [data, rows]);
  if (error) return <ArtifactError name={VERIFY_ARTIFACT} error={error} />;
  if (!data) return null;
  return (
    <div className="kind-result" data-result="verify">
      {data.tensors ? (
        <>
          <p className="verify-verdict">
            gradient check on {data.inputs}:{' '}
            <YesNo ok={data.passed === true} yes="passed" no="failed" /> (threshold{' '}
            {fmt(data.threshold)})
          </p>
          <table className="result-table checks">
            <thead>
              <tr>
                <th>tensor</th>
                <th>shape</th>
                <th>checked</th>
                <th>worst relative error</th>
                <th>analytic</th>
                <th>numeric</th>
                <th>check</th>
              </tr>
            </thead>
            <tbody>
              {data.tensors.map((t) => (
                <tr
                  key={t.name}
                  data-check={t.name}
                  data-passed={String(t.passed)}
                  className={sel.picked === t.name ? 'selected' : ''}
                  onClick={() => sel.pick(t.name)}
                >
                  <td>{t.name}</td>
                  <td>{t.shape.join(' × ')}</td>
                  <td className="num">{t.checked}</td>
                  <td className="num">{fmt(t.worstError)}</td>
                  <td className="num">{fmt(t.analytic)}</td>
                  <td className="num">{fmt(t.numeric)}</td>
                  <td>
                    <YesNo ok={t.passed} yes="passed" no="failed" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : (
        <>
          <p className="verify-verdict">
            {data.groups
              ? `each group held out in turn (${data.groups.length} groups)`
              : `${data.dataset ?? 'data'}: ${data.n ?? '?'} items`}
          </p>
          <IntervalTable rows={rows} label={data.groups ? 'held-out group' : 'data'} />
        </>
      )}
      {spec && (
        <div className="figure-grid">
          <VegaFigure
            figureKey="result:checks"
            title="Checks"
            spec={spec}
            link={data.tensors ? { seq: 'tensor' } : {}}
            selection={sel.selection}
            onSelect={sel.onSelect}
            seqLabel="tensor"
          />
        </div>
      )}
    </div>
  );
}
