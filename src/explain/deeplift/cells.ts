/**
 * DeepLIFT multipliers through one recurrent direction (Shrikumar et al. 2017, rescale rule),
 * backwards over its steps. A multiplier m_y→x satisfies Δy = Σ_x m_x·Δx for Δ = value at the
 * input − value at the baseline; chaining exact local decompositions keeps summation-to-delta:
 *
 * - linear maps (gate pre-activations of x_t and h_{t−1}): the weights, exactly;
 * - elementwise φ (σ — logistic or hard sigmoid gates —, tanh, relu): the secant Δφ/Δa (the
 *   gradient at the midpoint when Δa ≈ 0);
 * - products u⊙v (every gate × signal: o⊙tanh(c), f⊙c, i⊙g, z⊙h, (1−z)⊙n, r⊙(h·U_n + bh_n)):
 *   the two-player Shapley split Δ(uv) = ½(v + v₀)·Δu + ½(u + u₀)·Δv, so m_u = ½(v + v₀) and
 *   m_v = ½(u + u₀). This is the symmetric choice (Ancona et al. 2018 discuss it as the Shapley
 *   value of the two factors); gates thus get a share. The DeepLIFT paper's alternative for
 *   gates (treat the gate as a fixed weight, all Δ to the signal) is exact only when the gate
 *   does not change, so it would break summation-to-delta.
 */
import { RnnlensError } from '../../core/errors.js';
import type { CellRun } from '../lrp/unroll.js';
import { sigmoid } from '../lrp/unroll.js';
import { gateFunction } from '../lrp/gates.js';

const TINY = 1e-10;

/** Δφ/Δa, or φ'((a + a₀)/2) when the two pre-activations (nearly) coincide. */
export function secant(
  phi: (v: number) => number,
  dphi: (v: number) => number,
  a: number,
  a0: number,
  y: number,
  y0: number,
): number {
  const d = a - a0;
  return Math.abs(d) > TINY ? (y - y0) / d : dphi(0.5 * (a + a0));
}

export const sig = {
  f: sigmoid,
  d: (v: number): number => {
    const s = sigmoid(v);
    return s * (1 - s);
  },
};
export const tanh = { f: Math.tanh, d: (v: number): number => 1 - Math.tanh(v) ** 2 };
export const relu = {
  f: (v: number): number => Math.max(0, v),
  d: (v: number): number => (v > 0 ? 1 : 0),
};

/**
 * Multipliers on the direction's input [len, D] (input positions) from multipliers `mOut` on its
 * output ([len, H] by output row when `seqOut`, else [H] on the final state). `run` is the pass at
 * the input, `run0` at the baseline (same lengths). `mCell` [H]: LSTM multipliers on the final
 * cell state c_T from a reader of it (a graph layer reading ONNX Y_c), added to those c_T gets
 * through h_T.
 */
export function deepliftCell(
  run: CellRun,
  run0: CellRun,
  mOut: Float64Array,
  seqOut: boolean,
  mCell?: Float64Array,
): Float64Array {
  const { H, D, G, len, cell, W, U, mn } = run;
  const GH = G * H;
  const mh = new Float64Array((len + 1) * H);
  const mc = run.c ? new Float64Array((len + 1) * H) : null;
  if (seqOut) {
    for (let p = 0; p < len; p++)
      for (let j = 0; j < H; j++) mh[(p + 1) * H + j] += mOut[run.outRow[p]! * H + j]!;
  } else for (let j = 0; j < H; j++) mh[len * H + j] += mOut[j]!;
  if (mCell) {
    if (!mc) throw new RnnlensError(`DeepLIFT: cell-state multipliers given to a ${cell.kind} direction (layer ${run.layer.name})`);
    for (let j = 0; j < H; j++) mc[len * H + j] += mCell[j]!;
  }
  const mx = new Float64Array(len * D);
  const ma = new Float64Array(GH);
  const act = cell.activation === 'relu' ? relu : tanh;
  const gate = gateFunction(cell.recurrentActivation); // σ of the gates: logistic or hard
  const g = run.gates;
  const g0 = run0.gates;
  const A = run.a;
  const A0 = run0.a;
  for (let p = len - 1; p >= 0; p--) {
    const hp = p * H;
    const ho = (p + 1) * H;
    const ao = p * GH;
    // S(k, j): secant of gate block k's activation at unit j.
    const S = (
      k: number,
      j: number,
      fn: { f: (v: number) => number; d: (v: number) => number },
    ): number =>
      secant(
        fn.f,
        fn.d,
        A[ao + k * H + j]!,
        A0[ao + k * H + j]!,
        g[ao + k * H + j]!,
        g0[ao + k * H + j]!,
      );
    const half = (x: Float64Array, y: Float64Array, i: number): number => 0.5 * (x[i]! + y[i]!);
    if (cell.kind === 'rnn') {
      for (let j = 0; j < H; j++) ma[j] = mh[ho + j]! * S(0, j, act);
    } else if (cell.kind === 'lstm') {
      const c = run.c!;
      const c0 = run0.c!;
      for (let j = 0; j < H; j++) {
        const m = mh[ho + j]!;
        const tc = Math.tanh(c[ho + j]!);
        const tc0 = Math.tanh(c0[ho + j]!);
        const mo = 0.5 * (tc + tc0) * m; // h = o⊙tanh(c)
        const mtc = half(g, g0, ao + 3 * H + j) * m;
        const mcT = mc![ho + j]! + mtc * secant(tanh.f, tanh.d, c[ho + j]!, c0[ho + j]!, tc, tc0);
        const mf = half(c, c0, hp + j) * mcT; // c = f⊙c_prev + i⊙g
        mc![hp + j] += half(g, g0, ao + H + j) * mcT;
        const mi = half(g, g0, ao + 2 * H + j) * mcT;
        const mg = half(g, g0, ao + j) * mcT;
        ma[j] = mi * S(0, j, gate);
        ma[H + j] = mf * S(1, j, gate);
        ma[2 * H + j] = mg * S(2, j, tanh);
        ma[3 * H + j] = mo * S(3, j, gate);
      }
    } else {
      const h = run.h;
      const h0 = run0.h;
      const mr = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        const m = mh[ho + j]!;
        const n = g[ao + 2 * H + j]!;
        const n0 = g0[ao + 2 * H + j]!;
        // h = (1−z)⊙n + z⊙h_prev: two products, each split the Shapley way.
        const mz = 0.5 * (h[hp + j]! + h0[hp + j]! - n - n0) * m;
        const mnv = (1 - half(g, g0, ao + H + j)) * m;
        mh[hp + j] += half(g, g0, ao + H + j) * m;
        ma[H + j] = mz * S(1, j, gate);
        ma[2 * H + j] = mnv * S(2, j, tanh);
        if (mn) mr[j] = 0.5 * (mn[p * H + j]! + run0.mn![p * H + j]!) * ma[2 * H + j]!; // r⊙(h·U_n + bh_n)
      }
      for (let k = 0; k < H; k++) {
        // Multiplier on the signal fed to U_n: (h·U_n + bh_n) for reset-after, r⊙h for reset-before.
        let mq = 0;
        for (let j = 0; j < H; j++) {
          const scale = mn ? half(g, g0, ao + j) : 1;
          mq += U[k * GH + 2 * H + j]! * scale * ma[2 * H + j]!;
        }
        if (mn) mh[hp + k] += mq;
        else {
          mr[k] = 0.5 * (h[hp + k]! + h0[hp + k]!) * mq; // q = r⊙h_prev
          mh[hp + k] += half(g, g0, ao + k) * mq;
        }
      }
      for (let j = 0; j < H; j++) ma[j] = mr[j]! * S(0, j, gate);
    }
    // Linear maps: x·W over every block; h·U over every block except GRU's n (done above).
    const xo = run.order[p]! * D;
    for (let d = 0; d < D; d++) {
      let s = 0;
      for (let j = 0; j < GH; j++) s += W[d * GH + j]! * ma[j]!;
      mx[xo + d] += s;
    }
    const uCols = cell.kind === 'gru' ? 2 * H : GH;
    for (let k = 0; k < H; k++) {
      let s = 0;
      for (let j = 0; j < uCols; j++) s += U[k * GH + j]! * ma[j]!;
      mh[hp + k] += s;
    }
  }
  return mx;
}
