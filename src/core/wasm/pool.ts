/**
 * Worker threads sharing the wasm memory. The main thread is thread 0 and works too; workers
 * 1..n−1 each run their own list of kernel calls. They meet only at the start and end of run():
 * the main thread writes the programs, bumps the generation and notifies; each worker runs its
 * program and increments the done counter; the main thread blocks (Atomics.wait) until all are
 * done. Workers are unref()'d, so they never keep the process alive.
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
/** f64 slots per thread program: [length, (fnId, argc, args…)…]. */
const PROG_LEN = 256;

/** One kernel call: the kernel's name and its numeric arguments. */
export type Call = [KernelName, ...number[]];

export class WorkerPool {
  private readonly ctrl: Int32Array;
  private readonly prog: Float64Array;
  private readonly workers: Worker[] = [];
  private closed = false;

  constructor(
    memory: WasmMemory,
    readonly threads: number,
  ) {
    const ctrlBuf = new SharedArrayBuffer(64);
    const progBuf = new SharedArrayBuffer(threads * PROG_LEN * 8);
    this.ctrl = new Int32Array(ctrlBuf);
    this.prog = new Float64Array(progBuf);
    const module = kernelModule();
    for (let i = 1; i < threads; i++) {
      const w = new Worker(WORKER_SOURCE, {
        eval: true,
        // the worker needs no loaders or flags of the parent (e.g. tsx, --input-type=module)
        execArgv: [],
        workerData: { module, memory, ctrlBuf, progBuf, index: i, names: [...KERNEL_NAMES], progLen: PROG_LEN },
      });
      w.unref();
      w.on('error', () => Atomics.store(this.ctrl, FAILED, 1));
      this.workers.push(w);
    }
    // Block until every worker has instantiated the module (a few tens of ms, once).
    const deadline = Date.now() + 10_000;
    for (let r = Atomics.load(this.ctrl, READY); r < threads - 1; r = Atomics.load(this.ctrl, READY)) {
      if (Date.now() > deadline || Atomics.load(this.ctrl, FAILED)) {
        this.close();
        throw new RnnlensError(`wasm backend: worker threads did not start (${r} of ${threads - 1} ready)`);
      }
      Atomics.wait(this.ctrl, READY, r, 100);
    }
  }

  /**
   * Runs programs[0] on the main thread (with `kernels`) and programs[i] on worker i, and
   * returns when all are finished.
   */
  run(kernels: Kernels, programs: Call[][]): void {
    if (this.closed) throw new RnnlensError('wasm backend: the worker pool was closed');
    const n = Math.min(programs.length, this.threads);
    for (let w = 1; w < this.threads; w++) this.write(w, w < n ? programs[w]! : []);
    Atomics.store(this.ctrl, DONE, 0);
    Atomics.add(this.ctrl, GEN, 1);
    Atomics.notify(this.ctrl, GEN);
    let mainError: unknown = null;
    try {
      runProgram(kernels, programs[0] ?? []);
    } catch (e) {
      mainError = e;
    }
    const others = this.threads - 1;
    for (let d = Atomics.load(this.ctrl, DONE); d < others; d = Atomics.load(this.ctrl, DONE)) {
      Atomics.wait(this.ctrl, DONE, d);
    }
    if (mainError) throw mainError;
    if (Atomics.load(this.ctrl, FAILED)) {
      Atomics.store(this.ctrl, FAILED, 0);
      throw new RnnlensError('wasm backend: a kernel failed on a worker thread');
    }
  }

  private write(w: number, calls: Call[]): void {
    const base = w * PROG_LEN;
    let i = base + 1;
    for (const [name, ...args] of calls) {
      if (i + 2 + args.length > base + PROG_LEN) throw new RnnlensError('wasm backend: worker program too long');
      this.prog[i] = KERNEL_NAMES.indexOf(name);
      this.prog[i + 1] = args.length;
      this.prog.set(args, i + 2);
      i += 2 + args.length;
    }
    this.prog[base] = i - base - 1;
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

/** Runs a list of kernel calls on this thread. */
export function runProgram(kernels: Kernels, calls: Call[]): void {
  for (const [name, ...args] of calls) {
    (kernels[name] as (...a: number[]) => void)(...args);
  }
}
