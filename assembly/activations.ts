// Vectorised exp, sigmoid and tanh on f32x4 (relative error about 3e-7 against float64).
//
// exp(x): x = n·ln2 + r with |r| ≤ ln2/2 (Cody–Waite split of ln2 so n·ln2_hi is exact),
//   exp(r) ≈ 1 + r + r²·q(r), q of degree 4 fitted for relative error (tools/fit-activations.py),
//   2^n built in the exponent bits.
// sigmoid(x) = 1 / (1 + e) for x ≥ 0 and e / (1 + e) for x < 0, e = exp(−|x|): no cancellation,
//   so small outputs keep their relative accuracy.
// tanh(x): x·P(x²)/Q(x²), a degree-4/4 rational fit for relative error on |x| ≤ 9.

import { madd } from './gemm';

/**
 * The constants of the functions below, each splatted to a whole vector, in a static table read
 * with one load per use. (A v128.const in a loop is rebuilt by V8 at every use: a 64-bit move
 * into a general register, a move to a vector register and a shuffle; the table load is one
 * instruction. The values are the same f32 numbers, so results are bit for bit unchanged.)
 */
const C_ONE = 0, C_EXP_MIN = 1, C_LOG2E = 2, C_ROUNDER = 3, C_LN2_HI = 4, C_LN2_LO = 5;
const C_EQ0 = 6, C_EQ1 = 7, C_EQ2 = 8, C_EQ3 = 9, C_EQ4 = 10;
const C_TANH_MIN = 11, C_TANH_MAX = 12, C_TP0 = 13, C_TP1 = 14, C_TP2 = 15, C_TP3 = 16;
const C_TQ0 = 17, C_TQ1 = 18, C_TQ2 = 19, C_TQ3 = 20, C_MINUS_ONE = 21;
const C_HARD1 = 22, C_HARD2 = 23, C_HALF = 24, C_POW2_BIAS = 25, C_SIGN = 26;

// @ts-ignore: decorator
@inline const LOG2E: f32 = 1.44269504;
// @ts-ignore: decorator
@inline const LN2_HI: f32 = 0.693359375;
// @ts-ignore: decorator
@inline const LN2_LO: f32 = -2.12194440e-4;
/** 1.5·2^23: adding it rounds a float in (−2^22, 2^22) to an integer held in the low mantissa bits. */
// @ts-ignore: decorator
@inline const ROUNDER: f32 = 12582912.0;

const CONSTS: usize = memory.data<f32>([
  1, 1, 1, 1,
  -87, -87, -87, -87,
  LOG2E, LOG2E, LOG2E, LOG2E,
  ROUNDER, ROUNDER, ROUNDER, ROUNDER,
  LN2_HI, LN2_HI, LN2_HI, LN2_HI,
  LN2_LO, LN2_LO, LN2_LO, LN2_LO,
  // exp: q(r) from the highest coefficient down (tools/fit-activations.py)
  0.0013751407386735082, 0.0013751407386735082, 0.0013751407386735082, 0.0013751407386735082,
  0.008368915878236294, 0.008368915878236294, 0.008368915878236294, 0.008368915878236294,
  0.04166953265666962, 0.04166953265666962, 0.04166953265666962, 0.04166953265666962,
  0.166665181517601, 0.166665181517601, 0.166665181517601, 0.166665181517601,
  0.49999988079071045, 0.49999988079071045, 0.49999988079071045, 0.49999988079071045,
  // tanh: clamp, then P and Q from the highest coefficient down (the constant terms are 1)
  -9, -9, -9, -9,
  9, 9, 9, 9,
  1.3805278697986978e-8, 1.3805278697986978e-8, 1.3805278697986978e-8, 1.3805278697986978e-8,
  2.0942949049640447e-5, 2.0942949049640447e-5, 2.0942949049640447e-5, 2.0942949049640447e-5,
  0.0035162700805813074, 0.0035162700805813074, 0.0035162700805813074, 0.0035162700805813074,
  0.13398577272891998, 0.13398577272891998, 0.13398577272891998, 0.13398577272891998,
  7.96351912413229e-7, 7.96351912413229e-7, 7.96351912413229e-7, 7.96351912413229e-7,
  0.0003319177485536784, 0.0003319177485536784, 0.0003319177485536784, 0.0003319177485536784,
  0.025956086814403534, 0.025956086814403534, 0.025956086814403534, 0.025956086814403534,
  0.4673190414905548, 0.4673190414905548, 0.4673190414905548, 0.4673190414905548,
  -1, -1, -1, -1,
  // hard sigmoids: slopes 0.2 (Keras 2, TF.js) and 1/6 (Keras 3), offset 0.5
  0.2, 0.2, 0.2, 0.2,
  <f32>(1.0 / 6.0), <f32>(1.0 / 6.0), <f32>(1.0 / 6.0), <f32>(1.0 / 6.0),
  0.5, 0.5, 0.5, 0.5,
  // exp: 127 − 0x4b400000 as i32 bits (the exponent bias minus ROUNDER's bits)
  reinterpret<f32>(<i32>(127 - 0x4b400000)), reinterpret<f32>(<i32>(127 - 0x4b400000)),
  reinterpret<f32>(<i32>(127 - 0x4b400000)), reinterpret<f32>(<i32>(127 - 0x4b400000)),
  // the sign bit
  -0.0, -0.0, -0.0, -0.0,
], 16);

/** Constant vector i of the table. */
// @ts-ignore: decorator
@inline
function kv(i: i32): v128 {
  return v128.load(CONSTS + ((<usize>i) << 4));
}

/**
 * exp(x) for x ≤ 0 (arguments below −87 are clamped: the result stays a normal float).
 * n = round(x·log2 e) comes from the ROUNDER trick rather than nearest + trunc_sat (which V8
 * expands into long sequences on x86); clamps use pmin/pmax, single instructions (the arguments
 * are finite: inputs are validated, so NaN semantics do not matter).
 */
// @ts-ignore: decorator
@inline
export function expneg4(x: v128): v128 {
  x = f32x4.pmax(x, kv(C_EXP_MIN));
  const rounder = kv(C_ROUNDER);
  const big = f32x4.add(f32x4.mul(x, kv(C_LOG2E)), rounder);
  const n = f32x4.sub(big, rounder); // round-to-nearest of x·log2 e, as a float
  let r = f32x4.sub(x, f32x4.mul(n, kv(C_LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, kv(C_LN2_LO)));
  let q = kv(C_EQ0);
  q = madd(q, r, kv(C_EQ1));
  q = madd(q, r, kv(C_EQ2));
  q = madd(q, r, kv(C_EQ3));
  q = madd(q, r, kv(C_EQ4));
  const p = f32x4.add(f32x4.add(kv(C_ONE), r), f32x4.mul(f32x4.mul(r, r), q));
  // 2^n: (n + 127) << 23 as float bits; the low bits of `big` hold n + 0x400000 (n ≥ −126)
  const pow2 = i32x4.shl(i32x4.add(big, kv(C_POW2_BIAS)), 23);
  return f32x4.mul(p, pow2);
}

/** σ(x) = 1 / (1 + exp(−x)), lane-wise. */
// @ts-ignore: decorator
@inline
export function sigmoid4(x: v128): v128 {
  // −|x|: the sign bit set (one OR instead of building two masks for abs and neg)
  const e = expneg4(v128.or(x, kv(C_SIGN)));
  const one = kv(C_ONE);
  const inv = f32x4.div(one, f32x4.add(one, e));
  // x ≥ 0: 1/(1+e); x < 0: e/(1+e)
  return v128.bitselect(f32x4.mul(e, inv), inv, f32x4.lt(x, f32x4.splat(0)));
}

/**
 * tanh(x), lane-wise: x·P(x²)/Q(x²) with P, Q of degree 4 (a rational fit for relative error on
 * |x| ≤ 9, tools/fit-activations.py); beyond 9, tanh(x) rounds to ±1 in float32. About a third
 * of the instructions of an exp-based tanh, and no cancellation near 0.
 */
// @ts-ignore: decorator
@inline
export function tanh4(x: v128): v128 {
  const xc = f32x4.pmin(f32x4.pmax(x, kv(C_TANH_MIN)), kv(C_TANH_MAX));
  const one = kv(C_ONE);
  const z = f32x4.mul(xc, xc);
  let p = kv(C_TP0);
  p = madd(p, z, kv(C_TP1));
  p = madd(p, z, kv(C_TP2));
  p = madd(p, z, kv(C_TP3));
  p = madd(p, z, one);
  let q = kv(C_TQ0);
  q = madd(q, z, kv(C_TQ1));
  q = madd(q, z, kv(C_TQ2));
  q = madd(q, z, kv(C_TQ3));
  q = madd(q, z, one);
  const t = f32x4.div(f32x4.mul(xc, p), q);
  // the fit may overshoot 1 by an ulp near the clamp
  return f32x4.pmin(f32x4.pmax(t, kv(C_MINUS_ONE)), one);
}

/**
 * The gate activation of LSTM i, f, o and GRU r, z by mode (descriptor FLAGS bits 1–2):
 *   0: logistic σ;  1: clip(0.2x + 0.5, 0, 1) (Keras 2 / TF.js);  2: clip(x/6 + 0.5, 0, 1) (Keras 3).
 * The hard sigmoids multiply then add (no fused multiply-add), as TF.js evaluates 0.2·x + 0.5.
 */
// @ts-ignore: decorator
@inline
export function gate4(x: v128, mode: i32): v128 {
  if (mode == 0) return sigmoid4(x);
  const slope = kv(mode == 1 ? C_HARD1 : C_HARD2);
  const y = f32x4.add(f32x4.mul(x, slope), kv(C_HALF));
  return f32x4.pmin(f32x4.pmax(y, f32x4.splat(0)), kv(C_ONE));
}

/**
 * σ'(a) from the gate value s = σ(a): s(1 − s) for the logistic σ; for a hard sigmoid its slope
 * where 0 < s < 1 and 0 at or beyond the kinks (src/core/backend.ts documents the convention).
 */
// @ts-ignore: decorator
@inline
export function dgate4(s: v128, mode: i32): v128 {
  const one = kv(C_ONE);
  if (mode == 0) return f32x4.mul(s, f32x4.sub(one, s));
  const slope = kv(mode == 1 ? C_HARD1 : C_HARD2);
  const inside = v128.and(f32x4.gt(s, f32x4.splat(0)), f32x4.lt(s, one));
  return v128.and(slope, inside);
}

/** Gate mode from the descriptor's FLAGS field (bits 1–2). */
// @ts-ignore: decorator
@inline
export function gateMode(flags: i32): i32 {
  return (flags >> 1) & 3;
}

/** out[i] = σ(x[i]) for n values; both buffers padded to a multiple of 4 floats. */
export function sigmoid_array(px: usize, pout: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) {
    const o = (<usize>i) << 2;
    v128.store(pout + o, sigmoid4(v128.load(px + o)));
  }
}

/** out[i] = tanh(x[i]) for n values; both buffers padded to a multiple of 4 floats. */
export function tanh_array(px: usize, pout: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) {
    const o = (<usize>i) << 2;
    v128.store(pout + o, tanh4(v128.load(px + o)));
  }
}
