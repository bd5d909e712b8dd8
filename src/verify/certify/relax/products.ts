/**
 * Sound bounding planes for the products in gated cells over a box [lx, ux] × [ly, uy]:
 *   lower.a·x + lower.b·y + lower.c ≤ f(x, y) ≤ upper.a·x + upper.b·y + upper.c
 * for every real (x, y) in the box (exact f, or a float64 evaluation within a few ulps).
 *
 * Method (Cert-RNN / Prover style: choose slopes, then shift by the exact worst violation):
 * 1. candidate slopes (a, b): the constant plane, the tangent plane at the centre, the
 *    least-squares plane on a 5×5 grid, the four planes through three corners, and the McCormick
 *    planes of u(x)·v(y) with u, v linearised at the centre;
 * 2. each candidate's offsets are estimated on a 9×9 grid; the lower candidate with the highest
 *    value at the box centre (the mean of a plane over the box) and the upper one with the lowest
 *    are kept;
 * 3. their offsets are certified: c_L = rigorous min of f − a·x − b·y over the box, c_U = rigorous
 *    max, by branch and bound on corners and bilinear-interpolation error (../certified-min.ts),
 *    which covers corner, edge and interior extrema alike. Soundness does not depend on step 1–2.
 */
import { ArgumentError } from '../../../core/errors.js';
import { certifiedMin2D, type Enclosure } from '../certified-min.js';
import { addDown, addUp, mulDown, mulUp, subDown, subUp } from '../rounding.js';
import { productFn, type ProductFn, type ProductKind } from './product-fns.js';

export type { ProductKind } from './product-fns.js';

export interface Plane {
  a: number;
  b: number;
  c: number;
}

export interface PlaneRelaxation {
  lower: Plane;
  upper: Plane;
}

export interface ProductBox {
  lx: number;
  ux: number;
  ly: number;
  uy: number;
}

function checkBox(where: string, bx: ProductBox): void {
  for (const [name, lo, hi] of [
    ['[lx, ux]', bx.lx, bx.ux],
    ['[ly, uy]', bx.ly, bx.uy],
  ] as const) {
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) {
      throw new ArgumentError(
        where,
        name,
        'a finite interval with lower ≤ upper',
        `[${lo}, ${hi}]`,
      );
    }
  }
}

/** Candidate slope pairs (a, b); see step 1 above. */
function candidates(fn: ProductFn, bx: ProductBox): [number, number][] {
  const { lx, ux, ly, uy } = bx;
  const cx = lx + (ux - lx) / 2;
  const cy = ly + (uy - ly) / 2;
  const [gx, gy] = fn.grad(cx, cy);
  const out: [number, number][] = [
    [0, 0],
    [gx, gy],
  ];
  // Least squares on a symmetric grid decouples: a = Σ f·(x − cx) / Σ (x − cx)², same for b.
  const s = [-1, -0.5, 0, 0.5, 1];
  let sx = 0;
  let sy = 0;
  let n2 = 0;
  for (const i of s) {
    for (const j of s) {
      const v = fn.f(cx + (i * (ux - lx)) / 2, cy + (j * (uy - ly)) / 2);
      sx += v * i;
      sy += v * j;
      n2 += i * i;
    }
  }
  out.push([ux > lx ? sx / n2 / ((ux - lx) / 2) : gx, uy > ly ? sy / n2 / ((uy - ly) / 2) : gy]);
  if (ux > lx && uy > ly) {
    const f00 = fn.f(lx, ly);
    const f01 = fn.f(lx, uy);
    const f10 = fn.f(ux, ly);
    const f11 = fn.f(ux, uy);
    const wx = ux - lx;
    const wy = uy - ly;
    out.push([(f10 - f00) / wx, (f01 - f00) / wy], [(f11 - f01) / wx, (f11 - f10) / wy]);
    out.push([(f10 - f00) / wx, (f11 - f10) / wy], [(f11 - f01) / wx, (f01 - f00) / wy]);
  }
  // McCormick planes of u·v with u∈[ul,uu], v∈[vl,vu], u and v linearised at the centre.
  // McCormick: u·v ≥ vl·u + ul·v − ul·vl, u·v ≥ vu·u + uu·v − uu·vu (lower), and
  // u·v ≤ vu·u + ul·v − ul·vu, u·v ≤ vl·u + uu·v − uu·vl (upper); u, v linearised at the centre.
  const [ul, uu] = [Math.min(fn.u(lx), fn.u(ux)), Math.max(fn.u(lx), fn.u(ux))];
  const [vl, vu] = [fn.v(ly), fn.v(uy)];
  const dux = fn.du(cx);
  const dvy = fn.dv(cy);
  out.push([vl * dux, ul * dvy], [vu * dux, uu * dvy], [vu * dux, ul * dvy], [vl * dux, uu * dvy]);
  return out.filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
}

/** f on a 9×9 grid of the box (x, y, value triples), to rank candidates. */
function gridValues(fn: ProductFn, bx: ProductBox): Float64Array {
  const out = new Float64Array(81 * 3);
  let k = 0;
  for (let i = 0; i <= 8; i++) {
    const x = bx.lx + ((bx.ux - bx.lx) * i) / 8;
    for (let j = 0; j <= 8; j++) {
      const y = bx.ly + ((bx.uy - bx.ly) * j) / 8;
      out[k++] = x;
      out[k++] = y;
      out[k++] = fn.f(x, y);
    }
  }
  return out;
}

/** Approximate min and max of f − a·x − b·y over the grid, and where (only to rank and to seed). */
function gridRange(grid: Float64Array, a: number, b: number): [number, number, number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  let kLo = 0;
  let kHi = 0;
  for (let k = 0; k < grid.length; k += 3) {
    const r = grid[k + 2]! - a * grid[k]! - b * grid[k + 1]!;
    if (r < lo) {
      lo = r;
      kLo = k;
    }
    if (r > hi) {
      hi = r;
      kHi = k;
    }
  }
  return [lo, hi, kLo, kHi];
}

/**
 * How the certified offsets are searched (never whether they are sound): `seeds` are points where
 * the residual is evaluated first (the grid's arg-extremum), `tol` the closing tolerance of the
 * branch and bound. The offset is then within tol (plus rounding) of the exact extremum.
 */
export interface PlaneSearch {
  seeds?: readonly (readonly [number, number])[];
  tol?: number;
}

/**
 * Closing tolerance of the offset search relative to the residual's spread over the box: the
 * offsets are at most 1e-4·spread looser than the exact extrema (1e-12 absolute at least), which
 * is far below what the planes lose anyway and saves most branch-and-bound refinement.
 */
export const PLANE_REL_TOL = 1e-4;

function searchFor(grid: Float64Array, k: number, spread: number): PlaneSearch {
  return {
    seeds: [[grid[k]!, grid[k + 1]!]],
    tol: Math.max(1e-12, PLANE_REL_TOL * (Number.isFinite(spread) ? spread : 0)),
  };
}

/** Certified c with a·x + b·y + c ≤ f on the box. */
export function certifiedPlaneLower(
  fn: ProductFn,
  bx: ProductBox,
  a: number,
  b: number,
  search: PlaneSearch = {},
): number {
  const g = (x: number, y: number): Enclosure => {
    const e = fn.enclose(x, y);
    return {
      lo: subDown(e.lo, addUp(mulUp(a, x), mulUp(b, y))),
      hi: subUp(e.hi, addDown(mulDown(a, x), mulDown(b, y))),
    };
  };
  // On a rectangle: f − a·x − b·y ≥ min f − max over corners of (a·x + b·y) (a plane peaks at a corner).
  const rect = (x0: number, x1: number, y0: number, y1: number): number =>
    subDown(fn.encloseRect(x0, x1, y0, y1).lo, planeMaxUp(a, b, x0, x1, y0, y1));
  return certifiedMin2D(g, fn.curv, bx.lx, bx.ux, bx.ly, bx.uy, search, rect);
}

/** Upper bound of a·x + b·y over a rectangle (at a corner). */
function planeMaxUp(a: number, b: number, x0: number, x1: number, y0: number, y1: number): number {
  return addUp(Math.max(mulUp(a, x0), mulUp(a, x1)), Math.max(mulUp(b, y0), mulUp(b, y1)));
}
/** Lower bound of a·x + b·y over a rectangle. */
function planeMinDown(
  a: number,
  b: number,
  x0: number,
  x1: number,
  y0: number,
  y1: number,
): number {
  return addDown(
    Math.min(mulDown(a, x0), mulDown(a, x1)),
    Math.min(mulDown(b, y0), mulDown(b, y1)),
  );
}

/** Certified c with f ≤ a·x + b·y + c on the box. */
export function certifiedPlaneUpper(
  fn: ProductFn,
  bx: ProductBox,
  a: number,
  b: number,
  search: PlaneSearch = {},
): number {
  const g = (x: number, y: number): Enclosure => {
    const e = fn.enclose(x, y);
    return {
      lo: subDown(addDown(mulDown(a, x), mulDown(b, y)), e.hi),
      hi: subUp(addUp(mulUp(a, x), mulUp(b, y)), e.lo),
    };
  };
  const rect = (x0: number, x1: number, y0: number, y1: number): number =>
    subDown(planeMinDown(a, b, x0, x1, y0, y1), fn.encloseRect(x0, x1, y0, y1).hi);
  return -certifiedMin2D(g, fn.curv, bx.lx, bx.ux, bx.ly, bx.uy, search, rect);
}

/** Bounding planes for the product `kind` over the box. */
export function relaxProduct(kind: ProductKind, bx: ProductBox): PlaneRelaxation {
  checkBox('relaxProduct', bx);
  const fn = productFn(kind);
  const cx = bx.lx + (bx.ux - bx.lx) / 2;
  const cy = bx.ly + (bx.uy - bx.ly) / 2;
  let bestL: [number, number] = [0, 0];
  let bestU: [number, number] = [0, 0];
  let scoreL = -Infinity;
  let scoreU = Infinity;
  let searchL: PlaneSearch = {};
  let searchU: PlaneSearch = {};
  const grid = gridValues(fn, bx);
  for (const [a, b] of candidates(fn, bx)) {
    const [lo, hi, kLo, kHi] = gridRange(grid, a, b);
    const centre = a * cx + b * cy;
    if (centre + lo > scoreL) {
      scoreL = centre + lo;
      bestL = [a, b];
      searchL = searchFor(grid, kLo, hi - lo);
    }
    if (centre + hi < scoreU) {
      scoreU = centre + hi;
      bestU = [a, b];
      searchU = searchFor(grid, kHi, hi - lo);
    }
  }
  return {
    lower: {
      a: bestL[0],
      b: bestL[1],
      c: certifiedPlaneLower(fn, bx, bestL[0], bestL[1], searchL),
    },
    upper: {
      a: bestU[0],
      b: bestU[1],
      c: certifiedPlaneUpper(fn, bx, bestU[0], bestU[1], searchU),
    },
  };
}
