/**
 * A recurrent cell driven by a constant input as a map on its state: s' = F(s, x*), in float64,
 * with its Jacobian dF/ds in closed form (the cell equations of src/core/backend.ts).
 *
 * The state s is h [H] for SimpleRNN and GRU, and (h, c) [2H] for LSTM (h first, then c). The
 * constant input enters once, as u = x*·W + bx [G·H]; the map then needs only U and bh.
 */
import { gateCount, hardSigmoidSlope, type CellSpec, type RecurrentActivation } from '../core/backend.js';
import { ArgumentError, describe } from '../core/errors.js';
import type { RecurrentLayer } from '../nn/recurrent.js';

export interface CellMap {
  cell: CellSpec;
  /** Hidden units H. */
  units: number;
  /** State size S: H, or 2H for LSTM. */
  size: number;
  /** F(s) for the fixed input. */
  step(s: Float64Array): Float64Array;
  /** F(s) and dF/ds [S, S] row-major (row k: ∂F_k/∂s_j over j). */
  jacobian(s: Float64Array): { next: Float64Array; J: Float64Array };
}

interface Gate {
  f(a: number): number;
  /** derivative from the gate value */
  d(s: number): number;
}

function gateFn(act: RecurrentActivation | undefined): Gate {
  if (act === undefined || act === 'sigmoid') return { f: (a) => 1 / (1 + Math.exp(-a)), d: (s) => s * (1 - s) };
  const slope = hardSigmoidSlope(act);
  return { f: (a) => Math.min(1, Math.max(0, slope * a + 0.5)), d: (s) => (s > 0 && s < 1 ? slope : 0) };
}

export interface CellWeights {
  cell: CellSpec;
  /** [D, G·H] */
  W: ArrayLike<number>;
  /** [H, G·H] */
  U: ArrayLike<number>;
  /** [G·H] */
  bx: ArrayLike<number>;
  /** [G·H] */
  bh: ArrayLike<number>;
}

/** The weights of a rnnlens recurrent layer. */
export function layerWeights(layer: RecurrentLayer): CellWeights {
  return { cell: layer.cell, W: layer.W.value, U: layer.U.value, bx: layer.bx.value, bh: layer.bh.value };
}

/** The map s → F(s, x) of a cell with the input x [D] held constant (zeros by default). */
export function cellMap(w: CellWeights, input?: ArrayLike<number>): CellMap {
  const { cell } = w;
  const H = cell.hiddenSize;
  const D = cell.inputSize;
  const G = gateCount(cell.kind);
  const GH = G * H;
  if (w.U.length !== H * GH) throw new ArgumentError('cellMap', 'U', `${H * GH} values [${H}, ${GH}]`, `${w.U.length}`);
  if (w.W.length !== D * GH) throw new ArgumentError('cellMap', 'W', `${D * GH} values [${D}, ${GH}]`, `${w.W.length}`);
  if (input !== undefined && input.length !== D) throw new ArgumentError('cellMap', 'input', `${D} values (the layer's input features)`, `${input.length}`);
  const U = Float64Array.from(w.U);
  const bh = Float64Array.from(w.bh);
  const u = Float64Array.from(w.bx);
  if (input) {
    for (let d = 0; d < D; d++) {
      const xd = input[d]!;
      if (!Number.isFinite(xd)) throw new ArgumentError('cellMap', `input[${d}]`, 'a finite number', describe(xd));
      if (xd === 0) continue;
      for (let k = 0; k < GH; k++) u[k] = u[k]! + xd * w.W[d * GH + k]!;
    }
  }
  const sig = gateFn(cell.recurrentActivation);
  const size = cell.kind === 'lstm' ? 2 * H : H;
  const checkState = (s: Float64Array): void => {
    if (s.length !== size) throw new ArgumentError('cellMap', 'state', `${size} values`, `${s.length}`);
  };
  /** a = u + h·U (+ bh); `m` gets h·U + bh alone (GRU) */
  const preact = (h: Float64Array): { a: Float64Array; m: Float64Array } => {
    const m = Float64Array.from(bh);
    for (let j = 0; j < H; j++) {
      const hj = h[j]!;
      if (hj === 0) continue;
      const row = j * GH;
      for (let k = 0; k < GH; k++) m[k] = m[k]! + hj * U[row + k]!;
    }
    const a = new Float64Array(GH);
    for (let k = 0; k < GH; k++) a[k] = u[k]! + m[k]!;
    return { a, m };
  };

  if (cell.kind === 'rnn') {
    const relu = cell.activation === 'relu';
    const run = (s: Float64Array, wantJ: boolean): { next: Float64Array; J: Float64Array } => {
      checkState(s);
      const { a } = preact(s);
      const next = new Float64Array(H);
      const J = new Float64Array(wantJ ? H * H : 0);
      for (let k = 0; k < H; k++) {
        const v = relu ? Math.max(0, a[k]!) : Math.tanh(a[k]!);
        next[k] = v;
        if (!wantJ) continue;
        const dv = relu ? (a[k]! > 0 ? 1 : 0) : 1 - v * v;
        for (let j = 0; j < H; j++) J[k * H + j] = dv * U[j * GH + k]!;
      }
      return { next, J };
    };
    return { cell, units: H, size, step: (s) => run(s, false).next, jacobian: (s) => run(s, true) };
  }

  if (cell.kind === 'lstm') {
    const run = (s: Float64Array, wantJ: boolean): { next: Float64Array; J: Float64Array } => {
      checkState(s);
      const h = s.subarray(0, H);
      const c = s.subarray(H);
      const { a } = preact(h);
      const next = new Float64Array(2 * H);
      const S = 2 * H;
      const J = new Float64Array(wantJ ? S * S : 0);
      for (let k = 0; k < H; k++) {
        const i = sig.f(a[k]!);
        const f = sig.f(a[H + k]!);
        const g = Math.tanh(a[2 * H + k]!);
        const o = sig.f(a[3 * H + k]!);
        const cn = f * c[k]! + i * g;
        const tc = Math.tanh(cn);
        next[k] = o * tc;
        next[H + k] = cn;
        if (!wantJ) continue;
        const di = sig.d(i);
        const df = sig.d(f);
        const dg = 1 - g * g;
        const dox = sig.d(o);
        const dtc = 1 - tc * tc;
        const rowH = k * S;
        const rowC = (H + k) * S;
        for (let j = 0; j < H; j++) {
          const base = j * GH;
          const dc = c[k]! * df * U[base + H + k]! + g * di * U[base + k]! + i * dg * U[base + 2 * H + k]!;
          J[rowC + j] = dc;
          J[rowH + j] = dox * U[base + 3 * H + k]! * tc + o * dtc * dc;
        }
        J[rowC + H + k] = f;
        J[rowH + H + k] = o * dtc * f;
      }
      return { next, J };
    };
    return { cell, units: H, size, step: (s) => run(s, false).next, jacobian: (s) => run(s, true) };
  }

  // GRU
  const resetAfter = cell.resetAfter ?? true;
  const run = (h: Float64Array, wantJ: boolean): { next: Float64Array; J: Float64Array } => {
    checkState(h);
    const { a, m } = preact(h);
    const r = new Float64Array(H);
    const z = new Float64Array(H);
    for (let k = 0; k < H; k++) {
      r[k] = sig.f(a[k]!);
      z[k] = sig.f(a[H + k]!);
    }
    const n = new Float64Array(H);
    let rh: Float64Array | null = null;
    if (resetAfter) {
      for (let k = 0; k < H; k++) n[k] = Math.tanh(u[2 * H + k]! + r[k]! * m[2 * H + k]!);
    } else {
      rh = new Float64Array(H);
      for (let j = 0; j < H; j++) rh[j] = r[j]! * h[j]!;
      for (let k = 0; k < H; k++) {
        let v = u[2 * H + k]! + bh[2 * H + k]!;
        for (let j = 0; j < H; j++) v += rh[j]! * U[j * GH + 2 * H + k]!;
        n[k] = Math.tanh(v);
      }
    }
    const next = new Float64Array(H);
    for (let k = 0; k < H; k++) next[k] = (1 - z[k]!) * n[k]! + z[k]! * h[k]!;
    const J = new Float64Array(wantJ ? H * H : 0);
    if (!wantJ) return { next, J };
    const dr = r.map((v) => sig.d(v));
    for (let k = 0; k < H; k++) {
      const dn = 1 - n[k]! * n[k]!;
      const dz = sig.d(z[k]!);
      for (let l = 0; l < H; l++) {
        const base = l * GH;
        let dnl: number;
        if (resetAfter) {
          dnl = dn * (dr[k]! * U[base + k]! * m[2 * H + k]! + r[k]! * U[base + 2 * H + k]!);
        } else {
          // ∂(Σ_j r_j h_j U[j, n_k]) / ∂h_l = r_l U[l, n_k] + Σ_j h_j r'_j U[l, r_j] U[j, n_k]
          let v = r[l]! * U[base + 2 * H + k]!;
          for (let j = 0; j < H; j++) v += h[j]! * dr[j]! * U[base + j]! * U[j * GH + 2 * H + k]!;
          dnl = dn * v;
        }
        const dzl = dz * U[base + H + k]!;
        J[k * H + l] = (1 - z[k]!) * dnl + (h[k]! - n[k]!) * dzl + (k === l ? z[k]! : 0);
      }
    }
    return { next, J };
  };
  return { cell, units: H, size, step: (s) => run(s, false).next, jacobian: (s) => run(s, true) };
}
