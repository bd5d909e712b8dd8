/**
 * Elementwise graph ops: unary activations and maths (with their derivatives), broadcasting
 * binary and variadic arithmetic, comparisons and logic (integer outputs, no gradient), Where.
 * Max/Min send the gradient to the first input holding the extremum.
 */
import { broadcastIndex, broadcastShapes, nd, scatterAdd, type Nd } from './nd.js';
import { attrNum, need, opError, type GNode, type OpRule } from './rule.js';

/** erf(x) to about 1e-15: Taylor series for |x| < 3, the continued fraction of erfc beyond. */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 3) {
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 100; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = a;
  for (let k = 60; k >= 1; k--) f = a + k / 2 / f;
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  return x > 0 ? 1 - erfc : erfc - 1;
}

type Unary = { f: (x: number, node: GNode) => number; d: (x: number, y: number, node: GNode) => number };

const SELU_ALPHA = 1.67326319217681884765625;
const SELU_GAMMA = 1.05070102214813232421875;

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

export const UNARY: Record<string, Unary> = {
  Relu: { f: (x) => (x > 0 ? x : 0), d: (x) => (x > 0 ? 1 : 0) },
  Tanh: { f: Math.tanh, d: (_x, y) => 1 - y * y },
  Sigmoid: { f: sigmoid, d: (_x, y) => y * (1 - y) },
  Exp: { f: Math.exp, d: (_x, y) => y },
  Log: { f: Math.log, d: (x) => 1 / x },
  Neg: { f: (x) => -x, d: () => -1 },
  Abs: { f: Math.abs, d: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0) },
  Sqrt: { f: Math.sqrt, d: (_x, y) => 0.5 / y },
  Reciprocal: { f: (x) => 1 / x, d: (_x, y) => -y * y },
  Erf: { f: erf, d: (x) => (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) },
  Softplus: { f: (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))), d: (x) => sigmoid(x) },
  Softsign: { f: (x) => x / (1 + Math.abs(x)), d: (x) => 1 / (1 + Math.abs(x)) ** 2 },
  LeakyRelu: { f: (x, n) => (x >= 0 ? x : attrNum(n, 'alpha', 0.01) * x), d: (x, _y, n) => (x >= 0 ? 1 : attrNum(n, 'alpha', 0.01)) },
  Elu: { f: (x, n) => (x >= 0 ? x : attrNum(n, 'alpha', 1) * Math.expm1(x)), d: (x, _y, n) => (x >= 0 ? 1 : attrNum(n, 'alpha', 1) * Math.exp(x)) },
  Selu: {
    f: (x, n) => attrNum(n, 'gamma', SELU_GAMMA) * (x > 0 ? x : attrNum(n, 'alpha', SELU_ALPHA) * Math.expm1(x)),
    d: (x, _y, n) => attrNum(n, 'gamma', SELU_GAMMA) * (x > 0 ? 1 : attrNum(n, 'alpha', SELU_ALPHA) * Math.exp(x)),
  },
  HardSigmoid: {
    f: (x, n) => Math.min(1, Math.max(0, attrNum(n, 'alpha', 0.2) * x + attrNum(n, 'beta', 0.5))),
    d: (x, _y, n) => {
      const v = attrNum(n, 'alpha', 0.2) * x + attrNum(n, 'beta', 0.5);
      return v > 0 && v < 1 ? attrNum(n, 'alpha', 0.2) : 0;
    },
  },
  HardSwish: { f: (x) => x * Math.min(1, Math.max(0, x / 6 + 0.5)), d: (x) => (x < -3 ? 0 : x > 3 ? 1 : x / 3 + 0.5) },
  Floor: { f: Math.floor, d: () => 0 },
  Ceil: { f: Math.ceil, d: () => 0 },
  Round: { f: (x) => { const r = Math.round(x); return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r; }, d: () => 0 },
  Sign: { f: Math.sign, d: () => 0 },
  Sin: { f: Math.sin, d: (x) => Math.cos(x) },
  Cos: { f: Math.cos, d: (x) => -Math.sin(x) },
};

function unaryRule(u: Unary): OpRule {
  return {
    forward(ins, node) {
      const x = need(node, ins, 0);
      const out = new Float64Array(x.data.length);
      for (let i = 0; i < out.length; i++) out[i] = u.f(x.data[i]!, node);
      return { outs: [{ shape: [...x.shape], data: out, int: x.int && (node.op === 'Neg' || node.op === 'Abs' || node.op === 'Relu' || node.op === 'Sign') }] };
    },
    backward(g, ins, f, node) {
      const x = ins[0]!;
      const y = f.outs[0]!;
      const gy = g[0]!;
      const out = new Float64Array(x.data.length);
      for (let i = 0; i < out.length; i++) out[i] = gy.data[i]! * u.d(x.data[i]!, y.data[i]!, node);
      return [{ shape: [...x.shape], data: out, int: false }];
    },
  };
}

/** Clip: bounds from attributes (opset < 11) or optional inputs 1 and 2. */
const clip: OpRule = {
  forward(ins, node, env) {
    const x = need(node, ins, 0);
    const lo = env.opset < 11 ? attrNum(node, 'min', -Infinity) : ins[1] ? ins[1].data[0]! : -Infinity;
    const hi = env.opset < 11 ? attrNum(node, 'max', Infinity) : ins[2] ? ins[2].data[0]! : Infinity;
    const out = new Float64Array(x.data.length);
    for (let i = 0; i < out.length; i++) out[i] = Math.min(hi, Math.max(lo, x.data[i]!));
    return { outs: [{ shape: [...x.shape], data: out, int: x.int }], saved: [lo, hi] };
  },
  backward(g, ins, f) {
    const [lo, hi] = f.saved as [number, number];
    const x = ins[0]!;
    const out = new Float64Array(x.data.length);
    for (let i = 0; i < out.length; i++) out[i] = x.data[i]! >= lo && x.data[i]! <= hi ? g[0]!.data[i]! : 0;
    return [{ shape: [...x.shape], data: out, int: false }, null, null];
  },
};

interface Bcast {
  shape: number[];
  maps: Int32Array[];
}

function bcast(node: GNode, xs: Nd[]): Bcast {
  const shape = broadcastShapes(xs.map((x) => x.shape), `graph op '${node.name}' (${node.op})`);
  return { shape, maps: xs.map((x) => broadcastIndex(x.shape, shape)) };
}

type Binary = { f: (a: number, b: number) => number; da: (a: number, b: number, y: number) => number; db: (a: number, b: number, y: number) => number };

const BINARY: Record<string, Binary> = {
  Add: { f: (a, b) => a + b, da: () => 1, db: () => 1 },
  Sub: { f: (a, b) => a - b, da: () => 1, db: () => -1 },
  Mul: { f: (a, b) => a * b, da: (_a, b) => b, db: (a) => a },
  Div: { f: (a, b) => a / b, da: (_a, b) => 1 / b, db: (a, b) => -a / (b * b) },
  Pow: { f: (a, b) => Math.pow(a, b), da: (a, b) => (b === 0 ? 0 : b * Math.pow(a, b - 1)), db: (a, _b, y) => (a > 0 ? y * Math.log(a) : 0) },
  PRelu: { f: (a, b) => (a >= 0 ? a : a * b), da: (a, b) => (a >= 0 ? 1 : b), db: (a) => (a >= 0 ? 0 : a) },
};

function binaryRule(op: Binary, name: string): OpRule {
  return {
    forward(ins, node) {
      const a = need(node, ins, 0);
      const b = need(node, ins, 1);
      const bc = bcast(node, [a, b]);
      const [ma, mb] = bc.maps as [Int32Array, Int32Array];
      const out = new Float64Array(ma.length);
      const intDiv = name === 'Div' && a.int && b.int;
      for (let i = 0; i < out.length; i++) {
        const v = op.f(a.data[ma[i]!]!, b.data[mb[i]!]!);
        out[i] = intDiv ? Math.trunc(v) : v;
      }
      return { outs: [{ shape: bc.shape, data: out, int: a.int && b.int }], saved: bc };
    },
    backward(g, ins, f) {
      const a = ins[0]!;
      const b = ins[1]!;
      const bc = f.saved as Bcast;
      const [ma, mb] = bc.maps as [Int32Array, Int32Array];
      const y = f.outs[0]!;
      const gy = g[0]!;
      const ga = new Float64Array(ma.length);
      const gb = new Float64Array(ma.length);
      for (let i = 0; i < ga.length; i++) {
        const av = a.data[ma[i]!]!;
        const bv = b.data[mb[i]!]!;
        ga[i] = gy.data[i]! * op.da(av, bv, y.data[i]!);
        gb[i] = gy.data[i]! * op.db(av, bv, y.data[i]!);
      }
      const wrap = (d: Float64Array): Nd => ({ shape: bc.shape, data: d, int: false });
      return [a.int ? null : scatterAdd(wrap(ga), ma, a.shape), b.int ? null : scatterAdd(wrap(gb), mb, b.shape)];
    },
  };
}

/** Sum, Mean, Max, Min over any number of broadcast inputs. */
function variadic(kind: 'Sum' | 'Mean' | 'Max' | 'Min'): OpRule {
  return {
    forward(ins, node) {
      const xs = ins.filter((x): x is Nd => x !== null);
      if (xs.length === 0) opError(node, 'needs at least one input');
      const bc = bcast(node, xs);
      const n = bc.maps[0]!.length;
      const out = new Float64Array(n);
      const pick = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        let v = xs[0]!.data[bc.maps[0]![i]!]!;
        for (let k = 1; k < xs.length; k++) {
          const w = xs[k]!.data[bc.maps[k]![i]!]!;
          if (kind === 'Sum' || kind === 'Mean') v += w;
          else if (kind === 'Max' ? w > v : w < v) {
            v = w;
            pick[i] = k;
          }
        }
        out[i] = kind === 'Mean' ? v / xs.length : v;
      }
      return { outs: [{ shape: bc.shape, data: out, int: xs.every((x) => x.int) }], saved: { bc, pick, xs } };
    },
    backward(g, ins, f) {
      const { bc, pick, xs } = f.saved as { bc: Bcast; pick: Int32Array; xs: Nd[] };
      const gy = g[0]!;
      let k = 0;
      return ins.map((x) => {
        if (!x) return null;
        const idx = k++;
        if (x.int) return null;
        const d = new Float64Array(gy.data.length);
        for (let i = 0; i < d.length; i++) {
          if (kind === 'Sum') d[i] = gy.data[i]!;
          else if (kind === 'Mean') d[i] = gy.data[i]! / xs.length;
          else d[i] = pick[i] === idx ? gy.data[i]! : 0;
        }
        return scatterAdd({ shape: bc.shape, data: d, int: false }, bc.maps[idx]!, x.shape);
      });
    },
  };
}

function compare(f: (a: number, b: number) => boolean): OpRule {
  return {
    forward(ins, node) {
      const a = need(node, ins, 0);
      const b = need(node, ins, 1);
      const bc = bcast(node, [a, b]);
      const [ma, mb] = bc.maps as [Int32Array, Int32Array];
      const out = new Float64Array(ma.length);
      for (let i = 0; i < out.length; i++) out[i] = f(a.data[ma[i]!]!, b.data[mb[i]!]!) ? 1 : 0;
      return { outs: [{ shape: bc.shape, data: out, int: true }] };
    },
    backward: (_g, ins) => ins.map(() => null),
  };
}

const not: OpRule = {
  forward(ins, node) {
    const x = need(node, ins, 0);
    return { outs: [nd(x.shape, Array.from(x.data, (v) => (v ? 0 : 1)), true)] };
  },
  backward: () => [null],
};

const where: OpRule = {
  forward(ins, node) {
    const c = need(node, ins, 0);
    const x = need(node, ins, 1);
    const y = need(node, ins, 2);
    const bc = bcast(node, [c, x, y]);
    const [mc, mx, my] = bc.maps as [Int32Array, Int32Array, Int32Array];
    const out = new Float64Array(mc.length);
    for (let i = 0; i < out.length; i++) out[i] = c.data[mc[i]!] ? x.data[mx[i]!]! : y.data[my[i]!]!;
    return { outs: [{ shape: bc.shape, data: out, int: x.int && y.int }], saved: bc };
  },
  backward(g, ins, f) {
    const bc = f.saved as Bcast;
    const [mc, mx, my] = bc.maps as [Int32Array, Int32Array, Int32Array];
    const c = ins[0]!;
    const gx = new Float64Array(mc.length);
    const gy = new Float64Array(mc.length);
    for (let i = 0; i < mc.length; i++) {
      if (c.data[mc[i]!]) gx[i] = g[0]!.data[i]!;
      else gy[i] = g[0]!.data[i]!;
    }
    const w = (d: Float64Array): Nd => ({ shape: bc.shape, data: d, int: false });
    return [null, ins[1]!.int ? null : scatterAdd(w(gx), mx, ins[1]!.shape), ins[2]!.int ? null : scatterAdd(w(gy), my, ins[2]!.shape)];
  },
};

export const ELEMENTWISE_OPS: Record<string, OpRule> = {
  ...Object.fromEntries(Object.entries(UNARY).map(([k, u]) => [k, unaryRule(u)])),
  ...Object.fromEntries(Object.entries(BINARY).map(([k, b]) => [k, binaryRule(b, k)])),
  Clip: clip,
  Sum: variadic('Sum'),
  Mean: variadic('Mean'),
  Max: variadic('Max'),
  Min: variadic('Min'),
  Equal: compare((a, b) => a === b),
  Less: compare((a, b) => a < b),
  Greater: compare((a, b) => a > b),
  LessOrEqual: compare((a, b) => a <= b),
  GreaterOrEqual: compare((a, b) => a >= b),
  And: compare((a, b) => a !== 0 && b !== 0),
  Or: compare((a, b) => a !== 0 || b !== 0),
  Xor: compare((a, b) => (a !== 0) !== (b !== 0)),
  Not: not,
  Where: where,
};
