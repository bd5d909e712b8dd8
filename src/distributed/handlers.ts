/**
 * What each kind of job does, as a function of plain data: `shared` (what every job of a batch
 * has in common, e.g. the pooled dataset and the training config of a cross-validation) and
 * `item` (this job's part, e.g. one fold's plan). The functions run inside worker threads, on
 * this machine (the local executor) or in an `rnnlens worker` process (the Redis executor); both
 * call the same function with the same data, so a seed gives the same numbers everywhere.
 */
import { RnnlensError } from '../core/errors.js';
import type { ProgressCallback } from '../core/progress.js';
import { runFold, type CvSetup } from '../verify/cv/fold.js';
import type { FoldPlan } from '../verify/cv/plan.js';
import type { SequenceModel } from '../nn/model.js';
import { loadAnyModel } from '../predict/load.js';
import '../io/register.js'; // workers load TF.js and ONNX models too
import { runCertify, type CertifyCliOptions, type CertifyCliResult } from '../verify/certify/batch.js';
import type { CertifyInput } from '../verify/certify/certify.js';
import type { SubstitutionSpec } from '../verify/certify/substitutions.js';
import { materializeModel, type ModelPackage } from './model-package.js';
import { runExplain, type ExplainCliOptions } from '../explain/run.js';
import type { AttributionResult } from '../explain/types.js';
import type { ModelInput } from '../nn/model.js';
import { datasetJobs, runBenchmarkDataset, type BenchmarkJobOptions } from '../verify/explanations/benchmark.js';

export interface JobContext {
  onProgress?: ProgressCallback;
}

type Handler = (shared: never, item: never, ctx: JobContext) => Promise<unknown>;

/** The shared part of a batch of cross-validation folds. */
export interface CvFoldShared {
  setup: CvSetup;
  keepWeights: boolean;
}

/** The shared part of a batch of jobs on one model: the model's files and the options. */
export interface ModelJobShared<O> {
  model: ModelPackage;
  options: O;
}

/** The shared part of a batch of certification chunks. */
export type CertifyChunkShared = ModelJobShared<Omit<CertifyCliOptions, 'onProgress' | 'substitutions'>>;

/** The shared part of a batch of explanation chunks (the baseline already resolved). */
export type ExplainChunkShared = ModelJobShared<Omit<ExplainCliOptions, 'input' | 'model' | 'check' | 'json' | 'out' | 'quiet' | 'timeout'>>;

/** One chunk of a dataset to explain; `seed` is the chunk's own (derived from its position). */
export interface ExplainChunk {
  input: ModelInput;
  seed: number;
}

/** What an explanation chunk returns: the attributions and what they explain. */
export type ExplainChunkResult = Pick<AttributionResult, 'attributions' | 'outputs' | 'targets' | 'delta'>;

/** One chunk of inputs to certify (with its slice of per-sequence substitution sets). */
export interface CertifyChunk {
  inputs: CertifyInput[];
  substitutions?: SubstitutionSpec;
}

// loaded models of this thread or process, by package hash (a batch's chunks load it once)
const models = new Map<string, Promise<SequenceModel>>();
function modelOf(pkg: ModelPackage): Promise<SequenceModel> {
  let m = models.get(pkg.hash);
  if (!m) {
    m = loadAnyModel(materializeModel(pkg)).then((l) => l.model);
    m.catch(() => models.delete(pkg.hash));
    models.set(pkg.hash, m);
    while (models.size > 4) models.delete(models.keys().next().value!);
  }
  return m;
}

async function certifyChunk(shared: CertifyChunkShared, chunk: CertifyChunk, ctx: JobContext): Promise<CertifyCliResult[]> {
  const model = await modelOf(shared.model);
  return runCertify(model, chunk.inputs, {
    ...shared.options,
    substitutions: chunk.substitutions,
    onProgress: (p) => ctx.onProgress?.({ task: 'certify', done: p.done, total: p.total, message: p.message }),
  });
}

async function explainChunk(shared: ExplainChunkShared, chunk: ExplainChunk, ctx: JobContext): Promise<ExplainChunkResult> {
  const model = await modelOf(shared.model);
  const e = runExplain(model, chunk.input, { ...shared.options, model: '', input: '', seed: chunk.seed }, (p) =>
    ctx.onProgress?.({ task: 'explain', done: p.done, total: p.total, message: p.message }),
  );
  const r = e.result;
  return { attributions: r.attributions, outputs: r.outputs, targets: r.targets, ...(r.delta ? { delta: r.delta } : {}) };
}

export const HANDLERS = {
  /** one fold of a cross-validation (or of a sweep point's cross-validation) */
  'cv-fold': (shared: CvFoldShared, plan: FoldPlan, ctx: JobContext) => runFold(shared.setup, plan, { keepWeights: shared.keepWeights, onProgress: ctx.onProgress }),
  /** certification of a slice of a dataset's inputs */
  'certify-chunk': certifyChunk,
  /** attributions of a slice of a dataset's sequences */
  'explain-chunk': explainChunk,
  /** one dataset of the explanation benchmark: its training and every method's scores */
  'explain-bench-dataset': (shared: BenchmarkJobOptions, dataset: string, ctx: JobContext) => {
    let done = 0;
    const total = 1 + datasetJobs(dataset, shared).length;
    return runBenchmarkDataset(dataset, shared, (message) => ctx.onProgress?.({ task: 'explain-bench', done: ++done, total, message }));
  },
} satisfies Record<string, Handler>;

export type JobKind = keyof typeof HANDLERS;
export const JOB_KINDS = Object.keys(HANDLERS) as JobKind[];

export function isJobKind(kind: unknown): kind is JobKind {
  return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(HANDLERS, kind);
}

export async function runJob(kind: string, shared: unknown, item: unknown, ctx: JobContext): Promise<unknown> {
  if (!isJobKind(kind)) throw new RnnlensError(`job: unknown kind '${kind}' (this rnnlens knows ${JOB_KINDS.join(', ')}); is the worker an older version?`);
  const handler = HANDLERS[kind] as (s: unknown, i: unknown, c: JobContext) => Promise<unknown>;
  return handler(shared, item, ctx);
}
