/**
 * How far a float64 forward pass can stray from the exact real-arithmetic network in an affine
 * sum s = b + Σ_j w_j·x_j. For recursive summation in ANY order with round-to-nearest (with or
 * without fused multiply-add), |fl(s) − s| ≤ γ_{n+1}·(|b| + Σ_j |w_j·x_j|), γ_k = k·u/(1 − k·u),
 * u = 2^-53 (Higham, Accuracy and Stability of Numerical Algorithms, §3.1), plus at most 2^-1075 per
 * operation that underflows. FORWARD_GAMMA(n) = (n + 2)·2^-52 exceeds γ_{n+1} for every n < 2^40,
 * and `TINY_PER_SUM` = 2^-1060 covers the underflow terms of sums with fewer than 2^14 terms.
 *
 * Certification widens each affine result by this bound so that its enclosures contain the value
 * the float64 forward pass computes, not only the exact one.
 */
import type { Box } from './interval.js';
import { addUp, mulUp } from './rounding.js';

export function forwardGamma(n: number): number {
  return (n + 2) * 2 ** -52;
}
export const TINY_PER_SUM = 2 ** -1060;

/**
 * Upper bound of the forward rounding error of row r of W·x + b over all x in `input`:
 * γ·(|b_r| + Σ_j |W_rj|·max|x_j|), rounded up.
 */
export function affineForwardError(
  W: ArrayLike<number>,
  cols: number,
  r: number,
  input: Box,
  b?: ArrayLike<number>,
): number {
  let s = b ? Math.abs(b[r]!) : 0;
  for (let j = 0; j < cols; j++) {
    const w = Math.abs(W[r * cols + j]!);
    if (w === 0) continue;
    s = addUp(s, mulUp(w, Math.max(Math.abs(input.lo[j]!), Math.abs(input.hi[j]!))));
  }
  return addUp(mulUp(s, forwardGamma(cols)), TINY_PER_SUM);
}
