/**
 * A pool of worker threads that run jobs (see handlers.ts). Threads start on first use and stay
 * warm until close(). A job goes to a free thread, or waits for one; a batch's shared part is sent
 * to a thread once (structured clone), before its first job there, and each thread keeps the two
 * most recent shared parts. A thread that dies fails its job with a clear error and is replaced.
 *
 * The thread file sits next to this module with the same extension: `.js` from dist/ (started
 * directly), `.ts` under tsx. Node 20 does not carry the ESM loader hooks of `--import tsx` into
 * worker threads (the worker fails with "Unknown file extension .ts" even with the parent's
 * execArgv), so a TypeScript worker is started from a two-line CommonJS bootstrap that registers
 * tsx's in-thread require hook (`tsx/cjs/api`) and then requires the thread file.
 */
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { ArgumentError, RnnlensError } from '../core/errors.js';
import type { Progress } from '../core/progress.js';
import type { ThreadMessage, ThreadReply } from './thread.js';

/** A module next to this one, with this module's extension (.ts under tsx, .js in dist). */
function siblingFile(name: string): string {
  const here = fileURLToPath(import.meta.url);
  return fileURLToPath(new URL(`./${name}${extname(here)}`, import.meta.url));
}

/** Starts a worker thread running `file`; a `.ts` file goes through tsx's CommonJS hook (see above). */
export function startWorker(file: string, options: WorkerOptions = {}): Worker {
  if (extname(file) !== '.ts') return new Worker(file, options);
  let api: string;
  try {
    api = createRequire(import.meta.url).resolve('tsx/cjs/api');
  } catch {
    throw new RnnlensError(`running TypeScript worker threads needs the tsx package (could not resolve tsx/cjs/api from ${file}); build with tsc and run from dist/ instead`);
  }
  const bootstrap = `require(${JSON.stringify(api)}).register(); require(${JSON.stringify(file)});`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** An error thrown by a job on a thread; `userError` marks bad input (not worth retrying). */
export class JobError extends RnnlensError {
  constructor(
    message: string,
    readonly userError: boolean,
  ) {
    super(message);
  }
}

interface Pending {
  id: number;
  kind: string;
  shared: { key: string; value: unknown };
  item: unknown;
  onProgress?: (p: Progress) => void;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  keys: string[];
  job?: Pending;
}

const KEEP_SHARED = 2;

export class ThreadPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new ArgumentError('ThreadPool', 'size', 'an integer >= 1', String(size));
  }

  /** Runs one job; resolves with its result or rejects with a JobError. */
  run(kind: string, shared: { key: string; value: unknown }, item: unknown, onProgress?: (p: Progress) => void): Promise<unknown> {
    if (this.closed) return Promise.reject(new RnnlensError('ThreadPool: run() after close()'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, kind, shared, item, onProgress, resolve, reject });
      this.pump();
    });
  }

  /** Jobs running or waiting. */
  get busy(): number {
    return this.queue.length + this.slots.filter((s) => s.job).length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new RnnlensError('ThreadPool closed before the job started'));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const job = this.queue.shift()!;
      this.assign(slot, job);
    }
  }

  private spawn(): Slot {
    const worker = startWorker(siblingFile('thread'));
    const slot: Slot = { worker, keys: [] };
    worker.on('message', (m: ThreadReply) => {
      const job = slot.job;
      if (!job || m.id !== job.id) return;
      if (m.type === 'progress') job.onProgress?.({ task: m.task, done: m.done, total: m.total, values: m.values, message: m.message });
      else {
        slot.job = undefined;
        if (m.type === 'done') job.resolve(m.result);
        else job.reject(new JobError(m.message, m.userError));
        this.pump();
      }
    });
    const lost = (why: string): void => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      const job = slot.job;
      slot.job = undefined;
      job?.reject(new JobError(`job thread ${why} while running a ${job.kind} job`, false));
      if (!this.closed) this.pump();
    };
    worker.on('error', (e) => lost(`failed (${e.message})`));
    worker.on('exit', (code) => {
      if (!this.closed) lost(`exited with code ${code}`);
    });
    this.slots.push(slot);
    return slot;
  }

  private assign(slot: Slot, job: Pending): void {
    slot.job = job;
    const send = (m: ThreadMessage): void => slot.worker.postMessage(m);
    if (!slot.keys.includes(job.shared.key)) {
      send({ type: 'shared', key: job.shared.key, value: job.shared.value });
      slot.keys.push(job.shared.key);
      while (slot.keys.length > KEEP_SHARED) send({ type: 'drop', key: slot.keys.shift()! });
    }
    send({ type: 'job', id: job.id, kind: job.kind, key: job.shared.key, item: job.item });
  }
}
