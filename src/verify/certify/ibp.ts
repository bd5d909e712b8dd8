/**
 * Interval bound propagation (IBP) building blocks, all outward-rounded:
 * - affine maps W·v + b (./interval.ts imatvec), widened by the float64 forward pass's rounding;
 * - monotone activations: f([l, u]) ⊆ [f_lo(l), f_hi(u)] with sound enclosures f_lo ≤ f ≤ f_hi;
 * - the gated products by interval multiplication of the factors' intervals;
 * - the box around an Lp ball (every Lp ball of radius ε lies in the L∞ ball of radius ε).
 */
import { ArgumentError, describe } from '../../core/errors.js';
import { relu, sigmoidHi, sigmoidLo, tanhHi, tanhLo } from './activations.js';
import { affineForwardError } from './forward-error.js';
import { imatvec, imul, ioneMinus, type Box } from './interval.js';
import { addUp, subDown } from './rounding.js';
import type { ProductKind } from './relax/product-fns.js';
import { isSmoothKind, type SmoothKind } from './relax/smooth-fns.js';
import { smoothRangeKind } from './relax/smooth.js';

export type ActivationKind = 'tanh' | 'sigmoid' | 'relu' | SmoothKind;
export type NormKind = 'linf' | 'l2' | 'l1';

/**
 * W·v + b for v in `input`. With `floatForward` (default) the result is widened by the rounding
 * error a float64 forward pass can make in the sum (./forward-error.ts), so it also contains the
 * value the network computes, not only the exact one.
 */
export function ibpAffine(
  W: ArrayLike<number>,
  rows: number,
  cols: number,
  input: Box,
  b?: ArrayLike<number>,
  floatForward = true,
): Box {
  const out = imatvec(W, rows, cols, input, b);
  if (floatForward) {
    for (let r = 0; r < rows; r++) {
      const e = affineForwardError(W, cols, r, input, b);
      out.lo[r] = subDown(out.lo[r]!, e);
      out.hi[r] = addUp(out.hi[r]!, e);
    }
  }
  return out;
}

const LO: Partial<Record<ActivationKind, (x: number) => number>> = {
  tanh: tanhLo,
  sigmoid: sigmoidLo,
  relu,
};
const HI: Partial<Record<ActivationKind, (x: number) => number>> = {
  tanh: tanhHi,
  sigmoid: sigmoidHi,
  relu,
};

/** Elementwise monotone activation of a box. */
export function ibpActivation(kind: ActivationKind, input: Box): Box {
  if (isSmoothKind(kind)) {
    const n = input.lo.length;
    const out: Box = { lo: new Float64Array(n), hi: new Float64Array(n) };
    for (let i = 0; i < n; i++) {
      const r = smoothRangeKind(kind, input.lo[i]!, input.hi[i]!);
      out.lo[i] = r.lo;
      out.hi[i] = r.hi;
    }
    return out;
  }
  const lo = LO[kind];
  const hi = HI[kind];
  if (!lo || !hi)
    throw new ArgumentError('ibpActivation', 'kind', "'tanh', 'sigmoid' or 'relu'", describe(kind));
  const n = input.lo.length;
  const out: Box = { lo: new Float64Array(n), hi: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    out.lo[i] = input.lo[i]! === -Infinity ? lo(-Infinity) : lo(input.lo[i]!);
    out.hi[i] = hi(input.hi[i]!);
  }
  return out;
}

/** Elementwise product of the gate kind `kind` for pre-activation box x and second operand box y. */
export function ibpProduct(kind: ProductKind, x: Box, y: Box): Box {
  const n = x.lo.length;
  if (y.lo.length !== n)
    throw new ArgumentError(
      'ibpProduct',
      'y',
      `${n} intervals (as many as x)`,
      `${y.lo.length} intervals`,
    );
  const out: Box = { lo: new Float64Array(n), hi: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    let s = { lo: sigmoidLo(x.lo[i]!), hi: sigmoidHi(x.hi[i]!) };
    if (kind === '(1-sigmoid)*y') s = ioneMinus(s);
    const v =
      kind === 'sigmoid*tanh'
        ? { lo: tanhLo(y.lo[i]!), hi: tanhHi(y.hi[i]!) }
        : { lo: y.lo[i]!, hi: y.hi[i]! };
    const p = imul(s, v);
    out.lo[i] = p.lo;
    out.hi[i] = p.hi;
  }
  return out;
}

/** Checks an Lp ball's arguments: finite centre, ε ≥ 0 and finite, a known norm. */
export function checkBall(
  where: string,
  centre: ArrayLike<number>,
  eps: number,
  norm: string,
): void {
  if (!(eps >= 0) || !Number.isFinite(eps))
    throw new ArgumentError(where, 'eps', 'a finite number ≥ 0', describe(eps));
  if (norm !== 'linf' && norm !== 'l2' && norm !== 'l1')
    throw new ArgumentError(where, 'norm', "'linf', 'l2' or 'l1'", describe(norm));
  for (let i = 0; i < centre.length; i++) {
    if (!Number.isFinite(centre[i]!))
      throw new ArgumentError(where, 'centre', 'finite numbers', `${centre[i]} at index ${i}`);
  }
}

/** The box [c − ε, c + ε] (rounded outward) containing the Lp ball of radius ε around c. */
export function ballToBox(centre: ArrayLike<number>, eps: number, norm: NormKind): Box {
  checkBall('ballToBox', centre, eps, norm);
  const n = centre.length;
  const out: Box = { lo: new Float64Array(n), hi: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    out.lo[i] = subDown(centre[i]!, eps);
    out.hi[i] = addUp(centre[i]!, eps);
  }
  return out;
}

/** The elementwise intersection of two enclosures of the same quantities (both sound → so is this). */
export function intersect(a: Box, b: Box): Box {
  const n = a.lo.length;
  if (b.lo.length !== n)
    throw new ArgumentError('intersect', 'b', `${n} intervals`, `${b.lo.length} intervals`);
  const out: Box = { lo: new Float64Array(n), hi: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    out.lo[i] = Math.max(a.lo[i]!, b.lo[i]!);
    out.hi[i] = Math.min(a.hi[i]!, b.hi[i]!);
  }
  return out;
}
