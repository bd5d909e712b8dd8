/**
 * The smooth scalar functions of graph layers that certification bounds by numerically chosen
 * lines with certified offsets (./smooth.ts), each with what that needs:
 *
 *   erf       erf(x) as src/nn/graph/ops-elementwise.ts computes it
 *   gelu      q(z) = z·(1 + erf(z)): the GELU pattern x·(1 + erf(x/c)) = c·q(x/c) (c ≈ √2)
 *   silu      x·σ(x) (swish)
 *   softplus  ln(1 + eˣ)
 *   exp       eˣ
 *   square    x²
 *   sqrt      √x on x ≥ 0
 *   rsqrt     1/√x on x > 0
 *   recip     1/x on x ≠ 0
 *
 * `err(ax, af)` bounds |computed − exact| at any x with |x| ≤ ax and |f(x)| ≤ af, both for the
 * float64 evaluation `f` here and for the float64 forward pass of the op (the ONNX graph's own
 * sequence of roundings). Elementary functions (Math.exp, log1p, sqrt) are assumed within 4 ulps
 * of the exact value, as for tanh and σ (docs/certification.md); the series / continued fraction
 * erf of the graph ops is assumed within ERF_ERR = 2e-12 of the exact erf (measured against mpmath
 * at most 7.7e-14 near |x| = 3; test/verify/certify/smooth-fns.test.ts checks a committed table).
 * Relative error allowances of 2^-46 are 128 times the few ulps the formulas lose.
 *
 * `curvMax(p, q)` is a rigorous upper bound of |f''| of the exact function on [p, q], and `shape`
 * tells the range rule: monotone increasing / decreasing, or 'valley' (decreasing up to the
 * minimiser `argmin`, increasing after it; minimum value enclosed rigorously by ./smooth.ts).
 */
import { erf } from '../../../nn/graph/ops-elementwise.js';

export type SmoothKind =
  | 'erf'
  | 'gelu'
  | 'silu'
  | 'softplus'
  | 'exp'
  | 'square'
  | 'sqrt'
  | 'rsqrt'
  | 'recip';

export const SMOOTH_KINDS: readonly SmoothKind[] = ['erf', 'gelu', 'silu', 'softplus', 'exp', 'square', 'sqrt', 'rsqrt', 'recip'];

export interface SmoothFn {
  kind: SmoothKind;
  f: (x: number) => number;
  /** Approximate f' (only used to choose slopes; soundness never depends on it). */
  deriv: (x: number) => number;
  curvMax: (p: number, q: number) => number;
  err: (ax: number, af: number) => number;
  shape: 'increasing' | 'decreasing' | 'valley' | 'square' | 'recip';
  /** Where f is defined (sqrt: [0, ∞), rsqrt: (0, ∞)); points outside yield NaN in the forward pass. */
  domain: { lo: number; hi: number; open: boolean };
  /** The minimiser of a 'valley' function (float approximation). */
  argmin?: number;
}

export const ERF_ERR = 2e-12;
const REL = 2 ** -46;
const TINY = 2 ** -1000;
const SLACK = 1.001;
const FLOOR = 1e-300;
const SQRT_PI = Math.sqrt(Math.PI);

function relErr(_ax: number, af: number): number {
  return af * REL + TINY;
}

/** min |x| and max |x| over [p, q]. */
function absRange(p: number, q: number): [number, number] {
  const a = p <= 0 && q >= 0 ? 0 : Math.min(Math.abs(p), Math.abs(q));
  return [a, Math.max(Math.abs(p), Math.abs(q))];
}

function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** σ'(x) = e^{−|x|} / (1 + e^{−|x|})², decreasing in |x|. */
function sigmoidDeriv(x: number): number {
  const e = Math.exp(-Math.abs(x));
  return e / ((1 + e) * (1 + e));
}

/** Upper bound of a·|x|·e^{−x²}-type terms: e^{−a²} for the smallest |x| a ≥ 0. */
function gauss(a: number): number {
  return Math.exp(-a * a);
}

const ERF: SmoothFn = {
  kind: 'erf',
  f: erf,
  deriv: (x) => (2 / SQRT_PI) * Math.exp(-x * x),
  // |erf''| = (4/√π)·|x|·e^{−x²}: rises to its peak at |x| = 1/√2, then falls
  curvMax: (p, q) => {
    const [a, b] = absRange(p, q);
    const peakAt = Math.SQRT1_2;
    const h = (x: number) => (Number.isFinite(x) ? (4 / SQRT_PI) * x * gauss(x) : 0);
    if (a <= peakAt * (1 + 1e-9) && b >= peakAt * (1 - 1e-9)) return 0.9679 * SLACK;
    return Math.max(h(a), h(b)) * SLACK + FLOOR;
  },
  err: () => ERF_ERR + TINY,
  shape: 'increasing',
  domain: { lo: -Infinity, hi: Infinity, open: false },
};

const GELU: SmoothFn = {
  kind: 'gelu',
  f: (z) => z * (1 + erf(z)),
  deriv: (z) => 1 + erf(z) + (2 / SQRT_PI) * z * Math.exp(-z * z),
  // q'' = (4/√π)·e^{−z²}·(1 − z²); e^{−z²} ≤ e^{−a²} and |1 − z²| is largest at an end (convex in z²)
  curvMax: (p, q) => {
    const [a, b] = absRange(p, q);
    const glob = (4 / SQRT_PI) * SLACK;
    if (!Number.isFinite(b)) return glob;
    return Math.min(glob, (4 / SQRT_PI) * gauss(a) * Math.max(Math.abs(1 - a * a), Math.abs(1 - b * b)) * SLACK + FLOOR);
  },
  // the forward pass: x/c rounded, erf within ERF_ERR, 1 + erf and the product rounded
  err: (ax, af) => ax * (ERF_ERR + REL) + af * REL + TINY,
  shape: 'valley',
  argmin: -0.5315968851493932,
  domain: { lo: -Infinity, hi: Infinity, open: false },
};

const SILU: SmoothFn = {
  kind: 'silu',
  f: (x) => x * sigmoid(x),
  deriv: (x) => sigmoid(x) + x * sigmoidDeriv(x),
  // silu'' = σ'(x)·(2 − x·tanh(x/2)); σ' falls with |x|, x·tanh(x/2) is even and rises with |x|
  curvMax: (p, q) => {
    const [a, b] = absRange(p, q);
    if (!Number.isFinite(b)) return 0.5 * SLACK;
    const w = (x: number) => Math.abs(2 - x * Math.tanh(x / 2));
    return Math.min(0.5 * SLACK, sigmoidDeriv(a) * Math.max(w(a), w(b)) * SLACK + FLOOR);
  },
  err: relErr,
  shape: 'valley',
  argmin: -1.2784645427610738,
  domain: { lo: -Infinity, hi: Infinity, open: false },
};

const SOFTPLUS: SmoothFn = {
  kind: 'softplus',
  f: (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))),
  deriv: sigmoid,
  curvMax: (p, q) => sigmoidDeriv(absRange(p, q)[0]) * SLACK + FLOOR,
  err: relErr,
  shape: 'increasing',
  domain: { lo: -Infinity, hi: Infinity, open: false },
};

const EXP: SmoothFn = {
  kind: 'exp',
  f: Math.exp,
  deriv: Math.exp,
  curvMax: (_p, q) => Math.exp(q) * SLACK + FLOOR,
  err: relErr,
  shape: 'increasing',
  domain: { lo: -Infinity, hi: Infinity, open: false },
};

const SQUARE: SmoothFn = {
  kind: 'square',
  f: (x) => x * x,
  deriv: (x) => 2 * x,
  curvMax: () => 2,
  err: relErr,
  shape: 'square',
  domain: { lo: -Infinity, hi: Infinity, open: false },
};

const SQRT: SmoothFn = {
  kind: 'sqrt',
  f: Math.sqrt,
  deriv: (x) => 0.5 / Math.sqrt(x),
  curvMax: (p) => (p > 0 ? (0.25 / (p * Math.sqrt(p))) * SLACK + FLOOR : Infinity),
  err: relErr,
  shape: 'increasing',
  domain: { lo: 0, hi: Infinity, open: false },
};

const RSQRT: SmoothFn = {
  kind: 'rsqrt',
  f: (x) => 1 / Math.sqrt(x),
  deriv: (x) => -0.5 / (x * Math.sqrt(x)),
  curvMax: (p) => (p > 0 ? (0.75 / (p * p * Math.sqrt(p))) * SLACK + FLOOR : Infinity),
  err: relErr,
  shape: 'decreasing',
  domain: { lo: 0, hi: Infinity, open: true },
};

const RECIP: SmoothFn = {
  kind: 'recip',
  f: (x) => 1 / x,
  deriv: (x) => -1 / (x * x),
  curvMax: (p, q) => {
    const a = absRange(p, q)[0];
    return a > 0 ? (2 / (a * a * a)) * SLACK + FLOOR : Infinity;
  },
  err: relErr,
  shape: 'recip',
  domain: { lo: -Infinity, hi: Infinity, open: false },
};

export const SMOOTH: Record<SmoothKind, SmoothFn> = {
  erf: ERF,
  gelu: GELU,
  silu: SILU,
  softplus: SOFTPLUS,
  exp: EXP,
  square: SQUARE,
  sqrt: SQRT,
  rsqrt: RSQRT,
  recip: RECIP,
};

export function isSmoothKind(k: string): k is SmoothKind {
  return (SMOOTH_KINDS as readonly string[]).includes(k);
}
