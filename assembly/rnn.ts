// SimpleRNN over all steps for the batch rows [b0, b1) of one thread: h' = act(x·W + bx + h·U + bh).
import { gemm_acc_packed, gemm_step } from './gemm-step';
import { tanh4 } from './activations';
import * as F from './desc';
import { copy4, field, isReal, ptr, ringMask, rowAt, xRow, xStride, zero4 } from './desc';

export function rnn_forward(desc: usize, b0: i32, b1: i32, work: usize): void {
  const T = field(desc, F.D_T), B = field(desc, F.D_B), Hp = field(desc, F.D_HP);
  // outputs-only pass (FLAGS bit 3): one step's gate rows, reused at every step
  const tg = (field(desc, F.D_FLAGS) & 8) != 0 ? 0 : 1;
  const relu = (field(desc, F.D_FLAGS) & 1) != 0;
  const hm = ringMask(desc, 16); // hs rows: t, or t & 1 in a two-row ring (FLAGS bit 4)
  const pG = ptr(desc, F.D_G), pHs = ptr(desc, F.D_HS);
  const pOut = ptr(desc, F.D_OUT), pPre = ptr(desc, F.D_PRE), pMask = ptr(desc, F.D_MASK);
  const D = field(desc, F.D_D), ldx = xStride(desc);
  const pWUp = ptr(desc, F.D_WP), pBias = ptr(desc, F.D_BIASX);
  const zero = f32x4.splat(0);
  for (let t = 0; t < T; t++) {
    // a_t = bias + [x_t, h_{t−1}] · [W; U]
    const hPrev0 = t == 0 ? ptr(desc, F.D_H0) + ((<usize>(b0 * Hp)) << 2) : rowAt(pHs, (t - 1) & hm, B, b0, Hp);
    gemm_step(b1 - b0, Hp, D, xRow(desc, t, b0), ldx, Hp, hPrev0, Hp, pWUp, pBias, rowAt(pG, t * tg, B, b0, Hp), Hp, work);
    for (let b = b0; b < b1; b++) {
      const g = rowAt(pG, t * tg, B, b, Hp);
      const hr = rowAt(pHs, t & hm, B, b, Hp);
      const outr = pOut ? rowAt(pOut, t, B, b, Hp) : 0;
      if (pPre) copy4(rowAt(pPre, t, B, b, Hp), g, Hp);
      const real = isReal(pMask, t, B, b);
      for (let j = 0; j < Hp; j += 4) {
        const o = (<usize>j) << 2;
        const a = v128.load(g + o);
        const h = relu ? f32x4.max(a, zero) : tanh4(a);
        if (tg) v128.store(g + o, h); // kept for the backward pass
        if (!real) continue;
        v128.store(hr + o, h);
        if (outr) v128.store(outr + o, h);
      }
      if (!real) {
        // padded step: state carried over, output 0
        const hp = t == 0 ? ptr(desc, F.D_H0) + ((<usize>(b * Hp)) << 2) : rowAt(pHs, (t - 1) & hm, B, b, Hp);
        copy4(hr, hp, Hp);
        if (outr) zero4(outr, Hp);
      }
    }
  }
}

/** da = dh ⊙ act'(a): tanh: 1 − h², relu: [h > 0]; dh_prev = da·Uᵀ. */
export function rnn_backward(desc: usize, b0: i32, b1: i32, work: usize): void {
  const T = field(desc, F.D_T), B = field(desc, F.D_B), Hp = field(desc, F.D_HP);
  const relu = (field(desc, F.D_FLAGS) & 1) != 0;
  const pG = ptr(desc, F.D_G), pMask = ptr(desc, F.D_MASK), pDOut = ptr(desc, F.D_DOUT);
  const pDA = ptr(desc, F.D_DA), pDh = ptr(desc, F.D_DH), pSteps = ptr(desc, F.D_DHSTEPS);
  const one = f32x4.splat(1), zero = f32x4.splat(0);
  for (let t = T - 1; t >= 0; t--) {
    for (let b = b0; b < b1; b++) {
      const dh = pDh + ((<usize>(b * Hp)) << 2);
      const da = rowAt(pDA, t, B, b, Hp);
      const real = isReal(pMask, t, B, b);
      if (real && pDOut) {
        const dout = rowAt(pDOut, t, B, b, Hp);
        for (let j = 0; j < Hp; j += 4) {
          const o = (<usize>j) << 2;
          v128.store(dh + o, f32x4.add(v128.load(dh + o), v128.load(dout + o)));
        }
      }
      if (pSteps) copy4(rowAt(pSteps, t, B, b, Hp), dh, Hp);
      if (!real) {
        zero4(da, Hp);
        continue;
      }
      const g = rowAt(pG, t, B, b, Hp);
      for (let j = 0; j < Hp; j += 4) {
        const o = (<usize>j) << 2;
        const h = v128.load(g + o);
        const d = relu
          ? v128.and(v128.load(dh + o), f32x4.gt(h, zero))
          : f32x4.mul(v128.load(dh + o), f32x4.sub(one, f32x4.mul(h, h)));
        v128.store(da + o, d);
        v128.store(dh + o, zero);
      }
    }
    gemm_acc_packed(b1 - b0, Hp, Hp, rowAt(pDA, t, B, b0, Hp), Hp, ptr(desc, F.D_UTP), pDh + ((<usize>(b0 * Hp)) << 2), Hp, work);
  }
}
