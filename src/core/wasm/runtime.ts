/**
 * One wasm backend instance's machinery: the shared memory, the main thread's kernels, the
 * arena, and (created on first parallel use) the worker pool.
 */
import { availableParallelism } from 'node:os';
import { Arena } from './arena.js';
import type { Kernels } from './module.js';
import type { WasmMemory } from './module.js';
import { INITIAL_PAGES, MAXIMUM_PAGES, WA, instantiate } from './module.js';
import type { Task } from './pool.js';
import { WorkerPool, runTask } from './pool.js';
import { ResidentStack } from './resident.js';

/**
 * Below this many multiply-adds per layer call (T·B·G·H·(D+H)) one thread is used. A parallel
 * dispatch costs 15 µs on an idle 2-core machine and over 100 µs on a busy one (bench/dispatch.ts);
 * 4M multiply-adds take about 200 µs on one core, so splitting them pays even when busy.
 */
export const PARALLEL_MIN_MACS = 4_000_000;

export class Runtime {
  readonly memory: WasmMemory;
  readonly kernels: Kernels;
  readonly arena: Arena;
  /** Forward passes kept in the arena for their backward pass (resident.ts). */
  readonly resident: ResidentStack;
  readonly maxThreads: number;
  readonly gemmWork: number;
  private pool: WorkerPool | null = null;

  readonly minParallelMacs: number;

  constructor(threads?: number, minParallelMacs = PARALLEL_MIN_MACS) {
    this.minParallelMacs = minParallelMacs;
    this.memory = new WA.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
    this.kernels = instantiate(this.memory);
    this.arena = new Arena(this.memory);
    this.resident = new ResidentStack(this.arena);
    this.maxThreads = Math.max(1, Math.floor(threads ?? Math.min(2, availableParallelism())));
    this.gemmWork = this.kernels.gemm_work_size();
  }

  /** Threads to use for a layer call of `macs` multiply-adds over `rows` independent rows. */
  threadsFor(macs: number, rows: number): number {
    if (this.maxThreads === 1 || macs < this.minParallelMacs || rows < 8) return 1;
    return this.maxThreads;
  }

  /**
   * Runs independent tasks on `threads` threads (this one included); scratch[i] holds thread i's
   * scratch pointers (task arguments −1, −2, … refer to them).
   */
  runTasks(tasks: Task[], threads: number, scratch: number[][]): void {
    if (threads <= 1 || tasks.length <= 1) {
      for (const t of tasks) runTask(this.kernels, t, scratch[0] ?? []);
      return;
    }
    if (!this.pool) this.pool = new WorkerPool(this.memory, this.maxThreads);
    this.pool.run(this.kernels, tasks, scratch);
  }

  close(): void {
    this.resident.clear();
    this.pool?.close();
    this.pool = null;
  }
}
