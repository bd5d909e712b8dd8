/**
 * One wasm backend instance's machinery: the shared memory, the main thread's kernels, the
 * arena, and (created on first parallel use) the worker pool.
 */
import { availableParallelism } from 'node:os';
import { Arena } from './arena.js';
import type { Kernels } from './module.js';
import type { WasmMemory } from './module.js';
import { INITIAL_PAGES, MAXIMUM_PAGES, WA, instantiate } from './module.js';
import type { Call } from './pool.js';
import { WorkerPool, runProgram } from './pool.js';

/**
 * Below this many multiply-adds per layer call (T·B·G·H·(D+H)) one thread is faster: waking a
 * worker and splitting costs tens of microseconds. Measured with bench/threshold.ts.
 */
export const PARALLEL_MIN_MACS = 2_000_000;

export class Runtime {
  readonly memory: WasmMemory;
  readonly kernels: Kernels;
  readonly arena: Arena;
  readonly maxThreads: number;
  readonly gemmWork: number;
  private pool: WorkerPool | null = null;

  readonly minParallelMacs: number;

  constructor(threads?: number, minParallelMacs = PARALLEL_MIN_MACS) {
    this.minParallelMacs = minParallelMacs;
    this.memory = new WA.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
    this.kernels = instantiate(this.memory);
    this.arena = new Arena(this.memory);
    this.maxThreads = Math.max(1, Math.floor(threads ?? Math.min(2, availableParallelism())));
    this.gemmWork = this.kernels.gemm_work_size();
  }

  /** Threads to use for a layer call of `macs` multiply-adds over `rows` independent rows. */
  threadsFor(macs: number, rows: number): number {
    if (this.maxThreads === 1 || macs < this.minParallelMacs) return 1;
    return Math.max(1, Math.min(this.maxThreads, Math.floor(rows / 4)));
  }

  /** Runs programs[i] on thread i (0 = this thread) and waits for all. */
  parallel(programs: Call[][]): void {
    if (programs.length <= 1) {
      runProgram(this.kernels, programs[0] ?? []);
      return;
    }
    if (!this.pool) this.pool = new WorkerPool(this.memory, this.maxThreads);
    this.pool.run(this.kernels, programs);
  }

  close(): void {
    this.pool?.close();
    this.pool = null;
  }
}
