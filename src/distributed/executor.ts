/**
 * Executors run batches of independent jobs: cross-validation folds, sweep points × folds, and
 * whatever else fans out. A batch is a job kind (handlers.ts), one shared part and a list of
 * items; results come back in item order, so the caller sees the same numbers whichever executor
 * ran them and however many workers took part.
 *
 * - `local` (the default): this machine. With `threads` = 1 the jobs run one after another in
 *   this thread; with more, in a warm pool of worker threads.
 * - `redis://HOST:PORT`: BullMQ queues on a Redis server; `rnnlens worker --redis URL` processes
 *   on any number of machines take the jobs (see redis.ts).
 */
import { randomUUID } from 'node:crypto';
import { ArgumentError } from '../core/errors.js';
import type { Progress } from '../core/progress.js';
import { runJob, type JobKind } from './handlers.js';
import { ThreadPool } from './pool.js';

export interface Batch<S = unknown, I = unknown, R = unknown> {
  kind: JobKind;
  shared: S;
  items: readonly I[];
  /** a job's name in messages, e.g. "fold 2" */
  label?: (index: number) => string;
  onProgress?: (index: number, p: Progress) => void;
  onDone?: (index: number, result: R) => void;
}

export interface Executor {
  /** 'local' or the Redis URL */
  readonly name: string;
  /** how many jobs it can run at once (workers × concurrency for Redis, when known) */
  run<S, I, R>(batch: Batch<S, I, R>): Promise<R[]>;
  close(): Promise<void>;
}

export class LocalExecutor implements Executor {
  readonly name = 'local';
  private pool?: ThreadPool;

  constructor(readonly threads = 1) {
    if (!Number.isInteger(threads) || threads < 1) throw new ArgumentError('executor', 'threads', 'an integer >= 1', String(threads));
  }

  async run<S, I, R>(batch: Batch<S, I, R>): Promise<R[]> {
    const results: R[] = new Array(batch.items.length);
    if (this.threads === 1 || batch.items.length === 1) {
      for (let i = 0; i < batch.items.length; i++) {
        results[i] = (await runJob(batch.kind, batch.shared, batch.items[i], { onProgress: (p) => batch.onProgress?.(i, p) })) as R;
        batch.onDone?.(i, results[i]!);
      }
      return results;
    }
    this.pool ??= new ThreadPool(this.threads);
    const shared = { key: randomUUID(), value: batch.shared };
    const pool = this.pool;
    await Promise.all(
      batch.items.map(async (item, i) => {
        results[i] = (await pool.run(batch.kind, shared, item, (p) => batch.onProgress?.(i, p))) as R;
        batch.onDone?.(i, results[i]!);
      }),
    );
    return results;
  }

  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = undefined;
  }
}

/** The BullMQ queue that commands and workers use unless told otherwise. */
export const DEFAULT_QUEUE = 'rnnlens';

export interface ExecutorOptions {
  /** threads of the local executor */
  threads?: number;
  /** Redis: the queue's name (default 'rnnlens') */
  queue?: string;
  /** Redis: folder for artifacts above the Redis size limit */
  artifacts?: string;
  /** Redis: largest artifact kept in Redis itself (default 64 MiB) */
  redisArtifactLimit?: number;
  onWarning?: (message: string) => void;
}

/** 'local' (or nothing) or a redis:// URL; anything else is an error naming the argument. */
export function parseExecutor(spec: string | undefined): { type: 'local' } | { type: 'redis'; url: string } {
  if (spec === undefined || spec === 'local') return { type: 'local' };
  if (/^rediss?:\/\/[^/\s]+/.test(spec)) return { type: 'redis', url: spec };
  throw new ArgumentError('--executor', 'executor', "'local' or a Redis URL such as redis://127.0.0.1:6379", JSON.stringify(spec));
}

export async function openExecutor(spec: string | undefined, opts: ExecutorOptions = {}): Promise<Executor> {
  const p = parseExecutor(spec);
  if (p.type === 'local') return new LocalExecutor(opts.threads ?? 1);
  const { RedisExecutor } = await import('./redis.js');
  return RedisExecutor.connect(p.url, opts);
}
