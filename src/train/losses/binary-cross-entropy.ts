/**
 * Binary cross-entropy with logits, PyTorch's binary_cross_entropy_with_logits (1.13):
 *
 *   ℓ = (1 − y)·x + (1 + (pw − 1)·y)·softplus(−x)      softplus(−x) = log(1 + e^{−|x|}) + max(−x, 0)
 *   ∂ℓ/∂x = (1 − y) − (1 + (pw − 1)·y)·σ(−x)
 *
 * Targets may be soft (any value in [0, 1]). `posWeight` has one entry per column of the last
 * axis (per label in multi-label problems). 'mean' divides by the number of elements.
 */
import { ArgumentError, checkFinite, describe } from '../../core/errors.js';
import { allocFloat, dtypeOf, type Tensor } from '../../core/tensor.js';
import type { LossResult, Reduction } from './types.js';

export interface BinaryCrossEntropyOptions {
  /** Weight of the positive term per label [K] (last axis); 1 = unweighted. */
  posWeight?: ArrayLike<number>;
  reduction?: Reduction;
}

/** σ(−x) = 1 − σ(x), evaluated without overflow for either sign. */
function sigmoidNeg(x: number): number {
  if (x >= 0) {
    const e = Math.exp(-x);
    return e / (1 + e);
  }
  return 1 / (1 + Math.exp(x));
}

export function binaryCrossEntropy(
  logits: Tensor,
  targets: ArrayLike<number>,
  options: BinaryCrossEntropyOptions = {},
): LossResult {
  const where = 'binaryCrossEntropy';
  const x = logits.data;
  const n = x.length;
  const k = logits.rank === 0 ? 1 : logits.shape[logits.rank - 1]!;
  const { posWeight, reduction = 'mean' } = options;
  if (!targets || targets.length !== n) {
    throw new ArgumentError(
      where,
      'targets',
      `${n} values (shape [${logits.shape.join(', ')}])`,
      targets ? `${targets.length} values` : describe(targets),
    );
  }
  checkFinite(where, 'logits', x);
  for (let i = 0; i < n; i++) {
    const y = targets[i]!;
    if (!(y >= 0 && y <= 1))
      throw new ArgumentError(where, 'targets', 'values in [0, 1]', `${describe(y)} at index ${i}`);
  }
  if (posWeight) {
    if (posWeight.length !== k)
      throw new ArgumentError(
        where,
        'posWeight',
        `${k} values (one per label)`,
        `${posWeight.length} values`,
      );
    checkFinite(where, 'posWeight', posWeight);
  }
  const grad = allocFloat(dtypeOf(x), n);
  const scale = reduction === 'mean' && n > 0 ? 1 / n : 1;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    const y = targets[i]!;
    const lw = posWeight ? 1 + (posWeight[i % k]! - 1) * y : 1;
    const softplusNeg = Math.log1p(Math.exp(-Math.abs(xi))) + Math.max(-xi, 0);
    sum += (1 - y) * xi + lw * softplusNeg;
    grad[i] = (1 - y - lw * sigmoidNeg(xi)) * scale;
  }
  return { loss: sum * scale, grad };
}
