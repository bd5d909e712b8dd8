// Vega-Lite specs of the result pages: ROC and precision-recall curves, a confusion matrix, a
// reliability diagram, intervals (estimate with its confidence interval per row) and values per
// fold. Rows that carry a `fold` (or `item`) field can be linked to the page's selection.
import type { PrPoint, RocPoint } from './curves';

type Spec = Record<string, unknown>;
const WIDTH = 300;
const HEIGHT = 240;

/** ROC curves, one line per series, over the chance diagonal. */
export function rocSpec(series: { name: string; fold: string; points: RocPoint[] }[]): Spec {
  const values = series.flatMap((s) =>
    s.points.map((p, order) => ({ series: s.name, fold: s.fold, order, fpr: p.fpr, tpr: p.tpr })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'ROC curve (out-of-fold scores)',
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: {
          values: [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ],
        },
        mark: { type: 'line', strokeDash: [4, 4], color: '#aaa' },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: { field: 'y', type: 'quantitative' },
        },
      },
      {
        data: { values },
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x: {
            field: 'fpr',
            type: 'quantitative',
            title: 'false positive rate',
            scale: { domain: [0, 1] },
          },
          y: {
            field: 'tpr',
            type: 'quantitative',
            title: 'true positive rate',
            scale: { domain: [0, 1] },
          },
          color: { field: 'series', type: 'nominal', title: null },
          order: { field: 'order' },
        },
      },
    ],
  };
}

/** Precision-recall curves, one line per series, over the share of positives. */
export function prSpec(
  series: { name: string; fold: string; points: PrPoint[] }[],
  base: number,
): Spec {
  const values = series.flatMap((s) =>
    s.points.map((p, order) => ({
      series: s.name,
      fold: s.fold,
      order,
      recall: p.recall,
      precision: p.precision,
    })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Precision-recall curve (out-of-fold scores)',
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: { values: [{ y: base }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#aaa' },
        encoding: { y: { field: 'y', type: 'quantitative', title: 'precision' } },
      },
      {
        data: { values },
        mark: { type: 'line', interpolate: 'step-before' },
        encoding: {
          x: { field: 'recall', type: 'quantitative', title: 'recall', scale: { domain: [0, 1] } },
          y: {
            field: 'precision',
            type: 'quantitative',
            title: 'precision',
            scale: { domain: [0, 1] },
          },
          color: { field: 'series', type: 'nominal', title: null },
          order: { field: 'order' },
        },
      },
    ],
  };
}

/** counts[actual][predicted] as a heatmap with the count in each cell. */
export function confusionSpec(counts: number[][], classNames: string[], title: string): Spec {
  const name = (k: number): string => classNames[k] ?? String(k);
  const values = counts.flatMap((row, a) =>
    row.map((count, p) => ({ actual: name(a), predicted: name(p), count, cls: String(a) })),
  );
  const order = counts.map((_, k) => name(k));
  const enc = {
    x: { field: 'predicted', type: 'nominal', sort: order },
    y: { field: 'actual', type: 'nominal', sort: order },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: Math.min(WIDTH, 60 * counts.length),
    height: Math.min(HEIGHT, 60 * counts.length),
    data: { values },
    layer: [
      {
        mark: 'rect',
        encoding: {
          ...enc,
          color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues' } },
        },
      },
      {
        mark: { type: 'text', fontSize: 13 },
        encoding: { ...enc, text: { field: 'count', type: 'quantitative' } },
      },
    ],
  };
}

export interface CalibrationBin {
  lo: number;
  hi: number;
  count: number;
  meanPredicted: number | null;
  fractionPositive: number | null;
}

/** Reliability diagram: observed frequency against mean predicted probability per bin. */
export function calibrationSpec(bins: CalibrationBin[], title: string): Spec {
  const values = bins
    .filter((b) => b.count > 0 && b.meanPredicted !== null)
    .map((b) => ({
      predicted: b.meanPredicted,
      observed: b.fractionPositive,
      count: b.count,
      bin: `${b.lo.toFixed(2)}-${b.hi.toFixed(2)}`,
    }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: {
          values: [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ],
        },
        mark: { type: 'line', strokeDash: [4, 4], color: '#aaa' },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: { field: 'y', type: 'quantitative' },
        },
      },
      {
        data: { values },
        encoding: {
          x: {
            field: 'predicted',
            type: 'quantitative',
            title: 'mean predicted probability',
            scale: { domain: [0, 1] },
          },
          y: {
            field: 'observed',
            type: 'quantitative',
            title: 'observed frequency',
            scale: { domain: [0, 1] },
          },
        },
        // the line through the bins, and a point per bin sized by its count
        layer: [
          { mark: { type: 'line', color: '#4c78a8' } },
          {
            mark: { type: 'point', filled: true, color: '#4c78a8' },
            encoding: {
              size: { field: 'count', type: 'quantitative', title: 'items' },
              tooltip: [{ field: 'bin' }, { field: 'count' }, { field: 'observed', format: '.3f' }],
            },
          },
        ],
      },
    ],
  };
}

export interface IntervalRow {
  row: string;
  group: string;
  value: number;
  lo: number;
  hi: number;
}

/** Estimates with their confidence intervals: a rule from lo to hi and a point at the value. */
export function intervalSpec(rows: IntervalRow[], title: string, metric: string): Spec {
  const enc = {
    y: { field: 'row', type: 'nominal', title: null, sort: null },
    color: { field: 'group', type: 'nominal', title: null },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: WIDTH,
    data: { values: rows },
    layer: [
      {
        mark: 'rule',
        encoding: {
          ...enc,
          x: { field: 'lo', type: 'quantitative', title: metric, scale: { zero: false } },
          x2: { field: 'hi' },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 60 },
        encoding: { ...enc, x: { field: 'value', type: 'quantitative' } },
      },
    ],
  };
}

/** One value per fold and series (a line across the folds, a point per fold). */
export function perFoldSpec(
  values: { fold: string; series: string; value: number }[],
  metric: string,
  title: string,
): Spec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: WIDTH,
    height: 200,
    data: { values },
    mark: { type: 'point', filled: true, size: 80 },
    encoding: {
      x: { field: 'fold', type: 'ordinal', title: 'fold', sort: null },
      y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } },
      color: { field: 'series', type: 'nominal', title: null },
      tooltip: [{ field: 'fold' }, { field: 'series' }, { field: 'value', format: '.4f' }],
    },
  };
}

/** Certified and attack radius per input item (bars, with the attack bound as a tick). */
export function radiusSpec(
  values: { item: string; radius: number | null; attack: number | null; certified: boolean }[],
): Spec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Certified radius (bar) and smallest adversarial radius found (tick) per input',
    width: WIDTH,
    height: 200,
    data: { values },
    layer: [
      {
        mark: 'bar',
        encoding: {
          x: { field: 'item', type: 'ordinal', title: 'input', sort: null },
          y: { field: 'radius', type: 'quantitative', title: 'radius' },
          color: {
            field: 'certified',
            type: 'nominal',
            scale: { domain: [true, false], range: ['#2ca02c', '#d62728'] },
          },
        },
      },
      {
        transform: [{ filter: 'datum.attack != null' }],
        mark: { type: 'tick', color: '#222', thickness: 2 },
        encoding: {
          x: { field: 'item', type: 'ordinal', sort: null },
          y: { field: 'attack', type: 'quantitative' },
        },
      },
    ],
  };
}
