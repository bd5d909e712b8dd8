// Vectorised exp, sigmoid and tanh on f32x4 (relative error about 3e-7 against float64).
//
// exp(x): x = n·ln2 + r with |r| ≤ ln2/2 (Cody–Waite split of ln2 so n·ln2_hi is exact),
//   exp(r) ≈ 1 + r + r²·q(r), q of degree 4 fitted for relative error (tools/fit-activations.py),
//   2^n built in the exponent bits.
// sigmoid(x) = 1 / (1 + e) for x ≥ 0 and e / (1 + e) for x < 0, e = exp(−|x|): no cancellation,
//   so small outputs keep their relative accuracy.
// tanh(x): |x| < 0.625: x + x³·p(x²) (fitted; avoids the cancellation of 1 − e near 0);
//   otherwise sign(x)·(1 − e)/(1 + e) with e = exp(−2|x|).

// @ts-ignore: decorator
@inline const LOG2E: f32 = 1.44269504;
// @ts-ignore: decorator
@inline const LN2_HI: f32 = 0.693359375;
// @ts-ignore: decorator
@inline const LN2_LO: f32 = -2.12194440e-4;

/** exp(x) for x ≤ 0 (arguments below −87 are clamped: the result stays a normal float). */
// @ts-ignore: decorator
@inline
export function expneg4(x: v128): v128 {
  x = f32x4.max(x, f32x4.splat(-87.0));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let q = f32x4.splat(0.0013751407386735082);
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(0.008368915878236294));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(0.04166953265666962));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(0.166665181517601));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(0.49999988079071045));
  const p = f32x4.add(f32x4.add(f32x4.splat(1), r), f32x4.mul(f32x4.mul(r, r), q));
  // 2^n: (n + 127) << 23 as float bits; n ≥ −126 after the clamp
  const pow2 = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, pow2);
}

/** σ(x) = 1 / (1 + exp(−x)), lane-wise. */
// @ts-ignore: decorator
@inline
export function sigmoid4(x: v128): v128 {
  const e = expneg4(f32x4.neg(f32x4.abs(x)));
  const inv = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), e));
  // x ≥ 0: 1/(1+e); x < 0: e/(1+e)
  return v128.bitselect(f32x4.mul(e, inv), inv, f32x4.lt(x, f32x4.splat(0)));
}

/** tanh(x), lane-wise. */
// @ts-ignore: decorator
@inline
export function tanh4(x: v128): v128 {
  const ax = f32x4.abs(x);
  // large branch: (1 − e)/(1 + e), e = exp(−2|x|), with the sign of x restored
  const e = expneg4(f32x4.mul(ax, f32x4.splat(-2)));
  const big = f32x4.div(f32x4.sub(f32x4.splat(1), e), f32x4.add(f32x4.splat(1), e));
  const sign = v128.and(x, i32x4.splat(0x80000000));
  const bigSigned = v128.or(big, sign);
  // small branch: x + x³·p(x²)
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-0.005691985599696636);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(0.020626291632652283));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-0.05373531952500343));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(0.13331381976604462));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-0.3333328068256378));
  const small = f32x4.add(x, f32x4.mul(f32x4.mul(x, z), p));
  return v128.bitselect(small, bigSigned, f32x4.lt(ax, f32x4.splat(0.625)));
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
