// GRU over all steps for the batch rows [b0, b1) of one thread. Gate blocks r, z, n (Hp wide).
// reset-after:  r=σ(a_r) z=σ(a_z); n = tanh(x·W_n + bx_n + r⊙(h·U_n + bh_n)); h' = (1−z)⊙n + z⊙h
// reset-before: r, z as above;      n = tanh(x·W_n + bx_n + (r⊙h)·U_n + bh_n)
// h' is computed as n + z⊙(h − n). σ is the gate activation (logistic or hard, FLAGS bits 1–2).
import { gemm_acc_packed, gemm_step } from './gemm-step';
import { dgate4, gate4, gateMode, tanh4 } from './activations';
import * as F from './desc';
import { copy4, field, isReal, ptr, ringMask, rowAt, xRow, xStride, zero4 } from './desc';

// @ts-ignore: decorator
@inline
function prevRow(desc: usize, t: i32, B: i32, b: i32, Hp: i32): usize {
  return t == 0 ? ptr(desc, F.D_H0) + ((<usize>(b * Hp)) << 2) : rowAt(ptr(desc, F.D_HS), (t - 1) & ringMask(desc, 16), B, b, Hp);
}

/** Padded step: h carried, output 0. */
function carry(desc: usize, t: i32, B: i32, b: i32, Hp: i32): void {
  copy4(rowAt(ptr(desc, F.D_HS), t & ringMask(desc, 16), B, b, Hp), prevRow(desc, t, B, b, Hp), Hp);
  const pOut = ptr(desc, F.D_OUT);
  if (pOut) zero4(rowAt(pOut, t, B, b, Hp), Hp);
}

/**
 * Reset-after forward. D_WP: [W; U] of the r, z columns stacked (K = D + Hp, N = 2Hp); D_UP: W_n
 * (K = D, N = Hp); D_UP2: U_n (K = Hp, N = Hp). s: scratch [rows, Hp] for h·U_n. Bias x side holds
 * bx + [bh_r, bh_z, 0].
 */
export function gru_forward(desc: usize, b0: i32, b1: i32, work: usize, s: usize): void {
  // One copy of the loops for every gate mode (a test per vector, always predicted): a copy for
  // the logistic σ alone let the optimiser keep the activation constants in locals across the
  // loop body, which V8 spilled to the stack; that copy made IG and GRU inference 3–4 % slower.
  gruForwardImpl(desc, b0, b1, work, s, gateMode(field(desc, F.D_FLAGS)));
}

// @ts-ignore: decorator
@inline
function gruForwardImpl(desc: usize, b0: i32, b1: i32, work: usize, s: usize, mode: i32): void {
  const T = field(desc, F.D_T), B = field(desc, F.D_B), Hp = field(desc, F.D_HP);
  // outputs-only pass (FLAGS bit 3): one step's gate rows, reused at every step
  const tg = (field(desc, F.D_FLAGS) & 8) != 0 ? 0 : 1;
  const hm = ringMask(desc, 16); // hs rows: t, or t & 1 in a two-row ring (FLAGS bit 4)
  const GH = 3 * Hp;
  const pG = ptr(desc, F.D_G), pHs = ptr(desc, F.D_HS), pHn = ptr(desc, F.D_HN), pBh = ptr(desc, F.D_BIASH);
  const pOut = ptr(desc, F.D_OUT), pPre = ptr(desc, F.D_PRE), pMask = ptr(desc, F.D_MASK);
  const D = field(desc, F.D_D), ldx = xStride(desc), pWp = ptr(desc, F.D_WP), pBiasX = ptr(desc, F.D_BIASX);
  const hb = (<usize>Hp) << 2;
  const mb = b1 - b0;
  const pWn = ptr(desc, F.D_UP), pUn = ptr(desc, F.D_UP2);
  for (let t = 0; t < T; t++) {
    // G_rz = bias_x + [x_t, h_{t−1}]·[W; U]_rz in one pass; G_n = bias_x_n + x_t·W_n and
    // S = h_{t−1}·U_n apart (reset-after multiplies h·U_n + bh_n by r)
    const x0 = xRow(desc, t, b0), h0 = prevRow(desc, t, B, b0, Hp), g0 = rowAt(pG, t * tg, B, b0, GH);
    gemm_step(mb, 2 * Hp, D, x0, ldx, Hp, h0, Hp, pWp, pBiasX, g0, GH, work);
    gemm_step(mb, Hp, D, x0, ldx, 0, 0, 0, pWn, pBiasX + 2 * hb, g0 + 2 * hb, GH, work);
    gemm_step(mb, Hp, 0, 0, 0, Hp, h0, Hp, pUn, 0, s, Hp, work);
    for (let b = b0; b < b1; b++) {
      const real = isReal(pMask, t, B, b);
      const g = rowAt(pG, t * tg, B, b, GH);
      const sr = s + ((<usize>((b - b0) * Hp)) << 2);
      const hp = prevRow(desc, t, B, b, Hp);
      const hr = rowAt(pHs, t & hm, B, b, Hp), hnr = pHn ? rowAt(pHn, t, B, b, Hp) : 0;
      const pre = pPre ? rowAt(pPre, t, B, b, GH) : 0;
      const outr = pOut ? rowAt(pOut, t, B, b, Hp) : 0;
      for (let j = 0; j < Hp; j += 4) {
        const o = (<usize>j) << 2;
        const ar = v128.load(g + o);
        const az = v128.load(g + hb + o);
        const r = gate4(ar, mode), z = gate4(az, mode);
        const hn = f32x4.add(v128.load(sr + o), v128.load(pBh + 2 * hb + o));
        const an = f32x4.add(v128.load(g + 2 * hb + o), f32x4.mul(r, hn));
        const n = tanh4(an);
        const h = f32x4.add(n, f32x4.mul(z, f32x4.sub(v128.load(hp + o), n)));
        if (pre) {
          v128.store(pre + o, ar);
          v128.store(pre + hb + o, az);
          v128.store(pre + 2 * hb + o, an);
        }
        if (tg) {
          // kept for the backward pass (an outputs-only pass needs them only here)
          v128.store(g + o, r);
          v128.store(g + hb + o, z);
          v128.store(g + 2 * hb + o, n);
          v128.store(hnr + o, hn);
        }
        if (!real) continue;
        v128.store(hr + o, h);
        if (outr) v128.store(outr + o, h);
      }
      if (!real) carry(desc, t, B, b, Hp);
    }
  }
}

/**
 * Reset-after backward. dAx [T,B,3Hp] (x side: W, bx, dx), dAh [T,B,3Hp] (h side: U, bh, dh_prev).
 *   dn_pre = dh⊙(1−z)⊙(1−n²); dz_pre = dh⊙(h_prev−n)⊙σ'(a_z); dr_pre = dn_pre⊙hn⊙σ'(a_r)
 *   dAx = [dr_pre, dz_pre, dn_pre]; dAh = [dr_pre, dz_pre, dn_pre⊙r]; dh_prev = dh⊙z + dAh·Uᵀ
 */
export function gru_backward(desc: usize, b0: i32, b1: i32, work: usize): void {
  // the logistic σ (mode 0) gets its own copy of the loops, without a mode test per vector
  const mode = gateMode(field(desc, F.D_FLAGS));
  if (mode == 0) gruBackwardImpl(desc, b0, b1, work, 0);
  else gruBackwardImpl(desc, b0, b1, work, mode);
}

// @ts-ignore: decorator
@inline
function gruBackwardImpl(desc: usize, b0: i32, b1: i32, work: usize, mode: i32): void {
  const T = field(desc, F.D_T), B = field(desc, F.D_B), Hp = field(desc, F.D_HP);
  const GH = 3 * Hp;
  const pG = ptr(desc, F.D_G), pHn = ptr(desc, F.D_HN), pMask = ptr(desc, F.D_MASK);
  const pDOut = ptr(desc, F.D_DOUT), pDx = ptr(desc, F.D_DA), pDh2 = ptr(desc, F.D_DA2);
  const pDh = ptr(desc, F.D_DH), pSteps = ptr(desc, F.D_DHSTEPS);
  const hb = (<usize>Hp) << 2;
  const one = f32x4.splat(1);
  for (let t = T - 1; t >= 0; t--) {
    for (let b = b0; b < b1; b++) {
      const dh = pDh + ((<usize>(b * Hp)) << 2);
      const dax = rowAt(pDx, t, B, b, GH), dah = rowAt(pDh2, t, B, b, GH);
      const real = isReal(pMask, t, B, b);
      if (real && pDOut) addInto(dh, rowAt(pDOut, t, B, b, Hp), Hp);
      if (pSteps) copy4(rowAt(pSteps, t, B, b, Hp), dh, Hp);
      if (!real) {
        zero4(dax, GH);
        zero4(dah, GH);
        continue;
      }
      const g = rowAt(pG, t, B, b, GH), hnr = rowAt(pHn, t, B, b, Hp);
      const hp = prevRow(desc, t, B, b, Hp);
      for (let j = 0; j < Hp; j += 4) {
        const o = (<usize>j) << 2;
        const r = v128.load(g + o), z = v128.load(g + hb + o), n = v128.load(g + 2 * hb + o);
        const dhv = v128.load(dh + o);
        const dnp = f32x4.mul(f32x4.mul(dhv, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n)));
        const dzp = f32x4.mul(f32x4.mul(dhv, f32x4.sub(v128.load(hp + o), n)), dgate4(z, mode));
        const drp = f32x4.mul(f32x4.mul(dnp, v128.load(hnr + o)), dgate4(r, mode));
        v128.store(dax + o, drp);
        v128.store(dax + hb + o, dzp);
        v128.store(dax + 2 * hb + o, dnp);
        v128.store(dah + o, drp);
        v128.store(dah + hb + o, dzp);
        v128.store(dah + 2 * hb + o, f32x4.mul(dnp, r));
        v128.store(dh + o, f32x4.mul(dhv, z));
      }
    }
    gemm_acc_packed(b1 - b0, Hp, GH, rowAt(pDh2, t, B, b0, GH), GH, ptr(desc, F.D_UTP), pDh + ((<usize>(b0 * Hp)) << 2), Hp, work);
  }
}

/** dst[0..n] += src[0..n]. */
function addInto(dst: usize, src: usize, n: i32): void {
  for (let j = 0; j < n; j += 4) {
    const o = (<usize>j) << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
}

/**
 * Reset-before forward. Bias x side holds bx + bh. s: scratch [rows, 2Hp] (h·U_rz),
 * s2: scratch [rows, 2Hp] ((r⊙h) in the first Hp, (r⊙h)·U_n in the second).
 */
export function gru_rb_forward(desc: usize, b0: i32, b1: i32, work: usize, s: usize, s2: usize): void {
  // One copy of the loops for every gate mode (a test per vector, always predicted): a copy for
  // the logistic σ alone let the optimiser keep the activation constants in locals across the
  // loop body, which V8 spilled to the stack; that copy made IG and GRU inference 3–4 % slower.
  gruRbForwardImpl(desc, b0, b1, work, s, s2, gateMode(field(desc, F.D_FLAGS)));
}

// @ts-ignore: decorator
@inline
function gruRbForwardImpl(desc: usize, b0: i32, b1: i32, work: usize, s: usize, s2: usize, mode: i32): void {
  const T = field(desc, F.D_T), B = field(desc, F.D_B), Hp = field(desc, F.D_HP);
  // outputs-only pass (FLAGS bit 3): one step's gate rows, reused at every step
  const tg = (field(desc, F.D_FLAGS) & 8) != 0 ? 0 : 1;
  const hm = ringMask(desc, 16); // hs rows: t, or t & 1 in a two-row ring (FLAGS bit 4)
  const GH = 3 * Hp, RZ = 2 * Hp;
  const pG = ptr(desc, F.D_G), pHs = ptr(desc, F.D_HS);
  const pOut = ptr(desc, F.D_OUT), pPre = ptr(desc, F.D_PRE), pMask = ptr(desc, F.D_MASK);
  const D = field(desc, F.D_D), ldx = xStride(desc), pWp = ptr(desc, F.D_WP), pBiasX = ptr(desc, F.D_BIASX);
  const hb = (<usize>Hp) << 2;
  const mb = b1 - b0;
  const rh = s2, sn = s2 + ((<usize>(mb * Hp)) << 2);
  for (let t = 0; t < T; t++) {
    gemm_step(mb, GH, D, xRow(desc, t, b0), ldx, 0, 0, 0, pWp, pBiasX, rowAt(pG, t * tg, B, b0, GH), GH, work);
    gemm_step(mb, RZ, 0, 0, 0, Hp, prevRow(desc, t, B, b0, Hp), Hp, ptr(desc, F.D_UP), 0, s, RZ, work);
    for (let b = b0; b < b1; b++) {
      const g = rowAt(pG, t * tg, B, b, GH);
      const sr = s + ((<usize>((b - b0) * RZ)) << 2);
      const hp = prevRow(desc, t, B, b, Hp);
      const rhr = rh + ((<usize>((b - b0) * Hp)) << 2);
      const pre = pPre ? rowAt(pPre, t, B, b, GH) : 0;
      for (let j = 0; j < Hp; j += 4) {
        const o = (<usize>j) << 2;
        const ar = f32x4.add(v128.load(g + o), v128.load(sr + o));
        const az = f32x4.add(v128.load(g + hb + o), v128.load(sr + hb + o));
        const r = gate4(ar, mode);
        if (pre) {
          v128.store(pre + o, ar);
          v128.store(pre + hb + o, az);
        }
        v128.store(g + o, r);
        v128.store(g + hb + o, gate4(az, mode));
        v128.store(rhr + o, f32x4.mul(r, v128.load(hp + o)));
      }
    }
    gemm_step(mb, Hp, 0, 0, 0, Hp, rh, Hp, ptr(desc, F.D_UP2), 0, sn, Hp, work);
    for (let b = b0; b < b1; b++) {
      const real = isReal(pMask, t, B, b);
      const g = rowAt(pG, t * tg, B, b, GH);
      const snr = sn + ((<usize>((b - b0) * Hp)) << 2);
      const hp = prevRow(desc, t, B, b, Hp);
      const hr = rowAt(pHs, t & hm, B, b, Hp);
      const pre = pPre ? rowAt(pPre, t, B, b, GH) : 0;
      const outr = pOut ? rowAt(pOut, t, B, b, Hp) : 0;
      for (let j = 0; j < Hp; j += 4) {
        const o = (<usize>j) << 2;
        const an = f32x4.add(v128.load(g + 2 * hb + o), v128.load(snr + o));
        const n = tanh4(an);
        const z = v128.load(g + hb + o);
        const h = f32x4.add(n, f32x4.mul(z, f32x4.sub(v128.load(hp + o), n)));
        if (pre) v128.store(pre + 2 * hb + o, an);
        v128.store(g + 2 * hb + o, n);
        if (!real) continue;
        v128.store(hr + o, h);
        if (outr) v128.store(outr + o, h);
      }
      if (!real) carry(desc, t, B, b, Hp);
    }
  }
}

/**
 * Reset-before backward. dA [T,B,3Hp] serves both sides; RH [T,B,Hp] receives r⊙h_prev (for
 * dU_n = RHᵀ·dA_n). s: scratch [rows, Hp] for d(r⊙h) = dn_pre·U_nᵀ.
 *   dn_pre = dh⊙(1−z)⊙(1−n²); dz_pre = dh⊙(h_prev−n)⊙σ'(a_z)
 *   dr_pre = (d(r⊙h)⊙h_prev)⊙σ'(a_r); dh_prev = dh⊙z + d(r⊙h)⊙r + [dr_pre, dz_pre]·U_rzᵀ
 */
export function gru_rb_backward(desc: usize, b0: i32, b1: i32, work: usize, s: usize): void {
  // the logistic σ (mode 0) gets its own copy of the loops, without a mode test per vector
  const mode = gateMode(field(desc, F.D_FLAGS));
  if (mode == 0) gruRbBackwardImpl(desc, b0, b1, work, s, 0);
  else gruRbBackwardImpl(desc, b0, b1, work, s, mode);
}

// @ts-ignore: decorator
@inline
function gruRbBackwardImpl(desc: usize, b0: i32, b1: i32, work: usize, s: usize, mode: i32): void {
  const T = field(desc, F.D_T), B = field(desc, F.D_B), Hp = field(desc, F.D_HP);
  const GH = 3 * Hp;
  const pG = ptr(desc, F.D_G), pMask = ptr(desc, F.D_MASK), pRH = ptr(desc, F.D_RH);
  const pDOut = ptr(desc, F.D_DOUT), pDA = ptr(desc, F.D_DA);
  const pDh = ptr(desc, F.D_DH), pSteps = ptr(desc, F.D_DHSTEPS);
  const hb = (<usize>Hp) << 2;
  const one = f32x4.splat(1);
  const mb = b1 - b0;
  for (let t = T - 1; t >= 0; t--) {
    for (let b = b0; b < b1; b++) {
      const dh = pDh + ((<usize>(b * Hp)) << 2);
      const da = rowAt(pDA, t, B, b, GH);
      const g = rowAt(pG, t, B, b, GH);
      const hp = prevRow(desc, t, B, b, Hp);
      const rhr = rowAt(pRH, t, B, b, Hp);
      for (let j = 0; j < Hp; j += 4) {
        const o = (<usize>j) << 2;
        v128.store(rhr + o, f32x4.mul(v128.load(g + o), v128.load(hp + o)));
      }
      const real = isReal(pMask, t, B, b);
      if (real && pDOut) addInto(dh, rowAt(pDOut, t, B, b, Hp), Hp);
      if (pSteps) copy4(rowAt(pSteps, t, B, b, Hp), dh, Hp);
      if (!real) {
        zero4(da, GH);
        continue;
      }
      for (let j = 0; j < Hp; j += 4) {
        const o = (<usize>j) << 2;
        const z = v128.load(g + hb + o), n = v128.load(g + 2 * hb + o);
        const dhv = v128.load(dh + o);
        const dnp = f32x4.mul(f32x4.mul(dhv, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n)));
        const dzp = f32x4.mul(f32x4.mul(dhv, f32x4.sub(v128.load(hp + o), n)), dgate4(z, mode));
        v128.store(da + hb + o, dzp);
        v128.store(da + 2 * hb + o, dnp);
        v128.store(dh + o, f32x4.mul(dhv, z));
      }
    }
    // d(r⊙h) = dn_pre · U_nᵀ
    zero4(s, mb * Hp);
    gemm_acc_packed(mb, Hp, Hp, rowAt(pDA, t, B, b0, GH) + 2 * hb, GH, ptr(desc, F.D_UTP2), s, Hp, work);
    for (let b = b0; b < b1; b++) {
      const da = rowAt(pDA, t, B, b, GH);
      if (!isReal(pMask, t, B, b)) continue;
      const dh = pDh + ((<usize>(b * Hp)) << 2);
      const g = rowAt(pG, t, B, b, GH);
      const hp = prevRow(desc, t, B, b, Hp);
      const dsr = s + ((<usize>((b - b0) * Hp)) << 2);
      for (let j = 0; j < Hp; j += 4) {
        const o = (<usize>j) << 2;
        const r = v128.load(g + o);
        const drh = v128.load(dsr + o);
        v128.store(da + o, f32x4.mul(f32x4.mul(drh, v128.load(hp + o)), dgate4(r, mode)));
        v128.store(dh + o, f32x4.add(v128.load(dh + o), f32x4.mul(drh, r)));
      }
    }
    gemm_acc_packed(mb, Hp, 2 * Hp, rowAt(pDA, t, B, b0, GH), GH, ptr(desc, F.D_UTP), pDh + ((<usize>(b0 * Hp)) << 2), Hp, work);
  }
}
