/**
 * Elementwise activations and reductions of the reference backend.
 * σ(x) is evaluated on the branch where exp cannot overflow:
 *   x ≥ 0: σ(x) = 1 / (1 + e^(−x));   x < 0: σ(x) = e^x / (1 + e^x)
 * so both tails keep full relative precision (σ(−40) ≈ 4.2e−18, not 0 from 1 − 1).
 */
import type { FloatArray } from '../tensor.js';

export function sigmoidScalar(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export function sigmoidArray(x: FloatArray, out: FloatArray): void {
  const n = Math.min(x.length, out.length);
  for (let i = 0; i < n; i++) out[i] = sigmoidScalar(x[i]!);
}

/** Math.tanh saturates to ±1 without overflow and keeps relative precision near 0. */
export function tanhArray(x: FloatArray, out: FloatArray): void {
  const n = Math.min(x.length, out.length);
  for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]!);
}

export function sum(x: FloatArray): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s;
}

export function sumSquares(x: FloatArray): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return s;
}

/** out[j] += Σ_i A[i, j] for A [rows, cols]. */
export function addColumnSums(A: FloatArray, rows: number, cols: number, out: FloatArray): void {
  const acc = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    for (let j = 0; j < cols; j++) acc[j]! += A[row + j]!;
  }
  for (let j = 0; j < cols; j++) out[j] = out[j]! + acc[j]!;
}
