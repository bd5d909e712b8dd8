/**
 * Per-step cross-entropy for tagging and language models: logits [B, T, C], targets [B, T]
 * (flat, row-major), and either `lengths` [B] (steps t < lengths[b] are real) or a `mask` [B, T]
 * (non-zero = real). The loss is the (weighted) mean over real steps only; padded steps get a
 * zero gradient and their targets are never read, so padding may hold any value.
 */
import { ArgumentError, checkInt } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import { crossEntropyRows, type CrossEntropyOptions } from './cross-entropy.js';
import type { LossResult } from './types.js';

export interface SequenceCrossEntropyOptions extends CrossEntropyOptions {
  /** Real length of each sequence [B]; padding is at the end. */
  lengths?: ArrayLike<number>;
  /** 1 for a real step, 0 for padding, [B, T] flat. Give `lengths` or `mask`, not both. */
  mask?: ArrayLike<number>;
}

export function sequenceCrossEntropy(
  logits: Tensor,
  targets: ArrayLike<number>,
  options: SequenceCrossEntropyOptions = {},
): LossResult {
  const where = 'sequenceCrossEntropy';
  if (logits.rank !== 3) {
    throw new ArgumentError(
      where,
      'logits',
      'shape [B, T, C]',
      `shape [${logits.shape.join(', ')}]`,
    );
  }
  const [b, t, c] = logits.shape as [number, number, number];
  const { lengths, mask, ...ce } = options;
  return crossEntropyRows(
    where,
    logits.data,
    b * t,
    c,
    targets,
    ce,
    stepMask(where, b, t, lengths, mask),
  );
}

/** The [B·T] keep-mask from lengths or a mask (null = every step is real). */
export function stepMask(
  where: string,
  b: number,
  t: number,
  lengths: ArrayLike<number> | undefined,
  mask: ArrayLike<number> | undefined,
): ArrayLike<number> | null {
  if (lengths && mask)
    throw new ArgumentError(where, 'lengths/mask', 'one of lengths or mask', 'both');
  if (mask) {
    if (mask.length !== b * t)
      throw new ArgumentError(
        where,
        'mask',
        `${b * t} values (shape [${b}, ${t}])`,
        `${mask.length} values`,
      );
    return mask;
  }
  if (!lengths) return null;
  if (lengths.length !== b)
    throw new ArgumentError(
      where,
      'lengths',
      `${b} lengths (one per sequence)`,
      `${lengths.length} values`,
    );
  const keep = new Uint8Array(b * t);
  for (let i = 0; i < b; i++) {
    checkInt(where, `lengths[${i}]`, lengths[i]!, 0, t);
    keep.fill(1, i * t, i * t + lengths[i]!);
  }
  return keep;
}
