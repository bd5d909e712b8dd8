/** Slicing model inputs by sequence and joining outputs back (for chunked prediction). */
import type { Backend } from '../core/backend.js';
import { Tensor } from '../core/tensor.js';
import type { Flow, SeqBatch, TokenBatch } from './layer.js';

/** Sequences [start, end) of a batch (views, no copy). */
export function sliceInput<T extends SeqBatch | TokenBatch>(x: T, start: number, end: number): T {
  const lengths = x.lengths.subarray(start, end);
  if ('ids' in x) {
    const ids = x.ids.subarray(start * x.steps, end * x.steps);
    return { ids, batch: end - start, steps: x.steps, lengths } as TokenBatch as T;
  }
  const s = x as SeqBatch;
  const data = s.data.subarray(start * s.steps * s.features, end * s.steps * s.features);
  return {
    data,
    batch: end - start,
    steps: s.steps,
    features: s.features,
    lengths,
  } as SeqBatch as T;
}

/** Joins outputs of consecutive chunks along the batch axis. */
export function concatFlows(parts: readonly Flow[], backend: Backend): Flow {
  const total = parts.reduce((n, p) => n + p.data.length, 0);
  const data = backend.alloc(total);
  let off = 0;
  for (const p of parts) {
    data.set(p.data, off);
    off += p.data.length;
  }
  const first = parts[0]!;
  if (first instanceof Tensor) {
    const rows = parts.reduce((n, p) => n + (p as Tensor).shape[0]!, 0);
    return new Tensor([rows, first.shape[1]!], data);
  }
  const lengths = new Int32Array(parts.reduce((n, p) => n + (p as SeqBatch).batch, 0));
  let b = 0;
  for (const p of parts as SeqBatch[]) {
    lengths.set(p.lengths, b);
    b += p.batch;
  }
  return { data, batch: lengths.length, steps: first.steps, features: first.features, lengths };
}
