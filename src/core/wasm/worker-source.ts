/**
 * The worker thread's program, as source text run with `new Worker(source, { eval: true })`, so it
 * needs no file of its own (works the same from src/ under tsx and from dist/). Each worker
 * instantiates the kernel module on the shared memory, then loops: wait for a new generation on
 * the control block, run its list of kernel calls, count itself done, notify.
 * Control block (Int32Array): see CTRL_* in pool.ts.
 */
export const WORKER_SOURCE = `
'use strict';
const { workerData } = require('node:worker_threads');
const { module, memory, ctrlBuf, progBuf, index, names, progLen } = workerData;
const ctrl = new Int32Array(ctrlBuf);
const prog = new Float64Array(progBuf);
const GEN = 0, DONE = 1, STOP = 2, READY = 3, FAILED = 4;
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
  try {
    const base = index * progLen;
    const n = prog[base];
    let i = base + 1;
    const end = base + 1 + n;
    while (i < end) {
      const fn = fns[prog[i]];
      const argc = prog[i + 1];
      const a = prog.subarray(i + 2, i + 2 + argc);
      fn(...a);
      i += 2 + argc;
    }
  } catch (e) {
    Atomics.store(ctrl, FAILED, 1);
  }
  Atomics.add(ctrl, DONE, 1);
  Atomics.notify(ctrl, DONE);
}
`;
