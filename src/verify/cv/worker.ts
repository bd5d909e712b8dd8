/**
 * Worker-thread entry of parallel cross-validation. `workerData` carries the shared setup (the
 * pooled dataset is structured-cloned once per worker); each message runs one fold with runFold,
 * exactly as the main thread would, and posts progress events and the result back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RnnlensError } from '../../core/errors.js';
import { runFold, type CvSetup } from './fold.js';
import type { FoldPlan } from './plan.js';

export interface WorkerInit {
  setup: CvSetup;
  keepWeights: boolean;
}

export type WorkerReply =
  | { type: 'progress'; index: number; done: number; total: number; task: string; values?: Record<string, number | string> }
  | { type: 'done'; index: number; result: Awaited<ReturnType<typeof runFold>> }
  | { type: 'error'; index: number; message: string; userError: boolean };

const port = parentPort;
if (!port) throw new RnnlensError('cv worker: this file runs only as a worker thread');
const init = workerData as WorkerInit;

port.on('message', (plan: FoldPlan) => {
  runFold(init.setup, plan, {
    keepWeights: init.keepWeights,
    onProgress: (p) => port.postMessage({ type: 'progress', index: plan.index, done: p.done, total: p.total, task: p.task, values: p.values } satisfies WorkerReply),
  }).then(
    (result) => port.postMessage({ type: 'done', index: plan.index, result } satisfies WorkerReply),
    (err: unknown) =>
      port.postMessage({ type: 'error', index: plan.index, message: err instanceof Error ? err.message : String(err), userError: err instanceof RnnlensError } satisfies WorkerReply),
  );
});
