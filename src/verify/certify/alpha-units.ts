/**
 * The pieces α-CROWN (./alpha.ts) optimises: one side (lower or upper) of a unit's line or plane,
 * its grid for estimating offsets and minimisers, its slope range, Adam state, and the final
 * certification of the optimised slopes (offsets certified as in ./relax/line.ts and
 * ./relax/products.ts, so every slope is sound).
 */
import { sigmoid, sigmoidDeriv, tanhDeriv } from './activations.js';
import type { LinearRelaxation } from './relax/line.js';
import { linesWithSlopes } from './relax/line.js';
import { productFn, type ProductFn } from './relax/product-fns.js';
import {
  certifiedPlaneLower,
  certifiedPlaneUpper,
  PLANE_REL_TOL,
  type PlaneRelaxation,
} from './relax/products.js';
import { SIGMOID } from './relax/sigmoid.js';
import { TANH } from './relax/tanh.js';
import type { Propagation } from './propagate.js';

/** One optimised unit: a line (1 slope) or a plane (2 slopes), one side. */
export interface Unit {
  node: number;
  j: number;
  plane: boolean;
  /** grid points (x[, y]) and f values, to estimate offsets and minimisers */
  gx: Float64Array;
  gy: Float64Array;
  gf: Float64Array;
  /** slope ranges */
  lo: [number, number];
  hi: [number, number];
}

const GRID_1D = 33;
const GRID_2D = 9;

function actDeriv(kind: string): (x: number) => number {
  return kind === 'tanh' ? tanhDeriv : sigmoidDeriv;
}

/** Grid of an activation over [l, u] and the slope range f'([l, u]) (unimodal derivative). */
export function lineUnit(node: number, j: number, kind: string, l: number, u: number): Unit {
  const f = kind === 'tanh' ? Math.tanh : sigmoid;
  const d = actDeriv(kind);
  const gx = new Float64Array(GRID_1D);
  const gf = new Float64Array(GRID_1D);
  for (let k = 0; k < GRID_1D; k++) {
    gx[k] = l + ((u - l) * k) / (GRID_1D - 1);
    gf[k] = f(gx[k]!);
  }
  const peak = d(Math.min(u, Math.max(l, 0)));
  const smin = Math.min(d(l), d(u));
  return { node, j, plane: false, gx, gy: gx, gf, lo: [smin, 0], hi: [peak, 0] };
}

/** Grid of a product over its box and the ranges of its partial derivatives on the grid. */
export function planeUnit(node: number, j: number, fn: ProductFn, bx: number[]): Unit {
  const [lx, ux, ly, uy] = bx as [number, number, number, number];
  const n = GRID_2D * GRID_2D;
  const gx = new Float64Array(n);
  const gy = new Float64Array(n);
  const gf = new Float64Array(n);
  const lo: [number, number] = [Infinity, Infinity];
  const hi: [number, number] = [-Infinity, -Infinity];
  let k = 0;
  for (let a = 0; a < GRID_2D; a++)
    for (let b = 0; b < GRID_2D; b++, k++) {
      gx[k] = lx + ((ux - lx) * a) / (GRID_2D - 1);
      gy[k] = ly + ((uy - ly) * b) / (GRID_2D - 1);
      gf[k] = fn.f(gx[k]!, gy[k]!);
      const g = fn.grad(gx[k]!, gy[k]!);
      for (const i of [0, 1]) {
        lo[i] = Math.min(lo[i]!, g[i]!);
        hi[i] = Math.max(hi[i]!, g[i]!);
      }
    }
  return { node, j, plane: true, gx, gy, gf, lo, hi };
}

/** Estimated offset (min of f − s·x [− t·y], or max for upper) and where it is attained. */
export function estimate(
  u: Unit,
  s: number,
  t: number,
  lowerSide: boolean,
): [number, number, number] {
  let best = lowerSide ? Infinity : -Infinity;
  let kb = 0;
  for (let k = 0; k < u.gf.length; k++) {
    const r = u.gf[k]! - s * u.gx[k]! - (u.plane ? t * u.gy[k]! : 0);
    if (lowerSide ? r < best : r > best) {
      best = r;
      kb = k;
    }
  }
  return [best, u.gx[kb]!, u.gy[kb]!];
}

export interface Side {
  unit: Unit;
  lowerSide: boolean;
  s: number;
  t: number;
  /** Adam moments */
  m: [number, number];
  v: [number, number];
}

/** Upper minus lower line (or plane) of a unit at the centre of its box; 0 when not finite. */
export function gapAtCentre(p: Propagation, id: number, j: number): number {
  const n = p.graph.nodes[id]!;
  let v = 0;
  if (n.op === 'act') {
    const b = p.boxes[n.src]!;
    const x = b.lo[j]! / 2 + b.hi[j]! / 2;
    const l = (p.lines[id] as LinearRelaxation[])[j]!;
    v = l.upper.slope * x + l.upper.offset - (l.lower.slope * x + l.lower.offset);
  } else if (n.op === 'product') {
    const x = p.boxes[n.x]!.lo[j]! / 2 + p.boxes[n.x]!.hi[j]! / 2;
    const y = p.boxes[n.y]!.lo[j]! / 2 + p.boxes[n.y]!.hi[j]! / 2;
    const q = (p.lines[id] as PlaneRelaxation[])[j]!;
    v = q.upper.a * x + q.upper.b * y + q.upper.c - (q.lower.a * x + q.lower.b * y + q.lower.c);
  }
  return Number.isFinite(v) ? Math.max(0, v) : 0;
}

/** The heaviest keys that together make up `share` of the total weight. */
export function selectUnits(weight: Map<string, number>, share: number): Set<string> {
  const all = [...weight].sort((a, b) => b[1] - a[1]);
  const total = all.reduce((s, [, w]) => s + w, 0);
  const out = new Set<string>();
  let acc = 0;
  for (const [k, w] of all) {
    if (acc >= share * total && out.size > 0) break;
    out.add(k);
    acc += w;
  }
  return out;
}

/** One projected Adam step (ascent) on the slopes normalised to their ranges. */
export function adam(side: Side, grad: [number, number], lr: number, t: number): void {
  const u = side.unit;
  const dims = u.plane ? 2 : 1;
  for (let i = 0; i < dims; i++) {
    const w = u.hi[i]! - u.lo[i]!;
    if (!(w > 0)) continue;
    const gi = grad[i]! * w; // gradient in normalised units
    if (!Number.isFinite(gi)) continue; // (an infinite box end upstream): leave the slope
    side.m[i] = 0.9 * side.m[i]! + 0.1 * gi;
    side.v[i] = 0.999 * side.v[i]! + 0.001 * gi * gi;
    const mh = side.m[i]! / (1 - 0.9 ** t);
    const vh = side.v[i]! / (1 - 0.999 ** t);
    const step = (lr * mh) / (Math.sqrt(vh) + 1e-12);
    const cur = i === 0 ? side.s : side.t;
    const next = Math.min(u.hi[i]!, Math.max(u.lo[i]!, cur + step * w));
    if (i === 0) side.s = next;
    else side.t = next;
  }
}

/** p.lines with every optimised side replaced by its slopes and freshly certified offsets. */
export function certifiedLines(p: Propagation, sides: Iterable<Side>): Propagation['lines'] {
  const g = p.graph;
  const lines = p.lines.slice();
  const copies = new Map<number, (LinearRelaxation | PlaneRelaxation)[]>();
  for (const side of sides) {
    const { node, j } = side.unit;
    let arr = copies.get(node);
    if (!arr) {
      arr = (p.lines[node] as (LinearRelaxation | PlaneRelaxation)[]).slice();
      copies.set(node, arr);
      lines[node] = arr as LinearRelaxation[] | PlaneRelaxation[];
    }
    const n = g.nodes[node]!;
    if (n.op === 'act') {
      const b = p.boxes[n.src]!;
      const fn = n.kind === 'tanh' ? TANH : SIGMOID;
      const old = arr[j] as LinearRelaxation;
      const fresh = linesWithSlopes(fn, b.lo[j]!, b.hi[j]!, side.s, side.s);
      arr[j] = side.lowerSide
        ? { lower: fresh.lower, upper: old.upper }
        : { lower: old.lower, upper: fresh.upper };
    } else if (n.op === 'product' && n.kind !== 'mul') {
      const fn = productFn(n.kind);
      const bx = {
        lx: p.boxes[n.x]!.lo[j]!,
        ux: p.boxes[n.x]!.hi[j]!,
        ly: p.boxes[n.y]!.lo[j]!,
        uy: p.boxes[n.y]!.hi[j]!,
      };
      const old = arr[j] as PlaneRelaxation;
      const [lo, hi] = [
        estimate(side.unit, side.s, side.t, true),
        estimate(side.unit, side.s, side.t, false),
      ];
      const search = {
        seeds: [[(side.lowerSide ? lo : hi)[1], (side.lowerSide ? lo : hi)[2]] as const],
        tol: Math.max(1e-12, 10 * PLANE_REL_TOL * (hi[0] - lo[0])),
      };
      arr[j] = side.lowerSide
        ? {
            lower: { a: side.s, b: side.t, c: certifiedPlaneLower(fn, bx, side.s, side.t, search) },
            upper: old.upper,
          }
        : {
            lower: old.lower,
            upper: { a: side.s, b: side.t, c: certifiedPlaneUpper(fn, bx, side.s, side.t, search) },
          };
    }
  }
  return lines;
}
