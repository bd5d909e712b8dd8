// LSTM over all steps for the batch rows [b0, b1) of one thread (forward and backward).
//   σ = the gate activation (logistic or hard sigmoid, FLAGS bits 1–2)
//   i=σ(a_i) f=σ(a_f) g=tanh(a_g) o=σ(a_o); c' = f⊙c + i⊙g; h' = o⊙tanh(c')
// Gate blocks along a row of G: i, f, g, o, each Hp wide.
import { gemm_acc_packed, gemm_step } from './gemm-step';
import { dgate4, gate4, gateMode, tanh4 } from './activations';
import * as F from './desc';
import { copy4, field, isReal, ptr, ringMask, rowAt, xRow, xStride, zero4 } from './desc';

export function lstm_forward(desc: usize, b0: i32, b1: i32, work: usize): void {
  // One copy of the loops for every gate mode (a test per vector, always predicted): a copy for
  // the logistic σ alone let the optimiser keep the activation constants in locals across the
  // loop body, which V8 spilled to the stack; that copy made IG and GRU inference 3–4 % slower.
  lstmForwardImpl(desc, b0, b1, work, gateMode(field(desc, F.D_FLAGS)));
}

// @ts-ignore: decorator
@inline
function lstmForwardImpl(desc: usize, b0: i32, b1: i32, work: usize, mode: i32): void {
  const T = field(desc, F.D_T), B = field(desc, F.D_B), Hp = field(desc, F.D_HP);
  // outputs-only pass (FLAGS bit 3): one step's gate rows, reused at every step
  const tg = (field(desc, F.D_FLAGS) & 8) != 0 ? 0 : 1;
  // step rows of hs and cs: t, or t & 1 in two-row rings (hs: FLAGS bit 4; cs: outputs only)
  const hm = ringMask(desc, 16), cm = ringMask(desc, 8);
  const GH = 4 * Hp;
  const pG = ptr(desc, F.D_G), pHs = ptr(desc, F.D_HS), pCs = ptr(desc, F.D_CS);
  const pOut = ptr(desc, F.D_OUT), pPre = ptr(desc, F.D_PRE), pMask = ptr(desc, F.D_MASK);
  const D = field(desc, F.D_D), ldx = xStride(desc);
  const pWUp = ptr(desc, F.D_WP), pBias = ptr(desc, F.D_BIASX);
  const mb = b1 - b0;
  for (let t = 0; t < T; t++) {
    // a_t = bias + [x_t, h_{t−1}] · [W; U]
    const hPrev0 = t == 0 ? ptr(desc, F.D_H0) + ((<usize>(b0 * Hp)) << 2) : rowAt(pHs, (t - 1) & hm, B, b0, Hp);
    gemm_step(mb, GH, D, xRow(desc, t, b0), ldx, Hp, hPrev0, Hp, pWUp, pBias, rowAt(pG, t * tg, B, b0, GH), GH, work);
    for (let b = b0; b < b1; b++) {
      const g = rowAt(pG, t * tg, B, b, GH);
      if (pPre) copy4(rowAt(pPre, t, B, b, GH), g, GH);
      const hp = t == 0 ? ptr(desc, F.D_H0) + ((<usize>(b * Hp)) << 2) : rowAt(pHs, (t - 1) & hm, B, b, Hp);
      const cp = t == 0 ? ptr(desc, F.D_C0) + ((<usize>(b * Hp)) << 2) : rowAt(pCs, (t - 1) & cm, B, b, Hp);
      const hr = rowAt(pHs, t & hm, B, b, Hp), cr = rowAt(pCs, t & cm, B, b, Hp);
      const outr = pOut ? rowAt(pOut, t, B, b, Hp) : 0;
      const real = isReal(pMask, t, B, b);
      const hb = (<usize>Hp) << 2;
      // gate activations at every step (as the TS backend); the state only moves at real steps
      for (let j = 0; j < Hp; j += 4) {
        const o = (<usize>j) << 2;
        const gi = gate4(v128.load(g + o), mode);
        const gf = gate4(v128.load(g + hb + o), mode);
        const gg = tanh4(v128.load(g + 2 * hb + o));
        const go = gate4(v128.load(g + 3 * hb + o), mode);
        if (tg) {
          // kept for the backward pass (an outputs-only pass needs them only here)
          v128.store(g + o, gi);
          v128.store(g + hb + o, gf);
          v128.store(g + 2 * hb + o, gg);
          v128.store(g + 3 * hb + o, go);
        }
        if (!real) continue;
        const c = f32x4.add(f32x4.mul(gf, v128.load(cp + o)), f32x4.mul(gi, gg));
        const h = f32x4.mul(go, tanh4(c));
        v128.store(cr + o, c);
        v128.store(hr + o, h);
        if (outr) v128.store(outr + o, h);
      }
      if (!real) {
        // padded step: state carried over, output 0
        copy4(hr, hp, Hp);
        copy4(cr, cp, Hp);
        if (outr) zero4(outr, Hp);
      }
    }
  }
}

/**
 * Backward through time for rows [b0, b1). Writes the pre-activation gradients dA [T, B, 4Hp];
 * leaves dh0, dc0 in the D_DH, D_DC rows. Parameter and input gradients are big GEMMs over dA
 * done afterwards by the host.
 *   dh = dOut_t + dh_{t+1};  tc = tanh(c);  dc = dc_{t+1} + dh⊙o⊙(1−tc²)
 *   da_i = dc⊙g⊙σ'(a_i); da_f = dc⊙c_prev⊙σ'(a_f); da_g = dc⊙i⊙(1−g²); da_o = dh⊙tc⊙σ'(a_o)
 *   (σ' from the gate value: i(1−i) for the logistic σ, the slope inside (0, 1) for a hard one)
 *   dc_prev = dc⊙f;  dh_prev = dA·Uᵀ
 */
export function lstm_backward(desc: usize, b0: i32, b1: i32, work: usize): void {
  // the logistic σ (mode 0) gets its own copy of the loops, without a mode test per vector
  const mode = gateMode(field(desc, F.D_FLAGS));
  if (mode == 0) lstmBackwardImpl(desc, b0, b1, work, 0);
  else lstmBackwardImpl(desc, b0, b1, work, mode);
}

// @ts-ignore: decorator
@inline
function lstmBackwardImpl(desc: usize, b0: i32, b1: i32, work: usize, mode: i32): void {
  const T = field(desc, F.D_T), B = field(desc, F.D_B), Hp = field(desc, F.D_HP);
  const GH = 4 * Hp;
  const pG = ptr(desc, F.D_G), pHs = ptr(desc, F.D_HS), pCs = ptr(desc, F.D_CS);
  const pMask = ptr(desc, F.D_MASK), pDOut = ptr(desc, F.D_DOUT), pDA = ptr(desc, F.D_DA);
  const pDh = ptr(desc, F.D_DH), pDc = ptr(desc, F.D_DC), pSteps = ptr(desc, F.D_DHSTEPS);
  const pUTp = ptr(desc, F.D_UTP);
  const hb = (<usize>Hp) << 2;
  const one = f32x4.splat(1);
  for (let t = T - 1; t >= 0; t--) {
    for (let b = b0; b < b1; b++) {
      const dh = pDh + ((<usize>(b * Hp)) << 2);
      const dc = pDc + ((<usize>(b * Hp)) << 2);
      const da = rowAt(pDA, t, B, b, GH);
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
        zero4(da, GH); // no gradient flows through a padded step; dh, dc carry over
        continue;
      }
      const g = rowAt(pG, t, B, b, GH);
      const cr = rowAt(pCs, t, B, b, Hp);
      const cp = t == 0 ? ptr(desc, F.D_C0) + ((<usize>(b * Hp)) << 2) : rowAt(pCs, t - 1, B, b, Hp);
      for (let j = 0; j < Hp; j += 4) {
        const o = (<usize>j) << 2;
        const gi = v128.load(g + o), gf = v128.load(g + hb + o);
        const gg = v128.load(g + 2 * hb + o), go = v128.load(g + 3 * hb + o);
        const tc = tanh4(v128.load(cr + o));
        const dhv = v128.load(dh + o);
        const dcv = f32x4.add(v128.load(dc + o), f32x4.mul(f32x4.mul(dhv, go), f32x4.sub(one, f32x4.mul(tc, tc))));
        v128.store(da + o, f32x4.mul(f32x4.mul(dcv, gg), dgate4(gi, mode)));
        v128.store(da + hb + o, f32x4.mul(f32x4.mul(dcv, v128.load(cp + o)), dgate4(gf, mode)));
        v128.store(da + 2 * hb + o, f32x4.mul(f32x4.mul(dcv, gi), f32x4.sub(one, f32x4.mul(gg, gg))));
        v128.store(da + 3 * hb + o, f32x4.mul(f32x4.mul(dhv, tc), dgate4(go, mode)));
        v128.store(dc + o, f32x4.mul(dcv, gf));
        v128.store(dh + o, f32x4.splat(0)); // replaced by dA·Uᵀ below
      }
    }
    // dh_prev[rows] += dA_t[rows] · Uᵀ (padded rows have dA = 0 and keep their carried dh)
    gemm_acc_packed(b1 - b0, Hp, GH, rowAt(pDA, t, B, b0, GH), GH, pUTp, pDh + ((<usize>(b0 * Hp)) << 2), Hp, work);
  }
}
