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
import { Rng } from '../core/rng.js';
import { LocalExecutor, type Executor } from '../distributed/executor.js';
import { JobError } from '../distributed/pool.js';
import { buildModelConfig, getRecipe, type ModelShape } from '../train/recipes.js';
import type { TaskKind } from '../train/tasks.js';
import type { TrainConfig } from '../train/trainer.js';
import { prepareCrossValidation, runCrossValidation, type CrossValidateOptions, type CrossValidation, type PreparedCv } from './cv.js';

export type ParamValue = number | string | boolean;
/** One point of the search space: canonical parameter name → value. */
export type SweepPoint = Record<string, ParamValue>;

export interface ParamSpec {
  name: string;
  aliases: string[];
  /** 'int' and 'float' take lists and ranges; 'choice' only lists of its choices */
  type: 'int' | 'float' | 'choice';
  /** what the parameter sets: the training config, its optimiser, or the recipe's model shape */
  target: 'train' | 'optimizer' | 'early-stopping' | 'model';
  /** numeric bounds (inclusive unless the *Open flag is set) */
  min?: number;
  minOpen?: boolean;
  max?: number;
  maxOpen?: boolean;
  choices?: readonly ParamValue[];
  description: string;
}

/** Every parameter a sweep can vary. */
export const SWEEP_PARAMS: readonly ParamSpec[] = [
  { name: 'lr', aliases: ['learning-rate', 'learningRate'], type: 'float', target: 'optimizer', min: 0, minOpen: true, description: 'learning rate of the optimiser' },
  { name: 'weightDecay', aliases: ['weight-decay'], type: 'float', target: 'optimizer', min: 0, description: 'weight decay of the optimiser' },
  { name: 'epochs', aliases: [], type: 'int', target: 'train', min: 1, description: 'epochs per fold' },
  { name: 'batchSize', aliases: ['batch-size'], type: 'int', target: 'train', min: 1, description: 'batch size' },
  { name: 'clipNorm', aliases: ['clip-norm', 'clip'], type: 'float', target: 'train', min: 0, minOpen: true, description: 'gradient norm clipping' },
  { name: 'patience', aliases: [], type: 'int', target: 'early-stopping', min: 0, description: "early-stopping patience (recipes that stop early)" },
  { name: 'hidden', aliases: ['units'], type: 'int', target: 'model', min: 1, description: 'hidden units per recurrent layer' },
  { name: 'layers', aliases: [], type: 'int', target: 'model', min: 1, description: 'recurrent layers' },
  { name: 'embedding', aliases: [], type: 'int', target: 'model', min: 1, description: 'embedding size (token models)' },
  { name: 'dropout', aliases: [], type: 'float', target: 'model', min: 0, max: 1, maxOpen: true, description: 'dropout rate after each recurrent layer' },
  { name: 'cell', aliases: [], type: 'choice', target: 'model', choices: ['lstm', 'gru', 'rnn'], description: 'recurrent cell' },
  { name: 'bidirectional', aliases: [], type: 'choice', target: 'model', choices: [true, false], description: 'bidirectional recurrent layers' },
  { name: 'pool', aliases: [], type: 'choice', target: 'model', choices: ['last', 'mean', 'max'], description: 'how the sequence is pooled before the output layer' },
];

/** The known parameter names, with aliases, for messages. */
export function knownParams(): string {
  return SWEEP_PARAMS.map((p) => (p.aliases.length ? `${p.name} (${p.aliases.join(', ')})` : p.name)).join(', ');
}

export function findParam(name: string): ParamSpec | undefined {
  return SWEEP_PARAMS.find((p) => p.name === name || p.aliases.includes(name));
}

export type ParamDomain = { kind: 'list'; values: ParamValue[] } | { kind: 'range'; lo: number; hi: number; log: boolean };

export interface SweepParam {
  spec: ParamSpec;
  domain: ParamDomain;
  /** the text it was parsed from, e.g. "lr=0.001,0.01" */
  text: string;
}

/** Default largest number of points (grid size or trials). */
export const DEFAULT_MAX_POINTS = 500;

const WHERE = 'sweep';
const fail = (text: string, expected: string, received: string): never => {
  throw new RnnlensError(`${WHERE}: --param ${JSON.stringify(text)} expected ${expected}, received ${received}`);
};

function bounds(spec: ParamSpec): string {
  const parts: string[] = [];
  if (spec.min !== undefined) parts.push(`${spec.minOpen ? '>' : '>='} ${spec.min}`);
  if (spec.max !== undefined) parts.push(`${spec.maxOpen ? '<' : '<='} ${spec.max}`);
  return parts.join(' and ');
}

function inBounds(spec: ParamSpec, v: number): boolean {
  if (spec.min !== undefined && (spec.minOpen ? !(v > spec.min) : !(v >= spec.min))) return false;
  if (spec.max !== undefined && (spec.maxOpen ? !(v < spec.max) : !(v <= spec.max))) return false;
  return true;
}

function what(spec: ParamSpec): string {
  if (spec.type === 'choice') return `values of ${spec.name} among ${spec.choices!.map(String).join(', ')}`;
  const b = bounds(spec);
  return `${spec.type === 'int' ? 'integers' : 'numbers'}${b ? ` ${b}` : ''} for ${spec.name}`;
}

function parseNumber(text: string, spec: ParamSpec, token: string): number {
  const t = token.trim();
  const v = t === '' ? NaN : Number(t);
  if (!Number.isFinite(v) || (spec.type === 'int' && !Number.isInteger(v)) || !inBounds(spec, v)) fail(text, what(spec), JSON.stringify(token));
  return v;
}

/** Parses one `name=values` text (see the file comment). */
export function parseParam(text: string): SweepParam {
  if (typeof text !== 'string') throw new ArgumentError(WHERE, 'param', 'a string NAME=VALUES', String(text));
  const eq = text.indexOf('=');
  if (eq < 0) fail(text, 'NAME=VALUES (e.g. lr=0.001,0.01 or hidden=16,32 or epochs=2..6)', 'no "="');
  const name = text.slice(0, eq).trim();
  const body = text.slice(eq + 1).trim();
  const spec = findParam(name);
  if (!spec) throw new RnnlensError(`${WHERE}: --param ${JSON.stringify(text)} expected a parameter name among ${knownParams()}, received ${JSON.stringify(name)}`);
  if (body === '' || body.split(',').every((s) => s.trim() === '')) fail(text, `a non-empty list or range of ${what(spec)}`, 'an empty list');
  const range = /^(log:)?\s*([^,]*?)\s*\.\.\s*([^,]*)$/.exec(body);
  if (range) {
    if (spec.type === 'choice') fail(text, `a comma list of ${what(spec)} (no ranges)`, JSON.stringify(body));
    const log = range[1] !== undefined;
    const lo = parseNumber(text, spec, range[2]!);
    const hi = parseNumber(text, spec, range[3]!);
    if (!(lo < hi)) fail(text, 'a range lo..hi with lo < hi', `${lo}..${hi}`);
    if (log && !(lo > 0)) fail(text, 'a log range log:lo..hi with lo > 0', `${lo}..${hi}`);
    return { spec, domain: { kind: 'range', lo, hi, log }, text };
  }
  if (body.startsWith('log:')) fail(text, 'log:lo..hi (a range)', JSON.stringify(body));
  const tokens = body.split(',');
  const values: ParamValue[] = tokens.map((token) => {
    if (token.trim() === '') fail(text, `a comma list without empty entries of ${what(spec)}`, JSON.stringify(body));
    if (spec.type !== 'choice') return parseNumber(text, spec, token);
    const t = token.trim();
    const v = spec.choices!.find((c) => String(c) === t);
    if (v === undefined) fail(text, what(spec), JSON.stringify(t));
    return v!;
  });
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(String(v))) fail(text, 'distinct values', `${JSON.stringify(String(v))} twice`);
    seen.add(String(v));
  }
  return { spec, domain: { kind: 'list', values }, text };
}

/** Parses every `--param` text; each parameter at most once, at least one parameter. */
export function parseSearchSpace(texts: readonly (string | SweepParam)[]): SweepParam[] {
  if (!texts || texts.length === 0) throw new RnnlensError(`${WHERE}: --param expected at least one NAME=VALUES (parameters: ${knownParams()}), received none`);
  const space = texts.map((t) => (typeof t === 'string' ? parseParam(t) : t));
  const names = new Map<string, string>();
  for (const p of space) {
    const before = names.get(p.spec.name);
    if (before !== undefined) throw new RnnlensError(`${WHERE}: --param expected each parameter once, received ${p.spec.name} twice (${JSON.stringify(before)} and ${JSON.stringify(p.text)})`);
    names.set(p.spec.name, p.text);
  }
  return space;
}

/** The values a grid takes for a parameter (integer ranges expand to every integer). */
function gridValues(p: SweepParam, maxPoints: number): ParamValue[] {
  const d = p.domain;
  if (d.kind === 'list') return d.values;
  if (p.spec.type !== 'int' || d.log) {
    const why = p.spec.type === 'int' ? 'log ranges need --search random; an integer range lo..hi expands to every integer' : `ranges of ${p.spec.name} need --search random`;
    throw new RnnlensError(`${WHERE}: --param ${JSON.stringify(p.text)} expected a comma list for --search grid (${why}), received a ${d.log ? 'log ' : ''}range`);
  }
  const n = d.hi - d.lo + 1;
  if (n > maxPoints) throw new RnnlensError(`${WHERE}: --param ${JSON.stringify(p.text)} expands to ${n} values, more than the limit of ${maxPoints} points`);
  return Array.from({ length: n }, (_, i) => d.lo + i);
}

/** The cartesian product, the first parameter varying slowest; refuses more than `maxPoints`. */
export function gridPoints(space: readonly SweepParam[], maxPoints = DEFAULT_MAX_POINTS): SweepPoint[] {
  const lists = space.map((p) => gridValues(p, maxPoints));
  const total = lists.reduce((a, l) => a * l.length, 1);
  if (total > maxPoints) {
    const sizes = space.map((p, i) => `${p.spec.name} ${lists[i]!.length}`).join(' × ');
    throw new RnnlensError(`${WHERE}: the grid expected at most ${maxPoints} points (--max-points), received ${total} (${sizes}); shorten the lists or use --search random --trials N`);
  }
  let points: SweepPoint[] = [{}];
  space.forEach((p, i) => {
    points = points.flatMap((pt) => lists[i]!.map((v) => ({ ...pt, [p.spec.name]: v })));
  });
  return points;
}

const round4 = (v: number): number => Number(v.toPrecision(4));

function draw(p: SweepParam, rng: Rng): ParamValue {
  const d = p.domain;
  if (d.kind === 'list') return d.values[rng.int(d.values.length)]!;
  if (p.spec.type === 'int') {
    if (!d.log) {
      const lo = Math.ceil(d.lo);
      const hi = Math.floor(d.hi);
      return lo + rng.int(hi - lo + 1);
    }
    const v = Math.round(Math.exp(rng.uniform(Math.log(d.lo), Math.log(d.hi))));
    return Math.min(Math.floor(d.hi), Math.max(Math.ceil(d.lo), v));
  }
  const raw = d.log ? Math.exp(rng.uniform(Math.log(d.lo), Math.log(d.hi))) : rng.uniform(d.lo, d.hi);
  let v = Math.min(d.hi, Math.max(d.lo, round4(raw)));
  // an open bound (e.g. dropout < 1) may be reached by rounding: keep the unrounded draw then
  if (!inBounds(p.spec, v)) v = raw;
  return v;
}

const pointKey = (pt: SweepPoint): string => JSON.stringify(Object.entries(pt));

/**
 * `trials` points drawn with an Rng seeded by `seed` (parameters in the order given, point after
 * point); repeats are drawn again, up to a bound, so a small discrete space may give fewer.
 */
export function randomPoints(space: readonly SweepParam[], trials: number, seed: number, opts: { maxPoints?: number; onWarning?: (m: string) => void } = {}): SweepPoint[] {
  const maxPoints = opts.maxPoints ?? DEFAULT_MAX_POINTS;
  if (!Number.isInteger(trials) || trials < 1 || trials > maxPoints) throw new RnnlensError(`${WHERE}: --trials expected an integer in [1, ${maxPoints}], received ${trials}`);
  if (!Number.isFinite(seed)) throw new RnnlensError(`${WHERE}: --seed expected an integer, received ${seed}`);
  const rng = new Rng(seed);
  const seen = new Set<string>();
  const out: SweepPoint[] = [];
  for (let attempt = 0; out.length < trials && attempt < trials * 50; attempt++) {
    const pt: SweepPoint = {};
    for (const p of space) pt[p.spec.name] = draw(p, rng);
    const key = pointKey(pt);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(pt);
  }
  if (out.length < trials) opts.onWarning?.(`sweep: the search space gave only ${out.length} distinct points of the ${trials} trials asked for`);
  return out;
}

/** Metrics that are better when lower. */
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
