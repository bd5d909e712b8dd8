/**
 * Ranking metrics from scores: ROC-AUC and average precision (the PR-AUC of
 * `sklearn.metrics.average_precision_score`). Tied scores are grouped into one threshold exactly
 * as sklearn's `_binary_clf_curve` does, so ties count one half in the AUC.
 */
import { ArgumentError } from '../../core/errors.js';
import {
  checkLabels,
  checkSameLength,
  checkValues,
  toProbaTable,
  type Labels,
  type ProbaInput,
} from './input.js';

export interface ClfCurve {
  /** Cumulative false / true positives at each distinct threshold, highest score first. */
  fps: Float64Array;
  tps: Float64Array;
  thresholds: Float64Array;
}

function checkBinary(
  where: string,
  yTrue: Labels,
  scores: ArrayLike<number>,
): { y: Int32Array; s: Float64Array } {
  const y = checkLabels(where, 'yTrue', yTrue);
  const s = checkValues(where, 'scores', scores);
  checkSameLength(where, ['yTrue', 'scores'], y, s);
  for (let i = 0; i < y.length; i++) {
    if (y[i]! > 1)
      throw new ArgumentError(where, 'yTrue', 'binary labels 0/1', `${y[i]} at index ${i}`);
  }
  return { y, s };
}

/** Counts of false and true positives for each distinct score threshold (descending). */
export function binaryClfCurve(yTrue: Labels, scores: ArrayLike<number>): ClfCurve {
  const { y, s } = checkBinary('binaryClfCurve', yTrue, scores);
  const order = Array.from(s.keys()).sort((a, b) => s[b]! - s[a]! || a - b);
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  for (let k = 0; k < order.length; k++) {
    tp += y[order[k]!]!;
    // a threshold closes where the next score differs (or at the end)
    if (k === order.length - 1 || s[order[k + 1]!] !== s[order[k]!]) {
      tps.push(tp);
      fps.push(k + 1 - tp);
      thresholds.push(s[order[k]!]!);
    }
  }
  return {
    fps: Float64Array.from(fps),
    tps: Float64Array.from(tps),
    thresholds: Float64Array.from(thresholds),
  };
}

/** ROC curve points (fpr, tpr), starting at (0, 0), one per distinct threshold. */
export function rocCurve(
  yTrue: Labels,
  scores: ArrayLike<number>,
): { fpr: Float64Array; tpr: Float64Array; thresholds: Float64Array } {
  const { fps, tps, thresholds } = binaryClfCurve(yTrue, scores);
  const P = tps[tps.length - 1]!;
  const N = fps[fps.length - 1]!;
  if (P === 0 || N === 0) {
    throw new ArgumentError(
      'rocCurve',
      'yTrue',
      'both classes 0 and 1 present',
      `only class ${P === 0 ? 0 : 1}`,
    );
  }
  const m = tps.length + 1;
  const fpr = new Float64Array(m);
  const tpr = new Float64Array(m);
  const th = new Float64Array(m);
  th[0] = Infinity;
  for (let i = 0; i < tps.length; i++) {
    fpr[i + 1] = fps[i]! / N;
    tpr[i + 1] = tps[i]! / P;
    th[i + 1] = thresholds[i]!;
  }
  return { fpr, tpr, thresholds: th };
}

/** Binary ROC-AUC: trapezoidal area under the ROC curve (ties count one half). */
export function rocAuc(yTrue: Labels, scores: ArrayLike<number>): number {
  const y = checkLabels('rocAuc', 'yTrue', yTrue);
  const hasPos = y.some((v) => v === 1);
  const hasNeg = y.some((v) => v === 0);
  if (!hasPos || !hasNeg) {
    throw new ArgumentError(
      'rocAuc',
      'yTrue',
      'both classes 0 and 1 present (ROC-AUC is undefined with one class)',
      `only class ${hasPos ? 1 : 0}`,
    );
  }
  const { fpr, tpr } = rocCurve(yTrue, scores);
  let area = 0;
  for (let i = 1; i < fpr.length; i++)
    area += ((fpr[i]! - fpr[i - 1]!) * (tpr[i]! + tpr[i - 1]!)) / 2;
  return area;
}

/**
 * Average precision AP = Σ_k (R_k − R_{k−1}) P_k over distinct thresholds (no interpolation),
 * as sklearn's `average_precision_score`. Throws when yTrue has no positive (AP is undefined).
 */
export function averagePrecision(yTrue: Labels, scores: ArrayLike<number>): number {
  const { fps, tps } = binaryClfCurve(yTrue, scores);
  const P = tps[tps.length - 1]!;
  if (P === 0)
    throw new ArgumentError(
      'averagePrecision',
      'yTrue',
      'at least one positive (label 1)',
      'no positives',
    );
  let ap = 0;
  let prevRecall = 0;
  for (let i = 0; i < tps.length; i++) {
    const recall = tps[i]! / P;
    const precision = tps[i]! / (tps[i]! + fps[i]!);
    ap += (recall - prevRecall) * precision;
    prevRecall = recall;
  }
  return ap;
}

export interface OvrOptions {
  /** 'macro' (default): plain mean over classes; 'weighted': weighted by class prevalence. */
  average?: 'macro' | 'weighted';
}

function oneVsRest(
  where: string,
  metric: (y: Int32Array, s: Float64Array) => number,
  yTrue: Labels,
  proba: ProbaInput,
  opts: OvrOptions,
) {
  const y = checkLabels(where, 'yTrue', yTrue);
  const table = toProbaTable(where, 'proba', proba);
  checkSameLength(where, ['yTrue', 'proba'], y, { length: table.n });
  const C = table.numClasses;
  const counts = new Array<number>(C).fill(0);
  for (let i = 0; i < y.length; i++) {
    if (y[i]! >= C)
      throw new ArgumentError(
        where,
        'yTrue',
        `labels in [0, ${C - 1}] (one column of proba per class)`,
        `${y[i]} at index ${i}`,
      );
    counts[y[i]!]! += 1;
  }
  const missing = counts.flatMap((c, k) => (c === 0 ? [k] : []));
  if (missing.length > 0) {
    throw new ArgumentError(
      where,
      'yTrue',
      `every one of the ${C} classes present (one-vs-rest is undefined otherwise)`,
      `no samples of class ${missing.join(', ')}`,
    );
  }
  const perClass: number[] = [];
  const yc = new Int32Array(y.length);
  const sc = new Float64Array(y.length);
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < y.length; i++) {
      yc[i] = y[i] === c ? 1 : 0;
      sc[i] = table.values[i * C + c]!;
    }
    perClass.push(metric(yc, sc));
  }
  const value =
    opts.average === 'weighted'
      ? perClass.reduce((a, v, c) => a + v * counts[c]!, 0) / y.length
      : perClass.reduce((a, b) => a + b, 0) / C;
  return { value, perClass };
}

/** One-vs-rest ROC-AUC over C classes (sklearn `roc_auc_score(multi_class='ovr')`). */
export function rocAucOvr(
  yTrue: Labels,
  proba: ProbaInput,
  opts: OvrOptions = {},
): { value: number; perClass: number[] } {
  return oneVsRest('rocAucOvr', rocAuc, yTrue, proba, opts);
}

/** One-vs-rest average precision (sklearn's AP on the label-binarised targets). */
export function averagePrecisionOvr(
  yTrue: Labels,
  proba: ProbaInput,
  opts: OvrOptions = {},
): { value: number; perClass: number[] } {
  return oneVsRest('averagePrecisionOvr', averagePrecision, yTrue, proba, opts);
}
