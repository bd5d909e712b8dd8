/**
 * Perturbation sets over the flat input vector of one sequence (numeric frames [T·D], or the
 * embedding vectors [T·E] of a token sequence), as a list of independent blocks; coordinates in no
 * block stay at the centre:
 *   ball    {x : ‖x_S − c_S‖_p ≤ ε} on a coordinate set S (all frames, steps a..b, chosen features;
 *           one joint ball, or one ball per step with `perStep`)
 *   points  the convex hull of a few points on S (a token position and the embeddings of its
 *           allowed substitutes; certifying the hull certifies every substitute)
 * A linear function Λ·x + β is concretised exactly over each block: Λ_S·c_S ± ε‖Λ_S‖_dual for a
 * ball, min/max over the points for a hull (a linear function's extremes over a hull are at its
 * vertices), all rounded outward.
 */
import { ArgumentError, describe } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { NormKind } from './ibp.js';
import type { Box } from './interval.js';
import type { LinearBound } from './linear.js';
import { addDown, addUp, dotDown, dotUp, mulUp, sqrtUp, subDown, subUp } from './rounding.js';
import { maxOf, minOf } from '../../core/extent.js';

export interface BallPerturbation {
  kind: 'ball';
  norm: NormKind;
  eps: number;
  /** Perturbed steps, inclusive [first, last] (0-based); default all. */
  steps?: [number, number];
  /** Perturbed features (or embedding dimensions); default all. */
  features?: number[];
  /** One ball of radius ε per step instead of one joint ball (per-token balls); default false. */
  perStep?: boolean;
}

export interface SubstitutionPerturbation {
  kind: 'substitution';
  /** allowed[t] = token ids that may replace position t (the original is always allowed). */
  allowed: number[][];
}

export type Perturbation = BallPerturbation | SubstitutionPerturbation;

export type Block =
  | { kind: 'ball'; idx: Int32Array; eps: number; norm: NormKind }
  | { kind: 'points'; idx: Int32Array; points: Float64Array[] };

export interface Region {
  steps: number;
  features: number;
  centre: Float64Array; // [T·F]
  blocks: Block[];
  /** Outward box of the region (what IBP starts from). */
  box: Box;
}

const NORMS = ['linf', 'l2', 'l1'];

export function checkPerturbation(where: string, p: Perturbation, T: number, F: number): void {
  if (p.kind === 'ball') {
    if (typeof p.eps !== 'number' || !(p.eps >= 0) || !Number.isFinite(p.eps))
      throw new ArgumentError(where, 'eps', 'a finite number ≥ 0', describe(p.eps));
    if (!NORMS.includes(p.norm))
      throw new ArgumentError(where, 'norm', "'linf', 'l2' or 'l1'", describe(p.norm));
    if (p.steps) {
      const [a, b] = p.steps;
      if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < a || b >= T)
        throw new ArgumentError(
          where,
          'steps',
          `0 ≤ first ≤ last < ${T} (integers)`,
          `[${a}, ${b}]`,
        );
    }
    for (const f of p.features ?? [])
      if (!Number.isInteger(f) || f < 0 || f >= F)
        throw new ArgumentError(where, 'features', `integers in [0, ${F})`, describe(f));
    return;
  }
  if (p.kind !== 'substitution')
    throw new ArgumentError(
      where,
      'kind',
      "'ball' or 'substitution'",
      describe((p as { kind: unknown }).kind),
    );
  if (!Array.isArray(p.allowed) || p.allowed.length !== T)
    throw new ArgumentError(
      where,
      'allowed',
      `one list of token ids per position (${T})`,
      describe(p.allowed),
    );
}

/** A region for a numeric input (or embedded tokens without substitution): `centre` [T·F]. */
export function ballRegion(
  centre: ArrayLike<number>,
  T: number,
  F: number,
  p: BallPerturbation,
): Region {
  checkPerturbation('ballRegion', p, T, F);
  for (let i = 0; i < centre.length; i++)
    if (!Number.isFinite(centre[i]!))
      throw new ArgumentError(
        'ballRegion',
        'centre',
        'finite numbers',
        `${centre[i]} at index ${i}`,
      );
  const [a, b] = p.steps ?? [0, T - 1];
  const feats = p.features ?? Array.from({ length: F }, (_, f) => f);
  const stepIdx = (t: number): number[] => feats.map((f) => t * F + f);
  const blocks: Block[] = [];
  if (p.eps > 0) {
    if (p.perStep) {
      for (let t = a; t <= b; t++)
        blocks.push({ kind: 'ball', idx: Int32Array.from(stepIdx(t)), eps: p.eps, norm: p.norm });
    } else {
      const idx: number[] = [];
      for (let t = a; t <= b; t++) idx.push(...stepIdx(t));
      blocks.push({ kind: 'ball', idx: Int32Array.from(idx), eps: p.eps, norm: p.norm });
    }
  }
  return withBox({ steps: T, features: F, centre: Float64Array.from(centre), blocks });
}

/**
 * A substitution region for a token sequence: position t ranges over the hull of the embeddings
 * of ids[t] and allowed[t] (embeddings [V, E]).
 */
export function substitutionRegion(
  ids: ArrayLike<number>,
  embeddings: ArrayLike<number>,
  E: number,
  p: SubstitutionPerturbation,
): Region {
  const T = ids.length;
  const V = embeddings.length / E;
  checkPerturbation('substitutionRegion', p, T, E);
  const row = (id: number, where: string): Float64Array => {
    if (!Number.isInteger(id) || id < 0 || id >= V)
      throw new ArgumentError('substitutionRegion', where, `a token id in [0, ${V})`, describe(id));
    return Float64Array.from({ length: E }, (_, e) => embeddings[id * E + e]!);
  };
  const centre = new Float64Array(T * E);
  const blocks: Block[] = [];
  for (let t = 0; t < T; t++) {
    centre.set(row(ids[t]!, `ids[${t}]`), t * E);
    const alts = [...new Set(p.allowed[t]!)].filter((id) => id !== ids[t]);
    if (alts.length === 0) continue;
    const points = [
      row(ids[t]!, `ids[${t}]`),
      ...alts.map((id, k) => row(id, `allowed[${t}][${k}]`)),
    ];
    blocks.push({
      kind: 'points',
      idx: Int32Array.from({ length: E }, (_, e) => t * E + e),
      points,
    });
  }
  return withBox({ steps: T, features: E, centre, blocks });
}

function withBox(r: Omit<Region, 'box'>): Region {
  const lo = Float64Array.from(r.centre);
  const hi = Float64Array.from(r.centre);
  for (const b of r.blocks) {
    b.idx.forEach((j, k) => {
      if (b.kind === 'ball') {
        lo[j] = subDown(r.centre[j]!, b.eps); // every Lp ball of radius ε lies in the L∞ one
        hi[j] = addUp(r.centre[j]!, b.eps);
      } else {
        for (const p of b.points) {
          lo[j] = Math.min(lo[j]!, p[k]!);
          hi[j] = Math.max(hi[j]!, p[k]!);
        }
      }
    });
  }
  return { ...r, box: { lo, hi } };
}

/** ε·‖Λ_S‖_dual rounded up (L∞ ↔ L1, L2 ↔ L2, L1 ↔ L∞). */
function dualTerm(
  A: Float64Array,
  off: number,
  idx: Int32Array,
  eps: number,
  norm: NormKind,
): number {
  let s = 0;
  for (const j of idx) {
    const a = Math.abs(A[off + j]!);
    if (norm === 'linf') s = addUp(s, a);
    else if (norm === 'l2') s = addUp(s, mulUp(a, a));
    else s = Math.max(s, a);
  }
  return mulUp(eps, norm === 'l2' ? sqrtUp(s) : s);
}

/** Lower (sign 1) or upper (sign −1 on a negated view) sums restricted to an index set. */
function dotIdx(
  A: Float64Array,
  off: number,
  v: ArrayLike<number>,
  idx: Int32Array,
  up: boolean,
): number {
  let s = 0;
  for (let k = 0; k < idx.length; k++) {
    const j = idx[k]!;
    s = up ? addUp(s, mulUp(A[off + j]!, v[k]!)) : addDown(s, mulDown2(A[off + j]!, v[k]!));
  }
  return s;
}
function mulDown2(a: number, b: number): number {
  return -mulUp(-a, b);
}

/** Numeric bounds of a linear bound over the input vector, over the region (outward). */
export function concretizeRegion(bound: LinearBound, r: Region): Box {
  const { rows: m, cols: n } = bound;
  if (n !== r.centre.length)
    throw new ArgumentError('concretizeRegion', 'bound.cols', `${r.centre.length}`, `${n}`);
  // Coordinates of point blocks are excluded from the centre term.
  const free = new Uint8Array(n).fill(1);
  for (const b of r.blocks) if (b.kind === 'points') for (const j of b.idx) free[j] = 0;
  const c = Float64Array.from(r.centre, (v, j) => (free[j] ? v : 0));
  const lo = new Float64Array(m);
  const hi = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const off = i * n;
    let l = addDown(bound.lowerB[i]!, dotDown(bound.lowerA, c, n, off));
    let h = addUp(bound.upperB[i]!, dotUp(bound.upperA, c, n, off));
    for (const b of r.blocks) {
      if (b.kind === 'ball') {
        l = subDown(l, dualTerm(bound.lowerA, off, b.idx, b.eps, b.norm));
        h = addUp(h, dualTerm(bound.upperA, off, b.idx, b.eps, b.norm));
      } else {
        let bl = Infinity;
        let bh = -Infinity;
        for (const p of b.points) {
          bl = Math.min(bl, dotIdx(bound.lowerA, off, p, b.idx, false));
          bh = Math.max(bh, dotIdx(bound.upperA, off, p, b.idx, true));
        }
        l = addDown(l, bl);
        h = addUp(h, bh);
      }
    }
    lo[i] = Number.isNaN(l) ? -Infinity : l;
    hi[i] = Number.isNaN(h) ? Infinity : h;
  }
  return { lo, hi };
}

// ---- points inside the region (sampling and projection for audits and attacks) ----

/** Shrink factor keeping rounded points inside the exact ball. */
const INSIDE = 1 - 1e-9;

/** The inner box [c − ε, c + ε] rounded INWARD: every float in it is in the exact L∞ ball. */
function clampInner(x: Float64Array, j: number, c: number, eps: number): void {
  const lo = subUp(c, eps);
  const hi = addDown(c, eps);
  x[j] = Math.min(hi, Math.max(lo, x[j]!));
}

/** Euclidean projection of v onto the L1 ball of radius z (Duchi et al. 2008, sort-based). */
function projectL1(v: Float64Array, z: number): void {
  let s = 0;
  for (const a of v) s += Math.abs(a);
  if (s <= z) return;
  const u = Array.from(v, Math.abs).sort((a, b) => b - a);
  let cum = 0;
  let theta = 0;
  for (let k = 0; k < u.length; k++) {
    cum += u[k]!;
    const t = (cum - z) / (k + 1);
    if (u[k]! > t) theta = t;
  }
  for (let k = 0; k < v.length; k++) v[k] = Math.sign(v[k]!) * Math.max(0, Math.abs(v[k]!) - theta);
}

/** Projects x onto the region in place (ball blocks; point blocks are left to the caller). */
export function projectRegion(r: Region, x: Float64Array): void {
  const inBlock = new Uint8Array(x.length);
  for (const b of r.blocks) {
    for (const j of b.idx) inBlock[j] = 1;
    if (b.kind !== 'ball') continue;
    const d = Float64Array.from(b.idx, (j) => x[j]! - r.centre[j]!);
    const rad = b.eps * INSIDE;
    if (b.norm === 'l2') {
      let s = 0;
      for (const v of d) s += v * v;
      const nrm = Math.sqrt(s);
      if (nrm > rad) for (let k = 0; k < d.length; k++) d[k] = (d[k]! * rad) / nrm;
    } else if (b.norm === 'l1') projectL1(d, rad);
    b.idx.forEach((j, k) => {
      x[j] = r.centre[j]! + d[k]!;
      clampInner(x, j, r.centre[j]!, b.norm === 'linf' ? b.eps : rad);
    });
  }
  for (let j = 0; j < x.length; j++) if (!inBlock[j]) x[j] = r.centre[j]!;
}

/** A random point of the region (vertices and convex combinations for point blocks). */
export function sampleRegion(r: Region, rng: Rng): Float64Array {
  const x = Float64Array.from(r.centre);
  for (const b of r.blocks) {
    const n = b.idx.length;
    if (b.kind === 'points') {
      const w = b.points.map(() => rng.next());
      if (rng.next() < 0.5) {
        // half the samples are vertices: the substitutions themselves
        w.fill(0);
        w[rng.int(w.length)] = 1;
      }
      const tot = w.reduce((s, v) => s + v, 0);
      b.idx.forEach((j, k) => {
        x[j] = b.points.reduce((s, p, q) => s + (w[q]! / tot) * p[k]!, 0);
        // a vertex exactly, or a convex combination clamped to the hull's box (rounding)
        const vals = b.points.map((p) => p[k]!);
        x[j] = Math.min(maxOf(vals), Math.max(minOf(vals), x[j]!));
      });
      continue;
    }
    const d = new Float64Array(n);
    if (b.norm === 'linf') for (let k = 0; k < n; k++) d[k] = b.eps * (2 * rng.next() - 1);
    else {
      // a random direction, radius ε·U^{1/n} (uniform in the L2 ball) or a random corner mix (L1)
      let s = 0;
      for (let k = 0; k < n; k++) {
        d[k] =
          b.norm === 'l2' ? rng.normal() : -Math.log(1 - rng.next()) * (rng.next() < 0.5 ? -1 : 1);
        s += b.norm === 'l2' ? d[k]! * d[k]! : Math.abs(d[k]!);
      }
      const nrm = b.norm === 'l2' ? Math.sqrt(s) : s;
      const rad = b.eps * Math.pow(rng.next(), 1 / n);
      for (let k = 0; k < n; k++) d[k] = nrm > 0 ? (d[k]! * rad) / nrm : 0;
    }
    b.idx.forEach((j, k) => (x[j] = r.centre[j]! + d[k]!));
  }
  projectRegion(r, x);
  return x;
}
