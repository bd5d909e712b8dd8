/**
 * Scores a model's predictions on a labelled set without retraining (`rnnlens evaluate`):
 * - classification: accuracy with a Wilson interval; balanced accuracy, macro F1, log-loss,
 *   Brier score (multi-class form Σ_c (p_c − [y = c])²) and ROC-AUC (binary, or one-vs-rest macro)
 *   with bootstrap percentile intervals (items resampled with replacement, seeded);
 *   calibration: ECE / MCE with the reliability table (equal-width bins) of the probability of
 *   class 1 for two classes (scikit-learn's calibration_curve), of the top-label confidence
 *   against correctness for more (Guo et al. 2017), from src/verify/metrics;
 * - regression: RMSE, MAE, R² with bootstrap intervals;
 * - a baseline's predictions on the same items: its metrics, the paired difference (model −
 *   baseline) with a paired bootstrap interval (the same resampled items for both), and for
 *   classifiers McNemar's test on the items one gets right and the other wrong.
 */
import { ArgumentError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { classificationReport } from './metrics/report.js';
import type { ReliabilityBin } from './metrics/probabilistic.js';
import { meanAbsoluteError, r2Score, rootMeanSquaredError } from './metrics/regression.js';
import { mcnemarFromPredictions } from './stats/comparisons.js';
import { percentileSorted } from './stats/percentile.js';
import { wilsonBounds } from './stats/proportion.js';

export interface ScoreOptions {
  /** Default 0.95. */
  confidenceLevel?: number;
  /** Bootstrap resamples; default 1000. */
  resamples?: number;
  seed?: number;
  /** Calibration bins; default 10. */
  bins?: number;
}

export interface Estimate {
  value: number;
  /** null when the metric is undefined on too many resamples (e.g. ROC-AUC with one class). */
  ci: [number, number] | null;
  method: 'wilson' | 'bootstrap-percentile';
  /** Resamples on which the metric was undefined (left out of the interval). */
  skipped?: number;
}

export interface ClassifierScores {
  task: 'classification';
  n: number;
  numClasses: number;
  metrics: Record<string, Estimate>;
  calibration: { bins: number; ece: number; mce: number; table: ReliabilityBin[] };
  confusion: number[][];
  warnings: string[];
}

export interface RegressionScores {
  task: 'regression';
  n: number;
  metrics: Record<string, Estimate>;
  warnings: string[];
}

export interface BaselineComparison {
  metric: string;
  /** model − baseline, with a paired bootstrap interval */
  difference: Estimate;
  mcnemar?: { b: number; c: number; statistic: number; pvalue: number; test: string };
}

/** Resamples of n items (with replacement), drawn once so every metric and pair uses the same ones. */
export function drawResamples(n: number, count: number, seed: number): Int32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => {
    const r = new Int32Array(n);
    for (let i = 0; i < n; i++) r[i] = rng.int(n);
    return r;
  });
}

function percentileCi(values: number[], level: number): [number, number] | null {
  if (values.length < 2) return null;
  const s = Float64Array.from(values).sort();
  const a = (1 - level) / 2;
  return [percentileSorted(s, 100 * a), percentileSorted(s, 100 * (1 - a))];
}

function checkOptions(n: number, opts: ScoreOptions): { level: number; resamples: number; seed: number; bins: number } {
  const level = opts.confidenceLevel ?? 0.95;
  const resamples = opts.resamples ?? 1000;
  const bins = opts.bins ?? 10;
  if (!(level > 0 && level < 1)) throw new ArgumentError('evaluate', 'confidenceLevel', 'a number in (0, 1)', String(level));
  if (!Number.isInteger(resamples) || resamples < 0) throw new ArgumentError('evaluate', 'resamples', 'an integer >= 0', String(resamples));
  if (!Number.isInteger(bins) || bins < 1) throw new ArgumentError('evaluate', 'bins', 'an integer >= 1', String(bins));
  if (n < 2) throw new ArgumentError('evaluate', 'items', 'at least 2 labelled items', String(n));
  return { level, resamples, seed: opts.seed ?? 0, bins };
}

function report(y: Int32Array, rows: Float64Array, C: number) {
  return classificationReport(y, { values: rows, numClasses: C });
}

const CLF_METRICS: Record<string, (r: ReturnType<typeof report>) => number | null> = {
  accuracy: (r) => r.accuracy,
  balancedAccuracy: (r) => r.balancedAccuracy,
  f1: (r) => r.precisionRecallF1.macro.f1,
  logLoss: (r) => r.logLoss,
  brier: (r) => r.brier,
  rocAuc: (r) => r.rocAuc,
};

function take(y: Int32Array, rows: Float64Array, C: number, idx: Int32Array): { y: Int32Array; rows: Float64Array } {
  const yy = new Int32Array(idx.length);
  const rr = new Float64Array(idx.length * C);
  idx.forEach((i, k) => {
    yy[k] = y[i]!;
    rr.set(rows.subarray(i * C, (i + 1) * C), k * C);
  });
  return { y: yy, rows: rr };
}

/** Metric values of every resample (null where undefined). */
function bootClassifier(y: Int32Array, rows: Float64Array, C: number, resamples: Int32Array[]): Array<Record<string, number | null>> {
  return resamples.map((idx) => {
    const s = take(y, rows, C, idx);
    let r: ReturnType<typeof report> | null;
    try {
      r = report(s.y, s.rows, C);
    } catch {
      r = null; // a resample on which the report is undefined
    }
    return Object.fromEntries(Object.entries(CLF_METRICS).map(([k, f]) => [k, r ? f(r) : null]));
  });
}

function estimateFrom(value: number, boot: Array<number | null>, level: number): Estimate {
  const ok = boot.filter((v): v is number => v !== null && Number.isFinite(v));
  const e: Estimate = { value, ci: percentileCi(ok, level), method: 'bootstrap-percentile' };
  if (ok.length < boot.length) e.skipped = boot.length - ok.length;
  return e;
}

/** Argmax labels of probability rows (ties to the lower class, as classificationReport). */
export function argmaxLabels(rows: Float64Array, C: number): Int32Array {
  const n = rows.length / C;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (rows[i * C + c]! > rows[i * C + best]!) best = c;
    out[i] = best;
  }
  return out;
}

/** Metrics with intervals and calibration of probability rows [N, C] against labels. */
export function scoreClassifier(y: Int32Array, rows: Float64Array, C: number, opts: ScoreOptions = {}, resamples?: Int32Array[]): ClassifierScores {
  const n = y.length;
  const o = checkOptions(n, opts);
  if (rows.length !== n * C) throw new ArgumentError('evaluate', 'probabilities', `${n} rows of ${C}`, `${rows.length} values`);
  const full = classificationReport(y, { values: rows, numClasses: C }, { calibration: { nBins: o.bins } });
  const draws = resamples ?? drawResamples(n, o.resamples, o.seed);
  const boot = bootClassifier(y, rows, C, draws);
  const metrics: Record<string, Estimate> = {};
  for (const [k, f] of Object.entries(CLF_METRICS)) {
    const v = f(full);
    if (v === null) continue;
    metrics[k] = k === 'accuracy' ? { value: v, ci: wilsonBounds(Math.round(v * n), n, o.level), method: 'wilson' } : estimateFrom(v, boot.map((b) => b[k] ?? null), o.level);
  }
  const cal = full.calibration;
  return {
    task: 'classification',
    n,
    numClasses: C,
    metrics,
    calibration: { bins: o.bins, ece: cal.ece, mce: cal.mce, table: cal.bins },
    confusion: full.confusion.matrix,
    warnings: full.warnings,
  };
}

/** Model vs baseline on the same items: paired bootstrap of the accuracy difference and McNemar. */
export function compareClassifiers(y: Int32Array, model: Float64Array, baseline: Float64Array, C: number, opts: ScoreOptions = {}, resamples?: Int32Array[]): BaselineComparison {
  const o = checkOptions(y.length, opts);
  const a = argmaxLabels(model, C);
  const b = argmaxLabels(baseline, C);
  const acc = (p: Int32Array, idx: Int32Array | null): number => {
    let hit = 0;
    const m = idx ? idx.length : p.length;
    for (let k = 0; k < m; k++) {
      const i = idx ? idx[k]! : k;
      if (p[i] === y[i]) hit++;
    }
    return hit / m;
  };
  const draws = resamples ?? drawResamples(y.length, o.resamples, o.seed);
  const diff = estimateFrom(acc(a, null) - acc(b, null), draws.map((idx) => acc(a, idx) - acc(b, idx)), o.level);
  const t = mcnemarFromPredictions(y, a, b);
  return { metric: 'accuracy', difference: diff, mcnemar: { b: t.b, c: t.c, statistic: t.statistic, pvalue: t.pvalue, test: t.test } };
}

function regressionMetrics(t: ArrayLike<number>, p: ArrayLike<number>): Record<string, number | null> {
  let r2: number | null;
  try {
    r2 = r2Score(t, p).value;
  } catch {
    r2 = null; // constant targets
  }
  return { rmse: rootMeanSquaredError(t, p), mae: meanAbsoluteError(t, p), r2: r2 !== null && Number.isFinite(r2) ? r2 : null };
}

function takeRows(v: Float64Array, width: number, idx: Int32Array): Float64Array {
  const out = new Float64Array(idx.length * width);
  idx.forEach((i, k) => out.set(v.subarray(i * width, (i + 1) * width), k * width));
  return out;
}

/** RMSE, MAE, R² (flattened over the target vector) with bootstrap intervals over items. */
export function scoreRegressor(truth: Float64Array, pred: Float64Array, width: number, opts: ScoreOptions = {}, resamples?: Int32Array[]): RegressionScores {
  const n = truth.length / width;
  const o = checkOptions(n, opts);
  if (pred.length !== truth.length) throw new ArgumentError('evaluate', 'predictions', `${truth.length} values`, `${pred.length}`);
  const full = regressionMetrics(truth, pred);
  const draws = resamples ?? drawResamples(n, o.resamples, o.seed);
  const boot = draws.map((idx) => regressionMetrics(takeRows(truth, width, idx), takeRows(pred, width, idx)));
  const metrics: Record<string, Estimate> = {};
  for (const [k, v] of Object.entries(full)) if (v !== null) metrics[k] = estimateFrom(v, boot.map((b) => b[k] ?? null), o.level);
  return { task: 'regression', n, metrics, warnings: full.r2 === null ? ['r2 undefined: the targets are constant'] : [] };
}

/** Model vs baseline regressor: paired bootstrap of the RMSE difference. */
export function compareRegressors(truth: Float64Array, model: Float64Array, baseline: Float64Array, width: number, opts: ScoreOptions = {}, resamples?: Int32Array[]): BaselineComparison {
  const n = truth.length / width;
  const o = checkOptions(n, opts);
  const draws = resamples ?? drawResamples(n, o.resamples, o.seed);
  const d = (idx: Int32Array | null): number => {
    const t = idx ? takeRows(truth, width, idx) : truth;
    return rootMeanSquaredError(t, idx ? takeRows(model, width, idx) : model) - rootMeanSquaredError(t, idx ? takeRows(baseline, width, idx) : baseline);
  };
  return { metric: 'rmse', difference: estimateFrom(d(null), draws.map((idx) => d(idx)), o.level) };
}
