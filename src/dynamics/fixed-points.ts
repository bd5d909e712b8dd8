/**
 * Fixed and slow points of a recurrent map s' = F(s) (Sussillo & Barak 2013): minimise
 * q(s) = ½‖F(s) − s‖² from many starting states (taken from real trajectories), with Adam on the
 * closed-form gradient (J − I)ᵀ(F(s) − s), then Levenberg–Marquardt steps on F(s) − s = 0 that are
 * kept only while they lower q (tried every 200 Adam steps too, to stop early). Points under `qTol` are fixed points, points under `slowTol` slow
 * points; both are deduplicated, and each gets its Jacobian's eigenvalues, a stability class and
 * its slowest modes.
 */
import { EigenvalueDecomposition, Matrix, solve } from 'ml-matrix';
import { ArgumentError, describe } from '../core/errors.js';
import type { ProgressCallback } from '../core/progress.js';
import type { CellMap } from './cell-map.js';

export interface FixedPointOptions {
  /** Adam iterations per start (default 1500). */
  iterations?: number;
  /** Adam learning rate (default 0.01). */
  lr?: number;
  /** q below which a point is a fixed point (default 1e-12). */
  qTol?: number;
  /** q below which a point is a slow point (default 1e-6). */
  slowTol?: number;
  /** Euclidean distance under which two points are one (default 1e-3). */
  uniqueTol?: number;
  /** Levenberg–Marquardt refinement steps after Adam (default 50; 0: none). */
  newtonSteps?: number;
  /** Eigenvalues kept per point, by modulus (default 5). */
  topEigenvalues?: number;
  onProgress?: ProgressCallback;
}

export interface Eigenvalue {
  re: number;
  im: number;
  abs: number;
}

export type Stability = 'stable' | 'saddle' | 'unstable';

export interface FoundPoint {
  /** the state (h, or h then c for LSTM) */
  state: number[];
  q: number;
  kind: 'fixed' | 'slow';
  stability: Stability;
  /** spectral radius of the Jacobian */
  radius: number;
  /** eigenvalues of the largest moduli, largest first */
  eigenvalues: Eigenvalue[];
  /** eigenvalues with |λ| > 1 */
  unstableModes: number;
  /** unit eigenvector of the largest real eigenvalue (the slowest mode when it is near 1), or null when it is complex */
  slowMode: number[] | null;
  /** starts that converged here */
  hits: number;
}

export interface FixedPointResult {
  points: FoundPoint[];
  starts: number;
  /** starts whose final q stayed above slowTol */
  unconverged: number;
  /** the final q of every start, in start order */
  finalQ: number[];
}

const positive = (name: string, v: number): number => {
  if (!(Number.isFinite(v) && v > 0)) throw new ArgumentError('findFixedPoints', name, 'a positive number', describe(v));
  return v;
};

/** q(s) = ½‖F(s) − s‖², the residual r = F(s) − s and (optionally) the Jacobian. */
function residual(map: CellMap, s: Float64Array, wantJ: boolean): { q: number; r: Float64Array; J: Float64Array | null } {
  const { next, J } = wantJ ? map.jacobian(s) : { next: map.step(s), J: null };
  const r = new Float64Array(s.length);
  let q = 0;
  for (let k = 0; k < s.length; k++) {
    const d = next[k]! - s[k]!;
    r[k] = d;
    q += d * d;
  }
  return { q: q / 2, r, J };
}

/**
 * Levenberg–Marquardt on F(s) − s = 0 in place: solve ((J−I)ᵀ(J−I) + μI) δ = −(J−I)ᵀ r, keep the
 * step if it lowers q (and trust more: μ/3), else retry with μ·4. Near a fixed point this is
 * Newton's method; near a singular J − I it stays a damped descent. Returns the final residual.
 */
function levenbergMarquardt(map: CellMap, s: Float64Array, steps: number, qTol: number): { q: number; r: Float64Array; J: Float64Array | null } {
  const S = map.size;
  let cur = residual(map, s, true);
  let mu = 1e-6;
  for (let k = 0; k < steps && cur.q > qTol * 1e-6; k++) {
    const A = cur.J!.slice();
    for (let i = 0; i < S; i++) A[i * S + i] = A[i * S + i]! - 1;
    // N = AᵀA, g = Aᵀr
    const N: number[][] = [];
    const g: number[] = new Array<number>(S).fill(0);
    for (let i = 0; i < S; i++) N.push(new Array<number>(S).fill(0));
    for (let m = 0; m < S; m++) {
      const row = m * S;
      const rm = cur.r[m]!;
      for (let i = 0; i < S; i++) {
        const ai = A[row + i]!;
        if (ai === 0) continue;
        g[i] = g[i]! + ai * rm;
        const Ni = N[i]!;
        for (let j = 0; j < S; j++) Ni[j] = Ni[j]! + ai * A[row + j]!;
      }
    }
    let accepted = false;
    for (let tries = 0; tries < 12 && !accepted; tries++) {
      const M = N.map((row, i) => row.map((v, j) => (i === j ? v * (1 + mu) + mu : v)));
      let delta: number[];
      try {
        delta = solve(new Matrix(M), Matrix.columnVector(g.map((x) => -x))).getColumn(0);
      } catch {
        mu *= 4;
        continue;
      }
      if (!delta.every(Number.isFinite)) {
        mu *= 4;
        continue;
      }
      const t = Float64Array.from(s, (x, i) => x + delta[i]!);
      const nr = residual(map, t, true);
      if (nr.q < cur.q) {
        s.set(t);
        cur = nr;
        mu = Math.max(mu / 3, 1e-12);
        accepted = true;
      } else mu *= 4;
    }
    if (!accepted) break;
  }
  return cur;
}

/** Eigen-analysis of the Jacobian at s. */
export function analysePoint(map: CellMap, s: Float64Array, top = 5): Omit<FoundPoint, 'state' | 'q' | 'kind' | 'hits'> {
  const S = map.size;
  const { J } = map.jacobian(s);
  const rows: number[][] = [];
  for (let k = 0; k < S; k++) rows.push(Array.from(J.subarray(k * S, (k + 1) * S)));
  const e = new EigenvalueDecomposition(new Matrix(rows));
  const re = e.realEigenvalues;
  const im = e.imaginaryEigenvalues;
  const all = re.map((v, i) => ({ re: v, im: im[i]!, abs: Math.hypot(v, im[i]!), i })).sort((a, b) => b.abs - a.abs);
  const radius = all[0]?.abs ?? 0;
  const unstableModes = all.filter((v) => v.abs > 1).length;
  const stability: Stability = unstableModes === 0 ? 'stable' : unstableModes === S ? 'unstable' : 'saddle';
  let slowMode: number[] | null = null;
  const firstReal = all.find((v) => Math.abs(v.im) < 1e-12);
  if (firstReal && firstReal === all[0]) {
    const V = e.eigenvectorMatrix;
    const col = V.getColumn(firstReal.i);
    const norm = Math.hypot(...col) || 1;
    slowMode = col.map((v) => v / norm);
  }
  return { stability, radius, eigenvalues: all.slice(0, top).map(({ re, im, abs }) => ({ re, im, abs })), unstableModes, slowMode };
}

/** Minimises q from each start; returns the deduplicated fixed and slow points. */
export function findFixedPoints(map: CellMap, starts: readonly Float64Array[], opts: FixedPointOptions = {}): FixedPointResult {
  const iterations = opts.iterations ?? 1500;
  if (!Number.isInteger(iterations) || iterations < 0) throw new ArgumentError('findFixedPoints', 'iterations', 'an integer >= 0', describe(iterations));
  const lr = positive('lr', opts.lr ?? 0.01);
  const qTol = positive('qTol', opts.qTol ?? 1e-12);
  const slowTol = positive('slowTol', opts.slowTol ?? 1e-6);
  if (slowTol < qTol) throw new ArgumentError('findFixedPoints', 'slowTol', `a value >= qTol (${qTol})`, describe(slowTol));
  const uniqueTol = positive('uniqueTol', opts.uniqueTol ?? 1e-3);
  const newtonSteps = opts.newtonSteps ?? 50;
  if (starts.length === 0) throw new ArgumentError('findFixedPoints', 'starts', 'at least one starting state', 'none');
  const S = map.size;
  starts.forEach((s, i) => {
    if (s.length !== S) throw new ArgumentError('findFixedPoints', `starts[${i}]`, `${S} values (the state size)`, `${s.length}`);
    for (let k = 0; k < S; k++) if (!Number.isFinite(s[k]!)) throw new ArgumentError('findFixedPoints', `starts[${i}][${k}]`, 'a finite number', describe(s[k]));
  });
  const b1 = 0.9;
  const b2 = 0.999;
  const finals: { s: Float64Array; q: number }[] = [];
  starts.forEach((s0, n) => {
    const s = Float64Array.from(s0);
    const m = new Float64Array(S);
    const v = new Float64Array(S);
    let q = Infinity;
    for (let it = 1; it <= iterations; it++) {
      if (it % 200 === 0 && newtonSteps > 0) {
        // try to finish early: Newton from here, kept only if it reaches a fixed point
        const t = Float64Array.from(s);
        if (levenbergMarquardt(map, t, Math.min(newtonSteps, 10), qTol).q < qTol) {
          s.set(t);
          break;
        }
      }
      const res = residual(map, s, true);
      q = res.q;
      if (q < Math.max(qTol * 1e-3, Math.min(1e-10, slowTol * 1e-3))) break; // Newton finishes from here
      const J = res.J!;
      // g = (J − I)ᵀ r
      const g = new Float64Array(S);
      for (let k = 0; k < S; k++) {
        const rk = res.r[k]!;
        if (rk === 0) continue;
        const row = k * S;
        for (let j = 0; j < S; j++) g[j] = g[j]! + J[row + j]! * rk;
        g[k] = g[k]! - rk;
      }
      // the step size decays to lr/100 over the iterations: a constant one leaves Adam jittering at q ~ lr²
      const rate = lr * 0.01 ** (it / Math.max(1, iterations));
      const c1 = 1 - b1 ** it;
      const c2 = 1 - b2 ** it;
      for (let j = 0; j < S; j++) {
        m[j] = b1 * m[j]! + (1 - b1) * g[j]!;
        v[j] = b2 * v[j]! + (1 - b2) * g[j]! * g[j]!;
        s[j] = s[j]! - (rate * (m[j]! / c1)) / (Math.sqrt(v[j]! / c2) + 1e-12);
      }
    }
    // Newton polishes fixed points; a slow point keeps Adam's iterate, since descending q further
    // would slide it along its slow manifold to that manifold's lowest point (all starts to one)
    const t = Float64Array.from(s);
    const polished = newtonSteps > 0 ? levenbergMarquardt(map, t, newtonSteps, qTol).q : Infinity;
    if (polished < qTol) finals.push({ s: t, q: polished });
    else finals.push({ s, q: residual(map, s, false).q });
    opts.onProgress?.({ task: 'fixed points', done: n + 1, total: starts.length });
  });
  // deduplicate, best q first
  const order = finals.map((_, i) => i).filter((i) => finals[i]!.q < slowTol).sort((a, b) => finals[a]!.q - finals[b]!.q);
  const reps: { s: Float64Array; q: number; hits: number }[] = [];
  for (const i of order) {
    const f = finals[i]!;
    const same = reps.find((r) => {
      let d = 0;
      for (let k = 0; k < S; k++) d += (r.s[k]! - f.s[k]!) ** 2;
      return Math.sqrt(d) < uniqueTol;
    });
    if (same) same.hits++;
    else reps.push({ s: f.s, q: f.q, hits: 1 });
  }
  const points = reps.map((r) => ({
    state: Array.from(r.s),
    q: r.q,
    kind: (r.q < qTol ? 'fixed' : 'slow') as FoundPoint['kind'],
    ...analysePoint(map, r.s, opts.topEigenvalues ?? 5),
    hits: r.hits,
  }));
  return { points, starts: starts.length, unconverged: finals.length - order.length, finalQ: finals.map((f) => f.q) };
}
