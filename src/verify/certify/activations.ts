/**
 * The scalar activations as rnnlens computes them in float64, with sound enclosures of the exact
 * real function and bounds on their derivatives.
 *
 * Assumption (stated in docs/certification.md): the float64 formulas below (Math.tanh, and σ
 * through Math.exp) are within 4 ulps of the exact function above 2.3e-308 (V8 uses fdlibm
 * ports; measured against mpmath in test/verify/certify/reference.test.ts: at most 2 ulps).
 * The enclosures move at least 7 ulps outward from the computed value, which covers both the exact function and any float64
 * evaluation of it within 3 ulps of the exact value (the network's own float64 forward pass).
 */
/**
 * Outward widening of a computed value: subtracts |v|·2^-49 ≥ 8 ulp(v) plus an absolute floor
 * 2^-1000 ≈ 9e-302; rounding the subtraction loses at most half an ulp, so at least 7 ulps remain.
 * The floor covers results near underflow, where relative accuracy is lost: e.g. the forward
 * formula 1/(1 + e^{-x}) gives 0 for x < −709.8 where σ(x) < 2.3e-308.
 */
const WIDEN_REL = 2 ** -49;
const WIDEN_ABS = 2 ** -1000;
export function widenDown(v: number): number {
  return v - (Math.abs(v) * WIDEN_REL + WIDEN_ABS);
}
export function widenUp(v: number): number {
  return v + (Math.abs(v) * WIDEN_REL + WIDEN_ABS);
}

export function tanh(x: number): number {
  return Math.tanh(x);
}

/** σ(x) = 1 / (1 + e^{−x}), the formula the float64 forward pass uses. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function relu(x: number): number {
  return x > 0 ? x : 0;
}

export function tanhLo(x: number): number {
  return Math.max(-1, widenDown(Math.tanh(x)));
}
export function tanhHi(x: number): number {
  return Math.min(1, widenUp(Math.tanh(x)));
}
/** σ without overflow of e^{−x}: e^x / (1 + e^x) for x < 0 (relative accuracy down to underflow). */
function sigmoidAccurate(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
/** [σ_lo(x), σ_hi(x)] with one evaluation. */
export function sigmoidEnclosure(x: number): { lo: number; hi: number } {
  const s = sigmoidAccurate(x);
  return { lo: Math.max(0, widenDown(s)), hi: Math.min(1, widenUp(s)) };
}
/** [tanh_lo(x), tanh_hi(x)] with one evaluation. */
export function tanhEnclosure(x: number): { lo: number; hi: number } {
  const t = Math.tanh(x);
  return { lo: Math.max(-1, widenDown(t)), hi: Math.min(1, widenUp(t)) };
}
export function sigmoidLo(x: number): number {
  return Math.max(0, widenDown(sigmoidAccurate(x)));
}
export function sigmoidHi(x: number): number {
  return Math.min(1, widenUp(sigmoidAccurate(x)));
}

/** tanh'(x) = sech²(x) = 4 / (e^x + e^{−x})², computed without cancellation (approximate). */
export function tanhDeriv(x: number): number {
  const e = Math.exp(-Math.abs(x));
  const d = (2 * e) / (1 + e * e);
  return d * d;
}

/** σ'(x) = σ(x)(1 − σ(x)) = e^{−|x|} / (1 + e^{−|x|})² (approximate). */
export function sigmoidDeriv(x: number): number {
  const e = Math.exp(-Math.abs(x));
  return e / ((1 + e) * (1 + e));
}

/** |tanh''(x)| = 2|tanh x|·sech²x; even in x, rises to its peak at |x| = atanh(1/√3), then falls. */
function tanhCurv(x: number): number {
  return 2 * Math.abs(Math.tanh(x)) * tanhDeriv(x);
}
/** |σ''(x)| = σ(1−σ)·|1 − 2σ| = σ'(x)·|tanh(x/2)|; peak at |x| = ln(2 + √3). */
function sigmoidCurv(x: number): number {
  return sigmoidDeriv(x) * Math.abs(Math.tanh(x / 2));
}

const TANH_CURV_PEAK_AT = 0.6584789484624084; // atanh(1/√3)
const TANH_CURV_PEAK = 0.769800358919501; // 4 / (3√3)
const SIGMOID_CURV_PEAK_AT = 1.3169578969248166; // ln(2 + √3)
const SIGMOID_CURV_PEAK = 0.09622504486493763; // 1 / (6√3)
// The curvature values are evaluated in float64 with relative errors near 1e-15; this factor and
// floor make the returned numbers upper bounds with a wide safety margin.
const CURV_SLACK = 1.001;
const CURV_FLOOR = 1e-300;

/** Upper bound of a unimodal-in-|x| function h over x ∈ [p, q] given its peak location/value. */
function unimodalMax(
  h: (x: number) => number,
  peakAt: number,
  peak: number,
  p: number,
  q: number,
): number {
  const a = p <= 0 && q >= 0 ? 0 : Math.min(Math.abs(p), Math.abs(q));
  const b = Math.max(Math.abs(p), Math.abs(q));
  // Near the peak the float location is uncertain; use the peak value within a small window.
  if (a <= peakAt * (1 + 1e-9) && b >= peakAt * (1 - 1e-9)) return peak * CURV_SLACK;
  const m = Math.max(Number.isFinite(a) ? h(a) : 0, Number.isFinite(b) ? h(b) : 0);
  return m * CURV_SLACK + CURV_FLOOR;
}

/** Upper bound of |tanh''| over [p, q]. */
export function tanhCurvMax(p: number, q: number): number {
  return unimodalMax(tanhCurv, TANH_CURV_PEAK_AT, TANH_CURV_PEAK, p, q);
}

/** Upper bound of |σ''| over [p, q]. */
export function sigmoidCurvMax(p: number, q: number): number {
  return unimodalMax(sigmoidCurv, SIGMOID_CURV_PEAK_AT, SIGMOID_CURV_PEAK, p, q);
}
