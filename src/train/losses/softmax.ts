/**
 * Row-wise softmax and log-softmax over the last axis, numerically stable through the
 * log-sum-exp trick: logsumexp(z) = m + log Σ_j exp(z_j − m) with m = max_j z_j, so no exp overflows.
 */
import { ArgumentError, checkFinite } from '../../core/errors.js';
import { allocFloat, dtypeOf, Tensor } from '../../core/tensor.js';

/** log Σ_j exp(z[offset + j]) for j < count, stable for any finite z. */
export function logSumExp(z: ArrayLike<number>, offset: number, count: number): number {
  let m = -Infinity;
  for (let j = 0; j < count; j++) if (z[offset + j]! > m) m = z[offset + j]!;
  let s = 0;
  for (let j = 0; j < count; j++) s += Math.exp(z[offset + j]! - m);
  return m + Math.log(s);
}

function lastAxis(where: string, logits: Tensor): number {
  if (logits.rank < 1 || logits.shape[logits.rank - 1]! < 1) {
    throw new ArgumentError(
      where,
      'logits',
      'a tensor with at least one class on its last axis',
      `shape [${logits.shape.join(', ')}]`,
    );
  }
  checkFinite(where, 'logits', logits.data);
  return logits.shape[logits.rank - 1]!;
}

/** softmax(z)_j = exp(z_j − logsumexp(z)), per row of the last axis; same shape and dtype. */
export function softmax(logits: Tensor): Tensor {
  const c = lastAxis('softmax', logits);
  const z = logits.data;
  const out = allocFloat(dtypeOf(z), z.length);
  for (let o = 0; o < z.length; o += c) {
    // exp(z_j − m) / Σ exp(z − m): dividing by the sum is more accurate than exp(z_j − logsumexp)
    let m = -Infinity;
    for (let j = 0; j < c; j++) if (z[o + j]! > m) m = z[o + j]!;
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(z[o + j]! - m);
    for (let j = 0; j < c; j++) out[o + j] = Math.exp(z[o + j]! - m) / s;
  }
  return new Tensor(logits.shape, out);
}

/** logSoftmax(z)_j = z_j − logsumexp(z), per row of the last axis; same shape and dtype. */
export function logSoftmax(logits: Tensor): Tensor {
  const c = lastAxis('logSoftmax', logits);
  const z = logits.data;
  const out = allocFloat(dtypeOf(z), z.length);
  for (let o = 0; o < z.length; o += c) {
    let m = -Infinity;
    for (let j = 0; j < c; j++) if (z[o + j]! > m) m = z[o + j]!;
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(z[o + j]! - m);
    // (z_j − m) − log s keeps full precision when |m| is large
    const logS = Math.log(s);
    for (let j = 0; j < c; j++) out[o + j] = z[o + j]! - m - logS;
  }
  return new Tensor(logits.shape, out);
}
