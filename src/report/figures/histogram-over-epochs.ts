/**
 * Distributions over epochs (TensorBoard's histogram/distribution views): for each epoch a
 * histogram of a tensor's values (weights, gradients or activations) on bins shared by all
 * epochs, drawn as a column of cells shaded by the fraction of values, with the median on top.
 */
import { ArgumentError } from '../../core/errors.js';
import { finite, frame, nonEmpty, type VegaLiteSpec } from './common.js';

export interface HistogramOverEpochsData {
  /** What the values are, e.g. 'lstm/kernel' or 'gradient of lstm/kernel'. */
  name: string;
  epochs: { epoch: number; values: ArrayLike<number> }[];
  bins?: number;
  title?: string;
}

export interface HistogramCell {
  epoch: number;
  lo: number;
  hi: number;
  count: number;
  fraction: number;
}

/** Counts per (epoch, bin) on `bins` equal bins over the range of all values; last bin closed. */
export function histogramCells(data: HistogramOverEpochsData): {
  cells: HistogramCell[];
  medians: { epoch: number; median: number }[];
} {
  const where = 'histogramOverEpochs';
  const epochs = nonEmpty(where, 'epochs', data.epochs);
  const bins = data.bins ?? 30;
  if (!Number.isInteger(bins) || bins < 1)
    throw new ArgumentError(where, 'bins', 'a positive integer', String(bins));
  let min = Infinity;
  let max = -Infinity;
  epochs.forEach((e, i) => {
    if (!e.values || e.values.length === 0)
      throw new ArgumentError(where, `epochs[${i}].values`, 'a non-empty array', 'empty');
    for (let j = 0; j < e.values.length; j++) {
      const v = finite(where, `epochs[${i}].values[${j}]`, e.values[j]);
      if (v < min) min = v;
      if (v > max) max = v;
    }
  });
  if (max === min) max = min + 1; // a constant tensor still gets one visible bin
  const width = (max - min) / bins;
  const cells: HistogramCell[] = [];
  const medians: { epoch: number; median: number }[] = [];
  for (const e of epochs) {
    const counts = new Array<number>(bins).fill(0);
    for (let j = 0; j < e.values.length; j++)
      counts[Math.min(bins - 1, Math.floor((e.values[j]! - min) / width))]!++;
    counts.forEach((c, b) =>
      cells.push({
        epoch: e.epoch,
        lo: min + b * width,
        hi: min + (b + 1) * width,
        count: c,
        fraction: c / e.values.length,
      }),
    );
    const sorted = Array.from(e.values).sort((a, b) => a - b);
    const m = sorted.length >> 1;
    medians.push({
      epoch: e.epoch,
      median: sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2,
    });
  }
  return { cells, medians };
}

export function histogramOverEpochs(data: HistogramOverEpochsData): VegaLiteSpec {
  const { cells, medians } = histogramCells(data);
  const rows = cells.map((c) => ({ ...c, e0: c.epoch - 0.5, e1: c.epoch + 0.5 }));
  return {
    ...frame(data.title ?? `Distribution of ${data.name} over epochs`),
    layer: [
      {
        data: { values: rows },
        mark: 'rect',
        encoding: {
          x: {
            field: 'e0',
            type: 'quantitative',
            title: 'epoch',
            axis: { tickMinStep: 1, format: 'd' },
          },
          x2: { field: 'e1' },
          y: { field: 'lo', type: 'quantitative', title: data.name },
          y2: { field: 'hi' },
          color: {
            field: 'fraction',
            type: 'quantitative',
            scale: { scheme: 'blues' },
            title: 'fraction',
          },
          tooltip: [
            { field: 'epoch', type: 'quantitative' },
            { field: 'lo', type: 'quantitative', format: '.3g' },
            { field: 'hi', type: 'quantitative', format: '.3g' },
            { field: 'count', type: 'quantitative' },
          ],
        },
      },
      {
        data: { values: medians },
        mark: { type: 'line', color: '#d62728', point: { color: '#d62728' } },
        encoding: {
          x: { field: 'epoch', type: 'quantitative' },
          y: { field: 'median', type: 'quantitative' },
        },
      },
    ],
  };
}
