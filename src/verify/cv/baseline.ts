/**
 * The baselines of a comparison, cross-validated on the SAME folds as the recurrent model:
 * - a random forest (ml-random-forest, via fitRandomForest) on fixed-length features: for token
 *   data the bag of tokens over the `maxTokens` ids most frequent in the fold's training items
 *   (chosen per fold, so nothing is learnt from the test items; PAD is never a feature); for
 *   numeric data the per-feature summary statistics (mean, sd, min, max, slope).
 *   The forest is fitted on at most `maxRows` training items (a seeded stratified sample of the
 *   fold's training part; default 1000): ml-cart's split search tries a threshold at every label
 *   change along each sorted feature and re-partitions the node for each, which is quadratic in
 *   the node size (a single tree on 4,800 SpamAssassin emails took about a minute);
 * - the majority class (the training fold's class frequencies, from all its items).
 * Scored with the same metrics as evaluate() gives the recurrent model.
 */
import { ArgumentError } from '../../core/errors.js';
import { splitIndices } from '../../data/split.js';
import type { Dataset, Item } from '../../data/dataset.js';
import type { Metrics } from '../../train/evaluate.js';
import { fitMajority } from '../baselines/majority.js';
import { fitRandomForest } from '../baselines/forest.js';
import { summaryFeatures } from '../baselines/features.js';
import type { ProbabilisticClassifier } from '../baselines/classifier.js';
import { classificationReport } from '../metrics/report.js';
import type { FoldPredictions } from './fold.js';
import type { FoldPlan } from './plan.js';
import { maxOf } from '../../core/extent.js';

export interface BaselineOptions {
  /** trees of the forest; default 50 */
  nEstimators?: number;
  /** token data: bag-of-tokens features per fold; default 300 */
  maxTokens?: number;
  /** training items the forest is fitted on (seeded stratified sample); default 1000 */
  maxRows?: number;
  /**
   * features per tree, a share in (0, 1] or a count; default 0.25. ml-random-forest draws them
   * once per TREE (not per split as scikit-learn does), so its usual √D would let each tree see
   * only a handful of features (on SpamAssassin: accuracy 0.837 with √D against 0.926 with 0.25).
   */
  maxFeatures?: number;
  seed?: number;
  onProgress?: (p: { task: string; done: number; total: number; message?: string }) => void;
}

export interface BaselineFold {
  index: number;
  metrics: Metrics;
  fitSeconds: number;
  scoreSeconds: number;
  predictions: FoldPredictions;
}

/** The metrics evaluate() reports for classification, from labels and probability rows. */
export function classificationMetrics(y: ArrayLike<number>, rows: Float64Array, C: number): Metrics {
  const rep = classificationReport(y, { values: rows, numClasses: C });
  const m: Metrics = {
    accuracy: rep.accuracy,
    balancedAccuracy: rep.balancedAccuracy,
    f1: rep.precisionRecallF1.macro.f1,
    f1Weighted: rep.precisionRecallF1.weighted.f1,
    precision: rep.precisionRecallF1.macro.precision,
    recall: rep.precisionRecallF1.macro.recall,
    logLoss: rep.logLoss,
  };
  if (rep.rocAuc !== null) m.rocAuc = rep.rocAuc;
  return m;
}

function numericRows(it: Item, D: number): number[][] {
  return Array.from({ length: it.steps }, (_, t) => Array.from(it.x.subarray(t * D, (t + 1) * D)));
}

/** Feature rows of the items at `idx` for one fold (token vocabulary chosen from `train`). */
function featurizer(ds: Dataset, train: Int32Array, maxTokens: number): (idx: Int32Array) => number[][] {
  if (ds.input === 'numeric') {
    const cache = new Map<number, number[]>();
    return (idx) => Array.from(idx, (i) => cache.get(i) ?? cache.set(i, summaryFeatures(numericRows(ds.items[i]!, ds.features))).get(i)!);
  }
  const counts = new Map<number, number>();
  for (const i of train) for (const id of ds.items[i]!.x) if (id !== 0) counts.set(id, (counts.get(id) ?? 0) + 1);
  const kept = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, maxTokens);
  const column = new Map(kept.map(([id], c) => [id, c]));
  return (idx) =>
    Array.from(idx, (i) => {
      const row = new Array<number>(kept.length).fill(0);
      for (const id of ds.items[i]!.x) {
        const c = column.get(id);
        if (c !== undefined) row[c]! += 1;
      }
      return row;
    });
}

function score(model: ProbabilisticClassifier, X: number[][], test: Int32Array, y: Int32Array, C: number): { metrics: Metrics; predictions: FoldPredictions } {
  const proba = model.predictProba(X);
  const rows = new Float64Array(test.length * C);
  proba.forEach((r, i) => rows.set(r, i * C));
  return { metrics: classificationMetrics(y, rows, C), predictions: { indices: test, outputs: rows, width: C, truth: Float64Array.from(y) } };
}

/** At most `maxRows` of the training indices, stratified by label and seeded. */
function capRows(ds: Dataset, train: Int32Array, maxRows: number, seed: number): Int32Array {
  if (train.length <= maxRows) return train;
  const labels = Array.from(train, (i) => ds.items[i]!.label!);
  const keep = splitIndices(train.length, { seed, test: maxRows / train.length }, labels).test;
  return Int32Array.from(keep, (j) => train[j]!);
}

/** Random forest and majority class on every fold of `plans`. */
export function runBaselineFolds(ds: Dataset, plans: readonly FoldPlan[], opts: BaselineOptions = {}): { forest: BaselineFold[]; majority: BaselineFold[] } {
  if (ds.target !== 'class') throw new ArgumentError('compare', 'against', "a saved model (the 'baseline' models are classifiers)", `a dataset with '${ds.target}' targets`);
  const C = ds.classNames?.length ?? 1 + maxOf(ds.items.map((it) => it.label!));
  const forest: BaselineFold[] = [];
  const majority: BaselineFold[] = [];
  plans.forEach((plan, k) => {
    // announced before the (slow) forest fit, so a long fold still shows progress
    opts.onProgress?.({ task: 'baselines', done: k, total: plans.length, message: `fold ${plan.fold + 1}: fitting` });
    const features = featurizer(ds, plan.train, opts.maxTokens ?? 300);
    const Xtr = features(plan.train);
    const ytr = Int32Array.from(plan.train, (i) => ds.items[i]!.label!);
    const forestRows = capRows(ds, plan.train, opts.maxRows ?? 1000, plan.seed);
    const Xf = forestRows === plan.train ? Xtr : features(forestRows);
    const yf = Int32Array.from(forestRows, (i) => ds.items[i]!.label!);
    const Xte = features(plan.test);
    const yte = Int32Array.from(plan.test, (i) => ds.items[i]!.label!);
    for (const [list, fit] of [
      [forest, () => fitRandomForest(Xf, yf, { numClasses: C, nEstimators: opts.nEstimators ?? 50, seed: plan.seed, maxFeatures: opts.maxFeatures ?? 0.25 })],
      [majority, () => fitMajority(Xtr, ytr, { numClasses: C })],
    ] as const) {
      const t0 = performance.now();
      const model = fit();
      const t1 = performance.now();
      const s = score(model, Xte, plan.test, yte, C);
      list.push({ index: plan.index, ...s, fitSeconds: (t1 - t0) / 1000, scoreSeconds: (performance.now() - t1) / 1000 });
    }
    opts.onProgress?.({ task: 'baselines', done: k + 1, total: plans.length, message: `fold ${plan.fold + 1}` });
  });
  return { forest, majority };
}
