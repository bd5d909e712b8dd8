/**
 * `rnnlens evaluate --model M (--data FILE | --recipe NAME [--data FOLDER] [--split test])
 * [--baseline majority|forest|mean|none ...] [--resamples N] [--bins N] [--json] [--no-record]`:
 * scores any model rnnlens loads (native, TF.js, ONNX, Keras) on labelled items without
 * retraining: metrics with intervals, calibration with its reliability table, and each baseline on
 * the same items with the paired difference and McNemar's test (src/verify/evaluate-model.ts).
 * Baselines: `majority` (class frequencies of the recipe's train split, or of the evaluated labels
 * for a data file), `forest` (random forest on summary / bag-of-tokens features of the train split;
 * recipes only), `mean` (regression: the mean target, same sources). Recorded as an `evaluate` run.
 */
import type { Command } from 'commander';
import { RnnlensError } from '../core/errors.js';
import type { Dataset } from '../data/dataset.js';
import { loadAnyModel } from '../predict/load.js';
import { RunStore } from '../runs/store.js';
import { fitMajority } from '../verify/baselines/majority.js';
import { runBaselineFolds } from '../verify/cv/baseline.js';
import { compareClassifiers, compareRegressors, drawResamples, scoreClassifier, scoreRegressor, type BaselineComparison, type ClassifierScores, type Estimate, type RegressionScores } from '../verify/evaluate-model.js';
import { intOption } from './options.js';
import { fileSet, recipeSet, type EvalSet } from './evaluate-data.js';

interface EvaluateCliOptions {
  model: string;
  data?: string;
  recipe?: string;
  split: string;
  dataSeed?: number;
  limit?: number;
  baseline: string[];
  resamples: number;
  bins: number;
  confidence: number;
  seed: number;
  trees: number;
  forestRows: number;
  json?: boolean;
  record: boolean;
  runsDir: string;
}

export interface BaselineResult {
  name: string;
  fittedOn: string;
  scores: ClassifierScores | RegressionScores;
  comparison: BaselineComparison;
}

export interface EvaluateResult {
  model: string;
  format: string;
  source: string;
  scores: ClassifierScores | RegressionScores;
  baselines: BaselineResult[];
  notes: string[];
}

const BASELINES = ['majority', 'forest', 'mean', 'none'];

/** Probability rows of the baselines a classification set asks for. */
function classifierBaselines(set: EvalSet, names: string[], seed: number, forest: { nEstimators: number; maxRows: number }): Array<{ name: string; fittedOn: string; rows: Float64Array }> {
  const C = set.width;
  const out: Array<{ name: string; fittedOn: string; rows: Float64Array }> = [];
  if (set.train && set.dataset) {
    // both fitted on the train split, through the same code compare uses for its folds
    const train = set.train;
    const pool: Dataset = { ...set.dataset, items: [...train.items, ...set.dataset.items] };
    const plan = { index: 0, repeat: 0, fold: 0, seed, train: Int32Array.from({ length: train.items.length }, (_, i) => i), test: Int32Array.from({ length: set.n }, (_, i) => train.items.length + i) };
    const folds = runBaselineFolds({ ...pool, classNames: set.classNames ?? Array.from({ length: C }, (_, k) => String(k)) }, [plan], { seed, ...forest });
    for (const n of names) {
      const f = n === 'forest' ? folds.forest[0]! : folds.majority[0]!;
      out.push({ name: n, fittedOn: `train split (${train.items.length} items)`, rows: Float64Array.from(f.predictions.outputs) });
    }
    return out;
  }
  for (const n of names) {
    if (n === 'forest') throw new RnnlensError('evaluate: --baseline forest needs training items: use --recipe NAME (a data file holds only the items evaluated)');
    const maj = fitMajority(Array.from({ length: set.n }, () => [0]), set.labels!, { numClasses: C });
    const rows = new Float64Array(set.n * C);
    maj.predictProba(Array.from({ length: set.n }, () => [0])).forEach((r, i) => rows.set(r, i * C));
    out.push({ name: n, fittedOn: 'the evaluated labels themselves: optimistic', rows });
  }
  return out;
}

function regressionBaseline(set: EvalSet): { name: string; fittedOn: string; rows: Float64Array } {
  const K = set.width;
  const src = set.train ? set.train.items.map((it) => it.values!) : Array.from({ length: set.n }, (_, i) => set.values!.subarray(i * K, (i + 1) * K));
  const mean = new Float64Array(K);
  for (const v of src) for (let k = 0; k < K; k++) mean[k]! += v[k]! / src.length;
  const rows = new Float64Array(set.n * K);
  for (let i = 0; i < set.n; i++) rows.set(mean, i * K);
  return { name: 'mean', fittedOn: set.train ? `train split (${src.length} items)` : 'the evaluated targets themselves: optimistic', rows };
}

export async function evaluateModel(o: EvaluateCliOptions): Promise<EvaluateResult> {
  for (const b of o.baseline) if (!BASELINES.includes(b)) throw new RnnlensError(`evaluate: --baseline expected ${BASELINES.join(', ')}, received ${JSON.stringify(b)}`);
  if (!(o.confidence > 0 && o.confidence < 1)) throw new RnnlensError(`evaluate: --confidence expected a number in (0, 1), received ${o.confidence}`);
  for (const [flag, v, min] of [['--trees', o.trees, 1], ['--forest-rows', o.forestRows, 2]] as const) {
    if (!Number.isInteger(v) || v < min) throw new RnnlensError(`evaluate: ${flag} expected an integer >= ${min}, received ${v}`);
  }
  if (!o.recipe && !o.data) throw new RnnlensError('evaluate: give the labelled items: --data FILE (a JSON file with "labels" or "values") or --recipe NAME');
  const m = await loadAnyModel(o.model);
  const wanted = o.baseline.filter((b) => b !== 'none');
  const needsTrain = wanted.length > 0;
  const set = o.recipe
    ? recipeSet({ model: o.model, recipe: o.recipe, split: o.split, withTrain: needsTrain, ...(o.data !== undefined ? { data: o.data } : {}), ...(o.dataSeed !== undefined ? { dataSeed: o.dataSeed } : {}), ...(o.limit !== undefined ? { limit: o.limit } : {}) }, m)
    : fileSet(o.data!, m);
  const opts = { confidenceLevel: o.confidence, resamples: o.resamples, seed: o.seed, bins: o.bins };
  const draws = drawResamples(set.n, o.resamples, o.seed);
  const notes: string[] = [];
  const baselines: BaselineResult[] = [];
  let scores: ClassifierScores | RegressionScores;
  if (set.task === 'classification') {
    scores = scoreClassifier(set.labels!, set.outputs, set.width, opts, draws);
    if (wanted.includes('mean')) throw new RnnlensError("evaluate: --baseline mean is for regression; classifiers compare with 'majority' or 'forest'");
    for (const b of classifierBaselines(set, wanted, o.seed, { nEstimators: o.trees, maxRows: o.forestRows })) {
      baselines.push({ name: b.name, fittedOn: b.fittedOn, scores: scoreClassifier(set.labels!, b.rows, set.width, opts, draws), comparison: compareClassifiers(set.labels!, set.outputs, b.rows, set.width, opts, draws) });
    }
  } else {
    scores = scoreRegressor(set.values!, set.outputs, set.width, opts, draws);
    // the default 'majority' means the mean target for a regressor
    if (wanted.some((b) => b !== 'mean' && b !== 'majority')) throw new RnnlensError('evaluate: regression models compare with --baseline mean');
    if (wanted.length) {
      const b = regressionBaseline(set);
      baselines.push({ name: b.name, fittedOn: b.fittedOn, scores: scoreRegressor(set.values!, b.rows, set.width, opts, draws), comparison: compareRegressors(set.values!, set.outputs, b.rows, set.width, opts, draws) });
    }
  }
  if (set.n < 30) notes.push(`only ${set.n} items: the intervals are wide and the bootstrap ones rough`);
  return { model: o.model, format: m.format, source: set.source, scores, baselines, notes };
}

const f4 = (v: number): string => (Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(2));
const ci = (e: Estimate): string => (e.ci ? `[${f4(e.ci[0])}, ${f4(e.ci[1])}]` : '[undefined]');

export function evaluateText(r: EvaluateResult, level: number): string {
  const s = r.scores;
  const pct = `${Math.round(level * 100)}% CI`;
  const lines = [`model ${r.model} (${r.format}) on ${r.source}: ${s.n} items${s.task === 'classification' ? `, ${s.numClasses} classes` : ''}`, '', `metric              value     ${pct}`];
  for (const [k, e] of Object.entries(s.metrics)) lines.push(`${k.padEnd(18)}  ${f4(e.value).padEnd(8)}  ${ci(e)}  ${e.method}${e.skipped ? ` (${e.skipped} resamples undefined)` : ''}`);
  if (s.task === 'classification') {
    const c = s.calibration;
    lines.push('', `calibration (${s.numClasses === 2 ? 'probability of class 1' : 'top-label confidence'}, ${c.bins} equal-width bins): ECE ${f4(c.ece)}, MCE ${f4(c.mce)}`, '  bin              items  mean predicted  observed');
    for (const b of c.table) lines.push(`  [${b.lo.toFixed(2)}, ${b.hi.toFixed(2)}]${' '.repeat(5)}${String(b.count).padStart(5)}  ${b.meanPredicted === null ? '-'.padStart(14) : f4(b.meanPredicted).padStart(14)}  ${b.fractionPositive === null ? '-' : f4(b.fractionPositive)}`);
  }
  for (const b of r.baselines) {
    const main = b.comparison.metric;
    const e = b.scores.metrics[main]!;
    lines.push('', `baseline ${b.name} (fitted on ${b.fittedOn}): ${main} ${f4(e.value)} ${ci(e)}`);
    lines.push(`  model − ${b.name}: ${main} ${f4(b.comparison.difference.value)} ${ci(b.comparison.difference)} (paired bootstrap)`);
    const t = b.comparison.mcnemar;
    if (t) lines.push(`  McNemar (${t.test}): model right / baseline wrong ${t.b}, the reverse ${t.c}, p = ${f4(t.pvalue)}`);
  }
  for (const w of [...s.warnings, ...r.notes]) lines.push(`note: ${w}`);
  return lines.join('\n') + '\n';
}

export function register(program: Command): void {
  program
    .command('evaluate')
    .description('score any model (native, TF.js, ONNX, Keras) on labelled data without retraining: metrics with intervals, calibration, baselines')
    .requiredOption('--model <path>', 'model folder, model.json, .onnx, .keras or .h5 file')
    .option('--data <path>', 'labelled JSON file ({"inputs"|"tokens"|"texts", "labels"|"values"}), or with --recipe the data folder it needs')
    .option('--recipe <name>', "evaluate on a recipe's split")
    .option('--split <name>', 'with --recipe: train, validation or test', 'test')
    .option('--data-seed <n>', "with --recipe: seed of the recipe's data split (default: the model's recorded seed)", intOption('--data-seed', true))
    .option('--limit <n>', 'with --recipe: the first N items of the split', intOption('--limit', false))
    .option('--baseline <names...>', 'majority | forest (recipes) | mean (regression) | none', ['majority'])
    .option('--resamples <n>', 'bootstrap resamples for the intervals', intOption('--resamples', true), 1000)
    .option('--bins <n>', 'calibration bins', intOption('--bins', false), 10)
    .option('--confidence <level>', 'confidence level of the intervals', parseFloat, 0.95)
    .option('--seed <n>', 'seed of the bootstrap and the forest', intOption('--seed', true), 0)
    .option('--trees <n>', 'trees of the forest baseline', (v: string) => Number(v), 50)
    .option('--forest-rows <n>', 'training items the forest is fitted on (stratified sample)', (v: string) => Number(v), 1000)
    .option('--json', 'print the result as JSON')
    .option('--runs-dir <dir>', 'run store folder', 'runs')
    .option('--no-record', 'do not record a run')
    .action(async (o: EvaluateCliOptions) => {
      const r = await evaluateModel(o);
      let runId: string | null = null;
      if (o.record) {
        const store = RunStore.open(o.runsDir);
        try {
          const w = store.createRun({ kind: 'evaluate', config: { model: o.model, format: r.format, source: r.source, recipe: o.recipe ?? null, data: o.data ?? null, split: o.recipe ? o.split : null, baselines: r.baselines.map((b) => b.name), resamples: o.resamples, bins: o.bins, confidence: o.confidence }, seed: o.seed, tags: o.recipe ? [o.recipe] : [] });
          w.writeJson('evaluate.json', r);
          const flat: Record<string, number> = Object.fromEntries(Object.entries(r.scores.metrics).map(([k, e]) => [k, e.value]));
          if (r.scores.task === 'classification') flat.ece = r.scores.calibration.ece;
          for (const b of r.baselines) flat[`${b.name}_difference`] = b.comparison.difference.value;
          w.finish('finished', { metrics: flat });
          runId = w.id;
        } finally {
          store.close();
        }
      }
      process.stdout.write(o.json ? JSON.stringify({ ...r, ...(runId ? { run: runId } : {}) }) + '\n' : evaluateText(r, o.confidence) + (runId ? `run ${runId}\n` : ''));
    });
}
