/**
 * Label metrics: confusion matrix, accuracy, balanced accuracy, precision / recall / F1.
 * Semantics follow scikit-learn 1.2 (`sklearn.metrics`), including `zero_division`:
 * when a denominator is 0 (a class never predicted, or absent from y_true) the value is set to
 * `zeroDivision` (0 by default, like sklearn's "warn") and a warning naming the classes is
 * returned in `warnings`, so nothing is silently NaN.
 */
import { ArgumentError } from '../../core/errors.js';
import { checkLabels, checkSameLength, uniqueSorted, type Labels } from './input.js';

export type Average = 'macro' | 'micro' | 'weighted';

export interface LabelOptions {
  /** Classes to report, in this order. Default: sorted union of classes in yTrue and yPred (as sklearn). */
  labels?: ArrayLike<number>;
}

function prepare(where: string, yTrue: Labels, yPred: Labels, labelsOpt?: ArrayLike<number>) {
  const t = checkLabels(where, 'yTrue', yTrue);
  const p = checkLabels(where, 'yPred', yPred);
  checkSameLength(where, ['yTrue', 'yPred'], t, p);
  const labels = labelsOpt
    ? Array.from(checkLabels(where, 'labels', labelsOpt))
    : uniqueSorted(t, p);
  if (new Set(labels).size !== labels.length)
    throw new ArgumentError(
      where,
      'labels',
      'distinct labels',
      `duplicates in [${labels.join(', ')}]`,
    );
  return { t, p, labels };
}

/** Confusion matrix C[i][j] = #{true = labels[i], predicted = labels[j]}. */
export function confusionMatrix(
  yTrue: Labels,
  yPred: Labels,
  opts: LabelOptions = {},
): { labels: number[]; matrix: number[][] } {
  const { t, p, labels } = prepare('confusionMatrix', yTrue, yPred, opts.labels);
  const index = new Map(labels.map((l, i) => [l, i]));
  const matrix = labels.map(() => labels.map(() => 0));
  for (let i = 0; i < t.length; i++) {
    const a = index.get(t[i]!);
    const b = index.get(p[i]!);
    if (a !== undefined && b !== undefined) matrix[a]![b]! += 1;
  }
  return { labels, matrix };
}

/** Share of exact matches. */
export function accuracy(yTrue: Labels, yPred: Labels): number {
  const t = checkLabels('accuracy', 'yTrue', yTrue);
  const p = checkLabels('accuracy', 'yPred', yPred);
  checkSameLength('accuracy', ['yTrue', 'yPred'], t, p);
  let hits = 0;
  for (let i = 0; i < t.length; i++) if (t[i] === p[i]) hits++;
  return hits / t.length;
}

/**
 * Mean of per-class recall over the classes present in yTrue (sklearn `balanced_accuracy_score`,
 * adjusted=false). Classes that appear only in yPred are left out, with a warning (as sklearn).
 */
export function balancedAccuracy(
  yTrue: Labels,
  yPred: Labels,
): { value: number; warnings: string[] } {
  const { labels, matrix } = confusionMatrix(yTrue, yPred);
  const warnings: string[] = [];
  let sum = 0;
  let count = 0;
  for (let i = 0; i < labels.length; i++) {
    const support = matrix[i]!.reduce((a, b) => a + b, 0);
    if (support === 0) {
      warnings.push(
        `balancedAccuracy: class ${labels[i]} occurs in yPred but not in yTrue; left out of the mean`,
      );
      continue;
    }
    sum += matrix[i]![i]! / support;
    count++;
  }
  return { value: sum / count, warnings };
}

export interface PrfOptions extends LabelOptions {
  /** Value used when a ratio has a zero denominator (sklearn's zero_division). Default 0. */
  zeroDivision?: 0 | 1;
  /** F-beta; default 1. */
  beta?: number;
}

export interface PerClassPrf {
  labels: number[];
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
}

export interface AveragedPrf {
  precision: number;
  recall: number;
  f1: number;
}

export interface PrfResult {
  perClass: PerClassPrf;
  macro: AveragedPrf;
  micro: AveragedPrf;
  weighted: AveragedPrf;
  /** One message per ill-defined ratio that was replaced by `zeroDivision`. */
  warnings: string[];
}

/** F_β = (1 + β²) P R / (β² P + R), 0 when the denominator is 0 (sklearn). */
function fBeta(precision: number, recall: number, beta2: number): number {
  const denom = beta2 * precision + recall;
  return denom === 0 ? 0 : ((1 + beta2) * precision * recall) / denom;
}

/** Precision, recall and F-beta per class and macro / micro / weighted averaged. */
export function precisionRecallF1(yTrue: Labels, yPred: Labels, opts: PrfOptions = {}): PrfResult {
  const zd = opts.zeroDivision ?? 0;
  const beta = opts.beta ?? 1;
  if (!(beta >= 0) || !Number.isFinite(beta))
    throw new ArgumentError('precisionRecallF1', 'beta', 'a finite number >= 0', String(beta));
  const beta2 = beta * beta;
  const { labels, matrix } = confusionMatrix(
    yTrue,
    yPred,
    opts.labels ? { labels: opts.labels } : {},
  );
  const t = checkLabels('precisionRecallF1', 'yTrue', yTrue);
  const p = checkLabels('precisionRecallF1', 'yPred', yPred);
  const warnings: string[] = [];
  const k = labels.length;
  const tp = new Array<number>(k).fill(0);
  const predSum = new Array<number>(k).fill(0);
  const trueSum = new Array<number>(k).fill(0);
  const index = new Map(labels.map((l, i) => [l, i]));
  for (let i = 0; i < t.length; i++) {
    const a = index.get(t[i]!);
    const b = index.get(p[i]!);
    if (a !== undefined) trueSum[a]! += 1;
    if (b !== undefined) predSum[b]! += 1;
  }
  for (let i = 0; i < k; i++) tp[i] = matrix[i]![i]!;

  const divide = (num: number, den: number, what: string, label: string): number => {
    if (den > 0) return num / den;
    warnings.push(`${what} is ill-defined for ${label} and set to ${zd} (zeroDivision)`);
    return zd;
  };
  const precision = labels.map((l, i) =>
    divide(tp[i]!, predSum[i]!, 'precision', `class ${l} (never predicted)`),
  );
  const recall = labels.map((l, i) =>
    divide(tp[i]!, trueSum[i]!, 'recall', `class ${l} (absent from yTrue)`),
  );
  const f1 = labels.map((_, i) => fBeta(precision[i]!, recall[i]!, beta2));

  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const macro = { precision: mean(precision), recall: mean(recall), f1: mean(f1) };

  const tpAll = tp.reduce((a, b) => a + b, 0);
  const predAll = predSum.reduce((a, b) => a + b, 0);
  const trueAll = trueSum.reduce((a, b) => a + b, 0);
  const mp = divide(tpAll, predAll, 'micro precision', 'the selected labels');
  const mr = divide(tpAll, trueAll, 'micro recall', 'the selected labels');
  const micro = { precision: mp, recall: mr, f1: fBeta(mp, mr, beta2) };

  let weighted: AveragedPrf;
  if (trueAll === 0) {
    // sklearn: with no true samples of any selected label, weighted averages fall back to zero_division.
    warnings.push(`weighted averages are ill-defined (no true samples of the selected labels)`);
    weighted =
      predAll === 0 ? { precision: zd, recall: zd, f1: zd } : { precision: 0, recall: zd, f1: 0 };
  } else {
    const w = (xs: number[]) => xs.reduce((a, x, i) => a + x * trueSum[i]!, 0) / trueAll;
    weighted = { precision: w(precision), recall: w(recall), f1: w(f1) };
  }
  return {
    perClass: { labels, precision, recall, f1, support: trueSum },
    macro,
    micro,
    weighted,
    warnings,
  };
}
