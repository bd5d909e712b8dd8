/**
 * Sound interval ranges and linear relaxations of the smooth functions of ./smooth-fns.ts on an
 * input interval [l, u].
 *
 * Range (IBP): monotone functions from their ends; 'valley' functions (GELU, SiLU: decreasing,
 * then increasing) from their ends, or — when [l, u] reaches the minimiser — from a rigorous lower
 * bound of the global minimum (certified once by branch and bound, ../certified-min.ts); x² and
 * 1/x by cases on the sign. Every end is widened by the function's error allowance `err`.
 *
 * Lines (CROWN): the slope of each line is chosen numerically — for the lower line the slope s
 * maximising the line's value at the midpoint, s·m + min_x (f(x) − s·x), which is concave in s and
 * found by ternary search on a grid of [l, u]; this gives the tangent at the midpoint on convex
 * pieces, the chord on concave pieces and the best line between on S- and valley-shaped ones. The
 * slope only affects tightness: the offset is then certified for it — a rigorous lower bound of
 * min over ALL of [l, u] of f(x) − s·x for the exact f (branch and bound with the bound |f''| and,
 * per piece, the range bound), moved outward by `err` again so the float64 forward pass's value
 * lies between the lines too. The upper line mirrors this. Infinite or undefined ranges give
 * constant lines at the range's ends.
 */
import { certifiedMin1D, type Enclosure } from '../certified-min.js';
import type { Interval } from '../interval.js';
import { addUp, mulDown, mulUp, subDown, subUp } from '../rounding.js';
import { checkBounds, type LinearRelaxation } from './line.js';
import { SMOOTH, type SmoothFn, type SmoothKind } from './smooth-fns.js';

/** Half-width of the window around a valley's float minimiser treated as containing it. */
const ARGMIN_WINDOW = 1e-6;
const GRID = 65;
const SEARCH_STEPS = 60;
const NARROW = 1e-9;

/** f at x with the limits at ±∞ (x·σ(x) and z·(1 + erf z) tend to 0 at −∞). */
function value(fn: SmoothFn, x: number): number {
  const v = fn.f(x);
  return Number.isNaN(v) && !Number.isFinite(x) ? 0 : v;
}

const minCache = new Map<SmoothKind, number>();

/** A rigorous lower bound of the exact global minimum of a valley function. */
export function valleyMinimum(fn: SmoothFn): number {
  const hit = minCache.get(fn.kind);
  if (hit !== undefined) return hit;
  const c = fn.argmin!;
  const e = fn.err(Math.abs(c) + 0.01, 1);
  const g = (x: number): Enclosure => ({ lo: subDown(fn.f(x), e), hi: addUp(fn.f(x), e) });
  const m = certifiedMin1D(g, fn.curvMax, c - 0.01, c + 0.01, { tol: Math.max(1e-14, 4 * e), maxEvals: 100000 });
  minCache.set(fn.kind, m);
  return m;
}

/** The input interval inside the function's domain, or null when none of it is. */
function clip(fn: SmoothFn, l: number, u: number): [number, number] | null {
  const lo = Math.max(l, fn.domain.lo);
  const hi = Math.min(u, fn.domain.hi);
  return lo > hi ? null : [lo, hi];
}

/** An error allowance valid on all of [l, u] (needs a rough bound of |f| there). */
function errOn(fn: SmoothFn, l: number, u: number): number {
  const ax = Math.max(Math.abs(l), Math.abs(u));
  let af = Math.max(Math.abs(value(fn, l)), Math.abs(value(fn, u)));
  if (fn.shape === 'valley') af = Math.max(af, 1);
  if (fn.shape === 'square') af = ax * ax;
  return fn.err(ax, af * (1 + 2 ** -40));
}

/** Sound enclosure of f([l, u]) (exact function and float64 forward pass). */
export function smoothRange(fn: SmoothFn, l: number, u: number): Interval {
  const c = clip(fn, l, u);
  if (!c) return { lo: -Infinity, hi: Infinity };
  const [p, q] = c;
  const e = errOn(fn, p, q);
  const dn = (v: number) => subDown(v, e);
  const up = (v: number) => addUp(v, e);
  switch (fn.shape) {
    case 'increasing':
      return { lo: dn(value(fn, p)), hi: up(value(fn, q)) };
    case 'decreasing':
      return { lo: dn(value(fn, q)), hi: p <= 0 && fn.domain.open ? Infinity : up(value(fn, p)) };
    case 'recip':
      if (p > 0 || q < 0) return { lo: dn(value(fn, q)), hi: up(value(fn, p)) };
      return { lo: -Infinity, hi: Infinity };
    case 'square':
      if (p >= 0) return { lo: dn(mulDown(p, p)), hi: up(mulUp(q, q)) };
      if (q <= 0) return { lo: dn(mulDown(q, q)), hi: up(mulUp(p, p)) };
      return { lo: 0, hi: up(Math.max(mulUp(p, p), mulUp(q, q))) };
    case 'valley': {
      const m = fn.argmin!;
      const hi = up(Math.max(value(fn, p), value(fn, q)));
      if (q <= m - ARGMIN_WINDOW) return { lo: dn(value(fn, q)), hi: up(value(fn, p)) };
      if (p >= m + ARGMIN_WINDOW) return { lo: dn(value(fn, p)), hi: up(value(fn, q)) };
      return { lo: dn(valleyMinimum(fn)), hi };
    }
  }
}

/** IBP of a smooth activation over a box, elementwise. */
export function smoothRangeKind(kind: SmoothKind, l: number, u: number): Interval {
  return smoothRange(SMOOTH[kind], l, u);
}

/** The slope whose line (lower: below f, upper: above) is best at the midpoint on the grid. */
function chooseSlope(fn: SmoothFn, l: number, u: number, lower: boolean): number {
  const xs = Float64Array.from({ length: GRID }, (_, i) => (i === GRID - 1 ? u : l + ((u - l) * i) / (GRID - 1)));
  const fs = xs.map((x) => fn.f(x));
  let smin = Infinity;
  let smax = -Infinity;
  for (const x of xs) {
    const d = fn.deriv(x);
    if (Number.isFinite(d)) {
      smin = Math.min(smin, d);
      smax = Math.max(smax, d);
    }
  }
  if (!(smin <= smax)) return 0;
  const mid = l / 2 + u / 2;
  // lower: maximise s·m + min_i (f_i − s·x_i); upper: minimise s·m + max_i (f_i − s·x_i)
  const obj = (s: number): number => {
    let v = lower ? Infinity : -Infinity;
    for (let i = 0; i < GRID; i++) {
      const r = fs[i]! - s * xs[i]!;
      v = lower ? Math.min(v, r) : Math.max(v, r);
    }
    return lower ? s * mid + v : -(s * mid + v);
  };
  let a = smin;
  let b = smax;
  for (let k = 0; k < SEARCH_STEPS && b - a > 1e-13 * (1 + Math.abs(a) + Math.abs(b)); k++) {
    const m1 = a + (b - a) / 3;
    const m2 = b - (b - a) / 3;
    if (obj(m1) < obj(m2)) a = m1;
    else b = m2;
  }
  return a / 2 + b / 2;
}

/** Rigorous lower bound of min over [l, u] of sign·(f(x) − s·x) for the exact f (sign ±1). */
function certifiedGap(fn: SmoothFn, s: number, l: number, u: number, e: number, sign: 1 | -1): number {
  const g = (x: number): Enclosure => {
    const v = fn.f(x);
    return sign > 0
      ? { lo: subDown(subDown(v, e), mulUp(s, x)), hi: subUp(addUp(v, e), mulDown(s, x)) }
      : { lo: subDown(mulDown(s, x), addUp(v, e)), hi: subUp(mulUp(s, x), subDown(v, e)) };
  };
  const piece = (p: number, q: number): number => {
    const r = smoothRange(fn, p, q);
    return sign > 0
      ? subDown(r.lo, Math.max(mulUp(s, p), mulUp(s, q)))
      : subDown(Math.min(mulDown(s, p), mulDown(s, q)), r.hi);
  };
  // pieces close once within tol of the best value: below the enclosures' width they never would
  return certifiedMin1D(g, fn.curvMax, l, u, { tol: Math.max(1e-12, 4 * e) }, piece);
}

/** Linear lower and upper bounds of f on [l, u], valid for the exact f and the forward pass. */
export function relaxSmooth(fn: SmoothFn, l: number, u: number): LinearRelaxation {
  checkBounds(`relax ${fn.kind}`, l, u);
  const c = clip(fn, l, u);
  const r = smoothRange(fn, l, u);
  const flat: LinearRelaxation = { lower: { slope: 0, offset: r.lo }, upper: { slope: 0, offset: r.hi } };
  if (!c || !Number.isFinite(r.lo) || !Number.isFinite(r.hi)) return flat;
  const [p, q] = c;
  if (!Number.isFinite(p) || !Number.isFinite(q)) return flat;
  const e = errOn(fn, p, q);
  let sL: number;
  let sU: number;
  if (q - p <= NARROW * (1 + Math.abs(p) + Math.abs(q))) {
    const d = fn.deriv(p / 2 + q / 2);
    sL = sU = Number.isFinite(d) ? d : 0;
  } else {
    sL = chooseSlope(fn, p, q, true);
    sU = chooseSlope(fn, p, q, false);
  }
  const lowerOff = subDown(certifiedGap(fn, sL, p, q, e, 1), e);
  const upperOff = addUp(-certifiedGap(fn, sU, p, q, e, -1), e);
  if (!Number.isFinite(lowerOff) || !Number.isFinite(upperOff)) return flat;
  return { lower: { slope: sL, offset: lowerOff }, upper: { slope: sU, offset: upperOff } };
}

export function relaxSmoothKind(kind: SmoothKind, l: number, u: number): LinearRelaxation {
  return relaxSmooth(SMOOTH[kind], l, u);
}
