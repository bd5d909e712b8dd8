// A certify run's result: per input the predicted class, whether it is certified, the certified
// radius and the attack's radius, and every class's output interval [lower, upper]; beside it
// the radii per input. A row and a bar select the same input.
import { useMemo } from 'react';
import { fmt } from '../format';
import { VegaFigure } from '../VegaFigure';
import { ArtifactError, useArtifact, useLocalSelection, YesNo, type ResultProps } from './common';
import { radiusSpec } from './specs';

interface Certificate {
  /** The dataset position (certify runs of `rnnlens start`); else the input's order. */
  index?: number;
  label?: number | null;
  prediction: number;
  lower: number[];
  upper: number[];
  certified: boolean;
  radius?: number | null;
  attackRadius?: number | null;
  attack?: { found?: boolean } | null;
}

interface Certificates {
  method?: string;
  norm?: string;
  eps?: number | null;
  results: Certificate[];
  labels?: number[];
  classNames?: string[];
}

export const CERTIFICATES = 'certificates.json';

export function CertifyResult({ d }: ResultProps) {
  const { data, error } = useArtifact<Certificates>(d, CERTIFICATES);
  const sel = useLocalSelection();
  const spec = useMemo(
    () =>
      data && data.results.some((r) => typeof r.radius === 'number')
        ? radiusSpec(
            data.results.map((r, i) => ({
              item: String(i),
              radius: r.radius ?? null,
              attack: r.attackRadius ?? null,
              certified: r.certified,
            })),
          )
        : null,
    [data],
  );
  if (error) return <ArtifactError name={CERTIFICATES} error={error} />;
  if (!data) return null;
  const classes = Math.max(0, ...data.results.map((r) => r.lower.length));
  const name = (k: number | undefined): string =>
    k === undefined ? '-' : (data.classNames?.[k] ?? String(k));
  const labelOf = (i: number): number | undefined =>
    data.labels?.[i] ?? data.results[i]?.label ?? undefined;
  const hasLabels = !!data.labels || data.results.some((r) => typeof r.label === 'number');
  const hasRadius = data.results.some((r) => r.radius !== undefined && r.radius !== null);
  const hasAttack = data.results.some(
    (r) => r.attackRadius !== undefined && r.attackRadius !== null,
  );
  return (
    <div className="kind-result" data-result="certify">
      <table className="result-table certificates">
        <thead>
          <tr>
            <th>input</th>
            {hasLabels && <th>label</th>}
            <th>predicted</th>
            <th>certified</th>
            {hasRadius && <th>radius</th>}
            {hasAttack && <th>attack radius</th>}
            {Array.from({ length: classes }, (_, k) => (
              <th key={k}>{name(k)} [lower, upper]</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.results.map((r, i) => (
            <tr
              key={i}
              data-item={i}
              data-certified={r.certified ? 'true' : 'false'}
              className={sel.picked === String(i) ? 'selected' : ''}
              onClick={() => sel.pick(String(i))}
            >
              <td>{r.index ?? i}</td>
              {hasLabels && <td>{name(labelOf(i))}</td>}
              <td>{name(r.prediction)}</td>
              <td>
                <YesNo ok={r.certified} yes="certified" no="not certified" />
              </td>
              {hasRadius && <td className="num">{fmt(r.radius ?? null)}</td>}
              {hasAttack && (
                <td className="num">
                  {r.attackRadius === null || r.attackRadius === undefined
                    ? 'none found'
                    : fmt(r.attackRadius)}
                </td>
              )}
              {Array.from({ length: classes }, (_, k) => (
                <td key={k} className={`num ${k === r.prediction ? 'predicted' : ''}`}>
                  [{fmt(r.lower[k])}, {fmt(r.upper[k])}]
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {spec && (
        <div className="figure-grid">
          <VegaFigure
            figureKey="result:radius"
            title="Radius per input"
            spec={spec}
            link={{ seq: 'item' }}
            selection={sel.selection}
            onSelect={sel.onSelect}
            seqLabel="input"
          />
        </div>
      )}
    </div>
  );
}
