/**
 * Gradient clipping, PyTorch's clip_grad_norm_ / clip_grad_value_ semantics.
 *
 * By global norm: ‖g‖ = (Σ over all parameters and elements |g|^p)^(1/p)  (max |g| for p = ∞),
 *   c = min(1, maxNorm / (‖g‖ + 1e-6)),  g ← c·g  for every gradient.
 * The 1e-6 keeps c finite for zero gradients and makes a clipped norm land just below maxNorm.
 * Like PyTorch, the gradients are always multiplied (by exactly 1 when not clipped).
 */
import { ArgumentError, RnnlensError, describe } from '../core/errors.js';
import type { Parameter } from '../core/parameter.js';

export interface ClipNormOptions {
  /** p of the norm: 2 (default), any p > 0, or Infinity. */
  normType?: number;
  /** Throw when the norm is NaN or infinite instead of scaling by it (PyTorch's error_if_nonfinite). */
  errorIfNonfinite?: boolean;
}

/** The global p-norm of all gradients, computed in float64. */
export function gradNorm(params: readonly Parameter[], normType = 2): number {
  if (!(normType > 0))
    throw new ArgumentError('gradNorm', 'normType', 'a number > 0 or Infinity', describe(normType));
  let acc = 0;
  for (const p of params) {
    const g = p.grad;
    const n = g.length;
    if (normType === Infinity) {
      // Math.max propagates NaN, so a NaN gradient gives a NaN norm as in PyTorch
      for (let k = 0; k < n; k++) acc = Math.max(acc, Math.abs(g[k]!));
    } else if (normType === 2) {
      for (let k = 0; k < n; k++) acc += g[k]! * g[k]!;
    } else {
      for (let k = 0; k < n; k++) acc += Math.abs(g[k]!) ** normType;
    }
  }
  if (normType === Infinity) return acc;
  return normType === 2 ? Math.sqrt(acc) : acc ** (1 / normType);
}

/** Scales all gradients so their global norm is at most `maxNorm`; returns the norm before clipping. */
export function clipGradNorm(
  params: readonly Parameter[],
  maxNorm: number,
  options: ClipNormOptions = {},
): number {
  if (!(maxNorm >= 0) || !Number.isFinite(maxNorm)) {
    throw new ArgumentError('clipGradNorm', 'maxNorm', 'a finite number >= 0', describe(maxNorm));
  }
  const { normType = 2, errorIfNonfinite = false } = options;
  const total = gradNorm(params, normType);
  if (errorIfNonfinite && !Number.isFinite(total)) {
    throw new RnnlensError(
      `clipGradNorm: the total gradient norm is ${total}; the gradients hold NaN or infinite values`,
    );
  }
  const coef = Math.min(maxNorm / (total + 1e-6), 1);
  for (const p of params) {
    const g = p.grad;
    for (let k = 0; k < g.length; k++) g[k] = g[k]! * coef;
  }
  return total;
}

/** Clamps every gradient element to [−clipValue, clipValue]. */
export function clipGradValue(params: readonly Parameter[], clipValue: number): void {
  if (!(clipValue >= 0) || !Number.isFinite(clipValue)) {
    throw new ArgumentError(
      'clipGradValue',
      'clipValue',
      'a finite number >= 0',
      describe(clipValue),
    );
  }
  for (const p of params) {
    const g = p.grad;
    for (let k = 0; k < g.length; k++) {
      const v = g[k]!;
      g[k] = v > clipValue ? clipValue : v < -clipValue ? -clipValue : v;
    }
  }
}
