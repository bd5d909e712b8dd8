/**
 * Linear bounds (CROWN / DeepPoly back-substitution) with outward rounding.
 *
 * A LinearBound bounds `rows` quantities z by linear functions of `cols` variables v:
 *   lowerA·v + lowerB ≤ z ≤ upperA·v + upperB      (exact real arithmetic, A row-major [rows, cols])
 * for every v in the set the bound was built for. Back-substitution replaces the variables by
 * what they are computed from (an affine map, or an activation through its relaxation lines),
 * ending with bounds over the network input; concretisation minimises/maximises them over the
 * input set. Float rounding of new coefficients is absorbed into the offsets: a computed
 * coefficient ĉ differs from the exact one c by at most e, so c·v ≥ ĉ·v − e·max|v| over the box of
 * v, which each step therefore needs (IBP or earlier linear bounds provide it).
 */
import { ArgumentError } from '../../core/errors.js';
import { affineForwardError } from './forward-error.js';
import type { Box } from './interval.js';
import { checkBall, type NormKind } from './ibp.js';
import type { LinearRelaxation } from './relax/line.js';
import type { PlaneRelaxation } from './relax/products.js';
import { addDown, addUp, dotDown, dotUp, mulDown, mulUp, sqrtUp, subDown } from './rounding.js';

export interface LinearBound {
  rows: number;
  cols: number;
  lowerA: Float64Array;
  lowerB: Float64Array;
  upperA: Float64Array;
  upperB: Float64Array;
}

/** z ≤ z ≤ z: the start of a back-substitution for `n` quantities. */
export function identityBound(n: number): LinearBound {
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) A[i * n + i] = 1;
  return {
    rows: n,
    cols: n,
    lowerA: A,
    lowerB: new Float64Array(n),
    upperA: A.slice(),
    upperB: new Float64Array(n),
  };
}

const U = 2 ** -52; // 2·unit roundoff: a generous per-operation relative error bound
const TINY = 2 ** -1060; // covers underflow in sums of up to 2^14 products

function maxAbsBox(v: Box, j: number): number {
  return Math.max(Math.abs(v.lo[j]!), Math.abs(v.hi[j]!));
}

function checkBoxLength(where: string, v: Box, n: number): void {
  if (v.lo.length !== n)
    throw new ArgumentError(where, 'inputBox', `${n} intervals`, `${v.lo.length} intervals`);
}

/**
 * Back-substitution through z = W·y + b (W [k, n] row-major, k = bound.cols): a bound over z becomes
 * a bound over y, using `inputBox` ⊇ the range of y to absorb rounding of Λ·W. With `floatForward`
 * (default) z is the float64 forward pass's value z̃ = W·y + b + δ, |δ_t| ≤ Δ_t
 * (./forward-error.ts), so Λ·z̃ ≥ Λ·(W·y + b) − |Λ|·Δ is absorbed too.
 */
export function backAffine(
  bound: LinearBound,
  W: ArrayLike<number>,
  b: ArrayLike<number> | undefined,
  n: number,
  inputBox: Box,
  floatForward = true,
): LinearBound {
  const k = bound.cols;
  if (W.length !== k * n)
    throw new ArgumentError('backAffine', 'W', `${k * n} values (${k}×${n})`, `${W.length} values`);
  if (b && b.length !== k)
    throw new ArgumentError('backAffine', 'b', `${k} values`, `${b.length} values`);
  checkBoxLength('backAffine', inputBox, n);
  const m = bound.rows;
  const out: LinearBound = {
    rows: m,
    cols: n,
    lowerA: new Float64Array(m * n),
    lowerB: new Float64Array(m),
    upperA: new Float64Array(m * n),
    upperB: new Float64Array(m),
  };
  const gamma = (k + 2) * U;
  const absSum = new Float64Array(n);
  const delta = new Float64Array(k);
  if (floatForward) for (let t = 0; t < k; t++) delta[t] = affineForwardError(W, n, t, inputBox, b);
  for (const side of ['lower', 'upper'] as const) {
    const A = side === 'lower' ? bound.lowerA : bound.upperA;
    const B = side === 'lower' ? bound.lowerB : bound.upperB;
    const outA = side === 'lower' ? out.lowerA : out.upperA;
    const outB = side === 'lower' ? out.lowerB : out.upperB;
    for (let i = 0; i < m; i++) {
      absSum.fill(0);
      for (let t = 0; t < k; t++) {
        const c = A[i * k + t]!;
        if (c === 0) continue;
        for (let j = 0; j < n; j++) {
          const w = W[t * n + j]!;
          outA[i * n + j] += c * w; // Λ·W to nearest …
          absSum[j] += Math.abs(c * w); // … with |Λ|·|W| for its error bound
        }
      }
      // offset: B + Λ·b rounded in the bound's direction, minus / plus the coefficient errors
      let off =
        side === 'lower'
          ? b
            ? addDown(B[i]!, dotDown(A, b, k, i * k))
            : B[i]!
          : b
            ? addUp(B[i]!, dotUp(A, b, k, i * k))
            : B[i]!;
      let slack = 0;
      if (floatForward)
        for (let t = 0; t < k; t++) slack = addUp(slack, mulUp(Math.abs(A[i * k + t]!), delta[t]!));
      for (let j = 0; j < n; j++) {
        if (absSum[j] === 0) continue;
        const e = addUp(mulUp(absSum[j]!, gamma), TINY);
        slack = addUp(slack, mulUp(e, maxAbsBox(inputBox, j)));
      }
      off = side === 'lower' ? subDown(off, slack) : addUp(off, slack);
      outB[i] = off;
    }
  }
  return out;
}

/**
 * Back-substitution through z_j = f(y_j), each f relaxed on y_j ∈ inputBox_j by lines: a positive
 * coefficient takes the lower line in a lower bound (the upper line in an upper bound), a negative
 * one the other line.
 */
export function backActivation(
  bound: LinearBound,
  relax: readonly LinearRelaxation[],
  inputBox: Box,
): LinearBound {
  const n = bound.cols;
  if (relax.length !== n)
    throw new ArgumentError('backActivation', 'relax', `${n} relaxations`, `${relax.length}`);
  checkBoxLength('backActivation', inputBox, n);
  const m = bound.rows;
  const out: LinearBound = {
    rows: m,
    cols: n,
    lowerA: new Float64Array(m * n),
    lowerB: new Float64Array(m),
    upperA: new Float64Array(m * n),
    upperB: new Float64Array(m),
  };
  for (const side of ['lower', 'upper'] as const) {
    const A = side === 'lower' ? bound.lowerA : bound.upperA;
    const B = side === 'lower' ? bound.lowerB : bound.upperB;
    const outA = side === 'lower' ? out.lowerA : out.upperA;
    const outB = side === 'lower' ? out.lowerB : out.upperB;
    for (let i = 0; i < m; i++) {
      let off = B[i]!;
      let slack = 0;
      for (let j = 0; j < n; j++) {
        const c = A[i * n + j]!;
        if (c === 0) continue;
        // lower bound: c ≥ 0 → lower line; upper bound: c ≥ 0 → upper line
        const line = c >= 0 === (side === 'lower') ? relax[j]!.lower : relax[j]!.upper;
        const p = c * line.slope;
        outA[i * n + j] = p;
        slack = addUp(slack, mulUp(addUp(Math.abs(p) * U, TINY), maxAbsBox(inputBox, j)));
        off =
          side === 'lower'
            ? addDown(off, mulDown(c, line.offset))
            : addUp(off, mulUp(c, line.offset));
      }
      outB[i] = side === 'lower' ? subDown(off, slack) : addUp(off, slack);
    }
  }
  return out;
}

/**
 * Back-substitution through z_j = f(x_j, y_j) (a gated product) bounded by planes valid on
 * x_j ∈ xBox_j, y_j ∈ yBox_j: the result is a bound over the 2n variables [x; y] (x first). As for
 * activations, a positive coefficient takes the lower plane in a lower bound, a negative one the
 * upper plane, and coefficient rounding is absorbed through the boxes.
 */
export function backProduct(
  bound: LinearBound,
  planes: readonly PlaneRelaxation[],
  xBox: Box,
  yBox: Box,
): LinearBound {
  const n = bound.cols;
  if (planes.length !== n)
    throw new ArgumentError('backProduct', 'planes', `${n} plane pairs`, `${planes.length}`);
  checkBoxLength('backProduct', xBox, n);
  checkBoxLength('backProduct', yBox, n);
  const m = bound.rows;
  const w = 2 * n;
  const out: LinearBound = {
    rows: m,
    cols: w,
    lowerA: new Float64Array(m * w),
    lowerB: new Float64Array(m),
    upperA: new Float64Array(m * w),
    upperB: new Float64Array(m),
  };
  for (const side of ['lower', 'upper'] as const) {
    const A = side === 'lower' ? bound.lowerA : bound.upperA;
    const B = side === 'lower' ? bound.lowerB : bound.upperB;
    const outA = side === 'lower' ? out.lowerA : out.upperA;
    const outB = side === 'lower' ? out.lowerB : out.upperB;
    for (let i = 0; i < m; i++) {
      let off = B[i]!;
      let slack = 0;
      for (let j = 0; j < n; j++) {
        const c = A[i * n + j]!;
        if (c === 0) continue;
        const p = c >= 0 === (side === 'lower') ? planes[j]!.lower : planes[j]!.upper;
        const px = c * p.a;
        const py = c * p.b;
        outA[i * w + j] = px;
        outA[i * w + n + j] = py;
        slack = addUp(slack, mulUp(addUp(Math.abs(px) * U, TINY), maxAbsBox(xBox, j)));
        slack = addUp(slack, mulUp(addUp(Math.abs(py) * U, TINY), maxAbsBox(yBox, j)));
        off = side === 'lower' ? addDown(off, mulDown(c, p.c)) : addUp(off, mulUp(c, p.c));
      }
      outB[i] = side === 'lower' ? subDown(off, slack) : addUp(off, slack);
    }
  }
  return out;
}

/** The set the input variables range over. */
export type InputSet =
  | { kind: 'box'; box: Box }
  | { kind: 'ball'; centre: ArrayLike<number>; eps: number; norm: NormKind };

/** max over the ball of |c·(v − centre)| = ε·‖c‖_dual (L∞ ↔ L1, L2 ↔ L2, L1 ↔ L∞), rounded up. */
function dualNormUp(A: Float64Array, off: number, n: number, norm: NormKind): number {
  let s = 0;
  for (let j = 0; j < n; j++) {
    const a = Math.abs(A[off + j]!);
    if (norm === 'linf') s = addUp(s, a);
    else if (norm === 'l2') s = addUp(s, mulUp(a, a));
    else s = Math.max(s, a);
  }
  return norm === 'l2' ? sqrtUp(s) : s;
}

/** Numeric lower and upper bounds of the quantities over the input set. */
export function concretize(bound: LinearBound, set: InputSet): Box {
  const { rows: m, cols: n } = bound;
  const lo = new Float64Array(m);
  const hi = new Float64Array(m);
  if (set.kind === 'ball') {
    checkBall('concretize', set.centre, set.eps, set.norm);
    if (set.centre.length !== n)
      throw new ArgumentError('concretize', 'centre', `${n} values`, `${set.centre.length} values`);
    for (let i = 0; i < m; i++) {
      lo[i] = subDown(
        addDown(bound.lowerB[i]!, dotDown(bound.lowerA, set.centre, n, i * n)),
        mulUp(set.eps, dualNormUp(bound.lowerA, i * n, n, set.norm)),
      );
      hi[i] = addUp(
        addUp(bound.upperB[i]!, dotUp(bound.upperA, set.centre, n, i * n)),
        mulUp(set.eps, dualNormUp(bound.upperA, i * n, n, set.norm)),
      );
    }
    return { lo, hi };
  }
  checkBoxLength('concretize', set.box, n);
  for (let i = 0; i < m; i++) {
    let l = bound.lowerB[i]!;
    let h = bound.upperB[i]!;
    for (let j = 0; j < n; j++) {
      const a = bound.lowerA[i * n + j]!;
      if (a !== 0) l = addDown(l, mulDown(a, a > 0 ? set.box.lo[j]! : set.box.hi[j]!));
      const c = bound.upperA[i * n + j]!;
      if (c !== 0) h = addUp(h, mulUp(c, c > 0 ? set.box.hi[j]! : set.box.lo[j]!));
    }
    lo[i] = l;
    hi[i] = h;
  }
  return { lo, hi };
}
