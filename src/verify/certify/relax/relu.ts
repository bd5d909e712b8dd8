/**
 * Sound linear relaxations of relu(x) = max(0, x) on [l, u]. relu is piecewise linear, so the
 * lines are exact where it is linear and need no numerical search where it bends:
 *   u ≤ 0: 0 ≤ relu ≤ 0;   l ≥ 0: x ≤ relu ≤ x;
 *   l < 0 < u: lower α·x with α ∈ [0, 1] (α·x ≤ max(0, x) for every real x; CROWN picks α = 1
 *   when u ≥ −l, else 0); upper the secant through (l, 0) and (u, u): slope a ≥ u/(u − l) rounded
 *   up, offset −a·l rounded up, so a·x − a·l ≥ relu(x) at both ends and, by convexity, between.
 */
import { ArgumentError, describe } from '../../../core/errors.js';
import { divUp, mulUp, subDown } from '../rounding.js';
import { checkBounds, type LinearRelaxation } from './line.js';

export function relaxRelu(l: number, u: number, alpha?: number): LinearRelaxation {
  checkBounds('relaxRelu', l, u);
  if (alpha !== undefined && !(alpha >= 0 && alpha <= 1)) {
    throw new ArgumentError('relaxRelu', 'alpha', 'a number in [0, 1]', describe(alpha));
  }
  if (u <= 0) return { lower: { slope: 0, offset: 0 }, upper: { slope: 0, offset: 0 } };
  if (l >= 0) return { lower: { slope: 1, offset: 0 }, upper: { slope: 1, offset: 0 } };
  const lowerSlope = alpha ?? (u >= -l ? 1 : 0);
  if (u === Infinity) {
    // x − l ≥ max(0, x) for x ≥ l when l < 0.
    return { lower: { slope: lowerSlope, offset: 0 }, upper: { slope: 1, offset: -l } };
  }
  if (l === -Infinity)
    return { lower: { slope: lowerSlope, offset: 0 }, upper: { slope: 0, offset: u } };
  const a = Math.min(1, divUp(u, subDown(u, l)));
  return { lower: { slope: lowerSlope, offset: 0 }, upper: { slope: a, offset: mulUp(a, -l) } };
}
