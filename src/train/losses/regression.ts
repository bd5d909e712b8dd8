/**
 * Regression losses over predictions and targets of the same size (PyTorch's mse_loss, l1_loss,
 * huber_loss), d = prediction − target:
 *   MSE    ℓ = d²                                        ∂ℓ/∂p = 2d
 *   MAE    ℓ = |d|                                       ∂ℓ/∂p = sign(d)   (0 at d = 0, as PyTorch)
 *   Huber  ℓ = d²/2 if |d| < δ, else δ·(|d| − δ/2)       ∂ℓ/∂p = clamp(d, −δ, δ)
 * 'mean' divides by the number of elements.
 */
import { ArgumentError, checkFinite, describe } from '../../core/errors.js';
import { allocFloat, dtypeOf, type Tensor } from '../../core/tensor.js';
import type { LossResult, Reduction } from './types.js';

export interface RegressionLossOptions {
  reduction?: Reduction;
}

export interface HuberOptions extends RegressionLossOptions {
  /** Where the loss turns from quadratic to linear; default 1. */
  delta?: number;
}

type Pointwise = (d: number) => { value: number; slope: number };

function pointwiseLoss(
  where: string,
  predictions: Tensor,
  targets: ArrayLike<number>,
  reduction: Reduction,
  f: Pointwise,
): LossResult {
  const p = predictions.data;
  const n = p.length;
  if (!targets || targets.length !== n) {
    throw new ArgumentError(
      where,
      'targets',
      `${n} values (shape [${predictions.shape.join(', ')}])`,
      targets ? `${targets.length} values` : describe(targets),
    );
  }
  checkFinite(where, 'predictions', p);
  checkFinite(where, 'targets', targets);
  const grad = allocFloat(dtypeOf(p), n);
  const scale = reduction === 'mean' && n > 0 ? 1 / n : 1;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const { value, slope } = f(p[i]! - targets[i]!);
    sum += value;
    grad[i] = slope * scale;
  }
  return { loss: sum * scale, grad };
}

export function mse(
  predictions: Tensor,
  targets: ArrayLike<number>,
  options: RegressionLossOptions = {},
): LossResult {
  return pointwiseLoss('mse', predictions, targets, options.reduction ?? 'mean', (d) => ({
    value: d * d,
    slope: 2 * d,
  }));
}

export function mae(
  predictions: Tensor,
  targets: ArrayLike<number>,
  options: RegressionLossOptions = {},
): LossResult {
  return pointwiseLoss('mae', predictions, targets, options.reduction ?? 'mean', (d) => ({
    value: Math.abs(d),
    slope: Math.sign(d),
  }));
}

export function huber(
  predictions: Tensor,
  targets: ArrayLike<number>,
  options: HuberOptions = {},
): LossResult {
  const delta = options.delta ?? 1;
  if (!(delta > 0) || !Number.isFinite(delta))
    throw new ArgumentError('huber', 'delta', 'a finite number > 0', describe(delta));
  return pointwiseLoss('huber', predictions, targets, options.reduction ?? 'mean', (d) => {
    const a = Math.abs(d);
    return a < delta
      ? { value: 0.5 * d * d, slope: d }
      : { value: delta * (a - 0.5 * delta), slope: d > 0 ? delta : -delta };
  });
}
