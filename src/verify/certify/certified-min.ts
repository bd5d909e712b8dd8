/**
 * Rigorous lower bounds of the minimum of a smooth function over an interval or a rectangle, by
 * branch and bound on the interpolation error of a C² function:
 *
 *   1-D: on [p, q], g(x) ≥ min(g(p), g(q)) − M·(q − p)²/8            with M ≥ sup |g''| on [p, q]
 *   2-D: on a rectangle, g ≥ min(4 corners) − (hx²·Mxx + hy²·Myy)/8   with Mxx ≥ sup |g_xx|, ...
 *
 * (linear interpolation error ≤ h²·sup|g''|/8; bilinear interpolation I = Ix·Iy splits as
 * g − Ix Iy g = (g − Ix g) + Ix(g − Iy g), and a bilinear interpolant's minimum is at a corner).
 * The bound holds for every real point of the piece, including the stationary points on edges and
 * in the interior, so no stationary point has to be located exactly: pieces whose bound cannot
 * beat the best value found so far (minus `tol`) are closed, the others are split, and the answer
 * is the smallest bound over all closed pieces. A caller may add a second rigorous bound per piece
 * (e.g. from monotonicity, which stays useful on huge pieces where h² overflows); the larger of
 * the two is used. Function values come as sound enclosures
 * [lo, hi] of the exact value, and every step is rounded outward, so the result is a float that
 * is ≤ the exact minimum. If the evaluation budget runs out, the open pieces contribute their
 * (looser, still valid) bounds.
 */
import { addUp, divUp, mulUp, subDown } from './rounding.js';

/** A sound enclosure of g at a point: lo ≤ g_exact ≤ hi. */
export interface Enclosure {
  lo: number;
  hi: number;
}

export interface MinOptions {
  /** Stop refining a piece once its bound is within tol of the best value found (default 1e-12). */
  tol?: number;
  /** Evaluation budget (default 4000 in 1-D, 12000 in 2-D). */
  maxEvals?: number;
  /**
   * Extra points (2-D: [x, y] pairs inside the rectangle) where g is evaluated first: a good guess
   * of the minimiser lowers the best value found at once, so pieces close earlier. Any points are
   * fine (the result stays a rigorous bound); they only change the work done.
   */
  seeds?: readonly (readonly [number, number])[];
}

/** (h²·M)/8 rounded up. */
function interpErr(h: number, M: number): number {
  return divUp(mulUp(mulUp(h, h), M), 8);
}

/**
 * Lower bound of min g over [l, u] (finite). `g` returns an enclosure; `curv(p, q)` an upper bound
 * of |g''| on [p, q].
 */
export function certifiedMin1D(
  g: (x: number) => Enclosure,
  curv: (p: number, q: number) => number,
  l: number,
  u: number,
  opts: MinOptions = {},
  pieceBound?: (p: number, q: number) => number,
): number {
  const tol = opts.tol ?? 1e-12;
  const maxEvals = opts.maxEvals ?? 4000;
  const gl = g(l);
  const gu = u === l ? gl : g(u);
  let evals = 2;
  let best = Math.min(gl.hi, gu.hi); // an upper bound of the exact minimum
  let result = Infinity;
  const stack: [number, number, Enclosure, Enclosure][] = [[l, u, gl, gu]];
  while (stack.length > 0) {
    const [p, q, gp, gq] = stack.pop()!;
    let bound = subDown(Math.min(gp.lo, gq.lo), interpErr(addUp(q, -p), curv(p, q)));
    if (pieceBound) bound = Math.max(bound, pieceBound(p, q));
    const m = p / 2 + q / 2; // no overflow for huge ends
    if (bound >= best - tol || m <= p || m >= q || evals >= maxEvals) {
      result = Math.min(result, bound);
      continue;
    }
    const gm = g(m);
    evals++;
    best = Math.min(best, gm.hi);
    stack.push([p, m, gp, gm], [m, q, gm, gq]);
  }
  return result;
}

interface Rect {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  g00: Enclosure;
  g01: Enclosure; // (x0, y1)
  g10: Enclosure; // (x1, y0)
  g11: Enclosure;
}

/**
 * Lower bound of min g over the rectangle [lx, ux] × [ly, uy] (finite). `curv(rect)` returns upper
 * bounds of |g_xx| and |g_yy| over the rectangle.
 */
export function certifiedMin2D(
  g: (x: number, y: number) => Enclosure,
  curv: (x0: number, x1: number, y0: number, y1: number) => { xx: number; yy: number },
  lx: number,
  ux: number,
  ly: number,
  uy: number,
  opts: MinOptions = {},
  rectBound?: (x0: number, x1: number, y0: number, y1: number) => number,
): number {
  const tol = opts.tol ?? 1e-12;
  const maxEvals = opts.maxEvals ?? 12000;
  const first: Rect = {
    x0: lx,
    x1: ux,
    y0: ly,
    y1: uy,
    g00: g(lx, ly),
    g01: g(lx, uy),
    g10: g(ux, ly),
    g11: g(ux, uy),
  };
  let evals = 4;
  let best = Math.min(first.g00.hi, first.g01.hi, first.g10.hi, first.g11.hi);
  for (const [x, y] of opts.seeds ?? []) {
    if (x >= lx && x <= ux && y >= ly && y <= uy) {
      best = Math.min(best, g(x, y).hi);
      evals++;
    }
  }
  let result = Infinity;
  const stack: Rect[] = [first];
  while (stack.length > 0) {
    const r = stack.pop()!;
    const c = curv(r.x0, r.x1, r.y0, r.y1);
    const ex = interpErr(addUp(r.x1, -r.x0), c.xx);
    const ey = interpErr(addUp(r.y1, -r.y0), c.yy);
    let bound = subDown(Math.min(r.g00.lo, r.g01.lo, r.g10.lo, r.g11.lo), addUp(ex, ey));
    // the second bound only when the first cannot close the piece (it costs four enclosures)
    if (rectBound && bound < best - tol) bound = Math.max(bound, rectBound(r.x0, r.x1, r.y0, r.y1));
    const xm = r.x0 / 2 + r.x1 / 2;
    const ym = r.y0 / 2 + r.y1 / 2;
    const canX = xm > r.x0 && xm < r.x1;
    const canY = ym > r.y0 && ym < r.y1;
    if (bound >= best - tol || (!canX && !canY) || evals >= maxEvals) {
      result = Math.min(result, bound);
      continue;
    }
    // Split the side that contributes more interpolation error.
    if (canX && (ex >= ey || !canY)) {
      const a = g(xm, r.y0);
      const b = g(xm, r.y1);
      evals += 2;
      best = Math.min(best, a.hi, b.hi);
      stack.push({ ...r, x1: xm, g10: a, g11: b }, { ...r, x0: xm, g00: a, g01: b });
    } else {
      const a = g(r.x0, ym);
      const b = g(r.x1, ym);
      evals += 2;
      best = Math.min(best, a.hi, b.hi);
      stack.push({ ...r, y1: ym, g01: a, g11: b }, { ...r, y0: ym, g00: a, g10: b });
    }
  }
  return result;
}
