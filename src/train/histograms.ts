/**
 * TensorBoard-style distributions: a fixed-bin histogram of a tensor's values with summary
 * statistics, recorded per layer and epoch for weights, gradients and activations.
 */
import type { FloatArray } from '../core/tensor.js';

export interface Histogram {
  min: number;
  max: number;
  mean: number;
  sd: number;
  /** bin edges: `bins + 1` values from min to max */
  edges: number[];
  counts: number[];
}

export function histogram(values: ArrayLike<number>, bins = 30): Histogram {
  const n = values.length;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  if (n === 0) return { min: 0, max: 0, mean: 0, sd: 0, edges: [0, 0], counts: [0] };
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - mean) ** 2;
  const width = max > min ? (max - min) / bins : 1;
  const counts = new Array<number>(max > min ? bins : 1).fill(0);
  for (let i = 0; i < n; i++) {
    const k = max > min ? Math.min(bins - 1, Math.floor((values[i]! - min) / width)) : 0;
    counts[k]!++;
  }
  const edges = counts.map((_, k) => min + k * width);
  edges.push(max > min ? max : min);
  return { min, max, mean, sd: Math.sqrt(ss / n), edges, counts };
}

/** Concatenates several arrays' values (for a layer's parameters taken together). */
export function concatValues(arrays: readonly FloatArray[]): Float64Array {
  let n = 0;
  for (const a of arrays) n += a.length;
  const out = new Float64Array(n);
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}
