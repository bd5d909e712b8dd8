/**
 * Generalisation: how a model does on data it has not seen.
 * - `evaluateGeneralisation(model, dataset, task)`: a trained model on another dataset (or any
 *   held-out set), its metrics with bootstrap confidence intervals (percentile, resampling items;
 *   see stats/bootstrap.ts).
 * - `leaveOneGroupOutEvaluation(...)`: each group in turn (e.g. each FSDD speaker) is held out, a
 *   FRESH model is trained on all other groups and scored on that group, with bootstrap intervals
 *   per group. The folds run through the cross-validation machinery (same seeding, same worker
 *   threads), so results are reproducible and identical in parallel.
 * Bootstrapped metrics: accuracy, balanced accuracy and macro F1 for classification; rmse and mae
 * for regression (the others are in `metrics`, without interval). A group too small to resample
 * (one item) gets metrics but no intervals, flagged in `warnings`.
 */
import { ArgumentError } from '../core/errors.js';
import type { ProgressCallback } from '../core/progress.js';
import type { Dataset } from '../data/dataset.js';
import type { SequenceModel } from '../nn/model.js';
import { evaluate, type Metrics } from '../train/evaluate.js';
import { taskOf, type TaskKind } from '../train/tasks.js';
import { prepareCrossValidation, runCrossValidation, type CrossValidateOptions, type FoldPredictions } from './cv.js';
import { foldSeed, groupsOf, type FoldPlan } from './cv/plan.js';
import { accuracy, balancedAccuracy, precisionRecallF1 } from './metrics/classification.js';
import { meanAbsoluteError, rootMeanSquaredError } from './metrics/regression.js';
import { bootstrapCI } from './stats/bootstrap.js';
import { leaveOneGroupOut } from './splitters.js';

export interface BootstrapSettings {
  /** default 2000 */
  nResamples?: number;
  confidenceLevel?: number;
  seed?: number;
}

export interface MetricInterval {
  estimate: number;
  low: number;
  high: number;
}

export interface GeneralisationResult {
  n: number;
  metrics: Metrics;
  intervals: Record<string, MetricInterval>;
  warnings: string[];
}

type Statistic = (idx: Int32Array) => number;

function statistics(p: FoldPredictions, task: TaskKind): Record<string, Statistic> {
  if (task === 'classification') {
    const C = p.width;
    const pred = new Int32Array(p.indices.length);
    for (let r = 0; r < pred.length; r++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (p.outputs[r * C + c]! > p.outputs[r * C + best]!) best = c;
      pred[r] = best;
    }
    const pick = (idx: Int32Array): [Int32Array, Int32Array] => [Int32Array.from(idx, (i) => p.truth[i]!), Int32Array.from(idx, (i) => pred[i]!)];
    const labels = Array.from({ length: C }, (_, c) => c);
    return {
      accuracy: (idx) => accuracy(...pick(idx)),
      balancedAccuracy: (idx) => balancedAccuracy(...pick(idx)).value,
      f1: (idx) => precisionRecallF1(...pick(idx), { labels: labels.filter((c) => p.truth.includes(c)), zeroDivision: 0 }).macro.f1,
    };
  }
  if (task === 'regression') {
    const pick = (idx: Int32Array, a: Float64Array): Float64Array => {
      const w = p.width;
      const out = new Float64Array(idx.length * w);
      idx.forEach((i, k) => out.set(a.subarray(i * w, (i + 1) * w), k * w));
      return out;
    };
    return {
      rmse: (idx) => rootMeanSquaredError(pick(idx, p.truth), pick(idx, p.outputs)),
      mae: (idx) => meanAbsoluteError(pick(idx, p.truth), pick(idx, p.outputs)),
    };
  }
  return {};
}

/** Bootstrap intervals of the headline metrics of one set of predictions. */
export function bootstrapMetrics(p: FoldPredictions, task: TaskKind, opts: BootstrapSettings = {}): { intervals: Record<string, MetricInterval>; warnings: string[] } {
  const n = p.indices.length;
  const intervals: Record<string, MetricInterval> = {};
  if (n < 2) return { intervals, warnings: [`bootstrap: ${n} item(s) cannot be resampled; no intervals`] };
  for (const [name, stat] of Object.entries(statistics(p, task))) {
    const r = bootstrapCI({ n, statistic: stat, nResamples: opts.nResamples ?? 2000, confidenceLevel: opts.confidenceLevel, seed: opts.seed ?? 0 });
    intervals[name] = { estimate: r.estimate, low: r.low, high: r.high };
  }
  return { intervals, warnings: [] };
}

/** A trained model on another dataset: metrics with bootstrap intervals. */
export function evaluateGeneralisation(model: SequenceModel, ds: Dataset, task: TaskKind = taskOf(ds), opts: BootstrapSettings = {}): GeneralisationResult {
  if (ds.items.length === 0) throw new ArgumentError('evaluateGeneralisation', 'dataset', 'at least one item', `an empty dataset '${ds.name}'`);
  const ev = evaluate(model, ds, task, { keepPredictions: true });
  if (!ev.predictions) return { n: ds.items.length, metrics: ev.metrics, intervals: {}, warnings: [`evaluateGeneralisation: a ${task} task has no bootstrap intervals`] };
  // rows are in batch order; indices only need to be distinct positions for the statistics
  const p = { ...ev.predictions, indices: Int32Array.from(ev.predictions.indices, (_, r) => r) };
  return { n: ds.items.length, metrics: ev.metrics, ...bootstrapMetrics(p, task, opts) };
}

export interface GroupResult extends GeneralisationResult {
  group: string | number;
  trainSize: number;
}

export interface LeaveOneGroupOutOptions extends Omit<CrossValidateOptions, 'splitter' | 'folds' | 'repeats' | 'keepModels' | 'groupBy'> {
  groupBy: string;
  bootstrap?: BootstrapSettings;
  onProgress?: ProgressCallback;
}

/** Each group held out in turn: a fresh model trained on the rest, scored on the group. */
export async function leaveOneGroupOutEvaluation(opts: LeaveOneGroupOutOptions): Promise<{ groups: GroupResult[]; warnings: string[] }> {
  // plan with a 2-fold group split only to load and validate the data, then replace the folds
  const prep = prepareCrossValidation({ ...opts, splitter: 'group', folds: 2 });
  const groups = groupsOf(prep.setup.dataset, opts.groupBy) as (string | number)[];
  const seed = opts.seed ?? 0;
  const splits = leaveOneGroupOut(groups);
  const plans: FoldPlan[] = splits.map((s, f) => ({ index: f, repeat: 0, fold: f, train: s.train, test: s.test, seed: foldSeed(seed, 0, f) }));
  const cv = await runCrossValidation({ ...prep, plans }, { parallel: opts.parallel, executor: opts.executor, onProgress: opts.onProgress, onWarning: opts.onWarning });
  const out: GroupResult[] = cv.folds.map((f, j) => {
    const b = f.predictions ? bootstrapMetrics({ ...f.predictions, indices: Int32Array.from(f.predictions.indices, (_, r) => r) }, prep.setup.task, opts.bootstrap) : { intervals: {}, warnings: [] };
    return { group: splits[j]!.group, trainSize: f.train.length, n: f.test.length, metrics: f.metrics, ...b };
  });
  return { groups: out, warnings: cv.warnings };
}
