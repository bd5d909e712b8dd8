/**
 * N-dimensional tensors of a graph segment (./layer.ts): row-major float64 data with a shape, and
 * an `int` flag for index/shape/boolean tensors (which carry no gradient). Broadcasting follows
 * numpy/ONNX: shapes are right-aligned and size-1 axes stretch.
 */
import { RnnlensError } from '../../core/errors.js';

export interface Nd {
  shape: number[];
  data: Float64Array;
  int: boolean;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** Largest tensor a graph op may create (elements). */
export const MAX_ND = 1 << 27;

/** Throws before anything is allocated when a tensor of `shape` would be too large. */
export function checkSize(shape: readonly number[]): number {
  const n = numel(shape);
  if (!(n <= MAX_ND) || shape.some((d) => !Number.isInteger(d) || d < 0)) throw new RnnlensError(`graph op: a tensor of shape [${shape.join(', ')}] is invalid or larger than the ${MAX_ND} elements allowed`);
  return n;
}

export function nd(shape: readonly number[], data?: ArrayLike<number>, int = false): Nd {
  const n = checkSize(shape);
  const d = data ? Float64Array.from(data) : new Float64Array(n);
  if (d.length !== n) throw new RnnlensError(`graph op: ${d.length} values for shape [${shape.join(', ')}]`);
  return { shape: [...shape], data: d, int };
}

export function zerosLike(x: Nd): Nd {
  return { shape: [...x.shape], data: new Float64Array(x.data.length), int: false };
}

export function normAxis(axis: number, rank: number, where: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= Math.max(rank, 1)) throw new RnnlensError(`${where}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

export function broadcastShapes(shapes: ReadonlyArray<readonly number[]>, where: string): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i]!;
      if (d === out[o] || d === 1) continue;
      if (out[o] === 1) out[o] = d;
      else throw new RnnlensError(`${where}: shapes ${shapes.map((x) => `[${x.join(', ')}]`).join(' and ')} do not broadcast`);
    }
  }
  return out;
}

/** For every flat index of `outShape`, the flat index of the broadcast source of shape `inShape`. */
export function broadcastIndex(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  const n = checkSize(outShape);
  const map = new Int32Array(n);
  const rank = outShape.length;
  const off = rank - inShape.length;
  const inStr = strides(inShape);
  const outStr = strides(outShape);
  if (inShape.length === outShape.length && inShape.every((d, i) => d === outShape[i])) {
    for (let i = 0; i < n; i++) map[i] = i;
    return map;
  }
  for (let i = 0; i < n; i++) {
    let rem = i;
    let src = 0;
    for (let a = 0; a < rank; a++) {
      const c = Math.floor(rem / outStr[a]!);
      rem -= c * outStr[a]!;
      if (a >= off && inShape[a - off]! !== 1) src += c * inStr[a - off]!;
    }
    map[i] = src;
  }
  return map;
}

/** out[i] = x[map[i]] (map[i] < 0 gives `fill`). */
export function gatherFlat(x: Nd, map: Int32Array, shape: number[], fill = 0): Nd {
  const out = new Float64Array(map.length);
  for (let i = 0; i < map.length; i++) out[i] = map[i]! >= 0 ? x.data[map[i]!]! : fill;
  return { shape, data: out, int: x.int };
}

/** The adjoint of gatherFlat: g_in[map[i]] += g[i]. */
export function scatterAdd(g: Nd, map: Int32Array, inShape: number[]): Nd {
  const out = new Float64Array(numel(inShape));
  for (let i = 0; i < map.length; i++) if (map[i]! >= 0) out[map[i]!] += g.data[i]!;
  return { shape: [...inShape], data: out, int: false };
}

/** The values of a small integer tensor (shapes, axes, indices) as plain numbers. */
export function ints(x: Nd | null | undefined): number[] {
  return x ? Array.from(x.data, (v) => Math.trunc(v)) : [];
}

/** Permutes axes: out axis i is input axis perm[i]. Returns the flat source index of each output. */
export function transposeIndex(shape: readonly number[], perm: readonly number[]): { shape: number[]; map: Int32Array } {
  const outShape = perm.map((p) => shape[p]!);
  const inStr = strides(shape);
  const n = checkSize(outShape);
  const map = new Int32Array(n);
  const rank = outShape.length;
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < n; i++) {
    let src = 0;
    for (let a = 0; a < rank; a++) src += idx[a]! * inStr[perm[a]!]!;
    map[i] = src;
    for (let a = rank - 1; a >= 0; a--) {
      if (++idx[a]! < outShape[a]!) break;
      idx[a] = 0;
    }
  }
  return { shape: outShape, map };
}
