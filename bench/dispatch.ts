/**
 * Cost of one parallel dispatch of the wasm backend (wake the worker, run two trivial tasks, wait),
 * against the same tasks on one thread. This is what PARALLEL_MIN_MACS (src/core/wasm/runtime.ts)
 * must amortise. Run: npx tsx bench/dispatch.ts
 */
import { Runtime } from '../src/core/wasm/runtime.js';
import type { Task } from '../src/core/wasm/pool.js';

const rt = new Runtime(2);
const ar = rt.arena;
const p = ar.zeros(16);
const o = ar.zeros(16);
const task = (): Task => [['col_sums', p, 1, 4, 0, 4, o]];
const n = 2000;
for (let round = 0; round < 3; round++) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) rt.runTasks([task(), task()], 2, [[0], [0]]);
  const t1 = performance.now();
  for (let i = 0; i < n; i++) rt.runTasks([task(), task()], 1, [[0], [0]]);
  const t2 = performance.now();
  console.log(
    `dispatch: 2 threads ${(((t1 - t0) / n) * 1000).toFixed(1)} µs, 1 thread ${(((t2 - t1) / n) * 1000).toFixed(1)} µs`,
  );
}
rt.close();
