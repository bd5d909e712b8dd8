/**
 * Hyperparameter sweeps: grid or random search over training and model options, every point
 * scored by a cross-validation on the SAME folds (one plan, made once from the seed), so points
 * differ only in their settings. A point's score is the mean of one metric over the folds, with
 * the Nadeau–Bengio corrected interval of the cross-validation summary.
 *
 * Search space: `name=values` texts (the CLI's `--param`), e.g. `lr=0.001,0.003,0.01`,
 * `hidden=16,32`, `epochs=2..6` (an integer range: every integer in a grid, a uniform integer
 * draw in random search), `lr=log:1e-4..1e-2` (log-uniform, random search only), `dropout=0..0.5`
 * (uniform, random search only), `cell=lstm,gru`. Integer parameters round.
 *
 * Random search draws `trials` points from an Rng seeded with the sweep's seed (so a seed gives the
 * same points); float draws are rounded to 4 significant digits so that the reported setting is
 * exactly the one that ran. Repeated points are drawn again (a small discrete space may give fewer
 * distinct points than asked for; then a warning says so).
 *
 * All folds of all points go through one executor (local threads or Redis workers), point after
 * point. A point whose folds fail (a job that threw, e.g. training diverged at a large learning
 * rate) is kept as a failed point, ranked last; if every point fails the sweep fails. Errors of
 * the machinery (a lost Redis connection, a crashed thread) stop the sweep.
 */
import { ArgumentError, RnnlensError } from '../core/errors.js';
import type { ProgressCallback } from '../core/progress.js';
import { LocalExecutor, type Executor } from '../distributed/executor.js';
import { JobError } from '../distributed/pool.js';
import { buildModelConfig, getRecipe, type ModelShape } from '../train/recipes.js';
import type { TaskKind } from '../train/tasks.js';
import type { TrainConfig } from '../train/trainer.js';
import { prepareCrossValidation, runCrossValidation, type CrossValidateOptions, type CrossValidation, type PreparedCv } from './cv.js';
import { DEFAULT_MAX_POINTS, findParam, gridPoints, knownParams, parseSearchSpace, randomPoints, type ParamValue, type SweepParam, type SweepPoint } from './sweep-space.js';
export * from './sweep-space.js';

const WHERE = 'sweep';

export const LOWER_IS_BETTER = /^(loss|logLoss|rmse|mae|mape|brier|bpc|perplexity)$/;

/** Metrics a cross-validation reports per task (rocAuc only when defined). */
export const TASK_METRICS: Record<TaskKind, readonly string[]> = {
  classification: ['accuracy', 'balancedAccuracy', 'f1', 'f1Weighted', 'precision', 'recall', 'logLoss', 'rocAuc', 'loss'],
  regression: ['rmse', 'mae', 'r2', 'loss'],
  tagging: ['stepAccuracy', 'loss'],
  'language-model': ['bpc', 'perplexity', 'stepAccuracy', 'loss'],
};

/** The task's main metric: accuracy, rmse, stepAccuracy or bpc. */
export function defaultMetric(task: TaskKind): string {
  return TASK_METRICS[task][0]!;
}

export type Direction = 'max' | 'min';

export function metricDirection(metric: string): Direction {
  return LOWER_IS_BETTER.test(metric) ? 'min' : 'max';
}

/** The model shape a recipe-based cross-validation was built from (recipe model + overrides). */
function baseShape(prep: PreparedCv, model: Partial<ModelShape> | undefined): ModelShape | undefined {
  if (prep.recipe === undefined) return undefined;
  const shape = { ...getRecipe(prep.recipe).model, ...(model ?? {}) };
  // only usable if it gives the prepared model config (it does unless a modelConfig was passed)
  const same = JSON.stringify(buildModelConfig(shape, prep.setup.dataset, prep.setup.task)) === JSON.stringify(prep.setup.modelConfig);
  return same ? shape : undefined;
}

/** Checks the space against the prepared data and configs (before any training). */
export function checkSpace(space: readonly SweepParam[], prep: PreparedCv, model?: Partial<ModelShape>): void {
  const shape = baseShape(prep, model);
  for (const p of space) {
    if (p.spec.target === 'model' && !shape) {
      throw new RnnlensError(`${WHERE}: --param ${JSON.stringify(p.text)} expected a recipe whose model shape is known (model parameters rebuild the recipe's model), received ${prep.recipe === undefined ? 'a dataset with a model config' : 'a model config that is not the recipe\'s shape (pass the same `model` overrides)'}`);
    }
    if (p.spec.name === 'embedding' && prep.setup.dataset.input !== 'tokens') {
      throw new RnnlensError(`${WHERE}: --param ${JSON.stringify(p.text)} expected a token model (embedding size), received ${prep.recipe ?? 'a dataset'} with numeric inputs`);
    }
    if (p.spec.target === 'early-stopping' && !prep.setup.trainConfig.earlyStopping) {
      throw new RnnlensError(`${WHERE}: --param ${JSON.stringify(p.text)} expected a training config with early stopping, received ${prep.recipe ?? 'a dataset'} without (no patience to vary)`);
    }
  }
}

/** The prepared cross-validation of one point: same data and folds, the point's configs. */
export function preparePoint(prep: PreparedCv, point: SweepPoint, model?: Partial<ModelShape>): PreparedCv {
  const tc: TrainConfig = { ...prep.setup.trainConfig };
  const shapeOverrides: Record<string, ParamValue> = {};
  for (const [name, value] of Object.entries(point)) {
    const spec = findParam(name);
    if (!spec) throw new ArgumentError(WHERE, 'point', `parameters among ${knownParams()}`, JSON.stringify(name));
    switch (spec.target) {
      case 'optimizer':
        tc.optimizer = { ...(tc.optimizer ?? { type: 'adam' }), [spec.name]: value };
        break;
      case 'train':
        (tc as unknown as Record<string, ParamValue>)[spec.name] = value;
        break;
      case 'early-stopping':
        if (!tc.earlyStopping) throw new RnnlensError(`${WHERE}: ${spec.name} expected a training config with early stopping, received none`);
        tc.earlyStopping = { ...tc.earlyStopping, patience: value as number };
        break;
      case 'model':
        shapeOverrides[spec.name] = value;
        break;
    }
  }
  let modelConfig = prep.setup.modelConfig;
  if (Object.keys(shapeOverrides).length > 0) {
    const shape = baseShape(prep, model);
    if (!shape) throw new RnnlensError(`${WHERE}: model parameters (${Object.keys(shapeOverrides).join(', ')}) expected a recipe whose model shape is known, received ${prep.recipe ?? 'a dataset with a model config'}`);
    modelConfig = buildModelConfig({ ...shape, ...shapeOverrides } as ModelShape, prep.setup.dataset, prep.setup.task);
  }
  return { ...prep, setup: { ...prep.setup, trainConfig: tc, modelConfig } };
}

export interface SweepOptions {
  /** `name=values` texts or parsed parameters */
  params: readonly (string | SweepParam)[];
  search?: 'grid' | 'random';
  /** random search: number of points (default 20) */
  trials?: number;
  /** seed of the random search (default 0; the CLI passes --seed, which also seeds the folds) */
  seed?: number;
  /** default: the task's main metric (accuracy, rmse, stepAccuracy, bpc) */
  metric?: string;
  /** default: 'min' for loss-like metrics (loss, logLoss, rmse, mae, bpc, perplexity, ...), else 'max' */
  direction?: Direction;
  maxPoints?: number;
  /** the model-shape overrides the cross-validation was prepared with (recipe model + these) */
  model?: Partial<ModelShape>;
  /** where every fold of every point runs; not closed here */
  executor?: Executor;
  /** local threads when no executor is given */
  parallel?: number;
  confidenceLevel?: number;
  /** keep each point's full CrossValidation in `cv` */
  keepCv?: boolean;
  onProgress?: ProgressCallback;
  onWarning?: (message: string) => void;
  /** called after each point with its result */
  onPoint?: (result: SweepPointResult, done: number, total: number) => void;
}

export interface SweepPointResult {
  /** position in the generated order (grid order, or draw order) */
  index: number;
  params: SweepPoint;
  status: 'finished' | 'failed';
  /** mean of the metric over the folds (null when the point failed or the metric is undefined) */
  mean: number | null;
  sd: number | null;
  ci: [number, number] | null;
  /** the metric per fold */
  scores: number[];
  /** every metric's summary */
  summary: Record<string, { mean: number; sd: number; ci: [number, number] }>;
  seconds: number;
  error?: string;
  cv?: CrossValidation;
}

export interface SweepResult {
  recipe?: string;
  task: TaskKind;
  search: 'grid' | 'random';
  metric: string;
  direction: Direction;
  space: { name: string; text: string }[];
  folds: number;
  splitter: string;
  poolSize: number;
  /** best first (failed points last) */
  points: SweepPointResult[];
  best: SweepPointResult | null;
  warnings: string[];
  seconds: number;
}

/** The points of a search (grid or random) for a parsed space. */
export function generatePoints(space: readonly SweepParam[], opts: Pick<SweepOptions, 'search' | 'trials' | 'seed' | 'maxPoints' | 'onWarning'> = {}): SweepPoint[] {
  const search = opts.search ?? 'grid';
  if (search !== 'grid' && search !== 'random') throw new RnnlensError(`${WHERE}: --search expected grid or random, received ${JSON.stringify(search)}`);
  const maxPoints = opts.maxPoints ?? DEFAULT_MAX_POINTS;
  if (search === 'grid') {
    if (opts.trials !== undefined) throw new RnnlensError(`${WHERE}: --trials expected only with --search random, received --trials ${opts.trials} with --search grid`);
    return gridPoints(space, maxPoints);
  }
  return randomPoints(space, opts.trials ?? 20, opts.seed ?? 0, { maxPoints, onWarning: opts.onWarning });
}

/** Compares two finished points by the direction; failed (null) points sort last, ties by index. */
export function rankPoints(points: readonly SweepPointResult[], direction: Direction): SweepPointResult[] {
  return [...points].sort((a, b) => {
    const am = a.mean ?? NaN;
    const bm = b.mean ?? NaN;
    const af = Number.isFinite(am);
    const bf = Number.isFinite(bm);
    if (af !== bf) return af ? -1 : 1;
    if (af && am !== bm) return direction === 'max' ? bm - am : am - bm;
    return a.index - b.index;
  });
}

/**
 * Does the error belong to the point (its folds' training failed, e.g. diverged), so the sweep can
 * go on, rather than to the machinery (a lost Redis connection, a crashed thread), which stops it?
 */
function isPointError(err: unknown, executor: Executor): err is RnnlensError {
  if (err instanceof JobError) return err.userError;
  if (!(err instanceof RnnlensError)) return false;
  if (/ failed on a worker: /.test(err.message)) return true;
  return executor instanceof LocalExecutor;
}

/** Runs the sweep on a prepared cross-validation (its data and folds are shared by every point). */
export async function runSweep(prep: PreparedCv, opts: SweepOptions): Promise<SweepResult> {
  const t0 = performance.now();
  const warnings: string[] = [];
  const warn = (m: string): void => {
    warnings.push(m);
    opts.onWarning?.(m);
  };
  const space = parseSearchSpace(opts.params);
  checkSpace(space, prep, opts.model);
  const task = prep.setup.task;
  const metric = opts.metric ?? defaultMetric(task);
  if (!TASK_METRICS[task].includes(metric)) throw new RnnlensError(`${WHERE}: --metric expected one of ${TASK_METRICS[task].join(', ')} (a ${task} task), received ${JSON.stringify(metric)}`);
  const direction = opts.direction ?? metricDirection(metric);
  if (direction !== 'max' && direction !== 'min') throw new RnnlensError(`${WHERE}: --direction expected max or min, received ${JSON.stringify(direction)}`);
  const seed = opts.seed ?? 0;
  const points = generatePoints(space, { search: opts.search, trials: opts.trials, seed, maxPoints: opts.maxPoints, onWarning: warn });
  const preps = points.map((pt) => preparePoint(prep, pt, opts.model));

  // progress in epochs over every fold of every point
  const foldEpochs = preps.map((p) => p.plans.length * p.setup.trainConfig.epochs);
  const total = foldEpochs.reduce((a, b) => a + b, 0);
  const progressOf = new Float64Array(points.length);
  let pointsDone = 0;
  const label = (pt: SweepPoint): string => Object.entries(pt).map(([k, v]) => `${k}=${v}`).join(' ');
  const report = (message: string): void => {
    let done = 0;
    for (const d of progressOf) done += d;
    opts.onProgress?.({ task: 'sweep', done, total, message, values: { points: `${pointsDone}/${points.length}` } });
  };

  const parallel = opts.parallel ?? 1;
  const executor = opts.executor ?? new LocalExecutor(Math.max(1, parallel));
  // Points run a few at a time so that every worker has a fold to train: on this machine as many
  // as fill the threads, on Redis up to 16 points' folds are queued at once (any number of workers
  // take them). Results are placed by point, so the order of completion changes nothing.
  const folds = Math.max(1, prep.plans.length);
  const threads = executor instanceof LocalExecutor ? executor.threads : 0;
  const window = threads > 0 ? Math.max(1, Math.ceil(threads / folds)) : Math.min(16, points.length);
  const results: SweepPointResult[] = new Array(points.length);
  const runPoint = async (i: number): Promise<void> => {
    const pt = points[i]!;
    const head = `point ${i + 1}/${points.length} (${label(pt)})`;
    report(head);
    const t1 = performance.now();
    let r: SweepPointResult;
    try {
      const cv = await runCrossValidation(preps[i]!, {
        executor,
        confidenceLevel: opts.confidenceLevel,
        onWarning: warn,
        onProgress: (p) => {
          progressOf[i] = Math.min(p.done, foldEpochs[i]!);
          report(`${head}: ${p.message ?? ''}`);
        },
      });
      const s = cv.summary[metric];
      const scores = cv.folds.map((f) => f.metrics[metric]).filter((v): v is number => v !== undefined && Number.isFinite(v));
      if (!s) warn(`sweep: point ${i + 1} (${label(pt)}) has no summary of '${metric}' (fewer than 2 folds with a finite value); ranked last`);
      r = {
        index: i,
        params: pt,
        status: 'finished',
        mean: s ? s.mean : null,
        sd: s ? s.sd : null,
        ci: s ? [s.ci[0], s.ci[1]] : null,
        scores,
        summary: Object.fromEntries(Object.entries(cv.summary).map(([k, v]) => [k, { mean: v.mean, sd: v.sd, ci: [v.ci[0], v.ci[1]] as [number, number] }])),
        seconds: cv.seconds,
      };
      if (opts.keepCv) r.cv = cv;
    } catch (err) {
      if (!isPointError(err, executor)) throw err;
      warn(`sweep: point ${i + 1} (${label(pt)}) failed: ${err.message}`);
      r = { index: i, params: pt, status: 'failed', mean: null, sd: null, ci: null, scores: [], summary: {}, seconds: (performance.now() - t1) / 1000, error: err.message };
    }
    results[i] = r;
    progressOf[i] = foldEpochs[i]!;
    pointsDone++;
    report(`point ${i + 1}/${points.length} done`);
    opts.onPoint?.(r, pointsDone, points.length);
  };
  try {
    let next = 0;
    let stop: unknown;
    const lane = async (): Promise<void> => {
      while (next < points.length && stop === undefined) {
        const i = next++;
        try {
          await runPoint(i);
        } catch (e) {
          stop ??= e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(window, points.length) }, lane));
    if (stop !== undefined) throw stop;
  } finally {
    if (!opts.executor) await executor.close();
  }
  if (results.every((r) => r.status === 'failed')) throw new RnnlensError(`sweep: every point failed; the first: ${results[0]!.error}`);
  const ranked = rankPoints(results, direction);
  const best = ranked[0] && ranked[0].mean !== null && Number.isFinite(ranked[0].mean) ? ranked[0] : null;
  return {
    recipe: prep.recipe,
    task,
    search: opts.search ?? 'grid',
    metric,
    direction,
    space: space.map((p) => ({ name: p.spec.name, text: p.text })),
    folds: prep.plans.length,
    splitter: prep.splitter,
    poolSize: prep.setup.dataset.items.length,
    points: ranked,
    best,
    warnings,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Prepares the cross-validation (data loaded once, folds planned once) and runs the sweep. */
export async function sweep(opts: CrossValidateOptions & Omit<SweepOptions, 'model'>): Promise<SweepResult> {
  const prep = prepareCrossValidation(opts);
  return runSweep(prep, opts);
}
