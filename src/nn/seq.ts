/**
 * Helpers for batch-first sequence batches: validation, masks, and the batch-first ↔ time-major
 * transposes (optionally reversing each sequence within its own length, so padding stays at the
 * end — what goBackwards and the backward direction of Bidirectional need).
 */
import { ArgumentError, describe } from '../core/errors.js';
import { Tensor, type FloatArray } from '../core/tensor.js';
import type { Flow, LayerInput, SeqBatch, TokenBatch } from './layer.js';
import { isSeqBatch, isTokenBatch } from './layer.js';

/** Checks batch/steps/lengths shared by SeqBatch and TokenBatch. */
export function checkLengths(
  where: string,
  batch: number,
  steps: number,
  lengths: unknown,
): asserts lengths is Int32Array {
  if (!Number.isInteger(batch) || batch < 1) {
    throw new ArgumentError(
      where,
      'input.batch',
      'a batch of at least 1 sequence',
      describe(batch),
    );
  }
  if (!Number.isInteger(steps) || steps < 1) {
    throw new ArgumentError(where, 'input.steps', 'at least 1 step', describe(steps));
  }
  if (!(lengths instanceof Int32Array) || lengths.length !== batch) {
    throw new ArgumentError(
      where,
      'input.lengths',
      `Int32Array of ${batch} lengths`,
      describe(lengths),
    );
  }
  for (let b = 0; b < batch; b++) {
    const n = lengths[b]!;
    if (n < 1 || n > steps) {
      throw new ArgumentError(
        where,
        `input.lengths[${b}]`,
        `a length in [1, ${steps}] (steps)`,
        String(n),
      );
    }
  }
}

/** The input as a SeqBatch with `features` features; throws an ArgumentError otherwise. */
export function expectSeq(
  where: string,
  input: LayerInput,
  features: number,
  argument = 'input',
): SeqBatch {
  if (!isSeqBatch(input)) {
    const got =
      input instanceof Tensor
        ? `a [${input.shape.join(', ')}] tensor`
        : isTokenBatch(input)
          ? 'token ids'
          : describe(input);
    throw new ArgumentError(where, argument, `a sequence batch [B, T, ${features}]`, got);
  }
  checkLengths(where, input.batch, input.steps, input.lengths);
  if (input.features !== features) {
    throw new ArgumentError(
      where,
      `${argument}.features`,
      `${features} features`,
      String(input.features),
    );
  }
  const n = input.batch * input.steps * features;
  if (!input.data || input.data.length !== n) {
    throw new ArgumentError(
      where,
      `${argument}.data`,
      `${n} values ([${input.batch}, ${input.steps}, ${features}])`,
      describe(input.data),
    );
  }
  return input;
}

/** The input as a [B, features] Tensor; throws an ArgumentError otherwise. */
export function expectFlat(
  where: string,
  input: LayerInput,
  features: number,
  argument = 'input',
): Tensor {
  if (!(input instanceof Tensor) || input.rank !== 2 || input.shape[1] !== features) {
    const got =
      input instanceof Tensor
        ? `[${input.shape.join(', ')}]`
        : isSeqBatch(input)
          ? `a sequence batch [${input.batch}, ${input.steps}, ${input.features}]`
          : describe(input);
    throw new ArgumentError(where, argument, `a [B, ${features}] tensor`, got);
  }
  if (input.shape[0]! < 1)
    throw new ArgumentError(where, `${argument}.batch`, 'a batch of at least 1 row', '0');
  return input;
}

export function expectTokens(where: string, input: LayerInput): TokenBatch {
  if (!isTokenBatch(input))
    throw new ArgumentError(
      where,
      'input',
      'token ids (Int32Array [B, T] with lengths)',
      input instanceof Tensor ? 'a tensor' : 'a numeric sequence batch',
    );
  checkLengths(where, input.batch, input.steps, input.lengths);
  if (!(input.ids instanceof Int32Array) || input.ids.length !== input.batch * input.steps) {
    throw new ArgumentError(
      where,
      'input.ids',
      `Int32Array of ${input.batch * input.steps} ids ([${input.batch}, ${input.steps}])`,
      describe(input.ids),
    );
  }
  return input;
}

/** Same layout (batch, steps, lengths) with new data and feature count. */
export function withData(
  like: { batch: number; steps: number; lengths: Int32Array },
  data: FloatArray,
  features: number,
): SeqBatch {
  return { data, batch: like.batch, steps: like.steps, features, lengths: like.lengths };
}

/** Mask [T, B]: 1 at real steps. Null when no sequence is padded (the backend's fast path). */
export function maskFromLengths(lengths: Int32Array, steps: number): Uint8Array | null {
  const B = lengths.length;
  let full = true;
  for (let b = 0; b < B; b++) if (lengths[b]! < steps) full = false;
  if (full) return null;
  const mask = new Uint8Array(steps * B);
  for (let t = 0; t < steps; t++)
    for (let b = 0; b < B; b++) mask[t * B + b] = t < lengths[b]! ? 1 : 0;
  return mask;
}

/** Input position read at processing step t of sequence b (an involution). */
function source(t: number, len: number, reverse: boolean): number {
  return reverse && t < len ? len - 1 - t : t;
}

/** [B, T, F] → [T, B, F]; with `reverse`, out[t, b] = src[b, len_b − 1 − t] for t < len_b. */
export function toTimeMajor(
  src: FloatArray,
  B: number,
  T: number,
  F: number,
  lengths: Int32Array,
  reverse: boolean,
  out: FloatArray,
): FloatArray {
  for (let b = 0; b < B; b++) {
    const len = lengths[b]!;
    for (let t = 0; t < T; t++)
      copyRow(src, (b * T + source(t, len, reverse)) * F, out, (t * B + b) * F, F);
  }
  return out;
}

/**
 * dst[d..d+F) = src[s..s+F). Short rows by a loop (a subarray per row costs an allocation: the
 * [256, 50, 16] transpose took 1.0 ms that way and 0.4 ms this way), long ones by `set`.
 */
function copyRow(src: FloatArray, s: number, dst: FloatArray, d: number, F: number): void {
  if (F > 64) dst.set(src.subarray(s, s + F), d);
  else for (let i = 0; i < F; i++) dst[d + i] = src[s + i]!;
}

/** [T, B, F] → [B, T, F]; with `reverse`, processing step t lands at input position len_b − 1 − t. */
export function toBatchFirst(
  src: FloatArray,
  B: number,
  T: number,
  F: number,
  lengths: Int32Array,
  reverse: boolean,
  out: FloatArray,
): FloatArray {
  for (let b = 0; b < B; b++) {
    const len = lengths[b]!;
    for (let t = 0; t < T; t++)
      copyRow(src, (t * B + b) * F, out, (b * T + source(t, len, reverse)) * F, F);
  }
  return out;
}

/** Zeroes rows [b, t] at padded steps of a [B, T, F] array. */
export function zeroPadding(
  data: FloatArray,
  B: number,
  T: number,
  F: number,
  lengths: Int32Array,
): void {
  for (let b = 0; b < B; b++) data.fill(0, (b * T + lengths[b]!) * F, (b + 1) * T * F);
}

/** Number of rows a Flow has: B*T for a SeqBatch, B for a tensor. */
export function flowRows(x: Flow): number {
  return x instanceof Tensor ? x.shape[0]! : x.batch * x.steps;
}

export function flowData(x: Flow): FloatArray {
  return x.data;
}

/** A Flow like `like` but holding `data` with `features` features. */
export function flowLike(like: Flow, data: FloatArray, features: number): Flow {
  return like instanceof Tensor
    ? new Tensor([like.shape[0]!, features], data)
    : withData(like, data, features);
}

/** Checks that a gradient has the form and size of `like` with `features` features; returns its data. */
export function expectGradLike(
  where: string,
  grad: Flow,
  like: Flow,
  features: number,
): FloatArray {
  const rows = flowRows(like);
  const need = rows * features;
  const shape =
    like instanceof Tensor
      ? `[${rows}, ${features}]`
      : `[${like.batch}, ${like.steps}, ${features}]`;
  const data = grad && (grad as { data?: FloatArray }).data;
  if (!grad || grad instanceof Tensor !== like instanceof Tensor || !data || data.length !== need) {
    const got =
      grad instanceof Tensor
        ? `a [${grad.shape.join(', ')}] tensor`
        : data
          ? `${data.length} values`
          : describe(grad);
    throw new ArgumentError(where, 'gradOutput', `${need} values (${shape})`, got);
  }
  return data;
}
