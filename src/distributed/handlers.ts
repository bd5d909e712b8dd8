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

export interface JobContext {
  onProgress?: ProgressCallback;
}

type Handler = (shared: never, item: never, ctx: JobContext) => Promise<unknown>;

/** The shared part of a batch of cross-validation folds. */
export interface CvFoldShared {
  setup: CvSetup;
  keepWeights: boolean;
}

export const HANDLERS = {
  /** one fold of a cross-validation (or of a sweep point's cross-validation) */
  'cv-fold': (shared: CvFoldShared, plan: FoldPlan, ctx: JobContext) => runFold(shared.setup, plan, { keepWeights: shared.keepWeights, onProgress: ctx.onProgress }),
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
