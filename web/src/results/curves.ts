// Classifier curves for the result pages, computed from the scores a run recorded (out-of-fold
// probabilities of a cv or compare run): ROC and precision-recall points at every distinct
// threshold, their areas (trapezoidal ROC AUC, step-wise average precision) and a confusion
// matrix. Self-contained (no imports) so Node tests can check it against reference numbers.

export interface RocPoint {
  fpr: number;
  tpr: number;
  threshold: number;
}

export interface PrPoint {
  recall: number;
  precision: number;
  threshold: number;
}

/** Positives and false positives counted down the distinct scores, highest first. */
function cumulative(
  scores: ArrayLike<number>,
  positive: ArrayLike<boolean>,
): { tp: number[]; fp: number[]; thr: number[]; p: number; n: number } {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => scores[b]! - scores[a]!,
  );
  const tp: number[] = [];
  const fp: number[] = [];
  const thr: number[] = [];
  let t = 0;
  let f = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (positive[i]) t++;
    else f++;
    // a threshold closes only after the last item sharing its score
    if (k === order.length - 1 || scores[order[k + 1]!]! !== scores[i]!) {
      tp.push(t);
      fp.push(f);
      thr.push(scores[i]!);
    }
  }
  return { tp, fp, thr, p: t, n: f };
}

/** ROC points from (0, 0) through every distinct threshold to (1, 1); empty with one class only. */
export function rocCurve(scores: ArrayLike<number>, positive: ArrayLike<boolean>): RocPoint[] {
  const c = cumulative(scores, positive);
  if (c.p === 0 || c.n === 0) return [];
  const out: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  for (let j = 0; j < c.thr.length; j++)
    out.push({ fpr: c.fp[j]! / c.n, tpr: c.tp[j]! / c.p, threshold: c.thr[j]! });
  return out;
}

/** Area under ROC points (trapezoids). */
export function rocAuc(points: RocPoint[]): number {
  let a = 0;
  for (let j = 1; j < points.length; j++)
    a += ((points[j]!.fpr - points[j - 1]!.fpr) * (points[j]!.tpr + points[j - 1]!.tpr)) / 2;
  return a;
}

/** Precision-recall points from recall 0 (precision 1) through every distinct threshold; empty without positives. */
export function prCurve(scores: ArrayLike<number>, positive: ArrayLike<boolean>): PrPoint[] {
  const c = cumulative(scores, positive);
  if (c.p === 0) return [];
  const out: PrPoint[] = [{ recall: 0, precision: 1, threshold: Infinity }];
  for (let j = 0; j < c.thr.length; j++)
    out.push({
      recall: c.tp[j]! / c.p,
      precision: c.tp[j]! / (c.tp[j]! + c.fp[j]!),
      threshold: c.thr[j]!,
    });
  return out;
}

/** Average precision: the precision at each threshold weighted by the recall it adds. */
export function averagePrecision(points: PrPoint[]): number {
  let a = 0;
  for (let j = 1; j < points.length; j++)
    a += (points[j]!.recall - points[j - 1]!.recall) * points[j]!.precision;
  return a;
}

/** counts[actual][predicted] of the argmax of each probability row. */
export function confusionMatrix(
  labels: ArrayLike<number>,
  probabilities: number[][],
  classes: number,
): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const row = probabilities[i]!;
    let best = 0;
    for (let k = 1; k < row.length; k++) if (row[k]! > row[best]!) best = k;
    const y = labels[i]!;
    if (y >= 0 && y < classes && best < classes) m[y]![best]!++;
  }
  return m;
}
