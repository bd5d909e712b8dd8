/**
 * A linear relaxation of a scalar activation f on an input interval [l, u]:
 *   lower.slope·x + lower.offset ≤ f(x) ≤ upper.slope·x + upper.offset   for every real x ∈ [l, u],
 * in exact real arithmetic, where f(x) is the exact function or any float64 evaluation of it within
 * 4 ulps (see ../activations.ts). Offsets are certified for the chosen slope: the offset is a
 * rigorous bound of min/max of f(x) − slope·x over [l, u] (./../certified-min.ts), so soundness does
 * not depend on how the slope was chosen.
 */
import { ArgumentError, describe } from '../../../core/errors.js';
import { certifiedMin1D, type Enclosure } from '../certified-min.js';
import { mulDown, mulUp, subDown, subUp } from '../rounding.js';

export interface Line {
  slope: number;
  offset: number;
}

export interface LinearRelaxation {
  lower: Line;
  upper: Line;
}

/** An increasing scalar activation with enclosures and a curvature bound, as the certifier needs it. */
export interface ScalarFn {
  name: string;
  f: (x: number) => number;
  lo: (x: number) => number;
  hi: (x: number) => number;
  deriv: (x: number) => number;
  /** Upper bound of |f''| on [p, q]. */
  curvMax: (p: number, q: number) => number;
}

export function checkBounds(where: string, l: number, u: number): void {
  if (Number.isNaN(l) || Number.isNaN(u) || l > u) {
    throw new ArgumentError(
      where,
      '[l, u]',
      'an interval with l ≤ u and no NaN',
      `[${describe(l)}, ${describe(u)}]`,
    );
  }
}

/**
 * The largest b with slope·x + b ≤ f(x) on [l, u] that can be certified: min of f − slope·x.
 * Besides the curvature bound, each piece [p, q] has the monotonicity bound
 * f(x) − s·x ≥ f(p) − max(s·p, s·q) (f increasing).
 */
export function certifiedLowerOffset(fn: ScalarFn, slope: number, l: number, u: number): number {
  const g = (x: number): Enclosure => ({
    lo: subDown(fn.lo(x), mulUp(slope, x)),
    hi: subUp(fn.hi(x), mulDown(slope, x)),
  });
  const piece = (p: number, q: number): number =>
    subDown(fn.lo(p), Math.max(mulUp(slope, p), mulUp(slope, q)));
  return certifiedMin1D(g, fn.curvMax, l, u, {}, piece);
}

/** The smallest b with f(x) ≤ slope·x + b on [l, u] that can be certified: max of f − slope·x. */
export function certifiedUpperOffset(fn: ScalarFn, slope: number, l: number, u: number): number {
  // max(f − s·x) = −min(s·x − f);  s·x − f(x) ≥ min(s·p, s·q) − f(q) on [p, q]
  const g = (x: number): Enclosure => ({
    lo: subDown(mulDown(slope, x), fn.hi(x)),
    hi: subUp(mulUp(slope, x), fn.lo(x)),
  });
  const piece = (p: number, q: number): number =>
    subDown(Math.min(mulDown(slope, p), mulDown(slope, q)), fn.hi(q));
  return -certifiedMin1D(g, fn.curvMax, l, u, {}, piece);
}

/** Lines with the given slopes and certified offsets. */
export function linesWithSlopes(
  fn: ScalarFn,
  l: number,
  u: number,
  lowerSlope: number,
  upperSlope: number,
): LinearRelaxation {
  return {
    lower: { slope: lowerSlope, offset: certifiedLowerOffset(fn, lowerSlope, l, u) },
    upper: { slope: upperSlope, offset: certifiedUpperOffset(fn, upperSlope, l, u) },
  };
}
