/**
 * Constant folding for the small tensors around recurrent nodes: shapes (possibly with symbolic
 * batch/time sizes), indices, weights. Row-major, numpy/ONNX broadcasting for elementwise ops.
 */
import { RnnlensError } from '../../core/errors.js';
import type { OnnxTensor } from './parse.js';
import { isRole, type ConstVal, type Role } from './values.js';

export function constOf(t: OnnxTensor): ConstVal {
  return { v: 'const', float: t.float, shape: [...t.shape], data: t.float ? Float64Array.from(t.data) : Array.from(t.data) };
}

export function intsConst(items: Array<number | Role>, scalar = false): ConstVal {
  return { v: 'const', float: false, shape: scalar ? [] : [items.length], data: items };
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** Numbers of a constant; symbolic entries are an error naming `where`. */
export function numbers(c: ConstVal, where: string): number[] {
  return Array.from(c.data as ArrayLike<number | Role>, (x) => {
    if (isRole(x)) throw new RnnlensError(`ONNX import: ${where}: needs a number but the value depends on the runtime batch or time size`);
    return x;
  });
}

function make(float: boolean, shape: number[], items: Array<number | Role>): ConstVal {
  return { v: 'const', float, shape, data: float ? Float64Array.from(items as number[]) : items };
}

function items(c: ConstVal): Array<number | Role> {
  return Array.from(c.data as ArrayLike<number | Role>);
}

export function normAxis(axis: number, rank: number, where: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= Math.max(rank, 1)) throw new RnnlensError(`ONNX import: ${where}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Gather along `axis` with integer indices (scalar or any shape). */
export function gatherConst(c: ConstVal, indices: number[], indexShape: number[], axis: number, where: string): ConstVal {
  const ax = normAxis(axis, c.shape.length, where);
  const n = c.shape[ax]!;
  const outer = size(c.shape.slice(0, ax));
  const inner = size(c.shape.slice(ax + 1));
  const src = items(c);
  const out: Array<number | Role> = [];
  for (let o = 0; o < outer; o++) {
    for (const raw of indices) {
      const i = raw < 0 ? raw + n : raw;
      if (i < 0 || i >= n) throw new RnnlensError(`ONNX import: ${where}: index ${raw} is out of range for a dimension of size ${n}`);
      for (let k = 0; k < inner; k++) out.push(src[(o * n + i) * inner + k]!);
    }
  }
  return make(c.float, [...c.shape.slice(0, ax), ...indexShape, ...c.shape.slice(ax + 1)], out);
}

/** Resolves ONNX Slice bounds for one axis of size n (clamping like the spec). */
export function sliceRange(n: number, start: number, end: number, step: number): number[] {
  if (step === 0) throw new RnnlensError('ONNX import: Slice: step 0 is invalid');
  const clamp = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);
  let s = start < 0 ? start + n : start;
  let e = end < 0 ? end + n : end;
  const out: number[] = [];
  if (step > 0) {
    s = clamp(s, 0, n);
    e = clamp(e, 0, n);
    for (let i = s; i < e; i += step) out.push(i);
  } else {
    s = clamp(s, -1, n - 1);
    e = clamp(e, -1, n - 1);
    for (let i = s; i > e; i += step) out.push(i);
  }
  return out;
}

export function sliceConst(c: ConstVal, starts: number[], ends: number[], axes: number[], steps: number[], where: string): ConstVal {
  let cur = c;
  axes.forEach((a, k) => {
    const ax = normAxis(a, cur.shape.length, where);
    const idx = sliceRange(cur.shape[ax]!, starts[k]!, ends[k]!, steps[k] ?? 1);
    cur = gatherConst(cur, idx, [idx.length], ax, where);
  });
  return cur;
}

export function concatConst(parts: ConstVal[], axis: number, where: string): ConstVal {
  const rank = parts[0]!.shape.length;
  const ax = normAxis(axis, rank, where);
  const outer = size(parts[0]!.shape.slice(0, ax));
  const out: Array<number | Role> = [];
  for (const p of parts) {
    if (p.shape.length !== rank || p.shape.some((d, i) => i !== ax && d !== parts[0]!.shape[i])) {
      throw new RnnlensError(`ONNX import: ${where}: cannot concatenate shapes [${parts.map((q) => q.shape.join('x')).join('], [')}] on axis ${axis}`);
    }
  }
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const chunk = size(p.shape.slice(ax));
      out.push(...items(p).slice(o * chunk, (o + 1) * chunk));
    }
  }
  const shape = [...parts[0]!.shape];
  shape[ax] = parts.reduce((a, p) => a + p.shape[ax]!, 0);
  return make(parts.some((p) => p.float), shape, out);
}

export function transposeConst(c: ConstVal, perm: number[]): ConstVal {
  const shape = perm.map((p) => c.shape[p]!);
  const inS = strides(c.shape);
  const outS = strides(shape);
  const src = items(c);
  const out = new Array<number | Role>(src.length);
  for (let i = 0; i < src.length; i++) {
    let rem = i;
    let off = 0;
    for (let d = 0; d < shape.length; d++) {
      const q = Math.floor(rem / outS[d]!);
      rem -= q * outS[d]!;
      off += q * inS[perm[d]!]!;
    }
    out[i] = src[off]!;
  }
  return make(c.float, shape, out);
}

/** Elementwise binary op with broadcasting; symbolic sizes pass through only unchanged (x+0, x*1). */
export function binaryConst(op: string, a: ConstVal, b: ConstVal, where: string): ConstVal {
  const rank = Math.max(a.shape.length, b.shape.length);
  const pa = [...new Array<number>(rank - a.shape.length).fill(1), ...a.shape];
  const pb = [...new Array<number>(rank - b.shape.length).fill(1), ...b.shape];
  const shape = pa.map((d, i) => {
    const e = pb[i]!;
    if (d !== e && d !== 1 && e !== 1) throw new RnnlensError(`ONNX import: ${where}: shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] do not broadcast`);
    return Math.max(d, e);
  });
  const sa = strides(pa);
  const sb = strides(pb);
  const so = strides(shape);
  const xa = items(a);
  const xb = items(b);
  const float = a.float || b.float;
  const out: Array<number | Role> = [];
  for (let i = 0; i < size(shape); i++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < rank; d++) {
      const q = Math.floor(i / so[d]!) % shape[d]!;
      if (pa[d] !== 1) ia += q * sa[d]!;
      if (pb[d] !== 1) ib += q * sb[d]!;
    }
    const x = xa[ia]!;
    const y = xb[ib]!;
    if (isRole(x) || isRole(y)) {
      const neutral = op === 'Add' || op === 'Sub' ? 0 : 1;
      if (isRole(x) && y === neutral) out.push(x);
      else if (isRole(y) && x === neutral && op !== 'Sub' && op !== 'Div') out.push(y);
      else throw new RnnlensError(`ONNX import: ${where}: arithmetic on a runtime batch/time size is not supported`);
      continue;
    }
    let r = op === 'Add' ? x + y : op === 'Sub' ? x - y : op === 'Mul' ? x * y : x / y;
    if (op === 'Div' && !float) r = Math.trunc(r);
    out.push(r);
  }
  return make(float, shape, out);
}
