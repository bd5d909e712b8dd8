/**
 * The Redis executor: a batch becomes BullMQ jobs on a queue (default 'rnnlens'); any number of
 * `rnnlens worker --redis URL` processes, on any machines, take them. A job's data is a small
 * JSON: `{ kind, shared, item, batch, index, label }`, where `shared` references the artifact
 * store or a built-in recipe (shared.ts) and `item` is the codec's JSON (codec.ts). Results come
 * back as the job's return value (same codec) and are placed by index.
 *
 * Faults:
 * - a worker that dies mid-job (kill -9, lost machine) stops renewing its lock; BullMQ's stalled
 *   check, run by the other workers, puts the job back on the queue and another worker runs it
 *   (the handlers are pure, so the result is the same);
 * - a job that throws fails once (attempts: 1; bad input is an UnrecoverableError) and the
 *   command stops with that error, after taking its other waiting jobs off the queue;
 * - Redis unreachable at the start, or gone for longer than `lostAfterMs` (10 s) during a run,
 *   fails the command with a message naming the URL; it never hangs.
 * Completion is seen through QueueEvents and, as a safety net for missed events, by polling the
 * unfinished jobs every 2 s; the poll also warns once when no worker is connected.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { RnnlensError } from '../core/errors.js';
import { ArtifactStore } from './artifacts.js';
import { decode, encode } from './codec.js';
import { DEFAULT_QUEUE, type Batch, type Executor, type ExecutorOptions } from './executor.js';
export { DEFAULT_QUEUE };
import { packShared } from './shared.js';


export function checkQueueName(name: string): string {
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(name)) throw new RnnlensError(`--queue expected a name of letters, digits, '.', '_' or '-', received ${JSON.stringify(name)}`);
  return name;
}

/** A connection for BullMQ: retries forever in the background (we watch it ourselves). */
export function connect(url: string, extra: RedisOptions = {}): Redis {
  const c = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, retryStrategy: (times) => Math.min(200 * times, 2000), ...extra });
  c.on('error', () => {}); // reported by the watchdog and by failing calls, not as unhandled events
  return c;
}

/** Fails fast with a clear message when nothing answers at `url`. */
export async function probeRedis(url: string, timeoutMs = 3000): Promise<void> {
  const c = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  let last = '';
  c.on('error', (e: Error) => (last = e.message));
  try {
    await withTimeout(c.connect().then(() => c.ping()), timeoutMs + 500, 'no answer');
  } catch (e) {
    const why = last || (e instanceof Error ? e.message : String(e));
    throw new RnnlensError(`cannot reach Redis at ${url}: ${why} (is redis-server running there? check the host and port)`);
  } finally {
    c.disconnect();
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(what)), ms)))]).finally(() => clearTimeout(timer));
}

interface JobData {
  kind: string;
  shared: unknown;
  item: unknown;
  batch: string;
  index: number;
  label: string;
}
export type { JobData as RedisJobData };

export class RedisExecutor implements Executor {
  private constructor(
    readonly name: string,
    private readonly conn: Redis,
    private readonly queue: Queue,
    private readonly queueName: string,
    private readonly store: ArtifactStore,
    private readonly opts: ExecutorOptions & { lostAfterMs: number; pollMs: number },
  ) {}

  static async connect(url: string, opts: ExecutorOptions & { lostAfterMs?: number; pollMs?: number } = {}): Promise<RedisExecutor> {
    await probeRedis(url);
    const queueName = checkQueueName(opts.queue ?? DEFAULT_QUEUE);
    const conn = connect(url);
    const queue = new Queue(queueName, { connection: conn });
    queue.on('error', () => {});
    return new RedisExecutor(url, conn, queue, queueName, new ArtifactStore(conn, opts.artifacts, opts.redisArtifactLimit), { lostAfterMs: 10_000, pollMs: 2000, ...opts });
  }

  async run<S, I, R>(batch: Batch<S, I, R>): Promise<R[]> {
    const n = batch.items.length;
    const results: R[] = new Array(n);
    if (n === 0) return results;
    const label = (i: number): string => batch.label?.(i) ?? `job ${i + 1}`;
    // the shared reference goes through the codec too (options may hold typed arrays, e.g. a mean baseline)
    const shared = encode(await packShared(batch.kind, batch.shared, this.store));
    const batchId = `${batch.kind}-${randomUUID().slice(0, 8)}`;
    const ids = batch.items.map((_, i) => `${batchId}-${i}`);
    const index = new Map(ids.map((id, i) => [id, i]));
    const done = new Uint8Array(n);
    const failedJobs = new Uint8Array(n);
    let finished = 0;

    const eventsConn = connect(this.name);
    const events = new QueueEvents(this.queueName, { connection: eventsConn, autorun: true });
    events.on('error', () => {});
    let settle!: { resolve: () => void; reject: (e: Error) => void };
    const allDone = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    let failure: Error | undefined;
    const fail = (e: Error): void => {
      if (!failure) {
        failure = e;
        settle.reject(e);
      }
    };
    const complete = (i: number, value: unknown): void => {
      if (done[i] || failure) return;
      done[i] = 1;
      results[i] = decode<R>(typeof value === 'string' ? JSON.parse(value) : value);
      batch.onDone?.(i, results[i]!);
      if (++finished === n) settle.resolve();
    };
    const failed = (i: number, reason: string): void => {
      if (done[i]) return;
      failedJobs[i] = 1;
      fail(new RnnlensError(`${label(i)} failed on a worker: ${reason}`));
    };
    events.on('completed', ({ jobId, returnvalue }) => {
      const i = index.get(jobId);
      if (i !== undefined) complete(i, returnvalue);
    });
    events.on('failed', ({ jobId, failedReason }) => {
      const i = index.get(jobId);
      if (i !== undefined) failed(i, failedReason);
    });
    events.on('progress', ({ jobId, data }) => {
      const i = index.get(jobId);
      if (i !== undefined && !done[i] && data && typeof data === 'object') batch.onProgress?.(i, data as never);
    });

    // the watchdog and safety-net poll
    let downSince: number | undefined;
    let warnedNoWorker = false;
    let noWorkerSince: number | undefined;
    let polling = false;
    const poll = async (): Promise<void> => {
      if (polling || failure) return;
      polling = true;
      try {
        if (this.conn.status !== 'ready') {
          downSince ??= Date.now();
          if (Date.now() - downSince > this.opts.lostAfterMs) {
            fail(new RnnlensError(`lost the connection to Redis at ${this.name} for ${Math.round(this.opts.lostAfterMs / 1000)} s (${finished}/${n} jobs done); the jobs still queued stay there until they expire or a worker takes them`));
          }
          return;
        }
        downSince = undefined;
        for (let i = 0; i < n && !failure; i++) {
          if (done[i]) continue;
          const job = await withTimeout(this.queue.getJob(ids[i]!), 5000, 'getJob timed out');
          if (!job) {
            fail(new RnnlensError(`${label(i)} disappeared from queue '${this.queueName}' (removed by hand, or Redis lost its data)`));
            return;
          }
          if (job.failedReason && job.finishedOn) failed(i, job.failedReason);
          else if (job.finishedOn && job.returnvalue !== undefined && job.returnvalue !== null) complete(i, job.returnvalue);
        }
        if (finished === 0 && !warnedNoWorker) {
          const workers = await withTimeout(this.queue.getWorkersCount(), 5000, 'getWorkers timed out');
          if (workers === 0) {
            noWorkerSince ??= Date.now();
            if (Date.now() - noWorkerSince > 10_000) {
              warnedNoWorker = true;
              this.opts.onWarning?.(`no rnnlens worker is connected to queue '${this.queueName}' at ${this.name}; the ${n} jobs wait until one starts (rnnlens worker --redis ${this.name})`);
            }
          } else noWorkerSince = undefined;
        }
      } catch {
        // a failed poll is retried; a lost connection is caught by the watchdog above
      } finally {
        polling = false;
      }
    };
    const timer = setInterval(() => void poll(), this.opts.pollMs);
    try {
      await withTimeout(events.waitUntilReady(), this.opts.lostAfterMs, 'QueueEvents not ready').catch(() => {
        throw new RnnlensError(`could not listen to queue '${this.queueName}' events at ${this.name}`);
      });
      const data = (i: number): JobData => ({ kind: batch.kind, shared, item: encode(batch.items[i]), batch: batchId, index: i, label: label(i) });
      await this.queue.addBulk(
        ids.map((jobId, i) => ({
          name: batch.kind,
          data: data(i),
          opts: { jobId, attempts: 1, removeOnComplete: { age: 3600 }, removeOnFail: { age: 7 * 24 * 3600 } },
        })),
      );
      await allDone;
      return results;
    } catch (e) {
      // take the batch's remaining jobs off the queue (best effort: active ones are locked)
      if (this.conn.status === 'ready') {
        await withTimeout(Promise.allSettled(ids.filter((_, i) => !done[i] && !failedJobs[i]).map((id) => this.queue.remove(id))), 5000, 'cleanup').catch(() => {});
      }
      throw e;
    } finally {
      clearInterval(timer);
      await withTimeout(events.close(), 2000, 'close').catch(() => {});
      eventsConn.disconnect();
    }
  }

  async close(): Promise<void> {
    await withTimeout(this.queue.close(), 2000, 'close').catch(() => {});
    this.conn.disconnect();
  }
}

export interface QueueStatus {
  url: string;
  queue: string;
  counts: Record<string, number>;
  workers: { name: string; addr: string; ageSeconds: number; idleSeconds: number }[];
}

/** Waiting, active, completed, failed and delayed jobs, and the workers connected. */
export async function queueStatus(url: string, queueName = DEFAULT_QUEUE): Promise<QueueStatus> {
  await probeRedis(url);
  const conn = connect(url);
  const queue = new Queue(checkQueueName(queueName), { connection: conn });
  queue.on('error', () => {});
  try {
    const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized');
    const raw = await queue.getWorkers();
    const workers = raw.map((w) => ({ name: (w.rawname ?? '').split(':w:')[1] ?? w.rawname ?? '', addr: w.addr ?? '', ageSeconds: Number(w.age ?? 0), idleSeconds: Number(w.idle ?? 0) }));
    return { url, queue: queueName, counts, workers };
  } finally {
    await withTimeout(queue.close(), 2000, 'close').catch(() => {});
    conn.disconnect();
  }
}

/** This process's name in worker lists: host:pid. */
export const workerName = (): string => `${hostname()}:${process.pid}`;
