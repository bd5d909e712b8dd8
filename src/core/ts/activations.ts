/**
 * Elementwise activations and reductions of the reference backend.
 * σ(x) is evaluated on the branch where exp cannot overflow:
 *   x ≥ 0: σ(x) = 1 / (1 + e^(−x));   x < 0: σ(x) = e^x / (1 + e^x)
 * so both tails keep full relative precision (σ(−40) ≈ 4.2e−18, not 0 from 1 − 1).
 */
import type { RecurrentActivation } from '../backend.js';
import { hardSigmoidSlope } from '../backend.js';
import type { FloatArray } from '../tensor.js';

export function sigmoidScalar(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Keras 2 / TF.js hard sigmoid: clip(0.2x + 0.5, 0, 1). */
export function hardSigmoidScalar(x: number): number {
  const y = 0.2 * x + 0.5;
  return y <= 0 ? 0 : y >= 1 ? 1 : y;
}

/** Keras 3 hard sigmoid: relu6(x + 3) / 6 = clip(x/6 + 0.5, 0, 1). */
export function hardSigmoidKeras3Scalar(x: number): number {
  const y = (x + 3) / 6;
  return y <= 0 ? 0 : y >= 1 ? 1 : y;
}

/** The gate activation of a cell (see backend.ts). */
export function gateActivation(act: RecurrentActivation | undefined): (x: number) => number {
  if (act === 'hard_sigmoid') return hardSigmoidScalar;
  if (act === 'hard_sigmoid_keras3') return hardSigmoidKeras3Scalar;
  return sigmoidScalar;
}

/**
 * σ'(a) as a function of the stored gate value s = σ(a): s(1 − s) for the logistic sigmoid; for a
 * hard sigmoid its slope inside (0, 1) and 0 at or beyond the kinks (s exactly 0 or 1).
 */
export function gateDerivative(act: RecurrentActivation | undefined): (s: number) => number {
  const slope = hardSigmoidSlope(act);
  if (slope === 0) return (s) => s * (1 - s);
  return (s) => (s > 0 && s < 1 ? slope : 0);
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
