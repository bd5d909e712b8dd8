/**
 * Worker threads sharing the wasm memory, fed from one shared task list. The main thread is
 * thread 0 and works too. run(): the main thread writes the tasks, publishes them in the CLAIM
 * word, bumps the generation and notifies; every thread claims tasks (compare-and-swap on CLAIM)
 * until none are left and counts each finished task in DONE; the main thread blocks
 * (Atomics.wait) until every claimed task is done. It never waits for a worker that claimed
 * nothing: on a loaded machine a worker the OS has not scheduled yet simply takes no task, instead
 * of holding up the layer call until it wakes. Tasks write disjoint outputs and each task's
 * arithmetic does not depend on which thread runs it, so results are identical for any thread
 * count.
 *
 * CLAIM = gen (8 bits) << 24 | n (12 bits) << 12 | next (12 bits): the number of tasks and the
 * next unclaimed one in one atomic word, so a late worker can only ever claim a task of the list
 * that is current at that moment (the list stays unchanged until all its claimed tasks are done).
 *
 * A task is a list of kernel calls. A negative argument −k stands for the running thread's
 * scratch pointer k−1 (its private GEMM workspace and buffers). Workers are unref()'d, so they
 * never keep the process alive.
 *
 * Layout of the task buffer (f64): [offset of task 0, offset of task 1, …] then per task
 * [calls, (fnId, argc, args…)…]. Control block (i32): GEN, DONE, STOP, READY, FAILED, CLAIM.
 */
import { Worker } from 'node:worker_threads';
import { RnnlensError } from '../errors.js';
import type { Kernels, KernelName, WasmMemory } from './module.js';
import { KERNEL_NAMES, kernelModule } from './module.js';
import { WORKER_SOURCE } from './worker-source.js';

const GEN = 0;
const DONE = 1;
const STOP = 2;
const READY = 3;
const FAILED = 4;
const CLAIM = 5;
const TASK_SLOTS = 1 << 16;
/** Tasks per run that the 12-bit fields of CLAIM can count. */
export const MAX_TASKS = 4095;
/** Scratch pointers per thread. */
export const SCRATCH_SLOTS = 4;

/** One kernel call: the kernel's name and its numeric arguments (−k: the thread's scratch k−1). */
export type Call = [KernelName, ...number[]];
export type Task = Call[];

export class WorkerPool {
  private readonly ctrl: Int32Array;
  private readonly tasks: Float64Array;
  private readonly scratch: Float64Array;
  private readonly workers: Worker[] = [];
  private closed = false;
  private gen = 0;

  constructor(
    memory: WasmMemory,
    readonly threads: number,
  ) {
    const ctrlBuf = new SharedArrayBuffer(64);
    const taskBuf = new SharedArrayBuffer(TASK_SLOTS * 8);
    const scratchBuf = new SharedArrayBuffer(threads * SCRATCH_SLOTS * 8);
    this.ctrl = new Int32Array(ctrlBuf);
    this.tasks = new Float64Array(taskBuf);
    this.scratch = new Float64Array(scratchBuf);
    const module = kernelModule();
    for (let i = 1; i < threads; i++) {
      const w = new Worker(WORKER_SOURCE, {
        eval: true,
        // the worker needs no loaders or flags of the parent (e.g. tsx, --input-type=module)
        execArgv: [],
        workerData: {
          module,
          memory,
          ctrlBuf,
          taskBuf,
          scratchBuf,
          index: i,
          names: [...KERNEL_NAMES],
        },
      });
      w.unref();
      w.on('error', () => Atomics.store(this.ctrl, FAILED, 1));
      this.workers.push(w);
    }
    // Block until every worker has instantiated the module (a few tens of ms, once).
    const deadline = Date.now() + 10_000;
    for (
      let r = Atomics.load(this.ctrl, READY);
      r < threads - 1;
      r = Atomics.load(this.ctrl, READY)
    ) {
      if (Date.now() > deadline || Atomics.load(this.ctrl, FAILED)) {
        this.close();
        throw new RnnlensError(
          `wasm backend: worker threads did not start (${r} of ${threads - 1} ready)`,
        );
      }
      Atomics.wait(this.ctrl, READY, r, 100);
    }
  }

  /** Runs the tasks on all threads; scratch[i] are thread i's scratch pointers. */
  run(kernels: Kernels, tasks: Task[], scratch: number[][]): void {
    if (this.closed) throw new RnnlensError('wasm backend: the worker pool was closed');
    if (tasks.length > MAX_TASKS) {
      // more than CLAIM can count (never from the sequence drivers): run them here, in order
      for (const t of tasks) runTask(kernels, t, scratch[0] ?? []);
      return;
    }
    this.write(tasks);
    for (let w = 0; w < this.threads; w++) {
      for (let k = 0; k < SCRATCH_SLOTS; k++)
        this.scratch[w * SCRATCH_SLOTS + k] = scratch[w]?.[k] ?? 0;
    }
    const n = tasks.length;
    Atomics.store(this.ctrl, DONE, 0);
    this.gen = (this.gen + 1) & 0xff;
    Atomics.store(this.ctrl, CLAIM, (this.gen << 24) | (n << 12));
    Atomics.add(this.ctrl, GEN, 1);
    Atomics.notify(this.ctrl, GEN);
    let mainError: unknown = null;
    let claimed = n;
    for (;;) {
      const c = Atomics.load(this.ctrl, CLAIM);
      const t = c & 0xfff;
      if (t >= n) break;
      if (Atomics.compareExchange(this.ctrl, CLAIM, c, c + 1) !== c) continue;
      try {
        runTask(kernels, tasks[t]!, scratch[0] ?? []);
      } catch (e) {
        mainError = e;
        // close the list: tasks nobody claimed yet are dropped, claimed ones still finish
        for (let d = Atomics.load(this.ctrl, CLAIM); ; d = Atomics.load(this.ctrl, CLAIM)) {
          if (Atomics.compareExchange(this.ctrl, CLAIM, d, (d & ~0xfff) | n) === d) {
            claimed = d & 0xfff;
            break;
          }
        }
        Atomics.add(this.ctrl, DONE, 1);
        break;
      }
      Atomics.add(this.ctrl, DONE, 1);
    }
    for (let d = Atomics.load(this.ctrl, DONE); d < claimed; d = Atomics.load(this.ctrl, DONE)) {
      Atomics.wait(this.ctrl, DONE, d);
    }
    if (mainError) throw mainError;
    if (Atomics.load(this.ctrl, FAILED)) {
      Atomics.store(this.ctrl, FAILED, 0);
      throw new RnnlensError('wasm backend: a kernel failed on a worker thread');
    }
  }

  private write(tasks: Task[]): void {
    let i = tasks.length;
    tasks.forEach((task, t) => {
      this.tasks[t] = i;
      this.tasks[i++] = task.length;
      for (const [name, ...args] of task) {
        if (i + 2 + args.length > TASK_SLOTS)
          throw new RnnlensError('wasm backend: task list too long');
        this.tasks[i] = KERNEL_NAMES.indexOf(name);
        this.tasks[i + 1] = args.length;
        this.tasks.set(args, i + 2);
        i += 2 + args.length;
      }
    });
  }

  /** Stops the workers (they exit on their own; nothing waits for them). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctrl, STOP, 1);
    Atomics.add(this.ctrl, GEN, 1);
    Atomics.notify(this.ctrl, GEN);
  }
}

/** Runs one task on this thread with its scratch pointers. */
export function runTask(kernels: Kernels, task: Task, scratch: readonly number[]): void {
  for (const [name, ...args] of task) {
    for (let a = 0; a < args.length; a++) if (args[a]! < 0) args[a] = scratch[-1 - args[a]!] ?? 0;
    (kernels[name] as (...a: number[]) => void)(...args);
  }
}
