/**
 * Host-side layout for the recurrent kernels. Inside wasm the hidden size is padded to
 * Hp = ceil(H/4)·4 so every row is whole f32x4 vectors; each gate block is Hp wide. Padded units
 * have zero weights, biases and states, so they stay exactly 0 (σ(0)·0 terms, tanh(0) = 0) and
 * never touch the real units; these helpers copy arrays in and out of the padded layout.
 */
import { Buffer } from 'node:buffer';
import type { FloatArray } from '../tensor.js';
import type { Arena } from './arena.js';

export const pad4 = (n: number): number => Math.ceil(n / 4) * 4;

/**
 * Copies src [rows, G·H] into the arena as [rowsP, G·Hp] (zero-filled padding) and returns
 * the byte offset. rowsP ≥ rows (extra rows are zero).
 */
export function copyInGates(
  arena: Arena,
  src: ArrayLike<number>,
  rows: number,
  G: number,
  H: number,
  Hp: number,
  rowsP = rows,
): number {
  const width = G * Hp;
  if (Hp === H && rowsP === rows) return arena.copyIn(src);
  const p = arena.zeros(rowsP * width);
  const f = arena.f32;
  const base = p >> 2;
  const s = src as FloatArray;
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < G; k++) {
      const from = r * G * H + k * H;
      f.set(s.subarray(from, from + H), base + r * width + k * Hp);
    }
  }
  return p;
}

/** Copies src [rows, H] into [rows, Hp] (or zeros when src is absent). */
export function copyInRows(
  arena: Arena,
  src: ArrayLike<number> | null | undefined,
  rows: number,
  H: number,
  Hp: number,
): number {
  if (!src) return arena.zeros(rows * Hp);
  return copyInGates(arena, src, rows, 1, H, Hp);
}

/**
 * A Float32Array of n floats whose every element the caller overwrites: uninitialised memory
 * (Buffer.allocUnsafeSlow: its own ArrayBuffer, not the shared pool), which skips the zero-fill
 * of `new Float32Array(n)`, a third of the cost of copying a result out.
 */
function uninitialised(n: number): Float32Array {
  return new Float32Array(Buffer.allocUnsafeSlow(n * 4).buffer, 0, n);
}

/** A copy of a float32 array (into uninitialised memory, see above). */
export function clone(a: Float32Array): Float32Array {
  const out = uninitialised(a.length);
  out.set(a);
  return out;
}

/**
 * A new Float32Array holding n floats from byte offset p. (set, never slice(): slice() of a view
 * on shared memory takes V8's element-by-element path, five times slower than this memcpy.)
 */
export function copyOut(arena: Arena, p: number, n: number): Float32Array {
  const out = uninitialised(n);
  out.set(arena.f32.subarray(p >> 2, (p >> 2) + n));
  return out;
}

/** A new Float32Array [rows, G·H] from the arena's [rows, G·Hp] at byte offset p. */
export function copyOutGates(
  arena: Arena,
  p: number,
  rows: number,
  G: number,
  H: number,
  Hp: number,
): Float32Array {
  const f = arena.f32;
  const base = p >> 2;
  if (Hp === H) return copyOut(arena, p, rows * G * H);
  const out = uninitialised(rows * G * H);
  const width = G * Hp;
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < G; k++) {
      const from = base + r * width + k * Hp;
      out.set(f.subarray(from, from + H), r * G * H + k * H);
    }
  }
  return out;
}

/** Writes the arena's [rows, G·Hp] at p back into dst [rows, G·H] (for accumulated gradients). */
export function copyBackGates(
  arena: Arena,
  p: number,
  dst: FloatArray,
  rows: number,
  G: number,
  H: number,
  Hp: number,
): void {
  const f = arena.f32;
  const base = p >> 2;
  if (Hp === H) {
    dst.set(f.subarray(base, base + rows * G * H));
    return;
  }
  const width = G * Hp;
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < G; k++) {
      const from = base + r * width + k * Hp;
      dst.set(f.subarray(from, from + H), r * G * H + k * H);
    }
  }
}

/**
 * Splits [0, n) into consecutive chunks of `size` (a multiple of `align`, the last one shorter):
 * the tasks threads claim. About `perThread` chunks per thread so a delayed thread costs little,
 * but none smaller than `minSize`, so each GEMM keeps enough rows or columns to stay efficient.
 */
export function chunks(
  n: number,
  threads: number,
  align: number,
  minSize: number,
  perThread = 2,
): Array<[number, number]> {
  const size =
    threads <= 1 ? n : Math.max(minSize, Math.ceil(n / (threads * perThread) / align) * align);
  const out: Array<[number, number]> = [];
  for (let s = 0; s < n; s += size) out.push([s, Math.min(n, s + size)]);
  return out;
}
