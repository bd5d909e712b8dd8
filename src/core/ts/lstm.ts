/**
 * LSTM step kernels (gate order i, f, g, o):
 *   i=σ(a_i) f=σ(a_f) g=tanh(a_g) o=σ(a_o);  c' = f⊙c + i⊙g;  h' = o⊙tanh(c')
 * Backward, with ∂c' the total gradient on c' = ∂c'(from t+1) + ∂h'⊙o⊙(1 − tanh²c'):
 *   ∂o = ∂h'⊙tanh(c')  ∂i = ∂c'⊙g  ∂f = ∂c'⊙c  ∂g = ∂c'⊙i  ∂c = ∂c'⊙f
 *   ∂a_{i,f,o} = ∂gate⊙σ'(a) (logistic: gate⊙(1−gate); hard: slope inside (0, 1), else 0),  ∂a_g = ∂g⊙(1−g²)
 */
import type { BackwardBuffers, ForwardBuffers } from './buffers.js';
import { prevRow } from './buffers.js';

/** `sigmoid` is the gate activation σ (logistic or hard, see backend.ts). */
export function lstmForwardStep(
  f: ForwardBuffers,
  t: number,
  sigmoid: (x: number) => number,
): void {
  const { B, H, mask, xw, hu, hs, out, gates, preact } = f;
  const cs = f.cs!;
  const hp = t === 0 ? f.h0 : hs;
  const cp = t === 0 ? f.c0! : cs;
  const GH = 4 * H;
  for (let b = 0; b < B; b++) {
    const real = mask === null || mask[t * B + b] === 1;
    const grow = (t * B + b) * GH;
    const urow = b * GH;
    const hrow = (t * B + b) * H;
    const prow = prevRow(t, b, B, H);
    for (let j = 0; j < H; j++) {
      const ai = xw[grow + j]! + hu[urow + j]!;
      const af = xw[grow + H + j]! + hu[urow + H + j]!;
      const ag = xw[grow + 2 * H + j]! + hu[urow + 2 * H + j]!;
      const ao = xw[grow + 3 * H + j]! + hu[urow + 3 * H + j]!;
      if (preact) {
        preact[grow + j] = ai;
        preact[grow + H + j] = af;
        preact[grow + 2 * H + j] = ag;
        preact[grow + 3 * H + j] = ao;
      }
      const i = sigmoid(ai);
      const fg = sigmoid(af);
      const g = Math.tanh(ag);
      const o = sigmoid(ao);
      gates[grow + j] = i;
      gates[grow + H + j] = fg;
      gates[grow + 2 * H + j] = g;
      gates[grow + 3 * H + j] = o;
      if (real) {
        const c = fg * cp[prow + j]! + i * g;
        cs[hrow + j] = c; // rounded to the dtype before tanh, as the next step will see it
        const h = o * Math.tanh(cs[hrow + j]!);
        hs[hrow + j] = h;
        out[hrow + j] = h;
      } else {
        cs[hrow + j] = cp[prow + j]!;
        hs[hrow + j] = hp[prow + j]!;
      }
    }
  }
}

/** `dsig(s)` is σ'(a) from the gate value s = σ(a). */
export function lstmBackwardStep(g: BackwardBuffers, t: number, dsig: (s: number) => number): void {
  const { B, H, mask, gates, dh, dhPrev, dGx } = g;
  const cs = g.cs!;
  const dc = g.dc!;
  const dcPrev = g.dcPrev!;
  const cp = t === 0 ? g.c0! : cs;
  const GH = 4 * H;
  for (let b = 0; b < B; b++) {
    const real = mask === null || mask[t * B + b] === 1;
    const grow = (t * B + b) * GH;
    const hrow = (t * B + b) * H;
    const brow = b * H;
    const prow = prevRow(t, b, B, H);
    for (let j = 0; j < H; j++) {
      if (!real) {
        dGx[grow + j] = 0;
        dGx[grow + H + j] = 0;
        dGx[grow + 2 * H + j] = 0;
        dGx[grow + 3 * H + j] = 0;
        dhPrev[brow + j] = dh[brow + j]!;
        dcPrev[brow + j] = dc[brow + j]!;
        continue;
      }
      const i = gates[grow + j]!;
      const f = gates[grow + H + j]!;
      const gg = gates[grow + 2 * H + j]!;
      const o = gates[grow + 3 * H + j]!;
      const tc = Math.tanh(cs[hrow + j]!);
      const dhj = dh[brow + j]!;
      const dcTot = dc[brow + j]! + dhj * o * (1 - tc * tc);
      const dO = dhj * tc;
      const dI = dcTot * gg;
      const dF = dcTot * cp[prow + j]!;
      const dG = dcTot * i;
      dGx[grow + j] = dI * dsig(i);
      dGx[grow + H + j] = dF * dsig(f);
      dGx[grow + 2 * H + j] = dG * (1 - gg * gg);
      dGx[grow + 3 * H + j] = dO * dsig(o);
      dcPrev[brow + j] = dcTot * f;
      dhPrev[brow + j] = 0;
    }
  }
}
