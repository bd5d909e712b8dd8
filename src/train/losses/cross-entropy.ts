/**
 * Softmax cross-entropy from logits [N, C] and integer targets [N], with PyTorch's semantics
 * (torch.nn.functional.cross_entropy, 1.13):
 *
 *   logp_ic = z_ic − logsumexp(z_i)
 *   nll     = Σ_i w[y_i]·(−logp_{i,y_i}) / W                 W = Σ_i w[y_i] over kept rows ('mean')
 *   smooth  = Σ_i Σ_c w[c]·(−logp_ic) / W
 *   loss    = (1 − ε)·nll + (ε / C)·smooth                    ε = label smoothing
 *
 * Rows whose target equals `ignoreIndex` (or whose row mask is 0) contribute nothing, not even to W.
 * Gradient, with p = softmax(z_i) and S = Σ_c w[c]:
 *   ∂loss/∂z_ij = ((1 − ε)·w[y_i]·(p_ij − [j = y_i]) + (ε / C)·(S·p_ij − w[j])) / W
 * When every row is ignored the loss is 0 with a zero gradient (PyTorch returns NaN there).
 */
import { ArgumentError, checkFinite, describe } from '../../core/errors.js';
import { allocFloat, dtypeOf, type FloatArray, type Tensor } from '../../core/tensor.js';
import type { LossResult, Reduction } from './types.js';

export interface CrossEntropyOptions {
  /** Per-class weights [C] (PyTorch's `weight`); the mean divides by the total weight of kept rows. */
  weights?: ArrayLike<number>;
  /** ε in [0, 1]: the target distribution is (1 − ε)·onehot + ε/C. */
  labelSmoothing?: number;
  /** Rows with this target are skipped (PyTorch's default is −100; here none unless given). */
  ignoreIndex?: number;
  reduction?: Reduction;
}

/** Cross-entropy over logits [N, C]. */
export function crossEntropy(
  logits: Tensor,
  targets: ArrayLike<number>,
  options: CrossEntropyOptions = {},
): LossResult {
  const where = 'crossEntropy';
  if (logits.rank !== 2) {
    throw new ArgumentError(where, 'logits', 'shape [N, C]', `shape [${logits.shape.join(', ')}]`);
  }
  return crossEntropyRows(
    where,
    logits.data,
    logits.shape[0]!,
    logits.shape[1]!,
    targets,
    options,
    null,
  );
}

/**
 * The shared kernel: `n` rows of `c` logits; `keep` (length n, or null for all) marks rows that
 * take part. Targets of rows not kept are not read, so padding may hold any value.
 */
export function crossEntropyRows(
  where: string,
  z: FloatArray,
  n: number,
  c: number,
  targets: ArrayLike<number>,
  options: CrossEntropyOptions,
  keep: ArrayLike<number> | null,
): LossResult {
  const { weights, labelSmoothing: eps = 0, ignoreIndex, reduction = 'mean' } = options;
  validate(where, z, n, c, targets, options, keep);
  const grad = allocFloat(dtypeOf(z), n * c);
  let sumW = c;
  if (weights) {
    sumW = 0;
    for (let j = 0; j < c; j++) sumW += weights[j]!;
  }
  // Pass 1: loss sums and W; grad temporarily holds the softmax probabilities of kept rows.
  let denom = 0;
  let nllSum = 0;
  let smoothSum = 0;
  for (let i = 0; i < n; i++) {
    if (!kept(i, targets, ignoreIndex, keep)) continue;
    const o = i * c;
    const y = targets[i]!;
    const wy = weights ? weights[y]! : 1;
    denom += wy;
    let m = -Infinity;
    for (let j = 0; j < c; j++) if (z[o + j]! > m) m = z[o + j]!;
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(z[o + j]! - m);
    // −logp_j = (m − z_j) + log s, exact in the shift even when |m| is large
    const logS = Math.log(s);
    nllSum += wy * (m - z[o + y]! + logS);
    if (eps !== 0) {
      for (let j = 0; j < c; j++) smoothSum += (weights ? weights[j]! : 1) * (m - z[o + j]! + logS);
    }
    for (let j = 0; j < c; j++) grad[o + j] = Math.exp(z[o + j]! - m) / s;
  }
  if (denom === 0 && reduction === 'mean') return { loss: 0, grad };
  const scale = reduction === 'mean' ? 1 / denom : 1;
  const loss = (1 - eps) * nllSum * scale + (eps / c) * smoothSum * scale;
  // Pass 2: turn probabilities into the gradient.
  const b = (eps / c) * scale;
  for (let i = 0; i < n; i++) {
    if (!kept(i, targets, ignoreIndex, keep)) continue;
    const o = i * c;
    const y = targets[i]!;
    const a = (1 - eps) * (weights ? weights[y]! : 1) * scale;
    for (let j = 0; j < c; j++) {
      const p = grad[o + j]!;
      grad[o + j] = a * (p - (j === y ? 1 : 0)) + b * (sumW * p - (weights ? weights[j]! : 1));
    }
  }
  return { loss, grad };
}

function kept(
  i: number,
  targets: ArrayLike<number>,
  ignoreIndex: number | undefined,
  keep: ArrayLike<number> | null,
): boolean {
  return (keep === null || keep[i] !== 0) && targets[i] !== ignoreIndex;
}

function validate(
  where: string,
  z: FloatArray,
  n: number,
  c: number,
  targets: ArrayLike<number>,
  options: CrossEntropyOptions,
  keep: ArrayLike<number> | null,
): void {
  if (c < 1) throw new ArgumentError(where, 'logits', 'at least one class', `${c} classes`);
  if (!targets || targets.length !== n) {
    throw new ArgumentError(
      where,
      'targets',
      `${n} class indices (one per row)`,
      targets ? `${targets.length} values` : describe(targets),
    );
  }
  checkFinite(where, 'logits', z);
  const { weights, labelSmoothing = 0, ignoreIndex } = options;
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new ArgumentError(
      where,
      'labelSmoothing',
      'a number in [0, 1]',
      describe(labelSmoothing),
    );
  }
  if (weights) {
    if (weights.length !== c)
      throw new ArgumentError(where, 'weights', `${c} class weights`, `${weights.length} values`);
    for (let j = 0; j < c; j++) {
      if (!(weights[j]! >= 0) || !Number.isFinite(weights[j]!)) {
        throw new ArgumentError(
          where,
          'weights',
          'finite non-negative numbers',
          `${weights[j]} at index ${j}`,
        );
      }
    }
  }
  for (let i = 0; i < n; i++) {
    if (keep !== null && keep[i] === 0) continue;
    const y = targets[i]!;
    if (y === ignoreIndex) continue;
    if (!Number.isInteger(y) || y < 0 || y >= c) {
      throw new ArgumentError(
        where,
        'targets',
        `class indices in [0, ${c - 1}]`,
        `${describe(y)} at index ${i}`,
      );
    }
  }
}
