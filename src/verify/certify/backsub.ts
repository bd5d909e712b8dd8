/**
 * CROWN back-substitution over a bound graph (./layers/graph.ts): a linear bound on a node,
 * pushed back through every earlier node (affine, activation lines, product planes, max) to a
 * linear bound over the input vector. Every float operation's rounding is absorbed outward, so the
 * bound holds for the exact real-valued network (see ./propagate.ts for how boxes use it).
 */
import { concatBoxes, type Box } from './interval.js';
import { affineForwardError } from './forward-error.js';
import type { LinearBound } from './linear.js';
import type { GraphNode } from './layers/graph.js';
import type { LinearRelaxation } from './relax/line.js';
import type { PlaneRelaxation } from './relax/products.js';
import type { MaxRelax, Propagation } from './propagate.js';
import { addDown, addUp, dotDown, dotUp, mulDown, mulUp, subDown } from './rounding.js';

interface Pending {
  lo: Float64Array;
  hi: Float64Array;
}

const HALF_ULP = 2 ** -53;
const TINY = 2 ** -1074;

/**
 * An upper bound of a sum of n nonnegative terms computed in plain floats (each term one rounded
 * product): the exact sum is ≤ s̃/(1 − γ_{n+1}) ≤ s̃·(1 + (n + 4)·2^-52), plus 2^-1060 for terms
 * that underflowed (fewer than 2^14 of them).
 */
function upSum(s: number, n: number): number {
  return addUp(mulUp(s, 1 + (n + 4) * 2 ** -52), 2 ** -1060);
}

function radius(b: Box, j: number): number {
  return Math.max(Math.abs(b.lo[j]!), Math.abs(b.hi[j]!));
}

/**
 * Per affine node z = W·y + b (k outputs, n inputs), fixed once its sources' boxes are final:
 * E_t = Δ_t + γ·(Σ_j |W_tj|·R_j + |b_t|), R_j = max|y_j|, Δ_t the forward-pass rounding bound.
 * Back-substituting a row Λ gives coefficients fl(Λ·W) (error ≤ γ·Σ_t |Λ_t||W_tj|) and offset
 * fl(Λ·b) (error ≤ γ·Σ_t |Λ_t||b_t|), and Λ·z̃ differs from Λ·(W·y + b) by ≤ Σ_t |Λ_t|Δ_t; all
 * three are ≤ Σ_t |Λ_t|·E_t over the box of y, plus an absolute term for underflow.
 */
export interface AffineCache {
  E: Float64Array;
  tiny: number;
  inBox: Box;
}

function affineCache(p: Propagation, n: Extract<GraphNode, { op: 'affine' }>): AffineCache {
  const hit = p.cache.get(n.id);
  if (hit) return hit;
  const inBox = concatBoxes(n.srcs.map((s) => p.boxes[s]!));
  const cols = inBox.lo.length;
  const k = n.size;
  const gamma = (k + 2) * 2 ** -52;
  const E = new Float64Array(k);
  let rsum = 0;
  for (let j = 0; j < cols; j++) rsum = addUp(rsum, radius(inBox, j));
  for (let t = 0; t < k; t++) {
    let q = n.b ? Math.abs(n.b[t]!) : 0;
    for (let j = 0; j < cols; j++) {
      const w = Math.abs(n.W[t * cols + j]!);
      if (w !== 0) q = addUp(q, mulUp(w, radius(inBox, j)));
    }
    E[t] = addUp(affineForwardError(n.W, cols, t, inBox, n.b ?? undefined), mulUp(gamma, q));
  }
  // underflow: each coefficient and the offset may lose 2^-1075 per term
  const tiny = mulUp((k + 1) * TINY, addUp(rsum, 1));
  const c: AffineCache = { E, tiny, inBox };
  p.cache.set(n.id, c);
  return c;
}

/** One side of back-substitution through an affine node: out = P·W, offsets ± slack. */
function affineSide(
  P: Float64Array,
  m: number,
  n: Extract<GraphNode, { op: 'affine' }>,
  c: AffineCache,
  lowerSide: boolean,
  off: Float64Array,
): Float64Array {
  const k = n.size;
  const cols = c.inBox.lo.length;
  const out = new Float64Array(m * cols);
  const W = n.W;
  const bias = n.b;
  const E = c.E;
  for (let i = 0; i < m; i++) {
    let beta = 0;
    let S = 0;
    let any = false;
    const o = i * cols;
    for (let t = 0; t < k; t++) {
      const v = P[i * k + t]!;
      if (v === 0) continue;
      any = true;
      S += Math.abs(v) * E[t]!;
      if (bias) beta += v * bias[t]!;
      const wo = t * cols;
      for (let j = 0; j < cols; j++) out[o + j] = out[o + j]! + v * W[wo + j]!;
    }
    if (!any) continue;
    const slack = addUp(upSum(S, k), c.tiny);
    off[i] = lowerSide
      ? subDown(addDown(off[i]!, beta), slack)
      : addUp(addUp(off[i]!, beta), slack);
  }
  return out;
}

/**
 * One side through z_j = f(y_j) with lines: coefficient a = fl(c·slope) (error ≤ 2^-53|a| + 2^-1075),
 * offset Σ c·offset_j in plain floats (error ≤ γ_n Σ|c·offset_j|).
 */
function actSide(
  P: Float64Array,
  m: number,
  size: number,
  lines: readonly LinearRelaxation[],
  yBox: Box,
  lowerSide: boolean,
  off: Float64Array,
): Float64Array {
  const out = new Float64Array(m * size);
  const gamma = (size + 2) * 2 ** -52;
  for (let i = 0; i < m; i++) {
    let beta = 0;
    let s1 = 0;
    let s2 = 0;
    let rt = 0;
    let any = false;
    for (let j = 0; j < size; j++) {
      const v = P[i * size + j]!;
      if (v === 0) continue;
      any = true;
      const line = v >= 0 === lowerSide ? lines[j]!.lower : lines[j]!.upper;
      const a = v * line.slope;
      out[i * size + j] = a;
      const r = radius(yBox, j);
      if (a !== 0) s1 += Math.abs(a) * r;
      if (line.slope !== 0) rt += r;
      const bo = v * line.offset;
      beta += bo;
      s2 += Math.abs(bo);
    }
    if (!any) continue;
    const slack = addUp(
      addUp(mulUp(upSum(s1, size), HALF_ULP), mulUp(upSum(s2, size), gamma)),
      mulUp(2 * TINY, upSum(rt, size)),
    );
    off[i] = lowerSide
      ? subDown(addDown(off[i]!, beta), slack)
      : addUp(addUp(off[i]!, beta), slack);
  }
  return out;
}

/** One side through z_j = f(x_j, y_j) with planes: coefficients on [x; y] (2·size columns). */
function productSide(
  P: Float64Array,
  m: number,
  size: number,
  planes: readonly PlaneRelaxation[],
  xBox: Box,
  yBox: Box,
  lowerSide: boolean,
  off: Float64Array,
): Float64Array {
  const w = 2 * size;
  const out = new Float64Array(m * w);
  const gamma = (size + 2) * 2 ** -52;
  for (let i = 0; i < m; i++) {
    let beta = 0;
    let s1 = 0;
    let s2 = 0;
    let rt = 0;
    let any = false;
    for (let j = 0; j < size; j++) {
      const v = P[i * size + j]!;
      if (v === 0) continue;
      any = true;
      const pl = v >= 0 === lowerSide ? planes[j]!.lower : planes[j]!.upper;
      const ax = v * pl.a;
      const ay = v * pl.b;
      out[i * w + j] = ax;
      out[i * w + size + j] = ay;
      const rx = radius(xBox, j);
      const ry = radius(yBox, j);
      if (ax !== 0) s1 += Math.abs(ax) * rx;
      if (ay !== 0) s1 += Math.abs(ay) * ry;
      if (pl.a !== 0) rt += rx;
      if (pl.b !== 0) rt += ry;
      const bo = v * pl.c;
      beta += bo;
      s2 += Math.abs(bo);
    }
    if (!any) continue;
    const slack = addUp(
      addUp(mulUp(upSum(s1, w), HALF_ULP), mulUp(upSum(s2, size), gamma)),
      mulUp(2 * TINY, upSum(rt, w)),
    );
    off[i] = lowerSide
      ? subDown(addDown(off[i]!, beta), slack)
      : addUp(addUp(off[i]!, beta), slack);
  }
  return out;
}

/**
 * A bound C·z (C [m, size], default identity) on node `start` as a linear bound over the input
 * vector, back-substituting through every earlier node.
 */
export function backSubstitute(
  p: Propagation,
  start: number,
  C?: { rows: number; A: Float64Array },
  window = Infinity,
): LinearBound {
  const g = p.graph;
  const t0 = g.nodes[start]!.step;
  // a recurrent node more than `window` steps from the start is replaced by its box
  const cut = (n: GraphNode): boolean =>
    window !== Infinity &&
    t0 >= 0 &&
    n.step >= 0 &&
    n.op !== 'input' &&
    Math.abs(n.step - t0) > window;
  const size = g.size(start);
  const m = C ? C.rows : size;
  let init: Float64Array;
  if (C) init = Float64Array.from(C.A);
  else {
    init = new Float64Array(m * size);
    for (let i = 0; i < size; i++) init[i * size + i] = 1;
  }
  const pending = new Map<number, Pending>([[start, { lo: init, hi: init.slice() }]]);
  const offLo = new Float64Array(m);
  const offHi = new Float64Array(m);
  const N = g.inputSize;
  const outLo = new Float64Array(m * N);
  const outHi = new Float64Array(m * N);

  // Adds `A` [m, nA] columns [col, col + size(t)) into node t's pending coefficients; a float
  // addition errs by ≤ 2^-53·|result| (exact when the result is subnormal), absorbed via t's box.
  const accumulate = (
    t: number,
    Alo: Float64Array,
    Ahi: Float64Array,
    nA: number,
    col: number,
  ): void => {
    const nt = g.size(t);
    const cur = pending.get(t);
    if (!cur) {
      const lo = new Float64Array(m * nt);
      const hi = new Float64Array(m * nt);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < nt; j++) {
          lo[i * nt + j] = Alo[i * nA + col + j]!;
          hi[i * nt + j] = Ahi[i * nA + col + j]!;
        }
      pending.set(t, { lo, hi });
      return;
    }
    const box = p.boxes[t]!;
    for (let i = 0; i < m; i++) {
      let sLo = 0;
      let sHi = 0;
      for (let j = 0; j < nt; j++) {
        const k = i * nt + j;
        const a = Alo[i * nA + col + j]!;
        const c = Ahi[i * nA + col + j]!;
        if (a !== 0 && cur.lo[k] !== 0) {
          cur.lo[k] = cur.lo[k]! + a;
          if (cur.lo[k] !== 0) sLo += Math.abs(cur.lo[k]!) * radius(box, j);
        } else if (a !== 0) cur.lo[k] = a;
        if (c !== 0 && cur.hi[k] !== 0) {
          cur.hi[k] = cur.hi[k]! + c;
          if (cur.hi[k] !== 0) sHi += Math.abs(cur.hi[k]!) * radius(box, j);
        } else if (c !== 0) cur.hi[k] = c;
      }
      if (sLo !== 0) offLo[i] = subDown(offLo[i]!, mulUp(upSum(sLo, nt), HALF_ULP));
      if (sHi !== 0) offHi[i] = addUp(offHi[i]!, mulUp(upSum(sHi, nt), HALF_ULP));
    }
  };

  for (let id = start; id >= 0; id--) {
    const pd = pending.get(id);
    if (!pd) continue;
    pending.delete(id);
    const n = g.nodes[id]!;
    if (cut(n)) {
      concretizeBox(pd, m, n.size, p.boxes[id]!, offLo, offHi);
      continue;
    }
    switch (n.op) {
      case 'input':
        // input nodes cover disjoint coordinates, so these are plain copies
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n.size; j++) {
            outLo[i * N + n.offset + j] = pd.lo[i * n.size + j]!;
            outHi[i * N + n.offset + j] = pd.hi[i * n.size + j]!;
          }
        break;
      case 'const':
        for (let i = 0; i < m; i++) {
          offLo[i] = addDown(offLo[i]!, dotDown(pd.lo, n.value, n.size, i * n.size));
          offHi[i] = addUp(offHi[i]!, dotUp(pd.hi, n.value, n.size, i * n.size));
        }
        break;
      case 'affine': {
        const c = affineCache(p, n);
        const cols = c.inBox.lo.length;
        const lo = affineSide(pd.lo, m, n, c, true, offLo);
        const hi = affineSide(pd.hi, m, n, c, false, offHi);
        let col = 0;
        for (const s of n.srcs) {
          accumulate(s, lo, hi, cols, col);
          col += g.size(s);
        }
        break;
      }
      case 'act': {
        const lines = p.lines[id] as LinearRelaxation[];
        const yb = p.boxes[n.src]!;
        const lo = actSide(pd.lo, m, n.size, lines, yb, true, offLo);
        const hi = actSide(pd.hi, m, n.size, lines, yb, false, offHi);
        accumulate(n.src, lo, hi, n.size, 0);
        break;
      }
      case 'product': {
        const planes = p.lines[id] as PlaneRelaxation[];
        const [xb, yb] = [p.boxes[n.x]!, p.boxes[n.y]!];
        const lo = productSide(pd.lo, m, n.size, planes, xb, yb, true, offLo);
        const hi = productSide(pd.hi, m, n.size, planes, xb, yb, false, offHi);
        accumulate(n.x, lo, hi, 2 * n.size, 0);
        accumulate(n.y, lo, hi, 2 * n.size, n.size);
        break;
      }
      case 'max':
        backMax(p, n, pd, m, offLo, offHi, accumulate);
        break;
    }
  }
  return { rows: m, cols: N, lowerA: outLo, lowerB: offLo, upperA: outHi, upperB: offHi };
}

/** Λ·z over a box of z, added to the offsets (outward): min/max of each term at a box end. */
function concretizeBox(
  pd: Pending,
  m: number,
  size: number,
  b: Box,
  offLo: Float64Array,
  offHi: Float64Array,
): void {
  for (let i = 0; i < m; i++) {
    let l = offLo[i]!;
    let h = offHi[i]!;
    for (let j = 0; j < size; j++) {
      const a = pd.lo[i * size + j]!;
      if (a !== 0) l = addDown(l, mulDown(a, a > 0 ? b.lo[j]! : b.hi[j]!));
      const c = pd.hi[i * size + j]!;
      if (c !== 0) h = addUp(h, mulUp(c, c > 0 ? b.hi[j]! : b.lo[j]!));
    }
    offLo[i] = Number.isNaN(l) ? -Infinity : l;
    offHi[i] = Number.isNaN(h) ? Infinity : h;
  }
}

/**
 * z_j = max_k s_kj with lines  s_{k*}j ≤ z_j ≤ U_j  (or z_j = s_{k*}j when k* dominates): a positive
 * coefficient in a lower bound (negative in an upper bound) takes the source line, the other sign
 * the constant U_j. max is exact in floats.
 */
function backMax(
  p: Propagation,
  n: Extract<GraphNode, { op: 'max' }>,
  pd: Pending,
  m: number,
  offLo: Float64Array,
  offHi: Float64Array,
  accumulate: (t: number, Alo: Float64Array, Ahi: Float64Array, nA: number, col: number) => void,
): void {
  const r = p.lines[n.id] as MaxRelax;
  const size = n.size;
  const per = n.srcs.map(() => ({
    lo: new Float64Array(m * size),
    hi: new Float64Array(m * size),
    used: false,
  }));
  for (let i = 0; i < m; i++)
    for (let j = 0; j < size; j++) {
      const k = r.pick[j]!;
      const a = pd.lo[i * size + j]!;
      const c = pd.hi[i * size + j]!;
      if (a >= 0 || r.exact[j]) {
        per[k]!.lo[i * size + j] = a;
        per[k]!.used = true;
      } else offLo[i] = addDown(offLo[i]!, mulDown(a, r.upper[j]!));
      if (c <= 0 || r.exact[j]) {
        per[k]!.hi[i * size + j] = c;
        per[k]!.used = true;
      } else offHi[i] = addUp(offHi[i]!, mulUp(c, r.upper[j]!));
    }
  n.srcs.forEach((s, k) => {
    if (per[k]!.used) accumulate(s, per[k]!.lo, per[k]!.hi, size, 0);
  });
}
