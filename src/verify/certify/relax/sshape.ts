/**
 * CROWN / DeepPoly linear relaxations of S-shaped activations (tanh, σ): increasing, convex on
 * x ≤ 0 and concave on x ≥ 0. Slopes follow the standard construction (Zhang et al. 2018, CROWN;
 * Singh et al. 2019, DeepPoly); the offsets are then certified by ./line.ts.
 *
 *   lower line: u ≤ 0 → tangent at the midpoint (convex part); l ≥ 0 → secant (concave part);
 *               l < 0 < u → tangent at d ∈ [l, 0] through (u, f(u)), or the secant if that
 *               tangent point would lie left of l.
 *   upper line: mirror image (the same rules applied to x ↦ −f(−x) on [−u, −l]).
 * Infinite ends give constant lines (slope 0) at the function's limits.
 */
import { ArgumentError, describe } from '../../../core/errors.js';
import { checkBounds, linesWithSlopes, type LinearRelaxation, type ScalarFn } from './line.js';

/** Below this width, secants lose digits to cancellation; the tangent at the midpoint is used. */
const NARROW = 1e-7;
/** Tangent points of tanh and σ never lie beyond this (their slopes underflow to 0 there). */
const FAR = 800;

/** Slope of the CROWN lower line for an S-shaped f with derivative fp on finite [l, u]. */
function lowerSlope(
  f: (x: number) => number,
  fp: (x: number) => number,
  l: number,
  u: number,
): number {
  const mid = l / 2 + u / 2;
  if (u - l <= NARROW * (1 + Math.abs(l) + Math.abs(u))) return fp(mid);
  if (u <= 0) return fp(mid);
  const secant = (f(u) - f(l)) / (u - l);
  if (l >= 0) return secant;
  // Tangent at d through (u, f(u)): h(d) = f(d) + f'(d)(u − d) − f(u); h(0) ≥ 0 on S-shapes.
  const h = (d: number): number => f(d) + fp(d) * (u - d) - f(u);
  if (h(l) >= 0) return secant;
  let a = Math.max(l, -FAR);
  if (h(a) >= 0) return fp(a);
  let b = 0;
  for (let i = 0; i < 80 && b - a > 1e-15 * (1 + Math.abs(a)); i++) {
    const m = a + (b - a) / 2;
    if (h(m) >= 0) b = m;
    else a = m;
  }
  return fp(b);
}

/** The CROWN relaxation of an S-shaped, point-symmetric-about-its-inflection activation. */
export function relaxSShape(fn: ScalarFn, l: number, u: number, where: string): LinearRelaxation {
  checkBounds(where, l, u);
  if (!Number.isFinite(l) || !Number.isFinite(u)) {
    return { lower: { slope: 0, offset: fn.lo(l) }, upper: { slope: 0, offset: fn.hi(u) } };
  }
  const mirror = (x: number): number => -fn.f(-x);
  const mirrorDeriv = (x: number): number => fn.deriv(-x);
  const sL = lowerSlope(fn.f, fn.deriv, l, u);
  const sU = lowerSlope(mirror, mirrorDeriv, -u, -l);
  return linesWithSlopes(fn, l, u, sL, sU);
}

/**
 * The α-CROWN family: the lower and upper lines are tangent slopes at points chosen by
 * αL, αU ∈ [0, 1] (d = l + α·(u − l)), i.e. any slope in f'([l, u]). Every choice is sound (the
 * offsets are certified); an optimiser tunes α for tighter final bounds.
 */
export function relaxSShapeAlpha(
  fn: ScalarFn,
  l: number,
  u: number,
  alphaLower: number,
  alphaUpper: number,
  where: string,
): LinearRelaxation {
  checkBounds(where, l, u);
  for (const [name, a] of [
    ['alphaLower', alphaLower],
    ['alphaUpper', alphaUpper],
  ] as const) {
    if (!(a >= 0 && a <= 1))
      throw new ArgumentError(where, name, 'a number in [0, 1]', describe(a));
  }
  if (!Number.isFinite(l) || !Number.isFinite(u)) return relaxSShape(fn, l, u, where);
  return linesWithSlopes(
    fn,
    l,
    u,
    fn.deriv(l + alphaLower * (u - l)),
    fn.deriv(l + alphaUpper * (u - l)),
  );
}
