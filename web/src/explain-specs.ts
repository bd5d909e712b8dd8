// Vega-Lite figures of one explanation: the attribution per token (or per step) as coloured
// bars, and for numeric models the steps × features heatmap. Red: towards the target; blue: away.

const DIVERGING = { scheme: 'redblue', reverse: true, domainMid: 0 } as const;

/** Largest |value| (at least a tiny positive number, so a scale never collapses). */
export function maxAbs(values: number[]): number {
  return values.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-12);
}

/** The background of a token with this attribution (alpha by |score| / max). */
export function tokenColour(score: number, max: number): string {
  const a = Math.min(1, Math.abs(score) / max);
  return score >= 0 ? `rgba(214, 39, 40, ${a.toFixed(3)})` : `rgba(31, 119, 180, ${a.toFixed(3)})`;
}

export function stepsSpec(scores: number[], tokens: string[] | undefined): Record<string, unknown> {
  const values = scores.map((score, i) => ({ i, label: tokens ? `${i + 1} ${tokens[i]}` : String(i), score }));
  const m = maxAbs(scores);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: Math.min(1100, Math.max(240, 14 * values.length)),
    height: 160,
    data: { values },
    mark: 'bar',
    encoding: {
      x: {
        field: 'label',
        type: 'ordinal',
        sort: { field: 'i' },
        title: tokens ? 'token' : 'step',
        axis: { labelAngle: -60, labelLimit: 90, labelOverlap: true },
      },
      y: { field: 'score', type: 'quantitative', title: 'attribution' },
      color: { field: 'score', type: 'quantitative', title: 'attribution', scale: { ...DIVERGING, domain: [-m, m] } },
      tooltip: [
        { field: 'label', title: tokens ? 'token' : 'step' },
        { field: 'score', format: '.4g' },
      ],
    },
  };
}

export function heatmapSpec(features: number[][]): Record<string, unknown> {
  const values = features.flatMap((row, step) => row.map((value, feature) => ({ step, feature, value })));
  const m = maxAbs(values.map((v) => v.value));
  const F = features[0]?.length ?? 1;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: Math.min(1100, Math.max(240, 10 * features.length)),
    height: Math.min(480, Math.max(60, 16 * F)),
    data: { values },
    mark: 'rect',
    encoding: {
      x: { field: 'step', type: 'ordinal', title: 'step', axis: { labelOverlap: true } },
      y: { field: 'feature', type: 'ordinal', title: 'feature' },
      color: { field: 'value', type: 'quantitative', title: 'attribution', scale: { ...DIVERGING, domain: [-m, m] } },
      tooltip: [{ field: 'step' }, { field: 'feature' }, { field: 'value', format: '.4g' }],
    },
  };
}
