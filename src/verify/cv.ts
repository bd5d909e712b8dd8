/**
 * Cross-validation of a recurrent model: pool the data, split it into (repeated) folds, train a
 * fresh seeded model per fold, score it on the held-out fold, and summarise every metric over the
 * folds as mean, sd and a confidence interval.
 *
 * The interval is the Nadeau–Bengio corrected t interval x̄ ± t_{1−α/2, J−1} √((1/J + n_test/n_train) s²)
 * (see summarizeScores): the folds' training sets overlap, so the plain t interval would be too
 * narrow. n_train and n_test are the mean fold sizes.
 *
 * Data: a recipe's train, validation and test parts are merged into one pool (the recipe's
 * preprocessing, e.g. a tokenizer's vocabulary or a z-score, was fitted on its own training part
 * and is kept as is). Or pass `dataset` + `modelConfig` + `trainConfig` directly.
 *
 * Folds run in the main thread, in worker threads (`parallel > 1`), or on any executor
 * (`executor`: e.g. BullMQ workers over Redis on other machines); all give identical metrics and
 * predictions for the same seed and backend.
 */
import { defaultBackendName, type BackendName } from '../core/backends.js';
import { ArgumentError, RnnlensError } from '../core/errors.js';
import type { ProgressCallback } from '../core/progress.js';
import type { Dataset } from '../data/dataset.js';
import type { ModelConfig } from '../nn/config.js';
import { SequenceModel } from '../nn/model.js';
import { buildModelConfig, getRecipe, type ModelShape } from '../train/recipes.js';
import { taskOf, type TaskKind } from '../train/tasks.js';
import type { TrainConfig } from '../train/trainer.js';
import type { CvSetup, FoldResult } from './cv/fold.js';
import { LocalExecutor, type Executor } from '../distributed/executor.js';
import type { CvFoldSharedWithSource, DatasetSource } from '../distributed/shared.js';
import { mergePool, planFolds, type FoldPlan, type SplitterName } from './cv/plan.js';
import { summarizeScores, type ScoreSummary } from './stats/intervals.js';

export type { CvSetup, FoldResult, FoldPredictions } from './cv/fold.js';
export type { FoldPlan, SplitterName } from './cv/plan.js';
export { SPLITTERS } from './cv/plan.js';

export interface CrossValidateOptions {
  /** a recipe name (see RECIPES); or give dataset + modelConfig/model + trainConfig */
  recipe?: string;
  /** the recipe's data folder or file (e.g. FSDD recordings) */
  data?: string;
  dataset?: Dataset;
  task?: TaskKind;
  modelConfig?: ModelConfig;
  /** overrides of the recipe's model shape (hidden, cell, ...) */
  model?: Partial<ModelShape>;
  /** the training config, or overrides of the recipe's (epochs, batchSize, ...) */
  trainConfig?: Partial<TrainConfig>;
  splitter?: SplitterName;
  folds?: number;
  repeats?: number;
  seed?: number;
  groupBy?: string;
  /** worker threads for the folds; 1 (default) runs them in this thread */
  parallel?: number;
  /** where the folds run (overrides `parallel`): a LocalExecutor or a RedisExecutor; not closed here */
  executor?: Executor;
  backend?: BackendName;
  /** return the trained model of every fold */
  keepModels?: boolean;
  confidenceLevel?: number;
  onProgress?: ProgressCallback;
  onWarning?: (message: string) => void;
  /** each fold as it finishes (in completion order), with how many have finished */
  onFold?: (fold: FoldResult, done: number, total: number) => void;
}

export interface PreparedCv {
  setup: CvSetup;
  splitter: SplitterName;
  plans: FoldPlan[];
  recipe?: string;
  /** set when the pool is a built-in recipe's data that a remote worker can rebuild by name */
  source?: DatasetSource;
  warnings: string[];
}

export interface OutOfFold {
  /** pool index of each row (a pool item appears once per repeat) */
  indices: Int32Array;
  repeat: Int32Array;
  /** classification: class labels; regression: true values, `width` per row */
  truth: Float64Array;
  /** classification: probabilities; regression: predicted values; `width` per row */
  outputs: Float64Array;
  width: number;
}

export interface CrossValidation {
  recipe?: string;
  task: TaskKind;
  splitter: SplitterName;
  backend: BackendName;
  modelConfig: ModelConfig;
  trainConfig: TrainConfig;
  poolSize: number;
  folds: FoldResult[];
  summary: Record<string, ScoreSummary>;
  oof?: OutOfFold;
  models?: SequenceModel[];
  warnings: string[];
  seconds: number;
}

/** Loads and pools the data, resolves model and training configs, and plans the folds. */
export function prepareCrossValidation(opts: CrossValidateOptions): PreparedCv {
  const warnings: string[] = [];
  const warn = (m: string): void => {
    warnings.push(m);
    opts.onWarning?.(m);
  };
  const seed = opts.seed ?? opts.trainConfig?.seed ?? 0;
  let dataset: Dataset;
  let task: TaskKind;
  let modelConfig: ModelConfig;
  let trainConfig: TrainConfig;
  if (opts.recipe !== undefined) {
    if (opts.dataset) throw new ArgumentError('crossValidate', 'dataset', 'either a recipe or a dataset, not both', 'both');
    const r = getRecipe(opts.recipe);
    const parts = r.load({ data: opts.data, seed, onProgress: opts.onProgress });
    dataset = mergePool([parts.train, parts.validation, parts.test], r.name);
    task = parts.task;
    modelConfig = opts.modelConfig ?? buildModelConfig({ ...r.model, ...(opts.model ?? {}) }, dataset, task);
    trainConfig = { ...r.train, ...(opts.trainConfig ?? {}), task, seed };
  } else {
    if (!opts.dataset) throw new ArgumentError('crossValidate', 'recipe', 'a recipe name, or a dataset with modelConfig and trainConfig', 'neither');
    dataset = opts.dataset;
    task = opts.task ?? opts.trainConfig?.task ?? taskOf(dataset);
    if (!opts.modelConfig) throw new ArgumentError('crossValidate', 'modelConfig', 'a model config (with a dataset)', 'nothing');
    modelConfig = opts.modelConfig;
    const tc = opts.trainConfig ?? {};
    if (tc.epochs === undefined || tc.batchSize === undefined) throw new ArgumentError('crossValidate', 'trainConfig', 'epochs and batchSize (with a dataset)', JSON.stringify(tc));
    trainConfig = { ...tc, task, seed } as TrainConfig;
  }
  if (task === 'tagging' || task === 'language-model') {
    warn(`crossValidate: a ${task} task keeps no out-of-fold predictions (only per-fold metrics)`);
  }
  const { splitter, folds } = planFolds(dataset, task, { splitter: opts.splitter, folds: opts.folds, repeats: opts.repeats, seed, groupBy: opts.groupBy, onWarning: warn });
  const setup: CvSetup = { dataset, task, modelConfig, trainConfig, backend: opts.backend ?? defaultBackendName() };
  // a recipe that a worker can rebuild from nothing is named; one that reads a data folder (fsdd)
  // travels as an artifact: the workers' machines need not have the folder, nor featurise it again
  const source = opts.recipe !== undefined && opts.data === undefined && !getRecipe(opts.recipe).needsData ? { recipe: opts.recipe, seed } : undefined;
  return { setup, splitter, plans: folds, recipe: opts.recipe, source, warnings };
}

/** Per metric over the folds: mean, sd and the corrected confidence interval. */
export function summarizeFolds(folds: readonly { metrics: Record<string, number>; train: ArrayLike<number>; test: ArrayLike<number> }[], confidenceLevel = 0.95, onWarning?: (m: string) => void): Record<string, ScoreSummary> {
  const nTrain = folds.reduce((s, f) => s + f.train.length, 0) / folds.length;
  const nTest = folds.reduce((s, f) => s + f.test.length, 0) / folds.length;
  const names = [...new Set(folds.flatMap((f) => Object.keys(f.metrics)))];
  const out: Record<string, ScoreSummary> = {};
  for (const name of names) {
    const values = folds.map((f) => f.metrics[name]).filter((v): v is number => v !== undefined && Number.isFinite(v));
    if (values.length < folds.length) onWarning?.(`crossValidate: metric '${name}' is defined in only ${values.length} of ${folds.length} folds; its summary uses those`);
    if (values.length < 2) {
      onWarning?.(`crossValidate: metric '${name}' has fewer than 2 finite fold values; no summary`);
      continue;
    }
    out[name] = summarizeScores(values, { confidenceLevel, overlap: { nTrain, nTest } });
  }
  return out;
}

function collectOof(folds: readonly FoldResult[]): OutOfFold | undefined {
  const withPred = folds.filter((f) => f.predictions);
  if (withPred.length === 0) return undefined;
  const width = withPred[0]!.predictions!.width;
  const n = withPred.reduce((s, f) => s + f.predictions!.indices.length, 0);
  const tw = withPred[0]!.predictions!.truth.length / withPred[0]!.predictions!.indices.length;
  const oof: OutOfFold = { indices: new Int32Array(n), repeat: new Int32Array(n), truth: new Float64Array(n * tw), outputs: new Float64Array(n * width), width };
  let at = 0;
  for (const f of withPred) {
    const p = f.predictions!;
    oof.indices.set(p.indices, at);
    oof.repeat.fill(f.repeat, at, at + p.indices.length);
    oof.truth.set(p.truth, at * tw);
    oof.outputs.set(p.outputs, at * width);
    at += p.indices.length;
  }
  return oof;
}

/** Trains and scores every planned fold (in this thread or in workers). */
export async function runCrossValidation(prep: PreparedCv, opts: Pick<CrossValidateOptions, 'parallel' | 'executor' | 'keepModels' | 'confidenceLevel' | 'onProgress' | 'onWarning' | 'onFold'> = {}): Promise<CrossValidation> {
  const { setup, plans } = prep;
  const warnings = [...prep.warnings];
  const warn = (m: string): void => {
    warnings.push(m);
    opts.onWarning?.(m);
  };
  const parallel = opts.parallel ?? 1;
  if (!Number.isInteger(parallel) || parallel < 1) throw new ArgumentError('crossValidate', 'parallel', 'an integer >= 1', String(parallel));
  const t0 = performance.now();
  // progress counts epochs over all folds; a fold that stops early counts as complete
  const epochs = setup.trainConfig.epochs;
  const total = plans.length * epochs;
  const epochDone = new Int32Array(plans.length);
  let foldsDone = 0;
  const report = (message: string): void => {
    let done = 0;
    for (const e of epochDone) done += e;
    opts.onProgress?.({ task: 'cv', done, total, message, values: { folds: `${foldsDone}/${plans.length}` } });
  };
  const onFoldProgress = (plan: FoldPlan, p: { task: string; done: number; total: number; values?: Record<string, number | string> }): void => {
    const m = /^epoch (\d+)\//.exec(p.task);
    if (!m || p.done < p.total) return;
    epochDone[plan.index] = Math.max(epochDone[plan.index]!, Number(m[1]));
    const loss = p.values?.loss;
    report(`fold ${plan.fold + 1}${prep.plans.some((q) => q.repeat > 0) ? ` (repeat ${plan.repeat + 1})` : ''}: epoch ${m[1]}/${epochs}${typeof loss === 'number' ? ` loss ${loss.toPrecision(4)}` : ''}`);
  };
  const onFoldDone = (r: FoldResult): void => {
    epochDone[r.index] = epochs;
    foldsDone++;
    report(`fold ${r.fold + 1} done`);
    opts.onFold?.(r, foldsDone, plans.length);
  };
  const keepWeights = opts.keepModels ?? false;
  const executor = opts.executor ?? new LocalExecutor(Math.min(parallel, plans.length));
  let folds: FoldResult[];
  try {
    const shared: CvFoldSharedWithSource = { setup, keepWeights, source: prep.source };
    folds = await executor.run<CvFoldSharedWithSource, FoldPlan, FoldResult>({
      kind: 'cv-fold',
      shared,
      items: plans,
      label: (i) => `fold ${plans[i]!.fold + 1}${plans[i]!.repeat > 0 ? ` of repeat ${plans[i]!.repeat + 1}` : ''}`,
      onProgress: (i, p) => onFoldProgress(plans[i]!, p),
      onDone: (_, r) => onFoldDone(r),
    });
  } finally {
    if (!opts.executor) await executor.close();
  }
  const summary = summarizeFolds(folds, opts.confidenceLevel, warn);
  if (Object.keys(summary).length === 0) throw new RnnlensError('crossValidate: no metric has finite values in at least 2 folds');
  const result: CrossValidation = {
    recipe: prep.recipe,
    task: setup.task,
    splitter: prep.splitter,
    backend: setup.backend,
    modelConfig: setup.modelConfig,
    trainConfig: setup.trainConfig,
    poolSize: setup.dataset.items.length,
    folds,
    summary,
    oof: collectOof(folds),
    warnings,
    seconds: (performance.now() - t0) / 1000,
  };
  if (keepWeights) {
    result.models = folds.map((f) => {
      const m = new SequenceModel(setup.modelConfig, { backend: setup.backend });
      m.parameters().forEach((p, i) => p.value.set(f.weights![i]!));
      return m;
    });
  }
  return result;
}

/** Plans and runs a cross-validation (see the options). */
export async function crossValidate(opts: CrossValidateOptions): Promise<CrossValidation> {
  const prep = prepareCrossValidation(opts);
  return runCrossValidation(prep, opts);
}
