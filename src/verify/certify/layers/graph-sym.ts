/** Symbolic graph values of the certification lowering (./graph-layer.ts) and the nodes built from them. */
import { numel, type Nd } from '../../../nn/graph/nd.js';
import type { BoundGraph } from './graph.js';

/** A graph value: per element a node reference (ref ≥ 0, coordinate idx) or a constant (ref −1). */
export interface Sym {
  shape: number[];
  ref: Int32Array;
  idx: Int32Array;
  val: Float64Array;
  int: boolean;
}

export function isConst(s: Sym): boolean {
  return s.ref.every((r) => r < 0);
}

export function constSym(x: Nd): Sym {
  const n = x.data.length;
  return { shape: [...x.shape], ref: new Int32Array(n).fill(-1), idx: new Int32Array(n), val: Float64Array.from(x.data), int: x.int };
}

export function toNd(s: Sym): Nd {
  return { shape: [...s.shape], data: Float64Array.from(s.val), int: s.int };
}

export function nodeSym(id: number, shape: number[]): Sym {
  const n = numel(shape);
  return { shape, ref: new Int32Array(n).fill(id), idx: Int32Array.from({ length: n }, (_, i) => i), val: new Float64Array(n), int: false };
}

/** One node holding the elements of `s` in order (the node itself when it already is one). */
export function materialize(g: BoundGraph, s: Sym, label: string): number {
  const n = s.ref.length;
  const first = s.ref[0]!;
  if (first >= 0 && g.size(first) === n && s.ref.every((r, i) => r === first && s.idx[i] === i)) return first;
  return affineFrom(g, [s], n, (i, k, j) => (k === 0 && j === i ? 1 : 0), new Float64Array(n), label);
}

/**
 * An affine node z = Σ_k A_k·x_k + c over the elements of the symbolic inputs `xs`, with
 * coefficient a(i, k, j) of element j of input k in output i.
 */
export function affineFrom(g: BoundGraph, xs: Sym[], size: number, a: (i: number, k: number, j: number) => number, c: Float64Array, label: string): number {
  const srcs: number[] = [];
  const off = new Map<number, number>();
  let cols = 0;
  for (const x of xs)
    for (const r of x.ref)
      if (r >= 0 && !off.has(r)) {
        off.set(r, cols);
        srcs.push(r);
        cols += g.size(r);
      }
  const W = new Float64Array(size * Math.max(cols, 1));
  const b = Float64Array.from(c);
  for (let i = 0; i < size; i++)
    xs.forEach((x, k) => {
      for (let j = 0; j < x.ref.length; j++) {
        const coef = a(i, k, j);
        if (coef === 0) continue;
        if (x.ref[j]! >= 0) W[i * cols + off.get(x.ref[j]!)! + x.idx[j]!] += coef;
        else b[i] += coef * x.val[j]!;
      }
    });
  if (srcs.length === 0) return g.constant(b, label);
  return g.affine(srcs, W, b, size, label);
}

