/**
 * Runs folds on `worker_threads`. The worker file sits next to this module with the same
 * extension: `.js` from dist/ (started directly), `.ts` under tsx. Node 20 does not carry the
 * ESM loader hooks of `--import tsx` into worker threads (the worker fails with "Unknown file
 * extension .ts" even with the parent's execArgv), so a TypeScript worker is started from a
 * two-line CommonJS bootstrap that registers tsx's in-thread require hook (`tsx/cjs/api`) and
 * then requires the worker file. Folds are handed out one at a time to whichever worker is free;
 * each result is placed by its fold index, so the output order (and, for the same backend and
 * seeds, every number) matches the sequential path.
 */
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { RnnlensError } from '../../core/errors.js';
import type { Progress } from '../../core/progress.js';
import type { CvSetup, FoldResult } from './fold.js';
import type { FoldPlan } from './plan.js';
import type { WorkerInit, WorkerReply } from './worker.js';

/** The worker module next to this one, with this module's extension (.ts under tsx, .js in dist). */
export function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  return fileURLToPath(new URL(`./worker${extname(here)}`, import.meta.url));
}

/** Starts a worker running `file`; a `.ts` file goes through tsx's CommonJS hook (see above). */
export function startWorker(file: string, options: WorkerOptions): Worker {
  if (extname(file) !== '.ts') return new Worker(file, options);
  let api: string;
  try {
    api = createRequire(import.meta.url).resolve('tsx/cjs/api');
  } catch {
    throw new RnnlensError(`cv: running TypeScript workers needs the tsx package (could not resolve tsx/cjs/api from ${file}); build with tsc and run from dist/ instead`);
  }
  const bootstrap = `require(${JSON.stringify(api)}).register(); require(${JSON.stringify(file)});`;
  return new Worker(bootstrap, { ...options, eval: true });
}

export async function runFoldsInWorkers(
  setup: CvSetup,
  plans: readonly FoldPlan[],
  opts: { workers: number; keepWeights: boolean; onFoldProgress?: (plan: FoldPlan, p: Progress) => void; onFoldDone?: (r: FoldResult) => void },
): Promise<FoldResult[]> {
  const file = workerFile();
  const init: WorkerInit = { setup, keepWeights: opts.keepWeights };
  const results: FoldResult[] = new Array(plans.length);
  const n = Math.max(1, Math.min(opts.workers, plans.length));
  const workers: Worker[] = [];
  let next = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let finished = 0;
      let failed = false;
      const fail = (e: Error): void => {
        if (!failed) {
          failed = true;
          reject(e);
        }
      };
      const feed = (w: Worker): void => {
        if (next < plans.length) w.postMessage(plans[next++]);
      };
      for (let k = 0; k < n; k++) {
        const w = startWorker(file, { workerData: init });
        workers.push(w);
        w.on('message', (m: WorkerReply) => {
          const plan = plans[m.index]!;
          if (m.type === 'progress') opts.onFoldProgress?.(plan, { task: m.task, done: m.done, total: m.total, values: m.values });
          else if (m.type === 'error') fail(m.userError ? new RnnlensError(m.message) : new Error(`cv worker, fold ${plan.fold + 1}: ${m.message}`));
          else {
            results[m.index] = m.result;
            opts.onFoldDone?.(m.result);
            if (++finished === plans.length) resolve();
            else feed(w);
          }
        });
        w.on('error', (e) => fail(new RnnlensError(`cv worker failed: ${e.message}`)));
        w.on('exit', (code) => {
          if (code !== 0 && finished < plans.length) fail(new RnnlensError(`cv worker exited with code ${code} before finishing its folds`));
        });
        feed(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
