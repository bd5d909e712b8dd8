/** What every loss returns: the reduced loss and its gradient w.r.t. the logits/predictions. */
import type { FloatArray } from '../../core/tensor.js';

export interface LossResult {
  /** The reduced loss (computed in float64 whatever the input dtype). */
  loss: number;
  /** ∂loss/∂input, same length and dtype as the input, already scaled by the reduction. */
  grad: FloatArray;
}

/** 'mean' divides by the number (or, for weighted cross-entropy, the total weight) of terms. */
export type Reduction = 'mean' | 'sum';
