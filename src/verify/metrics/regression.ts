/** Regression metrics: MAE, RMSE, MAPE and R², as sklearn 1.2 (`sklearn.metrics`). */
import { checkSameLength, checkValues } from './input.js';

function pair(where: string, yTrue: ArrayLike<number>, yPred: ArrayLike<number>) {
  const t = checkValues(where, 'yTrue', yTrue);
  const p = checkValues(where, 'yPred', yPred);
  checkSameLength(where, ['yTrue', 'yPred'], t, p);
  return { t, p };
}

/** (1/N) Σ |y − ŷ| */
export function meanAbsoluteError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const { t, p } = pair('meanAbsoluteError', yTrue, yPred);
  let s = 0;
  for (let i = 0; i < t.length; i++) s += Math.abs(t[i]! - p[i]!);
  return s / t.length;
}

/** √((1/N) Σ (y − ŷ)²) */
export function rootMeanSquaredError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const { t, p } = pair('rootMeanSquaredError', yTrue, yPred);
  let s = 0;
  for (let i = 0; i < t.length; i++) s += (t[i]! - p[i]!) ** 2;
  return Math.sqrt(s / t.length);
}

/**
 * (1/N) Σ |y − ŷ| / max(|y|, ε) with ε = machine epsilon, as sklearn: a zero target gives a huge
 * but finite value; `warnings` says so.
 */
export function meanAbsolutePercentageError(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
): { value: number; warnings: string[] } {
  const { t, p } = pair('meanAbsolutePercentageError', yTrue, yPred);
  let s = 0;
  let zeros = 0;
  for (let i = 0; i < t.length; i++) {
    if (t[i] === 0) zeros++;
    s += Math.abs(t[i]! - p[i]!) / Math.max(Math.abs(t[i]!), Number.EPSILON);
  }
  const warnings =
    zeros > 0
      ? [
          `meanAbsolutePercentageError: ${zeros} target(s) are 0; their terms are divided by machine epsilon`,
        ]
      : [];
  return { value: s / t.length, warnings };
}

/**
 * R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)². For constant targets (denominator 0) sklearn (force_finite)
 * returns 1 for a perfect prediction and 0 otherwise; so do we, with a warning.
 */
export function r2Score(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
): { value: number; warnings: string[] } {
  const { t, p } = pair('r2Score', yTrue, yPred);
  let mean = 0;
  for (let i = 0; i < t.length; i++) mean += t[i]!;
  mean /= t.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < t.length; i++) {
    ssRes += (t[i]! - p[i]!) ** 2;
    ssTot += (t[i]! - mean) ** 2;
  }
  if (ssTot === 0) {
    return {
      value: ssRes === 0 ? 1 : 0,
      warnings: [
        'r2Score: yTrue is constant, R² is undefined; returned 1 for a perfect fit, else 0 (as sklearn)',
      ],
    };
  }
  return { value: 1 - ssRes / ssTot, warnings: [] };
}
