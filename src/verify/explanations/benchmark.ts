/**
 * The ground-truth benchmark (Ismail et al. 2020, plus the token motif task): train a model per
 * dataset, explain its test set with every method, with and without Temporal Saliency Rescaling,
 * and score each map against the known truth (AUP, AUR, AUPR at the step and feature level),
 * by deletion AUC, by the accuracy drop when the top 20 % are masked, and by the sanity checks
 * (cascading weight randomisation; data randomisation against one model per dataset trained on
 * permuted labels). Every dataset also gets a `random` row (a fresh Gaussian map per call):
 * the reference point that any method worth using must beat.
 *
 * Defaults (chosen so the whole run takes minutes on 2 cores): the methods that apply except
 * kernel-shap on numeric series (minutes per sequence at 200 elements) and noise-tunnel (the same
 * as smoothgrad); TSR over the gradient and propagation methods (TSR multiplies a method's cost by
 * about 1 + T + 0.45·T·F, too much for the sampling methods).
 */
import { ArgumentError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { attribute, getMethod, listMethods, registerMethod } from '../../explain/attribute.js';
import { tsrMethod } from '../../explain/tsr.js';
import { deepliftMethod } from '../../explain/deeplift/deeplift.js';
import { lrpMethod } from '../../explain/lrp/lrp.js';
import type { AttributeOptions, AttributionMap } from '../../explain/types.js';
import type { ModelInput, SequenceModel } from '../../nn/model.js';
import {
  DEFAULT_BENCHMARK_DATASETS,
  prepareTask,
  type BenchmarkTask,
  type BenchmarkTaskOptions,
} from './benchmark-data.js';
import { faithfulness } from './faithfulness.js';
import { accuracyDrop, groundTruthScores, type TruthScores } from './groundtruth.js';
import {
  cascadingRandomisation,
  compareWithRandomised,
  trainOnPermutedLabels,
  type Explainer,
} from './sanity.js';
import { featuresOf } from './perturb.js';
import type { Executor } from '../../distributed/executor.js';

export const RANDOM_METHOD = 'random';
export const TSR_SUFFIX = '+tsr';

/** Methods the benchmark needs registered (idempotent: the explain module may already have). */
export function ensureMethods(): void {
  const have = new Set(listMethods());
  for (const m of [tsrMethod, deepliftMethod, lrpMethod]) if (!have.has(m.name)) registerMethod(m);
}

/** Per-method settings that keep the benchmark affordable (documented in the README table). */
const METHOD_OPTIONS: Record<string, Partial<AttributeOptions>> = {
  'shapley-sampling': { permutations: 10 },
  'kernel-shap': { samples: 200 },
  lime: { samples: 200 },
};
/** Cheaper inner settings under TSR, which runs the method ~100 times per sequence. */
const TSR_INNER_OPTIONS: Record<string, Partial<AttributeOptions>> = {
  'integrated-gradients': { steps: 16 },
};

export interface BenchmarkOptions extends BenchmarkTaskOptions {
  /** Dataset names (see benchmark-data.ts); default every Ismail layout (gaussian) and motif. */
  datasets?: readonly string[];
  /** Method names; default every applicable method (see above). 'random' is always added. */
  methods?: readonly string[];
  /** Add a TSR row for each method that TSR wraps by default; default true. */
  tsr?: boolean;
  /** Wrap every method in TSR, not only gradient and propagation methods; default false. */
  tsrAll?: boolean;
  /** Sequences in the cascading randomisation check; default 8. */
  sanitySequences?: number;
  onProgress?: (p: { done: number; total: number; message?: string }) => void;
  /** Run one job per dataset on this executor (threads or Redis workers); default this thread. */
  executor?: Executor;
}

export interface BenchmarkRow {
  dataset: string;
  method: string;
  tsr: boolean;
  /** Feature level (step × feature cells) for numeric series, step level for tokens. */
  aup: number;
  aur: number;
  aupr: number;
  steps: TruthScores;
  features: TruthScores;
  /** Deletion AUC over steps (lower = more faithful) and the random ordering's. */
  deletionAuc: number;
  deletionRandomAuc: number;
  /** Accuracy drop with the top 20 % elements masked, and with a random 20 %. */
  accuracyDrop20: number;
  randomAccuracyDrop20: number;
  /** Spearman of |maps| before and after randomising all weights (|ρ| <= 0.5 passes). */
  sanityRho: number;
  /** The same against a model trained on permuted labels (data randomisation). */
  dataSanityRho: number;
  seconds: number;
}

export interface BenchmarkDatasetInfo {
  name: string;
  testAccuracy: number;
  trainSeconds: number;
  testSize: number;
}

export interface BenchmarkResult {
  results: BenchmarkRow[];
  datasets: BenchmarkDatasetInfo[];
  settings: Record<string, unknown>;
  seconds: number;
}

/** The methods run by default on a model with the given input kind. */
export function defaultMethods(kind: 'numeric' | 'tokens'): string[] {
  ensureMethods();
  return listMethods().filter((name) => {
    const m = getMethod(name);
    if (name === 'noise-tunnel' || name === 'tsr' || !m.inputKinds.includes(kind)) return false;
    return !(name === 'kernel-shap' && kind === 'numeric');
  });
}

/** A Gaussian map with fresh values at every call (valid steps only). */
export function randomExplainer(seed: number): Explainer {
  const rng = new Rng(seed);
  return (_model, x) => {
    const F = featuresOf(x);
    const data = new Float64Array(x.batch * x.steps * F);
    for (let b = 0; b < x.batch; b++)
      for (let i = 0; i < x.lengths[b]! * F; i++) data[b * x.steps * F + i] = rng.normal();
    return { data, batch: x.batch, steps: x.steps, features: F, lengths: x.lengths };
  };
}

function methodExplainer(
  method: string,
  withTsr: boolean,
  seed: number,
): (labels: number[]) => Explainer {
  const base = { ...(METHOD_OPTIONS[method] ?? {}), seed };
  const options: Partial<AttributeOptions> & { method: string } = withTsr
    ? { ...base, ...(TSR_INNER_OPTIONS[method] ?? {}), method: 'tsr', inner: method }
    : { ...base, method };
  return (labels) => (model, x) =>
    attribute(model, x, { ...options, target: labels.slice(0, x.batch) }).attributions;
}

function firstSequences(x: ModelInput, n: number): ModelInput {
  const k = Math.min(n, x.batch);
  if ('ids' in x)
    return {
      ...x,
      batch: k,
      ids: x.ids.subarray(0, k * x.steps),
      lengths: x.lengths.subarray(0, k),
    };
  return {
    ...x,
    batch: k,
    data: x.data.subarray(0, k * x.steps * x.features),
    lengths: x.lengths.subarray(0, k),
  };
}

/** Scores one explainer on one task. */
export function scoreMethod(
  task: BenchmarkTask,
  method: string,
  tsr: boolean,
  explain: Explainer,
  sanitySequences: number,
  permuted?: SequenceModel,
): BenchmarkRow {
  const t0 = performance.now();
  const { model, input, labels, truth } = task;
  const map: AttributionMap = explain(model, input);
  const steps = groundTruthScores(map, truth, 'steps');
  const features = groundTruthScores(map, truth, 'features');
  const primary = map.features === 1 ? steps : features;
  const f = faithfulness(model, input, map, { target: labels, abs: true, randomRepeats: 2 });
  const drop = accuracyDrop(model, input, labels, map, { fractions: [0.2], randomRepeats: 2 });
  const few = firstSequences(input, sanitySequences);
  const sanity = cascadingRandomisation(model, few, explain);
  const data = permuted ? compareWithRandomised(model, permuted, few, explain).rho : NaN;
  return {
    dataset: task.name,
    method: tsr ? `${method}${TSR_SUFFIX}` : method,
    tsr,
    aup: primary.aup,
    aur: primary.aur,
    aupr: primary.aupr,
    steps,
    features,
    deletionAuc: f.deletion.auc.value,
    deletionRandomAuc: f.deletion.auc.random,
    accuracyDrop20: drop.drop[0]!,
    randomAccuracyDrop20: drop.randomDrop[0]!,
    sanityRho: sanity.rho,
    dataSanityRho: data,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** The (method, TSR) scorings of one dataset, in the order the rows are reported. */
export function datasetJobs(
  dataset: string,
  opts: BenchmarkOptions,
): { method: string; tsr: boolean }[] {
  const kind = dataset === 'motif' ? 'tokens' : 'numeric';
  const methods = (opts.methods ?? defaultMethods(kind)).filter((m) => m !== RANDOM_METHOD);
  const jobs = [{ method: RANDOM_METHOD, tsr: false }];
  for (const m of methods) {
    if (!getMethod(m).inputKinds.includes(kind)) continue;
    jobs.push({ method: m, tsr: false });
    const fam = getMethod(m).family;
    if ((opts.tsr ?? true) && (opts.tsrAll || fam === 'gradient' || fam === 'propagation'))
      jobs.push({ method: m, tsr: true });
  }
  return jobs;
}

/** What one dataset contributes: its training facts and one row per (method, TSR). */
export interface BenchmarkDatasetResult {
  info: BenchmarkDatasetInfo;
  rows: BenchmarkRow[];
}

/** The options of a benchmark as plain data (what an executor's job carries). */
export type BenchmarkJobOptions = Omit<BenchmarkOptions, 'onProgress' | 'executor' | 'datasets'>;

/**
 * One dataset of the benchmark: train its model (and the permuted-label model of the data check),
 * then score every method. Depends only on the dataset name and the options, so a dataset gives the
 * same rows wherever it runs.
 */
export async function runBenchmarkDataset(
  dataset: string,
  opts: BenchmarkJobOptions,
  onStep?: (message: string) => void,
): Promise<BenchmarkDatasetResult> {
  ensureMethods();
  const seed = opts.seed ?? 0;
  const sanityN = opts.sanitySequences ?? 8;
  const jobs = datasetJobs(dataset, opts);
  const task = await prepareTask(dataset, opts);
  const info = {
    name: task.name,
    testAccuracy: task.testAccuracy,
    trainSeconds: task.trainSeconds,
    testSize: task.labels.length,
  };
  // One model trained on permuted labels per dataset, shared by every method's data check.
  const permuted = await trainOnPermutedLabels(task.model, task.train, task.trainConfig, seed);
  onStep?.(`${dataset}: trained (test accuracy ${task.testAccuracy.toFixed(3)})`);
  const rows: BenchmarkRow[] = [];
  for (const job of jobs) {
    const explain =
      job.method === RANDOM_METHOD
        ? randomExplainer(seed + 17)
        : methodExplainer(job.method, job.tsr, seed)(task.labels);
    rows.push(scoreMethod(task, job.method, job.tsr, explain, sanityN, permuted));
    onStep?.(`${dataset}: ${job.method}${job.tsr ? TSR_SUFFIX : ''}`);
  }
  return { info, rows };
}

/**
 * Runs the whole benchmark: in this thread, or with `executor` one `explain-bench-dataset` job per
 * dataset (local threads or Redis workers), with the same rows either way.
 */
export async function runBenchmark(opts: BenchmarkOptions = {}): Promise<BenchmarkResult> {
  ensureMethods();
  const t0 = performance.now();
  const datasets = opts.datasets ?? DEFAULT_BENCHMARK_DATASETS;
  if (datasets.length === 0)
    throw new ArgumentError('runBenchmark', 'datasets', 'at least one dataset', 'none');
  for (const m of opts.methods ?? []) if (m !== RANDOM_METHOD) getMethod(m);
  const sanityN = opts.sanitySequences ?? 8;
  const { onProgress, executor, datasets: _d, ...jobOpts } = opts;
  // Work units: one training per dataset, one scoring per (dataset, method, tsr).
  const perDataset = datasets.map((d) => 1 + datasetJobs(d, opts).length);
  const total = perDataset.reduce((s, n) => s + n, 0);
  let parts: BenchmarkDatasetResult[];
  if (!executor) {
    let done = 0;
    parts = [];
    for (const d of datasets)
      parts.push(
        await runBenchmarkDataset(d, jobOpts, (message) =>
          onProgress?.({ done: ++done, total, message }),
        ),
      );
  } else {
    const doneOf = perDataset.map(() => 0);
    parts = await executor.run<BenchmarkJobOptions, string, BenchmarkDatasetResult>({
      kind: 'explain-bench-dataset',
      shared: jobOpts,
      items: datasets,
      label: (i) => `dataset ${datasets[i]}`,
      onProgress: (i, p) => {
        doneOf[i] = Math.min(perDataset[i]!, p.done);
        onProgress?.({ done: doneOf.reduce((s, n) => s + n, 0), total, message: p.message });
      },
      onDone: (i) => {
        doneOf[i] = perDataset[i]!;
        onProgress?.({
          done: doneOf.reduce((s, n) => s + n, 0),
          total,
          message: `${datasets[i]}: done`,
        });
      },
    });
  }
  return {
    results: parts.flatMap((p) => p.rows),
    datasets: parts.map((p) => p.info),
    settings: {
      ...jobOpts,
      datasets,
      sanitySequences: sanityN,
      ...(executor ? { executor: executor.name } : {}),
    },
    seconds: (performance.now() - t0) / 1000,
  };
}
