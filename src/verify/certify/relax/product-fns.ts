/**
 * The products inside gated cells as two-variable functions f(x, y) with what the plane search
 * needs: the float64 value, a sound enclosure of the exact value, the gradient, and upper bounds of
 * |f_xx| and |f_yy| over a rectangle.
 *   LSTM  c' = f⊙c + i⊙g, h' = o⊙tanh(c'):   σ(x)·tanh(y) and σ(x)·y
 *   GRU   h' = (1 − z)⊙n + z⊙h:               (1 − σ(x))·y and σ(x)·y
 */
import {
  sigmoid,
  sigmoidCurvMax,
  sigmoidDeriv,
  sigmoidEnclosure,
  sigmoidHi,
  sigmoidLo,
  tanhCurvMax,
  tanhDeriv,
  tanhEnclosure,
  tanhHi,
  tanhLo,
} from '../activations.js';
import { imul, ioneMinus, type Interval } from '../interval.js';
import { mulDown, mulUp } from '../rounding.js';

export type ProductKind = 'sigmoid*tanh' | 'sigmoid*y' | '(1-sigmoid)*y';
export const PRODUCT_KINDS: readonly ProductKind[] = ['sigmoid*tanh', 'sigmoid*y', '(1-sigmoid)*y'];

export interface ProductFn {
  kind: ProductKind;
  /** f(x, y) = u(x)·v(y) with monotone factors u, v (used to build McCormick candidates). */
  u: (x: number) => number;
  v: (y: number) => number;
  du: (x: number) => number;
  dv: (y: number) => number;
  f: (x: number, y: number) => number;
  enclose: (x: number, y: number) => Interval;
  /** Enclosure of f over the whole rectangle (interval product of the monotone factors). */
  encloseRect: (x0: number, x1: number, y0: number, y1: number) => Interval;
  grad: (x: number, y: number) => [number, number];
  /** Upper bounds of |f_xx| and |f_yy| over [x0, x1] × [y0, y1]. */
  curv: (x0: number, x1: number, y0: number, y1: number) => { xx: number; yy: number };
}

const sig = sigmoidEnclosure;
/** s·v for an interval s ⊆ [0, ∞) (a gate value) and any interval v: two directed products suffice. */
function nonnegMul(s: Interval, v: Interval): Interval {
  return {
    lo: v.lo >= 0 ? mulDown(s.lo, v.lo) : mulDown(s.hi, v.lo),
    hi: v.hi >= 0 ? mulUp(s.hi, v.hi) : mulUp(s.lo, v.hi),
  };
}
const th = tanhEnclosure;
const pt = (y: number): Interval => ({ lo: y, hi: y });
/** sup |tanh| on [y0, y1] (monotone, so at an end), from the enclosures. */
const tanhAbsMax = (y0: number, y1: number): number =>
  Math.max(-tanhLo(y0), tanhHi(y0), -tanhLo(y1), tanhHi(y1));
const absMax = (y0: number, y1: number): number => Math.max(Math.abs(y0), Math.abs(y1));

export const SIGMOID_TANH: ProductFn = {
  kind: 'sigmoid*tanh',
  u: sigmoid,
  v: Math.tanh,
  du: sigmoidDeriv,
  dv: tanhDeriv,
  f: (x, y) => sigmoid(x) * Math.tanh(y),
  enclose: (x, y) => nonnegMul(sig(x), th(y)),
  encloseRect: (x0, x1, y0, y1) =>
    imul({ lo: sigmoidLo(x0), hi: sigmoidHi(x1) }, { lo: tanhLo(y0), hi: tanhHi(y1) }),
  grad: (x, y) => [sigmoidDeriv(x) * Math.tanh(y), sigmoid(x) * tanhDeriv(y)],
  // f_xx = σ''(x)·tanh(y), f_yy = σ(x)·tanh''(y)
  curv: (x0, x1, y0, y1) => ({
    xx: mulUp(sigmoidCurvMax(x0, x1), tanhAbsMax(y0, y1)),
    yy: mulUp(sigmoidHi(x1), tanhCurvMax(y0, y1)),
  }),
};

export const SIGMOID_Y: ProductFn = {
  kind: 'sigmoid*y',
  u: sigmoid,
  v: (y) => y,
  du: sigmoidDeriv,
  dv: () => 1,
  f: (x, y) => sigmoid(x) * y,
  enclose: (x, y) => nonnegMul(sig(x), pt(y)),
  encloseRect: (x0, x1, y0, y1) =>
    imul({ lo: sigmoidLo(x0), hi: sigmoidHi(x1) }, { lo: y0, hi: y1 }),
  grad: (x, y) => [sigmoidDeriv(x) * y, sigmoid(x)],
  // f_xx = σ''(x)·y, f_yy = 0
  curv: (x0, x1, y0, y1) => ({ xx: mulUp(sigmoidCurvMax(x0, x1), absMax(y0, y1)), yy: 0 }),
};

export const ONE_MINUS_SIGMOID_Y: ProductFn = {
  kind: '(1-sigmoid)*y',
  u: (x) => 1 - sigmoid(x),
  v: (y) => y,
  du: (x) => -sigmoidDeriv(x),
  dv: () => 1,
  f: (x, y) => (1 - sigmoid(x)) * y,
  enclose: (x, y) => nonnegMul(ioneMinus(sig(x)), pt(y)),
  encloseRect: (x0, x1, y0, y1) =>
    imul(ioneMinus({ lo: sigmoidLo(x0), hi: sigmoidHi(x1) }), { lo: y0, hi: y1 }),
  grad: (x, y) => [-sigmoidDeriv(x) * y, 1 - sigmoid(x)],
  // f_xx = −σ''(x)·y, f_yy = 0
  curv: (x0, x1, y0, y1) => ({ xx: mulUp(sigmoidCurvMax(x0, x1), absMax(y0, y1)), yy: 0 }),
};

export function productFn(kind: ProductKind): ProductFn {
  return kind === 'sigmoid*tanh'
    ? SIGMOID_TANH
    : kind === 'sigmoid*y'
      ? SIGMOID_Y
      : ONE_MINUS_SIGMOID_Y;
}
