/**
 * SimpleRNN step kernels: h' = act(a), a = x·W + bx + h·U + bh, act = tanh or relu.
 * Backward: ∂a = ∂h' ⊙ act'(a) with tanh' = 1 − h'², relu' = [a > 0] = [h' > 0].
 */
import type { BackwardBuffers, ForwardBuffers } from './buffers.js';
import { prevRow } from './buffers.js';

export function rnnForwardStep(f: ForwardBuffers, t: number, relu: boolean): void {
  const { B, H, mask, xw, hu, hs, out, gates, preact } = f;
  const hp = t === 0 ? f.h0 : hs;
  for (let b = 0; b < B; b++) {
    const real = mask === null || mask[t * B + b] === 1;
    const row = (t * B + b) * H;
    const urow = b * H;
    const prow = prevRow(t, b, B, H);
    for (let j = 0; j < H; j++) {
      const a = xw[row + j]! + hu[urow + j]!;
      if (preact) preact[row + j] = a;
      const h = relu ? (a > 0 ? a : 0) : Math.tanh(a);
      gates[row + j] = h;
      if (real) {
        hs[row + j] = h;
        out[row + j] = h;
      } else {
        hs[row + j] = hp[prow + j]!;
      }
    }
  }
}

export function rnnBackwardStep(g: BackwardBuffers, t: number, relu: boolean): void {
  const { B, H, mask, gates, dh, dhPrev, dGx } = g;
  for (let b = 0; b < B; b++) {
    const real = mask === null || mask[t * B + b] === 1;
    const row = (t * B + b) * H;
    const brow = b * H;
    for (let j = 0; j < H; j++) {
      if (!real) {
        // Padded step: h_t = h_{t−1}, so the gradient passes straight through.
        dGx[row + j] = 0;
        dhPrev[brow + j] = dh[brow + j]!;
        continue;
      }
      const h = gates[row + j]!;
      const d = dh[brow + j]!;
      dGx[row + j] = relu ? (h > 0 ? d : 0) : d * (1 - h * h);
      dhPrev[brow + j] = 0;
    }
  }
}
