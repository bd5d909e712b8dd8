/**
 * Is the recurrent model significantly better than something simpler? Cross-validate it, score
 * the contenders on the SAME folds, and test the paired per-fold differences d_j = RNN_j − other_j
 * of one metric (default accuracy; rmse for regression):
 * - Nadeau–Bengio corrected resampled t-test (default): t = d̄ / √((1/J + n_test/n_train) s²), J − 1 df;
 * - Dietterich's 5×2cv paired t-test (`test: '5x2cv'`: the folds become 5 repeats of 2-fold);
 * - McNemar on the pooled out-of-fold predicted labels of the first repeat (each item once).
 * The interval of the mean difference is the same corrected t interval. "Significantly better"
 * means p < alpha (default 0.05) AND the mean difference points the RNN's way (for loss-like
 * metrics, lower is better).
 *
 * Contenders: 'baseline' = a random forest on bag-of-tokens / summary-statistic features and the
 * majority class, both refitted per fold (see cv/baseline.ts). A saved model folder is NOT
 * retrained: it is scored as it is on each held-out fold. The comparison then answers "does this
 * recipe, trained per fold, beat that fixed model on the same held-out items". If the saved model
 * was trained on some of those items (e.g. the recipe's own training split), its scores are
 * optimistic; the test still uses the fold sizes of the cross-validation for its correction.
 */
import { ArgumentError, RnnlensError } from '../core/errors.js';
import { subset } from '../data/dataset.js';
import { loadModel } from '../train/checkpoint.js';
import { evaluate, type Metrics } from '../train/evaluate.js';
import { prepareCrossValidation, runCrossValidation, summarizeFolds, type CrossValidateOptions, type CrossValidation, type FoldPredictions, type PreparedCv } from './cv.js';
import { runBaselineFolds } from './cv/baseline.js';
import { correctedResampledTTest, fiveByTwoCvTTest, mcnemarFromPredictions, type TestResult } from './stats/comparisons.js';
import { summarizeScores, type ScoreSummary } from './stats/intervals.js';

export type PairedTestName = 'nadeau-bengio' | '5x2cv';

export interface CompareOptions extends CrossValidateOptions {
  /** 'baseline' and/or saved model folders */
  against: string[];
  test?: PairedTestName;
  metric?: string;
  alpha?: number;
  forest?: { nEstimators?: number; maxTokens?: number; maxRows?: number; maxFeatures?: number };
}

export interface ContenderFold {
  metrics: Metrics;
  fitSeconds: number;
  predictions?: FoldPredictions;
}

export interface Contender {
  name: string;
  kind: 'baseline' | 'model';
  folds: ContenderFold[];
  summary: Record<string, ScoreSummary>;
}

export interface PairedComparison {
  against: string;
  metric: string;
  higherIsBetter: boolean;
  /** per fold: RNN − other */
  differences: number[];
  meanDifference: number;
  ci: [number, number];
  test: string;
  statistic: number | null;
  df: number | null;
  pvalue: number | null;
  significant: boolean;
  rnnBetter: boolean;
  mcnemar?: { test: string; statistic: number; pvalue: number; b: number; c: number };
  warnings: string[];
}

export interface Comparison {
  metric: string;
  alpha: number;
  test: PairedTestName;
  rnn: CrossValidation;
  contenders: Contender[];
  comparisons: PairedComparison[];
  warnings: string[];
}

const LOWER_IS_BETTER = /^(loss|logLoss|rmse|mae|mape|brier|bpc|perplexity)$/;

function argmaxRows(p: FoldPredictions): Map<number, number> {
  const out = new Map<number, number>();
  for (let r = 0; r < p.indices.length; r++) {
    let best = 0;
    for (let c = 1; c < p.width; c++) if (p.outputs[r * p.width + c]! > p.outputs[r * p.width + best]!) best = c;
    out.set(p.indices[r]!, best);
  }
  return out;
}

function pairedMcNemar(prep: PreparedCv, rnn: CrossValidation, other: Contender): PairedComparison['mcnemar'] {
  const firstRepeat = rnn.folds.filter((f) => f.repeat === 0);
  const a = new Map<number, number>();
  const b = new Map<number, number>();
  firstRepeat.forEach((f) => {
    if (!f.predictions || !other.folds[f.index]?.predictions) return;
    for (const [i, y] of argmaxRows(f.predictions)) a.set(i, y);
    for (const [i, y] of argmaxRows(other.folds[f.index]!.predictions!)) b.set(i, y);
  });
  if (a.size === 0) return undefined;
  const idx = [...a.keys()].sort((x, y) => x - y);
  const truth = idx.map((i) => prep.setup.dataset.items[i]!.label!);
  const r = mcnemarFromPredictions(truth, idx.map((i) => a.get(i)!), idx.map((i) => b.get(i)!));
  return { test: r.test, statistic: r.statistic, pvalue: r.pvalue, b: r.b, c: r.c };
}

/** The paired test of per-fold differences (see the file comment); flags rather than fails on constant differences. */
export function pairedTest(prep: PreparedCv, rnn: number[], other: number[], test: PairedTestName, alpha: number, higherIsBetter: boolean): Omit<PairedComparison, 'against' | 'metric' | 'mcnemar'> {
  const d = rnn.map((v, j) => v - other[j]!);
  const plans = prep.plans;
  const nTrain = plans.reduce((s, p) => s + p.train.length, 0) / plans.length;
  const nTest = plans.reduce((s, p) => s + p.test.length, 0) / plans.length;
  const warnings: string[] = [];
  const mean = d.reduce((s, v) => s + v, 0) / d.length;
  let r: TestResult | null = null;
  try {
    if (test === '5x2cv') {
      const rows = [0, 1, 2, 3, 4].map((rep) => plans.map((p, j) => (p.repeat === rep ? d[j]! : NaN)).filter((v) => !Number.isNaN(v)));
      r = fiveByTwoCvTTest(rows);
    } else r = correctedResampledTTest(d, nTrain, nTest);
  } catch (e) {
    if (!(e instanceof ArgumentError)) throw e;
    warnings.push(`${test}: no test statistic (${e.message}); reported as not significant`);
  }
  const ci: [number, number] = d.every((v) => v === d[0]) ? [mean, mean] : summarizeScores(d, { overlap: { nTrain, nTest } }).ci;
  const pvalue = r ? r.pvalue : null;
  const significant = pvalue !== null && pvalue < alpha;
  const rnnBetter = significant && (higherIsBetter ? mean > 0 : mean < 0);
  return { differences: d, meanDifference: mean, ci, test: r?.test ?? test, statistic: r?.statistic ?? null, df: r?.df ?? null, pvalue, significant, rnnBetter, higherIsBetter, warnings };
}

function savedModelContender(dir: string, prep: PreparedCv): Contender {
  const { model, file } = loadModel(dir, { backend: prep.setup.backend });
  const want = JSON.stringify(prep.setup.modelConfig.input);
  if (JSON.stringify(model.config().input) !== want) {
    throw new ArgumentError('compare', 'against', `a model whose input matches the recipe's data (${want})`, `${JSON.stringify(model.config().input)} in ${dir}`);
  }
  if (file.task !== prep.setup.task) throw new ArgumentError('compare', 'against', `a ${prep.setup.task} model`, `a ${file.task} model in ${dir}`);
  const ds = prep.setup.dataset;
  const folds = prep.plans.map((p) => {
    const ev = evaluate(model, subset(ds, p.test), prep.setup.task, { keepPredictions: true });
    const predictions = ev.predictions ? { ...ev.predictions, indices: Int32Array.from(ev.predictions.indices, (j) => p.test[j]!) } : undefined;
    return { metrics: ev.metrics, fitSeconds: 0, predictions };
  });
  return { name: dir, kind: 'model', folds, summary: summarizeFolds(prep.plans.map((p, j) => ({ metrics: folds[j]!.metrics, train: p.train, test: p.test }))) };
}

export async function compareModels(opts: CompareOptions): Promise<Comparison> {
  const test = opts.test ?? 'nadeau-bengio';
  const alpha = opts.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new ArgumentError('compare', 'alpha', 'a number in (0, 1)', String(alpha));
  if (test !== 'nadeau-bengio' && test !== '5x2cv') throw new ArgumentError('compare', 'test', "'nadeau-bengio' or '5x2cv'", JSON.stringify(test));
  if (!opts.against || opts.against.length === 0) throw new ArgumentError('compare', 'against', "'baseline' or saved model folders", 'nothing');
  if (test === '5x2cv' && (opts.splitter === 'group' || opts.splitter === 'time')) throw new ArgumentError('compare', 'splitter', "'stratified' or 'kfold' for 5x2cv (5 shuffled repeats of 2 folds)", `'${opts.splitter}'`);
  const prep = prepareCrossValidation(test === '5x2cv' ? { ...opts, folds: 2, repeats: 5 } : opts);
  const metric = opts.metric ?? (prep.setup.task === 'classification' ? 'accuracy' : 'rmse');
  if (opts.against.includes('baseline') && prep.setup.task !== 'classification') {
    throw new ArgumentError('compare', 'against', "a saved model (the 'baseline' models are classifiers)", `'baseline' for a ${prep.setup.task} task`);
  }
  const rnn = await runCrossValidation(prep, opts);
  const contenders: Contender[] = [];
  for (const a of opts.against) {
    if (a === 'baseline') {
      const b = runBaselineFolds(prep.setup.dataset, prep.plans, { ...opts.forest, onProgress: opts.onProgress });
      for (const [name, folds] of [['random-forest', b.forest], ['majority', b.majority]] as const) {
        contenders.push({ name, kind: 'baseline', folds, summary: summarizeFolds(prep.plans.map((p, j) => ({ metrics: folds[j]!.metrics, train: p.train, test: p.test }))) });
      }
    } else contenders.push(savedModelContender(a, prep));
  }
  const rnnScores = rnn.folds.map((f) => f.metrics[metric]);
  if (rnnScores.some((v) => v === undefined || !Number.isFinite(v))) {
    throw new RnnlensError(`compare: metric '${metric}' is not defined in every fold of the RNN (available: ${Object.keys(rnn.summary).join(', ')})`);
  }
  const comparisons = contenders.map((c): PairedComparison => {
    const other = c.folds.map((f) => f.metrics[metric]);
    if (other.some((v) => v === undefined || !Number.isFinite(v))) throw new RnnlensError(`compare: metric '${metric}' is not defined in every fold of ${c.name}`);
    const r = pairedTest(prep, rnnScores as number[], other as number[], test, alpha, !LOWER_IS_BETTER.test(metric));
    const out: PairedComparison = { against: c.name, metric, ...r };
    if (prep.setup.task === 'classification') {
      const m = pairedMcNemar(prep, rnn, c);
      if (m) out.mcnemar = m;
    }
    return out;
  });
  return { metric, alpha, test, rnn, contenders, comparisons, warnings: rnn.warnings };
}
