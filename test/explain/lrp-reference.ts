/**
 * The PyTorch reference cases of LRP and DeepLIFT through imported graphs (tools/make_lrp_*.py →
 * test/fixtures/explain/lrp-graph.json, lrp-cell.json) and the two numeric helpers their tests use.
 */
import assert from 'node:assert/strict';

export interface RefCase {
  name: string;
  /** the ONNX file under test/fixtures/ (lrp-cell.json; lrp-graph.json names zoo models) */
  model?: string;
  input: { shape: number[]; data: number[] };
  target: number;
  output: number[];
  lrp: Array<{ epsilon: number; relevance: number[]; score: number[] }>;
  deeplift: { attributions: number[]; output: number[]; baselineOutput: number[] };
}

/** Largest absolute difference of two arrays of the same length. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'lengths');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Sum of a[from..to). */
export function sum(a: ArrayLike<number>, from = 0, to = a.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i]!;
  return s;
}
