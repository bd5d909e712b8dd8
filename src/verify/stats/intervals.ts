/** Student-t confidence interval of a mean: x̄ ± t_{1−α/2, n−1} · s / √n (scipy.stats.t.interval with sem). */
import { ArgumentError } from '../../core/errors.js';
import { studentTQuantile } from './distributions.js';

export interface MeanInterval {
  mean: number;
  /** Sample standard deviation (ddof 1). */
  sd: number;
  low: number;
  high: number;
  confidenceLevel: number;
  n: number;
}

export function meanSd(values: ArrayLike<number>): { mean: number; sd: number } {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i]!;
  mean /= values.length;
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += (values[i]! - mean) ** 2;
  return { mean, sd: values.length > 1 ? Math.sqrt(ss / (values.length - 1)) : 0 };
}

export function tInterval(values: ArrayLike<number>, confidenceLevel = 0.95): MeanInterval {
  const where = 'tInterval';
  if (!values || values.length < 2)
    throw new ArgumentError(
      where,
      'values',
      'at least 2 values',
      values ? `${values.length}` : String(values),
    );
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!))
      throw new ArgumentError(where, 'values', 'finite numbers', `${values[i]} at index ${i}`);
  }
  if (!(confidenceLevel > 0 && confidenceLevel < 1))
    throw new ArgumentError(
      where,
      'confidenceLevel',
      'a number in (0, 1)',
      String(confidenceLevel),
    );
  const n = values.length;
  const { mean, sd } = meanSd(values);
  const half = studentTQuantile(0.5 + confidenceLevel / 2, n - 1) * (sd / Math.sqrt(n));
  return { mean, sd, low: mean - half, high: mean + half, confidenceLevel, n };
}

export interface ScoreSummary {
  mean: number;
  sd: number;
  ci: [number, number];
  confidenceLevel: number;
  n: number;
  /** 'nadeau-bengio' when the interval was widened for overlapping training sets. */
  correction: 'none' | 'nadeau-bengio';
}

/**
 * Mean, sd and confidence interval of per-fold scores (the `summary` of a cross-validation).
 * The plain t interval treats folds as independent, which understates the spread because the
 * training sets overlap; pass `overlap: { nTrain, nTest }` for the Nadeau–Bengio corrected
 * interval x̄ ± t_{1−α/2, J−1} √((1/J + n_test/n_train) s²).
 */
export function summarizeScores(
  scores: ArrayLike<number>,
  opts: { confidenceLevel?: number; overlap?: { nTrain: number; nTest: number } } = {},
): ScoreSummary {
  const level = opts.confidenceLevel ?? 0.95;
  const t = tInterval(scores, level);
  if (!opts.overlap) {
    return {
      mean: t.mean,
      sd: t.sd,
      ci: [t.low, t.high],
      confidenceLevel: level,
      n: t.n,
      correction: 'none',
    };
  }
  const { nTrain, nTest } = opts.overlap;
  if (!(nTrain > 0) || !(nTest > 0)) {
    throw new ArgumentError(
      'summarizeScores',
      'overlap',
      'positive nTrain and nTest',
      `nTrain=${nTrain}, nTest=${nTest}`,
    );
  }
  const J = t.n;
  const half =
    studentTQuantile(0.5 + level / 2, J - 1) * Math.sqrt((1 / J + nTest / nTrain) * t.sd * t.sd);
  return {
    mean: t.mean,
    sd: t.sd,
    ci: [t.mean - half, t.mean + half],
    confidenceLevel: level,
    n: J,
    correction: 'nadeau-bengio',
  };
}
