/**
 * Reductions over axes (ReduceMean/Sum/Max/Min/Prod/SumSquare/L2/LogSumExp, ArgMax/ArgMin) and
 * Softmax/LogSoftmax. Axes come from the `axes` attribute, or from input 1 for ReduceSum from
 * opset 13 and for the other reductions from opset 18; keepdims defaults to 1. Max/Min send the
 * gradient to the first extremal element. Softmax before opset 13 flattens to 2-D at `axis`.
 */
import { ints, normAxis, numel, type Nd } from './nd.js';
import { attrInts, attrNum, need, type GNode, type OpEnv, type OpRule } from './rule.js';

/** Splits `shape` into (outer, reduced, inner) index groups over a set of axes. */
interface Plan {
  outShape: number[];
  keptShape: number[];
  /** For each input flat index, the output flat index it reduces into. */
  dest: Int32Array;
  count: number;
}

function plan(x: Nd, axes: number[] | undefined, keep: boolean, noopEmpty: boolean, where: string): Plan {
  const r = x.shape.length;
  const set = new Set(axes && axes.length ? axes.map((a) => normAxis(a, r, where)) : noopEmpty ? [] : x.shape.map((_, i) => i));
  const keptShape = x.shape.map((d, i) => (set.has(i) ? 1 : d));
  const outShape = keep ? keptShape : x.shape.filter((_, i) => !set.has(i));
  const n = x.data.length;
  const dest = new Int32Array(n);
  const idx = new Array<number>(r).fill(0);
  const kStr = new Array<number>(r).fill(1);
  for (let i = r - 2; i >= 0; i--) kStr[i] = kStr[i + 1]! * keptShape[i + 1]!;
  for (let i = 0; i < n; i++) {
    let o = 0;
    for (let a = 0; a < r; a++) if (!set.has(a)) o += idx[a]! * kStr[a]!;
    dest[i] = o;
    for (let a = r - 1; a >= 0; a--) {
      if (++idx[a]! < x.shape[a]!) break;
      idx[a] = 0;
    }
  }
  const count = numel(x.shape) / Math.max(1, numel(keptShape));
  return { outShape, keptShape, dest, count };
}

type Kind = 'mean' | 'sum' | 'max' | 'min' | 'prod' | 'sumsq' | 'l2' | 'l1' | 'lse';

function reduceAxes(node: GNode, ins: Array<Nd | null>, env: OpEnv, inputFrom: number): number[] | undefined {
  if (env.opset >= inputFrom) return ins[1] ? ints(ins[1]) : undefined;
  return attrInts(node, 'axes');
}

function reduceRule(kind: Kind, inputFrom: number): OpRule {
  return {
    forward(ins, node, env) {
      const x = need(node, ins, 0);
      const p = plan(x, reduceAxes(node, ins, env, inputFrom), attrNum(node, 'keepdims', 1) === 1, attrNum(node, 'noop_with_empty_axes', 0) === 1, `graph op '${node.name}' (${node.op})`);
      const m = numel(p.outShape);
      const acc = new Float64Array(m).fill(kind === 'max' ? -Infinity : kind === 'min' ? Infinity : kind === 'prod' ? 1 : 0);
      const pick = new Int32Array(m).fill(-1);
      let shift: Float64Array | null = null;
      if (kind === 'lse') {
        shift = new Float64Array(m).fill(-Infinity);
        for (let i = 0; i < x.data.length; i++) shift[p.dest[i]!] = Math.max(shift[p.dest[i]!]!, x.data[i]!);
      }
      for (let i = 0; i < x.data.length; i++) {
        const o = p.dest[i]!;
        const v = x.data[i]!;
        if (kind === 'max' || kind === 'min') {
          if (kind === 'max' ? v > acc[o]! : v < acc[o]!) {
            acc[o] = v;
            pick[o] = i;
          }
        } else if (kind === 'prod') acc[o] *= v;
        else if (kind === 'sumsq' || kind === 'l2') acc[o] += v * v;
        else if (kind === 'l1') acc[o] += Math.abs(v);
        else if (kind === 'lse') acc[o] += Math.exp(v - shift![o]!);
        else acc[o] += v;
      }
      for (let o = 0; o < m; o++) {
        if (kind === 'mean') acc[o] = acc[o]! / p.count;
        else if (kind === 'l2') acc[o] = Math.sqrt(acc[o]!);
        else if (kind === 'lse') acc[o] = Math.log(acc[o]!) + shift![o]!;
      }
      return { outs: [{ shape: p.outShape, data: acc, int: x.int && kind !== 'mean' && kind !== 'l2' && kind !== 'lse' }], saved: { p, pick } };
    },
    backward(g, ins, f) {
      const x = ins[0]!;
      const { p, pick } = f.saved as { p: Plan; pick: Int32Array };
      const y = f.outs[0]!.data;
      const gy = g[0]!.data;
      const d = new Float64Array(x.data.length);
      for (let i = 0; i < d.length; i++) {
        const o = p.dest[i]!;
        const v = x.data[i]!;
        switch (kind) {
          case 'mean': d[i] = gy[o]! / p.count; break;
          case 'sum': d[i] = gy[o]!; break;
          case 'max': case 'min': d[i] = pick[o] === i ? gy[o]! : 0; break;
          case 'prod': d[i] = v !== 0 ? (gy[o]! * y[o]!) / v : 0; break;
          case 'sumsq': d[i] = 2 * v * gy[o]!; break;
          case 'l2': d[i] = y[o]! > 0 ? (v / y[o]!) * gy[o]! : 0; break;
          case 'l1': d[i] = Math.sign(v) * gy[o]!; break;
          case 'lse': d[i] = Math.exp(v - y[o]!) * gy[o]!; break;
        }
      }
      return [{ shape: [...x.shape], data: d, int: false }, null];
    },
  };
}

/** Rows of a softmax: `outer` × `n` × `inner` with the softmax over the middle index. */
export function softmaxGeom(x: Nd, node: GNode, env: OpEnv): { outer: number; n: number; inner: number } {
  const r = x.shape.length;
  const axis = normAxis(attrNum(node, 'axis', env.opset < 13 ? 1 : -1), r, `graph op '${node.name}' (${node.op})`);
  if (env.opset < 13) return { outer: numel(x.shape.slice(0, axis)), n: numel(x.shape.slice(axis)), inner: 1 };
  return { outer: numel(x.shape.slice(0, axis)), n: x.shape[axis]!, inner: numel(x.shape.slice(axis + 1)) };
}

function softmaxRule(log: boolean): OpRule {
  return {
    forward(ins, node, env) {
      const x = need(node, ins, 0);
      const { outer, n, inner } = softmaxGeom(x, node, env);
      const out = new Float64Array(x.data.length);
      for (let o = 0; o < outer; o++)
        for (let k = 0; k < inner; k++) {
          const at = (j: number) => (o * n + j) * inner + k;
          let m = -Infinity;
          for (let j = 0; j < n; j++) m = Math.max(m, x.data[at(j)]!);
          let s = 0;
          for (let j = 0; j < n; j++) s += Math.exp(x.data[at(j)]! - m);
          const ls = Math.log(s) + m;
          for (let j = 0; j < n; j++) out[at(j)] = log ? x.data[at(j)]! - ls : Math.exp(x.data[at(j)]! - ls);
        }
      return { outs: [{ shape: [...x.shape], data: out, int: false }] };
    },
    backward(g, ins, f, node, env) {
      const x = ins[0]!;
      const y = f.outs[0]!.data;
      const gy = g[0]!.data;
      const { outer, n, inner } = softmaxGeom(x, node, env);
      const d = new Float64Array(x.data.length);
      for (let o = 0; o < outer; o++)
        for (let k = 0; k < inner; k++) {
          const at = (j: number) => (o * n + j) * inner + k;
          if (log) {
            let s = 0;
            for (let j = 0; j < n; j++) s += gy[at(j)]!;
            for (let j = 0; j < n; j++) d[at(j)] = gy[at(j)]! - Math.exp(y[at(j)]!) * s;
          } else {
            let s = 0;
            for (let j = 0; j < n; j++) s += gy[at(j)]! * y[at(j)]!;
            for (let j = 0; j < n; j++) d[at(j)] = y[at(j)]! * (gy[at(j)]! - s);
          }
        }
      return [{ shape: [...x.shape], data: d, int: false }];
    },
  };
}

function argRule(max: boolean): OpRule {
  return {
    forward(ins, node) {
      const x = need(node, ins, 0);
      const r = x.shape.length;
      const axis = normAxis(attrNum(node, 'axis', 0), r, `graph op '${node.name}' (${node.op})`);
      const last = attrNum(node, 'select_last_index', 0) === 1;
      const outer = numel(x.shape.slice(0, axis));
      const n = x.shape[axis]!;
      const inner = numel(x.shape.slice(axis + 1));
      const out = new Float64Array(outer * inner);
      for (let o = 0; o < outer; o++)
        for (let k = 0; k < inner; k++) {
          let best = 0;
          for (let j = 1; j < n; j++) {
            const v = x.data[(o * n + j) * inner + k]!;
            const b = x.data[(o * n + best) * inner + k]!;
            if (max ? v > b || (last && v === b) : v < b || (last && v === b)) best = j;
          }
          out[o * inner + k] = best;
        }
      const shape = attrNum(node, 'keepdims', 1) === 1 ? x.shape.map((d, i) => (i === axis ? 1 : d)) : x.shape.filter((_, i) => i !== axis);
      return { outs: [{ shape, data: out, int: true }] };
    },
    backward: () => [null],
  };
}

export const REDUCE_OPS: Record<string, OpRule> = {
  ReduceMean: reduceRule('mean', 18),
  ReduceSum: reduceRule('sum', 13),
  ReduceMax: reduceRule('max', 18),
  ReduceMin: reduceRule('min', 18),
  ReduceProd: reduceRule('prod', 18),
  ReduceSumSquare: reduceRule('sumsq', 18),
  ReduceL2: reduceRule('l2', 18),
  ReduceL1: reduceRule('l1', 18),
  ReduceLogSumExp: reduceRule('lse', 18),
  Softmax: softmaxRule(false),
  LogSoftmax: softmaxRule(true),
  ArgMax: argRule(true),
  ArgMin: argRule(false),
};
