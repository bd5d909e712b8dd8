// What the cv and compare result views draw from a run's folds and out-of-fold scores: the fold
// of every scored item, ROC and precision-recall curves per fold (binary) or per class
// (one-vs-rest, more classes), and the confusion matrix of one fold or of all.
import {
  averagePrecision,
  confusionMatrix,
  prCurve,
  rocAuc,
  rocCurve,
  type PrPoint,
  type RocPoint,
} from './curves';

export interface Summary {
  mean: number;
  sd: number;
  ci: [number, number];
}

export interface Oof {
  indices: number[];
  labels: number[];
  probabilities?: number[][];
}

export interface CurveSeries {
  name: string;
  fold: string;
  roc: RocPoint[];
  pr: PrPoint[];
  auc: number;
  ap: number;
}

export const HEADLINE = [
  'accuracy',
  'balancedAccuracy',
  'f1',
  'rocAuc',
  'logLoss',
  'rmse',
  'mae',
  'r2',
  'stepAccuracy',
  'bpc',
  'loss',
];

/** Fold labels 1..n, in the order the run lists its folds. */
export const foldLabel = (j: number): string => String(j + 1);

/** The first fold whose test part holds each out-of-fold item. */
export function foldsOfItems(folds: { test: number[] }[], oof: Oof): string[] {
  const of = new Map<number, string>();
  folds.forEach((f, j) => f.test.forEach((i) => of.has(i) || of.set(i, foldLabel(j))));
  return oof.indices.map((i) => of.get(i) ?? '');
}

function series(name: string, fold: string, scores: number[], positive: boolean[]): CurveSeries {
  const roc = rocCurve(scores, positive);
  const pr = prCurve(scores, positive);
  return { name, fold, roc, pr, auc: rocAuc(roc), ap: averagePrecision(pr) };
}

/** Binary: one curve per fold and the pooled curve (fold 'all'); more classes: one per class. */
export function curveSeries(oof: Oof, itemFolds: string[]): CurveSeries[] {
  const p = oof.probabilities;
  if (!p || p.length === 0) return [];
  const width = p[0]!.length;
  if (width === 2) {
    const out: CurveSeries[] = [];
    for (const fold of [...new Set(itemFolds)].filter(Boolean)) {
      const at = itemFolds.flatMap((f, i) => (f === fold ? [i] : []));
      out.push(
        series(
          `fold ${fold}`,
          fold,
          at.map((i) => p[i]![1]!),
          at.map((i) => oof.labels[i] === 1),
        ),
      );
    }
    out.push(
      series(
        'all folds',
        'all',
        p.map((r) => r[1]!),
        oof.labels.map((y) => y === 1),
      ),
    );
    return out.filter((s) => s.roc.length > 0);
  }
  return Array.from({ length: width }, (_, k) =>
    series(
      `class ${k} vs rest`,
      'all',
      p.map((r) => r[k]!),
      oof.labels.map((y) => y === k),
    ),
  ).filter((s) => s.roc.length > 0);
}

/** The confusion matrix of the items of `fold` ('' for all). */
export function foldConfusion(oof: Oof, itemFolds: string[], fold: string): number[][] | null {
  const p = oof.probabilities;
  if (!p || p.length === 0) return null;
  const at = itemFolds.flatMap((f, i) => (fold === '' || f === fold ? [i] : []));
  return confusionMatrix(
    at.map((i) => oof.labels[i]!),
    at.map((i) => p[i]!),
    p[0]!.length,
  );
}
