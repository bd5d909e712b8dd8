/**
 * α-CROWN-style optimisation of the relaxations used by one final back-substitution (Xu et al.
 * 2021): for a row c, the lower bound of c·z is a function of the slopes of every activation line
 * and the slopes (a, b) of every product plane; it is raised by projected gradient steps, then
 * recomputed soundly. Soundness never depends on the slopes: the offsets of the final lines and
 * planes are certified for whatever slopes the optimiser ends with (./relax/line.ts,
 * ./relax/products.ts), and the final back-substitution is the sound one (./backsub.ts).
 *
 * Gradient (per row, the line/plane choice per unit fixed by the sign of its coefficient P_j):
 * back-substitution is linear in the pending coefficients, so with G_n = ∂bound/∂P_n ("the value
 * node n takes at the bound's minimiser") computed from the input upwards,
 *   input:    G_j = lo_j if P_j ≥ 0 else hi_j                 (the minimising corner of the box)
 *   affine:   G = W·G_src + b
 *   act:      G_j = s_j·G_src,j + o_j,     ∂bound/∂s_j = P_j·(G_src,j − x*_j)
 *   product:  G_j = a_j·G_x,j + b_j·G_y,j + c_j,
 *             ∂bound/∂a_j = P_j·(G_x,j − x*_j),  ∂bound/∂b_j = P_j·(G_y,j − y*_j)
 * where o(s) = min_x f(x) − s·x (upper lines: max) and d o/ds = −x* (Danskin); x*, y* and the
 * offsets during the search are estimated on a grid (cheap and approximate: only the final offsets
 * are certified). Intermediate boxes stay CROWN's. Steps are Adam steps on slopes normalised to
 * their range (the derivative range of f, or of the product's partial derivatives, over the box).
 */
import type { Box } from './interval.js';
import type { LinearRelaxation } from './relax/line.js';
import { productFn } from './relax/product-fns.js';
import type { PlaneRelaxation } from './relax/products.js';
import { concretizeRegion } from './perturbation.js';
import { backSubstitute, type Propagation } from './propagate.js';
import {
  adam,
  certifiedLines,
  estimate,
  gapAtCentre,
  lineUnit,
  planeUnit,
  selectUnits,
  type Side,
  type Unit,
} from './alpha-units.js';

export interface AlphaOptions {
  /** Projected gradient steps per row (default 12). */
  iterations?: number;
  /** Adam step size on slopes normalised to [0, 1] (default 0.15). */
  lr?: number;
}

/** How one unit entered a row's back-substitution in one iteration. */
interface UnitUse {
  side: Side | undefined;
  off: number;
  xs: number;
  ys: number;
  sx: number;
  sy: number;
}

/**
 * A sound lower bound of c·z_start over the region (c a row over the start node), optimised over
 * the slopes; never below `crownLower` (the caller's CROWN bound), which is returned when the
 * optimisation does not help.
 */
export function alphaLowerBound(
  p: Propagation,
  start: number,
  c: Float64Array,
  crownLower: number,
  opts: AlphaOptions = {},
): number {
  const iterations = opts.iterations ?? 12;
  const lr = opts.lr ?? 0.15;
  const g = p.graph;
  // optimisable units of nodes up to `start`, both sides (a row uses one side per unit and step)
  const sides = new Map<string, Side>();
  // Only the units that carry most of the relaxation slack are optimised (each optimised unit
  // costs a certification at the end): after a first CROWN pass, units are ranked by
  // |coefficient|·(gap between their upper and lower line or plane at the box centre) and the
  // ones making up 95 % of the total are kept; the others keep CROWN's lines.
  let chosen: Set<string> | null = null;
  const weight = new Map<string, number>();
  const sideOf = (id: number, j: number, lowerSide: boolean, coef: number): Side | undefined => {
    const key = `${id}:${j}:${lowerSide ? 'L' : 'U'}`;
    if (chosen === null) {
      weight.set(key, (weight.get(key) ?? 0) + Math.abs(coef) * gapAtCentre(p, id, j));
      return undefined;
    }
    if (!chosen.has(key)) return undefined;
    const hit = sides.get(key);
    if (hit) return hit;
    const n = g.nodes[id]!;
    let unit: Unit | undefined;
    let s: number;
    let t = 0;
    if (n.op === 'act' && (n.kind === 'tanh' || n.kind === 'sigmoid')) {
      const b = p.boxes[n.src]!;
      const [l, u] = [b.lo[j]!, b.hi[j]!];
      if (!(Number.isFinite(l) && Number.isFinite(u) && u > l)) return undefined;
      unit = lineUnit(id, j, n.kind, l, u);
      const line = (p.lines[id] as LinearRelaxation[])[j]!;
      s = (lowerSide ? line.lower : line.upper).slope;
    } else if (n.op === 'product' && n.kind !== 'mul') {
      const bx = [
        p.boxes[n.x]!.lo[j]!,
        p.boxes[n.x]!.hi[j]!,
        p.boxes[n.y]!.lo[j]!,
        p.boxes[n.y]!.hi[j]!,
      ];
      if (!bx.every(Number.isFinite) || !(bx[1]! > bx[0]! || bx[3]! > bx[2]!)) return undefined;
      unit = planeUnit(id, j, productFn(n.kind), bx);
      const pl = (p.lines[id] as PlaneRelaxation[])[j]!;
      const side = lowerSide ? pl.lower : pl.upper;
      [s, t] = [side.a, side.b];
      // the initial (CROWN) slopes stay inside the search range
      unit.lo = [Math.min(unit.lo[0], s), Math.min(unit.lo[1], t)];
      unit.hi = [Math.max(unit.hi[0], s), Math.max(unit.hi[1], t)];
    } else return undefined;
    const side: Side = { unit, lowerSide, s, t, m: [0, 0], v: [0, 0] };
    sides.set(key, side);
    return side;
  };

  const order: number[] = [];
  for (let it = 0; it <= iterations; it++) {
    // 1. lower side of the back-substitution in plain floats, remembering each node's row P_n
    const P = new Map<number, Float64Array>();
    P.set(start, Float64Array.from(c));
    order.length = 0;
    const used = new Map<number, UnitUse[]>();
    for (let id = start; id >= 0; id--) {
      const pn = P.get(id);
      if (!pn) continue;
      order.push(id);
      const n = g.nodes[id]!;
      const add = (src: number, k: number, v: number): void => {
        let q = P.get(src);
        if (!q) P.set(src, (q = new Float64Array(g.size(src))));
        q[k] = q[k]! + v;
      };
      if (n.op === 'affine') {
        const cols = n.srcs.reduce((s, x) => s + g.size(x), 0);
        const acc = new Float64Array(cols);
        for (let r = 0; r < n.size; r++) {
          const v = pn[r]!;
          if (v === 0) continue;
          for (let q = 0; q < cols; q++) acc[q] += v * n.W[r * cols + q]!;
        }
        let col = 0;
        for (const s of n.srcs) {
          for (let q = 0; q < g.size(s); q++) add(s, q, acc[col + q]!);
          col += g.size(s);
        }
      } else if (n.op === 'act' || n.op === 'product') {
        const info = Array.from({ length: n.size }, (_, j) => {
          const lowerSide = pn[j]! >= 0;
          const side = pn[j] !== 0 ? sideOf(id, j, lowerSide, pn[j]!) : undefined;
          let sx: number;
          let sy = 0;
          let off: number;
          let xs = 0;
          let ys = 0;
          if (side) {
            [off, xs, ys] = estimate(side.unit, side.s, side.t, lowerSide);
            [sx, sy] = [side.s, side.t];
          } else if (n.op === 'act') {
            const line = (p.lines[id] as LinearRelaxation[])[j]!;
            const l = lowerSide ? line.lower : line.upper;
            [sx, off] = [l.slope, l.offset];
          } else {
            const pl = (p.lines[id] as PlaneRelaxation[])[j]!;
            const q = lowerSide ? pl.lower : pl.upper;
            [sx, sy, off] = [q.a, q.b, q.c];
          }
          if (n.op === 'act') add(n.src, j, pn[j]! * sx);
          else {
            add(n.x, j, pn[j]! * sx);
            add(n.y, j, pn[j]! * sy);
          }
          return { side, off, xs, ys, sx, sy };
        });
        used.set(id, info);
      } else if (n.op === 'max') {
        const r = p.lines[id] as { pick: Int32Array; exact: Uint8Array; upper: Float64Array };
        for (let j = 0; j < n.size; j++)
          if (pn[j]! >= 0 || r.exact[j]) add(n.srcs[r.pick[j]!]!, j, pn[j]!);
      }
    }
    if (chosen === null) {
      chosen = selectUnits(weight, 0.95);
      continue;
    }
    // 2. G_n from the input upwards (sources have smaller ids), and the slope gradients
    const G = new Map<number, Float64Array>();
    const box = p.region.box;
    for (let k = order.length - 1; k >= 0; k--) {
      const id = order[k]!;
      const n = g.nodes[id]!;
      const pn = P.get(id)!;
      const out = new Float64Array(n.size);
      switch (n.op) {
        case 'input':
          for (let j = 0; j < n.size; j++)
            out[j] = pn[j]! >= 0 ? box.lo[n.offset + j]! : box.hi[n.offset + j]!;
          break;
        case 'const':
          out.set(n.value);
          break;
        case 'affine': {
          const cols = n.srcs.reduce((s, x) => s + g.size(x), 0);
          const gs = new Float64Array(cols);
          let col = 0;
          for (const s of n.srcs) {
            gs.set(G.get(s)!, col);
            col += g.size(s);
          }
          for (let r = 0; r < n.size; r++) {
            let v = n.b ? n.b[r]! : 0;
            for (let q = 0; q < cols; q++) v += n.W[r * cols + q]! * gs[q]!;
            out[r] = v;
          }
          break;
        }
        case 'act':
        case 'product': {
          const info = used.get(id)!;
          const gx = G.get(n.op === 'act' ? n.src : n.x)!;
          const gy = n.op === 'product' ? G.get(n.y)! : gx;
          for (let j = 0; j < n.size; j++) {
            const u = info[j]!;
            out[j] = u.sx * gx[j]! + (n.op === 'product' ? u.sy * gy[j]! : 0) + u.off;
            if (!u.side) continue;
            const grad: [number, number] = [pn[j]! * (gx[j]! - u.xs), pn[j]! * (gy[j]! - u.ys)];
            adam(u.side, grad, lr, it);
          }
          break;
        }
        case 'max': {
          const r = p.lines[id] as { pick: Int32Array; exact: Uint8Array; upper: Float64Array };
          for (let j = 0; j < n.size; j++)
            out[j] = pn[j]! >= 0 || r.exact[j] ? G.get(n.srcs[r.pick[j]!]!)![j]! : r.upper[j]!;
          break;
        }
      }
      G.set(id, out);
    }
  }
  if (sides.size === 0) return crownLower;
  // 3. certified offsets for the final slopes; a sound back-substitution with them
  const lines = certifiedLines(p, sides.values());
  const b = concretizeRegion(
    backSubstitute({ ...p, lines }, start, { rows: 1, A: Float64Array.from(c) }),
    p.region,
  );
  const v = b.lo[0]!;
  return Number.isNaN(v) ? crownLower : Math.max(crownLower, v);
}

/** Lower and upper bounds of every row of C·z_start (C defaults to the identity), optimised per row. */
export function alphaBounds(
  p: Propagation,
  start: number,
  crown: Box,
  C?: { rows: number; A: Float64Array },
  opts: AlphaOptions & { lowerOnly?: boolean } = {},
): Box {
  const size = p.graph.size(start);
  const m = C ? C.rows : size;
  const out: Box = { lo: crown.lo.slice(), hi: crown.hi.slice() };
  for (let i = 0; i < m; i++) {
    const row = new Float64Array(size);
    if (C) row.set(C.A.subarray(i * size, (i + 1) * size));
    else row[i] = 1;
    out.lo[i] = alphaLowerBound(p, start, row, crown.lo[i]!, opts);
    if (!opts.lowerOnly)
      out.hi[i] = -alphaLowerBound(
        p,
        start,
        row.map((v) => -v),
        -crown.hi[i]!,
        opts,
      );
  }
  return out;
}

/**
 * α bounds of C·z_start (default identity): CROWN's bound, then every row optimised. With
 * `lowerOnly` the upper ends stay CROWN's (margins only need lower bounds).
 */
export function alphaRefine(
  p: Propagation,
  start: number,
  C?: { rows: number; A: Float64Array },
  opts: AlphaOptions & { lowerOnly?: boolean } = {},
): Box {
  const crown = concretizeRegion(backSubstitute(p, start, C), p.region);
  return alphaBounds(p, start, crown, C, opts);
}
