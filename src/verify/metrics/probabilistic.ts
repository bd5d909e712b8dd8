/**
 * Metrics of predicted probabilities: log-loss, Brier score, calibration curve and expected
 * calibration error (ECE) with reliability-diagram data.
 */
import { ArgumentError } from '../../core/errors.js';
import { percentileSorted } from '../stats/percentile.js';
import {
  checkLabels,
  checkSameLength,
  checkValues,
  toProbaTable,
  type Labels,
  type ProbaInput,
} from './input.js';

/** Binary scores (probability of class 1 per sample) or a probability table. */
export type ProbaOrScores = ProbaInput | ArrayLike<number>;

function isScores(x: ProbaOrScores): x is ArrayLike<number> {
  return (
    !('numClasses' in (x as object)) &&
    (x as ArrayLike<unknown>).length > 0 &&
    typeof (x as ArrayLike<unknown>)[0] === 'number'
  );
}

/** As rows-of-probabilities: binary scores p become rows [1 − p, p]. */
function asTable(where: string, input: ProbaOrScores) {
  if (isScores(input)) {
    const s = checkValues(where, 'proba', input, { min: 0, max: 1 });
    const values = new Float64Array(2 * s.length);
    for (let i = 0; i < s.length; i++) {
      values[2 * i] = 1 - s[i]!;
      values[2 * i + 1] = s[i]!;
    }
    return { values, n: s.length, numClasses: 2, binary: true };
  }
  return { ...toProbaTable(where, 'proba', input), binary: false };
}

/**
 * Mean negative log-likelihood −(1/N) Σ ln p̂(y_i). As sklearn 1.2 `log_loss`: probabilities are
 * clipped to [ε, 1 − ε] (ε = machine epsilon by default) and rows renormalised, so a confident
 * mistake costs −ln ε ≈ 36 rather than Infinity. Unlike sklearn, rows must already sum to 1.
 */
export function logLoss(yTrue: Labels, proba: ProbaOrScores, opts: { eps?: number } = {}): number {
  const eps = opts.eps ?? Number.EPSILON;
  const y = checkLabels('logLoss', 'yTrue', yTrue);
  const t = asTable('logLoss', proba);
  checkSameLength('logLoss', ['yTrue', 'proba'], y, { length: t.n });
  const C = t.numClasses;
  let total = 0;
  for (let i = 0; i < t.n; i++) {
    if (y[i]! >= C)
      throw new ArgumentError(
        'logLoss',
        'yTrue',
        `labels in [0, ${C - 1}]`,
        `${y[i]} at index ${i}`,
      );
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.min(Math.max(t.values[i * C + c]!, eps), 1 - eps);
    const p = Math.min(Math.max(t.values[i * C + y[i]!]!, eps), 1 - eps) / sum;
    total -= Math.log(p);
  }
  return total / t.n;
}

/**
 * Brier score. Binary scores: (1/N) Σ (p_i − y_i)², sklearn's `brier_score_loss`.
 * Probability rows: (1/N) Σ_i Σ_c (p_ic − [y_i = c])², Brier's original multi-class form
 * (for two classes this is twice sklearn's value).
 */
export function brierScore(yTrue: Labels, proba: ProbaOrScores): number {
  const y = checkLabels('brierScore', 'yTrue', yTrue);
  const t = asTable('brierScore', proba);
  checkSameLength('brierScore', ['yTrue', 'proba'], y, { length: t.n });
  const C = t.numClasses;
  let total = 0;
  for (let i = 0; i < t.n; i++) {
    if (y[i]! >= C)
      throw new ArgumentError(
        'brierScore',
        'yTrue',
        `labels in [0, ${C - 1}]`,
        `${y[i]} at index ${i}`,
      );
    if (t.binary) {
      const d = t.values[2 * i + 1]! - y[i]!;
      total += d * d;
    } else {
      for (let c = 0; c < C; c++) {
        const d = t.values[i * C + c]! - (y[i] === c ? 1 : 0);
        total += d * d;
      }
    }
  }
  return total / t.n;
}

export interface CalibrationOptions {
  /** Number of bins; default 10 for ECE, as in most papers (sklearn's calibration_curve defaults to 5). */
  nBins?: number;
  /** 'uniform' (equal-width bins on [0, 1]) or 'quantile' (equal-count bins), as sklearn. */
  strategy?: 'uniform' | 'quantile';
}

export interface ReliabilityBin {
  lo: number;
  hi: number;
  count: number;
  /** Mean predicted probability in the bin (NaN-free: empty bins are reported with count 0 and null). */
  meanPredicted: number | null;
  fractionPositive: number | null;
}

export interface CalibrationResult {
  /** sklearn's calibration_curve outputs: only non-empty bins. */
  probTrue: number[];
  probPred: number[];
  /** Every bin including empty ones, for reliability diagrams. */
  bins: ReliabilityBin[];
  edges: number[];
  /** ECE = Σ_b (n_b / N) |fraction positive_b − mean predicted_b|. */
  ece: number;
  /** Maximum calibration error over non-empty bins. */
  mce: number;
}

/** Bins binary outcomes by predicted probability exactly as `sklearn.calibration.calibration_curve`. */
export function calibrationCurve(
  outcomes: Labels,
  probabilities: ArrayLike<number>,
  opts: CalibrationOptions = {},
): CalibrationResult {
  const where = 'calibrationCurve';
  const nBins = opts.nBins ?? 10;
  if (!Number.isInteger(nBins) || nBins < 1)
    throw new ArgumentError(where, 'nBins', 'an integer >= 1', String(nBins));
  const strategy = opts.strategy ?? 'uniform';
  if (strategy !== 'uniform' && strategy !== 'quantile')
    throw new ArgumentError(where, 'strategy', "'uniform' or 'quantile'", String(strategy));
  const y = checkLabels(where, 'outcomes', outcomes);
  const p = checkValues(where, 'probabilities', probabilities, { min: 0, max: 1 });
  checkSameLength(where, ['outcomes', 'probabilities'], y, p);
  for (let i = 0; i < y.length; i++)
    if (y[i]! > 1)
      throw new ArgumentError(where, 'outcomes', 'binary outcomes 0/1', `${y[i]} at index ${i}`);

  const edges: number[] = [];
  if (strategy === 'uniform') {
    // np.linspace(0, 1, nBins + 1): start + k·step, last point exactly 1
    for (let k = 0; k <= nBins; k++) edges.push(k === nBins ? 1 : k * (1 / nBins));
  } else {
    const sorted = Float64Array.from(p).sort();
    for (let k = 0; k <= nBins; k++) {
      const q = k === nBins ? 1 : k * (1 / nBins);
      edges.push(percentileSorted(sorted, q * 100));
    }
  }
  const sums = new Float64Array(nBins);
  const trues = new Float64Array(nBins);
  const counts = new Float64Array(nBins);
  for (let i = 0; i < p.length; i++) {
    // np.searchsorted(edges[1:-1], p, side='left'): number of inner edges strictly below p
    let b = 0;
    while (b < nBins - 1 && edges[b + 1]! < p[i]!) b++;
    sums[b] += p[i]!;
    trues[b] += y[i]!;
    counts[b] += 1;
  }
  const bins: ReliabilityBin[] = [];
  const probTrue: number[] = [];
  const probPred: number[] = [];
  let ece = 0;
  let mce = 0;
  for (let b = 0; b < nBins; b++) {
    const c = counts[b]!;
    const meanPredicted = c > 0 ? sums[b]! / c : null;
    const fractionPositive = c > 0 ? trues[b]! / c : null;
    bins.push({ lo: edges[b]!, hi: edges[b + 1]!, count: c, meanPredicted, fractionPositive });
    if (c > 0) {
      probTrue.push(fractionPositive!);
      probPred.push(meanPredicted!);
      const gap = Math.abs(fractionPositive! - meanPredicted!);
      ece += (c / p.length) * gap;
      mce = Math.max(mce, gap);
    }
  }
  return { probTrue, probPred, bins, edges, ece, mce };
}

/**
 * Expected calibration error. Binary scores: calibration of the positive-class probability.
 * Probability rows: top-label calibration (confidence = max probability, outcome = argmax
 * correct), the usual ECE of Guo et al. (2017).
 */
export function expectedCalibrationError(
  yTrue: Labels,
  proba: ProbaOrScores,
  opts: CalibrationOptions = {},
): CalibrationResult {
  const y = checkLabels('expectedCalibrationError', 'yTrue', yTrue);
  if (isScores(proba)) return calibrationCurve(y, proba, opts);
  const t = toProbaTable('expectedCalibrationError', 'proba', proba);
  checkSameLength('expectedCalibrationError', ['yTrue', 'proba'], y, { length: t.n });
  const C = t.numClasses;
  const conf = new Float64Array(t.n);
  const correct = new Int32Array(t.n);
  for (let i = 0; i < t.n; i++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (t.values[i * C + c]! > t.values[i * C + best]!) best = c;
    conf[i] = t.values[i * C + best]!;
    correct[i] = best === y[i] ? 1 : 0;
  }
  return calibrationCurve(correct, conf, opts);
}
