/**
 * Finds, compiles (synchronously, once per process) and describes the AssemblyScript kernels in
 * build/kernels.wasm. The path is found from the package root (the nearest folder above this file
 * with a package.json), so it works from src/ under tsx and from dist/src/ after tsc.
 */
import { existsSync, readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RnnlensError } from '../errors.js';

/**
 * The slice of the WebAssembly JS API used here. tsconfig's lib (ES2022, no DOM) does not declare
 * the WebAssembly namespace, so it is typed locally and read from globalThis.
 */
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}
export type WasmModule = object & { readonly __wasmModule?: never };
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (m: WasmModule, imports: object) => { exports: object };
}
export const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The kernel exports (pointers are byte offsets into the shared memory). */
export interface Kernels {
  gemm(
    tA: number,
    tB: number,
    M: number,
    N: number,
    K: number,
    alpha: number,
    pA: number,
    lda: number,
    pB: number,
    ldb: number,
    beta: number,
    pC: number,
    ldc: number,
    work: number,
  ): void;
  gemm_acc_packed(
    M: number,
    N: number,
    K: number,
    pA: number,
    lda: number,
    pBp: number,
    pC: number,
    ldc: number,
    work: number,
  ): void;
  gemm_step(
    M: number,
    N: number,
    K1: number,
    pA1: number,
    lda1: number,
    K2: number,
    pA2: number,
    lda2: number,
    pBp: number,
    pBias: number,
    pC: number,
    ldc: number,
    scratch: number,
  ): void;
  pack_b_stacked(
    K1: number,
    pB1: number,
    ldb1: number,
    K2: number,
    pB2: number,
    ldb2: number,
    N: number,
    dst: number,
  ): void;
  gemm_work_size(): number;
  pack_b(
    transB: number,
    kc: number,
    nc: number,
    pB: number,
    ldb: number,
    k0: number,
    n0: number,
    dst: number,
  ): void;
  packed_b_size(K: number, N: number): number;
  sigmoid_array(px: number, pout: number, n: number): void;
  tanh_array(px: number, pout: number, n: number): void;
  sum(px: number, n: number): number;
  sum_squares(px: number, n: number): number;
  col_sums(pA: number, rows: number, ld: number, n0: number, n1: number, pOut: number): void;
  lstm_forward(desc: number, b0: number, b1: number, work: number): void;
  lstm_backward(desc: number, b0: number, b1: number, work: number): void;
  gru_forward(desc: number, b0: number, b1: number, work: number, s: number): void;
  gru_backward(desc: number, b0: number, b1: number, work: number): void;
  gru_rb_forward(desc: number, b0: number, b1: number, work: number, s: number, s2: number): void;
  gru_rb_backward(desc: number, b0: number, b1: number, work: number, s: number): void;
  rnn_forward(desc: number, b0: number, b1: number, work: number): void;
  rnn_backward(desc: number, b0: number, b1: number, work: number): void;
}

/** Kernels a worker thread may be asked to run, by index (the worker program's function ids). */
export const KERNEL_NAMES = [
  'gemm',
  'gemm_acc_packed',
  'col_sums',
  'lstm_forward',
  'lstm_backward',
  'gru_forward',
  'gru_backward',
  'gru_rb_forward',
  'gru_rb_backward',
  'rnn_forward',
  'rnn_backward',
] as const satisfies readonly (keyof Kernels)[];
export type KernelName = (typeof KERNEL_NAMES)[number];

/** Pages (64 KiB) the module declares: the imported memory must match. */
export const INITIAL_PAGES = 256;
export const MAXIMUM_PAGES = 65536;

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir)
      throw new RnnlensError(
        'wasm backend: cannot find the package root (no package.json above ' +
          fileURLToPath(import.meta.url) +
          ')',
      );
    dir = up;
  }
}

let compiled: WasmModule | null = null;
let compiledVariant: 'relaxed' | 'simd' = 'simd';

/**
 * Relaxed SIMD (fused multiply-add) is standard in Node ≥ 22 and behind a V8 flag in Node 20.
 * The flag only admits the relaxed-SIMD instructions at validation; set it once, before the
 * first compile, unless RNNLENS_WASM_RELAXED=0.
 */
function relaxedBytes(root: string): Uint8Array | null {
  if (process.env.RNNLENS_WASM_RELAXED === '0') return null;
  const path = join(root, 'build', 'kernels-relaxed.wasm');
  if (!existsSync(path)) return null;
  const bytes = readFileSync(path);
  if (WA.validate(bytes)) return bytes;
  try {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return null;
  }
  return WA.validate(bytes) ? bytes : null;
}

/** The compiled kernel module (compiled on first use): the relaxed-SIMD build when supported. */
export function kernelModule(): WasmModule {
  if (compiled) return compiled;
  const root = packageRoot();
  const relaxed = relaxedBytes(root);
  if (relaxed) {
    compiled = new WA.Module(relaxed);
    compiledVariant = 'relaxed';
    return compiled;
  }
  const path = join(root, 'build', 'kernels.wasm');
  if (!existsSync(path)) {
    throw new RnnlensError(`wasm backend: ${path} is missing; build it with 'npm run build:wasm'`);
  }
  compiled = new WA.Module(readFileSync(path));
  compiledVariant = 'simd';
  return compiled;
}

/** Which build runs: 'relaxed' (f32x4 + fused multiply-add) or 'simd' (f32x4). */
export function kernelVariant(): 'relaxed' | 'simd' {
  kernelModule();
  return compiledVariant;
}

/** Instantiates the kernels on a shared memory (each thread does this on the same memory). */
export function instantiate(memory: WasmMemory): Kernels {
  const inst = new WA.Instance(kernelModule(), { env: { memory } });
  return inst.exports as unknown as Kernels;
}
