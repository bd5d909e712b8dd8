/**
 * Batching: batch-first padded arrays with lengths and masks.
 *
 * Padding goes at the end of each sequence (steps >= length): numeric inputs are padded with 0,
 * token ids with PAD (0), per-step tags with -1 (an ignore index) and `mask` is 1 on real steps.
 * Length bucketing sorts items by length before cutting batches, so a batch holds sequences of
 * similar length and little padding; the batch order is then shuffled (when `shuffle`), so
 * training does not see short sequences first.
 */
import { ArgumentError, describe } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { checkAllocation, type Dataset } from './dataset.js';

export const TAG_PAD = -1;

export interface Batch {
  /** positions of the batch's items in the dataset */
  indices: Int32Array;
  size: number;
  /** padded number of steps T (the longest item in the batch) */
  steps: number;
  features: number;
  /** numeric: Float32Array [B, T, D]; tokens: Int32Array [B, T] */
  x: Float32Array | Int32Array;
  lengths: Int32Array; // [B]
  mask: Float32Array; // [B, T], 1 on real steps
  labels?: Int32Array; // [B]
  values?: Float32Array; // [B, K]
  tags?: Int32Array; // [B, T], TAG_PAD past each length
  truth?: Uint8Array; // [B, T, D] or [B, T]
}

export interface BatchOptions {
  batchSize: number;
  shuffle?: boolean;
  /** required when shuffle is true */
  rng?: Rng;
  bucketByLength?: boolean;
  /** drop a last batch smaller than batchSize */
  dropLast?: boolean;
}

/** Cuts the dataset into padded batches; every item appears exactly once (unless dropLast). */
export function makeBatches(ds: Dataset, opts: BatchOptions): Batch[] {
  const where = 'makeBatches';
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) {
    throw new ArgumentError(where, 'batchSize', 'an integer >= 1', describe(opts.batchSize));
  }
  if (opts.shuffle && !opts.rng)
    throw new ArgumentError(where, 'rng', 'an Rng when shuffle is true', 'undefined');
  const n = ds.items.length;
  let order: Int32Array = opts.shuffle
    ? opts.rng!.permutation(n)
    : Int32Array.from({ length: n }, (_, i) => i);
  if (opts.bucketByLength) {
    // Stable sort by length keeps the shuffled order among equal lengths.
    order = Int32Array.from([...order].sort((a, b) => ds.items[a]!.steps - ds.items[b]!.steps));
  }
  const groups: Int32Array[] = [];
  for (let s = 0; s < n; s += opts.batchSize) {
    const g = order.subarray(s, Math.min(n, s + opts.batchSize));
    if (opts.dropLast && g.length < opts.batchSize) break;
    groups.push(g);
  }
  if (opts.bucketByLength && opts.shuffle) opts.rng!.shuffle(groups);
  return groups.map((g) => collate(ds, g));
}

/** Pads the items at `indices` into one batch. */
export function collate(ds: Dataset, indices: ArrayLike<number>): Batch {
  const B = indices.length;
  const D = ds.features;
  const idx = Int32Array.from(indices as ArrayLike<number>);
  const items = [...idx].map((i) => ds.items[i]!);
  let T = 0;
  for (const it of items) T = Math.max(T, it.steps);
  checkAllocation('makeBatches', `a batch of ${B} x ${T} steps x ${D} features`, B * T * D);
  const lengths = Int32Array.from(items.map((it) => it.steps));
  const mask = new Float32Array(B * T);
  const x = ds.input === 'numeric' ? new Float32Array(B * T * D) : new Int32Array(B * T);
  const rowSize = ds.input === 'numeric' ? T * D : T;
  items.forEach((it, b) => {
    x.set(it.x, b * rowSize);
    mask.fill(1, b * T, b * T + it.steps);
  });
  const batch: Batch = { indices: idx, size: B, steps: T, features: D, x, lengths, mask };
  if (items.every((it) => it.label !== undefined))
    batch.labels = Int32Array.from(items.map((it) => it.label!));
  if (items.length > 0 && items.every((it) => it.values !== undefined)) {
    const K = items[0]!.values!.length;
    batch.values = new Float32Array(B * K);
    items.forEach((it, b) => batch.values!.set(it.values!, b * K));
  }
  if (items.length > 0 && items.every((it) => it.tags !== undefined)) {
    batch.tags = new Int32Array(B * T).fill(TAG_PAD);
    items.forEach((it, b) => batch.tags!.set(it.tags!, b * T));
  }
  if (items.length > 0 && items.every((it) => it.truth !== undefined)) {
    batch.truth = new Uint8Array(B * rowSize);
    items.forEach((it, b) => batch.truth!.set(it.truth!, b * rowSize));
  }
  return batch;
}
