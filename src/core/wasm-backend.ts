/**
 * The WebAssembly SIMD backend (float32): AssemblyScript f32x4 kernels (assembly/) on one shared
 * WebAssembly.Memory, with the batch of a recurrent layer split across worker threads that share
 * that memory. Arguments are validated like the TS backend (same checks, same messages); inputs
 * are copied into a per-call arena and results copied out into fresh Float32Arrays.
 */
import type { Backend, GemmArgs } from './backend.js';
import { ArgumentError, checkInt, describe } from './errors.js';
import type { FloatArray } from './tensor.js';
import { kernelVariant } from './wasm/module.js';
import { Runtime } from './wasm/runtime.js';
import { wasmSequenceBackward } from './wasm/sequence-backward.js';
import { wasmSequenceForward } from './wasm/sequence-forward.js';

export interface WasmBackendOptions {
  /** Threads for large layer calls (main thread included); default min(2, available cores). */
  threads?: number;
  /**
   * Smallest layer call (multiply-adds, T·B·G·H·(D+H)) split across threads; smaller ones run on
   * the calling thread. Default: measured on a 2-core machine (see PARALLEL_MIN_MACS).
   */
  minParallelMacs?: number;
}

export interface WasmBackend extends Backend {
  readonly name: 'wasm';
  /** Thread count this backend may use. */
  readonly threads: number;
  /** Kernel build in use: 'relaxed' (f32x4 with fused multiply-add) or 'simd' (f32x4). */
  readonly kernels: 'relaxed' | 'simd';
  /** Stops the worker threads (they never keep the process alive; this just frees them early). */
  close(): void;
}

function checkArray(where: string, name: string, x: unknown): asserts x is FloatArray {
  if (!(x instanceof Float32Array) && !(x instanceof Float64Array)) {
    throw new ArgumentError(where, name, 'a Float32Array or Float64Array', describe(x));
  }
}

/** Throws unless `arr` holds a rows×cols block with row stride `ld` starting at `offset`. */
function checkOperand(
  name: string,
  arr: unknown,
  offset: number,
  ld: number,
  rows: number,
  cols: number,
): void {
  const where = 'wasm.gemm';
  checkArray(where, name, arr);
  checkInt(where, `${name}Offset`, offset, 0);
  checkInt(where, `ld${name.toLowerCase()}`, ld, Math.max(1, cols));
  if (rows === 0 || cols === 0) return;
  const needed = offset + (rows - 1) * ld + cols;
  if (arr.length < needed) {
    throw new ArgumentError(
      where,
      name,
      `at least ${needed} values (${rows}×${cols} stored with offset ${offset}, leading dimension ${ld})`,
      `${arr.length} values`,
    );
  }
}

/** The span of a rows×cols block with stride ld: what must be copied in. */
const span = (rows: number, cols: number, ld: number): number =>
  rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;

export function createWasmBackend(opts: WasmBackendOptions = {}): WasmBackend {
  if (opts.threads !== undefined) checkInt('createWasmBackend', 'threads', opts.threads, 1, 64);
  if (opts.minParallelMacs !== undefined)
    checkInt('createWasmBackend', 'minParallelMacs', opts.minParallelMacs, 0);
  const rt = new Runtime(opts.threads, opts.minParallelMacs);
  const k = rt.kernels;
  const ar = rt.arena;

  function gemm(a: GemmArgs): void {
    const { transA, transB, M, N, K, alpha, beta } = a;
    checkInt('wasm.gemm', 'M', M, 0);
    checkInt('wasm.gemm', 'N', N, 0);
    checkInt('wasm.gemm', 'K', K, 0);
    const aOff = a.aOffset ?? 0,
      bOff = a.bOffset ?? 0,
      cOff = a.cOffset ?? 0;
    const lda = a.lda ?? (transA ? M : K);
    const ldb = a.ldb ?? (transB ? K : N);
    const ldc = a.ldc ?? N;
    const [ar_, ac] = transA ? [K, M] : [M, K];
    const [br, bc] = transB ? [N, K] : [K, N];
    checkOperand('A', a.A, aOff, lda, ar_, ac);
    checkOperand('B', a.B, bOff, ldb, br, bc);
    checkOperand('C', a.C, cOff, ldc, M, N);
    if (M === 0 || N === 0) return;
    ar.reset();
    const nA = span(ar_, ac, lda),
      nB = span(br, bc, ldb),
      nC = span(M, N, ldc);
    const pA = ar.copyIn(a.A.subarray(aOff, aOff + nA));
    const pB = ar.copyIn(a.B.subarray(bOff, bOff + nB));
    // beta = 0 ignores C (BLAS semantics: NaN garbage in C must not leak)
    const pC = beta === 0 ? ar.zeros(nC) : ar.copyIn(a.C.subarray(cOff, cOff + nC));
    const work = ar.alloc(rt.gemmWork);
    k.gemm(
      transA ? 1 : 0,
      transB ? 1 : 0,
      M,
      N,
      K,
      alpha,
      pA,
      lda,
      pB,
      ldb,
      beta === 0 ? 1 : beta,
      pC,
      ldc,
      work,
    );
    const f = ar.f32;
    // write back only the M×N block (leave the gaps between rows untouched)
    for (let i = 0; i < M; i++) {
      const s = (pC >> 2) + i * ldc;
      a.C.set(f.subarray(s, s + N), cOff + i * ldc);
    }
  }

  function elementwise(
    where: string,
    x: FloatArray,
    out: FloatArray,
    fn: (px: number, po: number, n: number) => void,
  ): void {
    checkArray(where, 'x', x);
    if (!out || out.length !== x.length) {
      throw new ArgumentError(
        where,
        'out',
        `${x.length} values (the length of x)`,
        out ? `${out.length} values` : describe(out),
      );
    }
    ar.reset();
    const p = ar.copyIn(x);
    fn(p, p, x.length);
    out.set(ar.f32.subarray(p >> 2, (p >> 2) + x.length));
  }

  function reduce(where: string, x: FloatArray, fn: (px: number, n: number) => number): number {
    checkArray(where, 'x', x);
    ar.reset();
    return fn(ar.copyIn(x), x.length);
  }

  return {
    name: 'wasm',
    dtype: 'float32',
    threads: rt.maxThreads,
    kernels: kernelVariant(),
    alloc: (n) => {
      checkInt('wasm.alloc', 'n', n, 0);
      return new Float32Array(n);
    },
    gemm,
    sigmoid: (x, out) => elementwise('wasm.sigmoid', x, out, k.sigmoid_array),
    tanh: (x, out) => elementwise('wasm.tanh', x, out, k.tanh_array),
    sum: (x) => reduce('wasm.sum', x, k.sum),
    sumSquares: (x) => reduce('wasm.sumSquares', x, k.sum_squares),
    addColumnSums: (A, rows, cols, out) => {
      const where = 'wasm.addColumnSums';
      checkInt(where, 'rows', rows, 0);
      checkInt(where, 'cols', cols, 0);
      if (!A || A.length < rows * cols) {
        throw new ArgumentError(
          where,
          'A',
          `at least ${rows * cols} values ([rows=${rows}, cols=${cols}])`,
          A ? `${A.length} values` : describe(A),
        );
      }
      if (!out || out.length !== cols) {
        throw new ArgumentError(
          where,
          'out',
          `${cols} values ([cols=${cols}])`,
          out ? `${out.length} values` : describe(out),
        );
      }
      ar.reset();
      const pA = ar.copyIn(A.subarray(0, rows * cols));
      const pO = ar.copyIn(out);
      k.col_sums(pA, rows, cols, 0, cols, pO);
      out.set(ar.f32.subarray(pO >> 2, (pO >> 2) + cols));
    },
    sequenceForward: (args) => wasmSequenceForward(rt, args),
    sequenceBackward: (args) => wasmSequenceBackward(rt, args),
    discardForward: (fwd) => rt.resident.discard(fwd),
    close: () => rt.close(),
  };
}
