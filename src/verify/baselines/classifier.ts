/** The contract every baseline classifier satisfies (fit → a model with predictProba). */
import { ArgumentError } from '../../core/errors.js';

export interface ProbabilisticClassifier {
  readonly name: string;
  readonly numClasses: number;
  /** Rows [N][C] of class probabilities. */
  predictProba(X: ArrayLike<ArrayLike<number>>): number[][];
  /** Argmax of predictProba (ties to the lower class). */
  predict(X: ArrayLike<ArrayLike<number>>): Int32Array;
}

export function argmaxRows(rows: number[][]): Int32Array {
  return Int32Array.from(rows, (r) => r.reduce((best, v, c) => (v > r[best]! ? c : best), 0));
}

/** Checks a feature matrix [N][D] (finite, rectangular) and labels (integers 0..C-1); returns C. */
export function checkTrainingData(
  where: string,
  X: ArrayLike<ArrayLike<number>>,
  y: ArrayLike<number>,
  numClasses?: number,
): number {
  if (!X || X.length === 0)
    throw new ArgumentError(
      where,
      'X',
      'a non-empty feature matrix [N][D]',
      X ? 'no rows' : String(X),
    );
  if (!y || y.length !== X.length)
    throw new ArgumentError(
      where,
      'y',
      `${X.length} labels (one per row of X)`,
      y ? `${y.length}` : String(y),
    );
  const D = X[0]!.length;
  for (let i = 0; i < X.length; i++) {
    const row = X[i]!;
    if (!row || row.length !== D)
      throw new ArgumentError(where, 'X', `rows of ${D} features`, `${row?.length} at row ${i}`);
    for (let d = 0; d < D; d++)
      if (!Number.isFinite(row[d]!))
        throw new ArgumentError(
          where,
          'X',
          'finite features',
          `${row[d]} at row ${i}, column ${d}`,
        );
  }
  let max = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (!Number.isInteger(v) || v < 0)
      throw new ArgumentError(where, 'y', 'integer class labels >= 0', `${v} at index ${i}`);
    max = Math.max(max, v);
  }
  const C = numClasses ?? max + 1;
  if (max >= C) throw new ArgumentError(where, 'y', `labels below numClasses=${C}`, String(max));
  return Math.max(C, 1);
}

export function toRows(X: ArrayLike<ArrayLike<number>>): number[][] {
  return Array.from(X, (r) => Array.from(r));
}
