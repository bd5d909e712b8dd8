/**
 * The worker thread's program, as source text run with `new Worker(source, { eval: true })`, so it
 * needs no file of its own (works the same from src/ under tsx and from dist/). Each worker
 * instantiates the kernel module on the shared memory, then loops: wait for a new generation on
 * the control block, claim tasks from the current list (compare-and-swap on CLAIM) until none are
 * left, counting and notifying each finished task (DONE). The task format and control block are
 * described in pool.ts; this loop must match run() there.
 */
export const WORKER_SOURCE = `
'use strict';
const { workerData } = require('node:worker_threads');
const { module, memory, ctrlBuf, taskBuf, scratchBuf, index, names } = workerData;
const ctrl = new Int32Array(ctrlBuf);
const tasks = new Float64Array(taskBuf);
const scratch = new Float64Array(scratchBuf);
const GEN = 0, DONE = 1, STOP = 2, READY = 3, FAILED = 4, CLAIM = 5;
let fns;
try {
  const exp = new WebAssembly.Instance(module, { env: { memory } }).exports;
  fns = names.map((n) => exp[n]);
} catch (e) {
  // the main thread is blocked in Atomics.wait and cannot see an 'error' event: signal here
  Atomics.store(ctrl, FAILED, 1);
  Atomics.notify(ctrl, READY);
  throw e;
}
Atomics.add(ctrl, READY, 1);
Atomics.notify(ctrl, READY);
const args = [];
let gen = 0;
for (;;) {
  let now = Atomics.load(ctrl, GEN);
  while (now === gen) {
    // a bounded wait: returning to JavaScript now and then lets worker.terminate() (and process
    // exit) take effect; an unbounded Atomics.wait would block it
    Atomics.wait(ctrl, GEN, gen, 50);
    now = Atomics.load(ctrl, GEN);
  }
  gen = now;
  if (Atomics.load(ctrl, STOP) !== 0) break;
  // claim tasks of whatever list is current (see pool.ts: CLAIM); count each one done
  for (;;) {
    const c = Atomics.load(ctrl, CLAIM);
    const t = c & 0xfff;
    if (t >= ((c >>> 12) & 0xfff)) break;
    if (Atomics.compareExchange(ctrl, CLAIM, c, c + 1) !== c) continue;
    try {
      let i = tasks[t];
      const calls = tasks[i++];
      for (let k = 0; k < calls; k++) {
        const fn = fns[tasks[i]];
        const argc = tasks[i + 1];
        args.length = argc;
        for (let a = 0; a < argc; a++) {
          const v = tasks[i + 2 + a];
          args[a] = v < 0 ? scratch[index * 4 - 1 - v] : v;
        }
        fn(...args);
        i += 2 + argc;
      }
    } catch (e) {
      Atomics.store(ctrl, FAILED, 1);
    }
    Atomics.add(ctrl, DONE, 1);
    Atomics.notify(ctrl, DONE);
  }
}
`;
