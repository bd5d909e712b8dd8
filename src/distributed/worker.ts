/**
 * An `rnnlens worker` process: takes jobs from a BullMQ queue on Redis and runs them in a pool
 * of worker threads (`concurrency` at once), so this thread stays free to renew the jobs' locks
 * however long a fold trains. Shared parts are fetched from the artifact store (or rebuilt from
 * a built-in recipe) once per batch and cached. Bad input fails the job once (BullMQ's
 * UnrecoverableError); a job whose worker dies is put back by the stalled check of the others.
 *
 * SIGTERM or SIGINT: stop taking jobs, finish the active ones, exit 0. A second signal exits at
 * once; the active jobs are then returned to the queue by the stalled check of the other workers
 * (after the lock expires, `lockSeconds`).
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { ArgumentError, RnnlensError } from '../core/errors.js';
import type { Progress } from '../core/progress.js';
import { ArtifactStore, sha256 } from './artifacts.js';
import { decode, encode } from './codec.js';
import { isJobKind, JOB_KINDS, type JobKind } from './handlers.js';
import { JobError, ThreadPool } from './pool.js';
import { checkQueueName, connect, DEFAULT_QUEUE, probeRedis, workerName, type RedisJobData } from './redis.js';
import { unpackShared } from './shared.js';

export interface WorkerOptions {
  redis: string;
  queue?: string;
  concurrency?: number;
  /** folder for artifacts too large for Redis (the one the commands use) */
  artifacts?: string;
  /** how long a job's lock lasts without renewal: how soon a dead worker's job is retried */
  lockSeconds?: number;
  /** how many times a job may be put back after its worker died before it fails */
  maxStalled?: number;
  log?: (line: string) => void;
  /** resolves when the worker should stop (besides SIGTERM/SIGINT) */
  signal?: AbortSignal;
}

export interface WorkerHandle {
  name: string;
  /** resolves when the worker has stopped */
  stopped: Promise<void>;
  stop(): Promise<void>;
}

const CACHE_SIZE = 4;

export async function startJobWorker(opts: WorkerOptions): Promise<WorkerHandle> {
  const concurrency = opts.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new ArgumentError('worker', '--concurrency', 'an integer >= 1', String(opts.concurrency));
  const lockSeconds = opts.lockSeconds ?? 30;
  if (!(lockSeconds >= 1)) throw new ArgumentError('worker', '--lock-seconds', 'a number >= 1', String(opts.lockSeconds));
  const queueName = checkQueueName(opts.queue ?? DEFAULT_QUEUE);
  const log = opts.log ?? ((l: string) => void process.stderr.write(l + '\n'));
  await probeRedis(opts.redis);
  const conn = connect(opts.redis);
  const store = new ArtifactStore(conn, opts.artifacts);
  const pool = new ThreadPool(concurrency);
  const name = workerName();
  const cache = new Map<string, Promise<unknown>>();

  const sharedOf = (kind: JobKind, ref: unknown): { key: string; value: Promise<unknown> } => {
    const key = sha256(Buffer.from(JSON.stringify([kind, ref])));
    let value = cache.get(key);
    if (!value) {
      value = unpackShared(kind, decode(ref), store);
      value.catch(() => cache.delete(key));
      cache.set(key, value);
      while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    return { key, value };
  };

  const process_ = async (job: Job<RedisJobData>): Promise<unknown> => {
    const d = job.data;
    if (!isJobKind(d.kind)) throw new UnrecoverableError(`unknown job kind '${d.kind}' (this worker knows ${JOB_KINDS.join(', ')}); is this worker an older rnnlens?`);
    const t0 = performance.now();
    let lastSent = 0;
    const onProgress = (p: Progress): void => {
      const now = Date.now();
      if (p.done < p.total && now - lastSent < 1000) return;
      lastSent = now;
      job.updateProgress({ task: p.task, done: p.done, total: p.total, values: p.values, message: p.message }).catch(() => {});
    };
    try {
      const shared = sharedOf(d.kind, d.shared);
      const value = await shared.value;
      const result = await pool.run(d.kind, { key: shared.key, value }, decode(d.item), onProgress);
      log(`${name}: ${d.label} (${job.id}) done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      return encode(result);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      log(`${name}: ${d.label} (${job.id}) failed: ${message}`);
      if ((e instanceof JobError && e.userError) || (!(e instanceof JobError) && e instanceof RnnlensError)) throw new UnrecoverableError(message);
      throw new Error(message, { cause: e });
    }
  };

  const worker = new Worker<RedisJobData>(queueName, process_, {
    connection: conn,
    concurrency,
    name,
    lockDuration: lockSeconds * 1000,
    stalledInterval: Math.max(1000, (lockSeconds * 1000) / 2),
    maxStalledCount: opts.maxStalled ?? 2,
    autorun: false,
  });
  worker.on('error', () => {});
  let stopping: Promise<void> | undefined;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      log(`${name}: stopping; finishing ${pool.busy} active job(s)`);
      await worker.close();
      await pool.close();
      conn.disconnect();
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      log(`${name}: stopped`);
      resolveStopped();
    })();
    return stopping;
  };
  let signals = 0;
  const onSignal = (): void => {
    if (++signals > 1) {
      log(`${name}: second signal, exiting now (active jobs go back to the queue when their lock expires)`);
      process.exit(130);
    }
    void stop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  opts.signal?.addEventListener('abort', () => void stop());
  void worker.run().catch((e: unknown) => log(`${name}: ${e instanceof Error ? e.message : String(e)}`));
  log(`${name}: worker on queue '${queueName}' at ${opts.redis}, concurrency ${concurrency}, lock ${lockSeconds} s`);
  return { name, stopped, stop };
}
