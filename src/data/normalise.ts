/**
 * Per-feature z-score normalisation of numeric datasets: x' = (x - mean) / std.
 * Fit on the training part only and apply the same statistics to validation and test, so no
 * information from held-out data leaks into preprocessing. The statistics are plain JSON and go
 * into the dataset's settings (`settings.normalisation`) to be saved with a model.
 */
import { ArgumentError, RnnlensError } from '../core/errors.js';
import type { Dataset } from './dataset.js';

export interface ZScore {
  kind: 'zscore';
  mean: number[];
  std: number[];
}

/** Smallest std used: a constant feature becomes 0 instead of NaN. */
const MIN_STD = 1e-8;

/** Mean and (population) std of each feature over every real step of every item. */
export function fitZScore(ds: Dataset): ZScore {
  if (ds.input !== 'numeric')
    throw new ArgumentError('fitZScore', 'ds', 'a numeric dataset', `a '${ds.input}' dataset`);
  const D = ds.features;
  const sum = new Float64Array(D);
  const sq = new Float64Array(D);
  let n = 0;
  for (const it of ds.items) {
    for (let t = 0; t < it.steps; t++) {
      for (let d = 0; d < D; d++) {
        const v = it.x[t * D + d]!;
        sum[d] += v;
        sq[d] += v * v;
      }
    }
    n += it.steps;
  }
  if (n === 0)
    throw new RnnlensError(`fitZScore: dataset '${ds.name}' has no steps to fit normalisation on`);
  const mean = [...sum].map((s) => s / n);
  const std = [...sq].map((s, d) =>
    Math.max(MIN_STD, Math.sqrt(Math.max(0, s / n - mean[d]! * mean[d]!))),
  );
  return { kind: 'zscore', mean, std };
}

/** A new dataset with normalised copies of the inputs and the statistics recorded in its settings. */
export function applyZScore(ds: Dataset, z: ZScore): Dataset {
  const D = ds.features;
  if (ds.input !== 'numeric' || z.mean.length !== D || z.std.length !== D) {
    throw new ArgumentError(
      'applyZScore',
      'z',
      `statistics for ${D} numeric features`,
      `${z.mean.length} means and ${z.std.length} stds`,
    );
  }
  const items = ds.items.map((it) => {
    const x = new Float32Array(it.x.length);
    for (let j = 0; j < x.length; j++) {
      const d = j % D;
      x[j] = (it.x[j]! - z.mean[d]!) / z.std[d]!;
    }
    return { ...it, x };
  });
  return { ...ds, items, settings: { ...ds.settings, normalisation: z } };
}
