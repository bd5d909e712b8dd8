/**
 * Graph-layer ops lowered onto the smooth activations of ../relax/smooth-fns.ts (bounded by
 * ../relax/smooth.ts) and products:
 *
 *   Erf, Softplus, Exp, Sqrt, Reciprocal      one act node;
 *   Pow with a constant exponent 2, 0.5, −1, −0.5, 1   square, sqrt, recip, rsqrt act (1: a copy);
 *   Div by a value that depends on the input   recip act of the divisor, then the product (or an
 *                                              affine node when the dividend is constant);
 *   Elu, Selu   γ·(relu(x) + α·(exp(x − relu(x)) − 1)): relu and exp act nodes and affine nodes;
 *   LayerNormalization (over the axes from `axis`) as its decomposition: centred c = x − mean(x)
 *            (affine), v = mean(c²) + ε (square act, affine), r = 1/√v (rsqrt act), c·r (product),
 *            then scale and bias (affine) — the same pieces the decomposed export
 *            (ReduceMean, Sub, Pow, Sqrt, Div) lowers to;
 *   patterns on Mul of two values that depend on the input:
 *     x·Sigmoid(x)                     (SiLU / swish) one silu act node;
 *     x·(Erf(x / c) + 1)               (GELU, exact form) z = x/c, a gelu act node q(z) = z·(1 + erf z),
 *                                      then c·q (the export multiplies by 0.5 afterwards).
 */
import type { GNode } from '../../../nn/graph/rule.js';
import { broadcastIndex, broadcastShapes, numel } from '../../../nn/graph/nd.js';
import type { SmoothKind } from '../relax/smooth-fns.js';
import type { BoundGraph } from './graph.js';
import { affineFrom, isConst, materialize, nodeSym, type Sym } from './graph-sym.js';

export const SMOOTH_GRAPH_OPS = ['Erf', 'Softplus', 'Exp', 'Sqrt', 'Reciprocal', 'Pow', 'Elu', 'Selu', 'LayerNormalization', 'HardSwish'];

const UNARY: Record<string, SmoothKind> = { Erf: 'erf', Softplus: 'softplus', Exp: 'exp', Sqrt: 'sqrt', Reciprocal: 'recip' };
const POW: Record<string, SmoothKind | 'copy'> = { '2': 'square', '0.5': 'sqrt', '-1': 'recip', '-0.5': 'rsqrt', '1': 'copy' };
const SELU_ALPHA = 1.67326319217681884765625;
const SELU_GAMMA = 1.05070102214813232421875;

export type Refuse = (why: string) => never;

interface Ctx {
  g: BoundGraph;
  label: string;
  refuse: Refuse;
}

function act(c: Ctx, kind: SmoothKind | 'relu', x: Sym, what: string): Sym {
  const id = c.g.act(kind, materialize(c.g, x, `${c.label} ${what} in`), `${c.label} ${what}`);
  return nodeSym(id, [...x.shape]);
}

/** `s` broadcast to `shape`. */
function spread(s: Sym, shape: number[]): Sym {
  const m = broadcastIndex(s.shape, shape);
  return { shape, ref: Int32Array.from(m, (j) => s.ref[j]!), idx: Int32Array.from(m, (j) => s.idx[j]!), val: Float64Array.from(m, (j) => s.val[j]!), int: false };
}

/** Elementwise a·b of two symbolic values (a 'mul' product node), or an affine node when one is constant. */
export function times(c: Ctx, a: Sym, b: Sym, what: string): Sym {
  const shape = broadcastShapes([a.shape, b.shape], `graph op '${what}'`);
  const [sa, sb] = [spread(a, shape), spread(b, shape)];
  const m = numel(shape);
  if (isConst(sa) || isConst(sb)) {
    const [k, v] = isConst(sa) ? [sa, sb] : [sb, sa];
    const id = affineFrom(c.g, [v], m, (i, _k, j) => (i === j ? k.val[i]! : 0), new Float64Array(m), `${c.label} ${what}`);
    return nodeSym(id, shape);
  }
  const id = c.g.product('mul', materialize(c.g, sa, `${c.label} ${what} x`), materialize(c.g, sb, `${c.label} ${what} y`), `${c.label} ${what}`);
  return nodeSym(id, shape);
}

/** z = Σ_j w_j·x_j + b elementwise over parts of one node, as one affine node. */
function linear(c: Ctx, xs: Sym[], coef: number[], bias: number, what: string): Sym {
  const m = xs[0]!.ref.length;
  const id = affineFrom(c.g, xs, m, (i, k, j) => (i === j ? coef[k]! : 0), new Float64Array(m).fill(bias), `${c.label} ${what}`);
  return nodeSym(id, [...xs[0]!.shape]);
}

function scalarConst(s: Sym | null | undefined): number | null {
  if (!s || !isConst(s) || s.val.length === 0) return null;
  const v = s.val[0]!;
  return s.val.every((x) => x === v) ? v : null;
}

function attr(n: GNode, k: string, d: number): number {
  return typeof n.attrs[k] === 'number' ? (n.attrs[k] as number) : d;
}

function layerNorm(c: Ctx, n: GNode, ins: Array<Sym | null>): Sym {
  const x = ins[0]!;
  const [scale, bias] = [ins[1], ins[2]];
  if ((scale && !isConst(scale)) || (bias && !isConst(bias))) c.refuse('has a scale or bias that depends on the input');
  if (n.outputs.slice(1).some((o) => o)) c.refuse('returns its mean or inverse deviation');
  const r = x.shape.length;
  let axis = attr(n, 'axis', -1);
  if (axis < 0) axis += r;
  const inner = x.shape.slice(axis);
  const len = numel(inner);
  const rows = x.ref.length / len;
  const eps = attr(n, 'epsilon', 1e-5);
  const m = x.ref.length;
  const inv = 1 / len;
  // centred values: one affine node over x
  const cid = affineFrom(c.g, [x], m, (i, _k, j) => (Math.floor(i / len) === Math.floor(j / len) ? (i === j ? 1 : 0) - inv : 0), new Float64Array(m), `${c.label} ${n.name} centred`);
  const cs = nodeSym(cid, [...x.shape]);
  const sq = act(c, 'square', cs, `${n.name} square`);
  const vid = affineFrom(c.g, [sq], rows, (i, _k, j) => (Math.floor(j / len) === i ? inv : 0), new Float64Array(rows).fill(eps), `${c.label} ${n.name} variance`);
  const rs = act(c, 'rsqrt', nodeSym(vid, [rows]), `${n.name} rsqrt`);
  const rb: Sym = { shape: [...x.shape], ref: new Int32Array(m).fill(rs.ref[0]!), idx: Int32Array.from({ length: m }, (_, i) => Math.floor(i / len)), val: new Float64Array(m), int: false };
  const h = times(c, cs, rb, `${n.name} normalised`);
  const sc = scale ? spread(scale, inner) : null;
  const bi = bias ? spread(bias, inner) : null;
  const id = affineFrom(c.g, [h], m, (i, _k, j) => (i === j ? (sc ? sc.val[i % len]! : 1) : 0), Float64Array.from({ length: m }, (_, i) => (bi ? bi.val[i % len]! : 0)), `${c.label} ${n.name}`);
  return nodeSym(id, [...x.shape]);
}

function elu(c: Ctx, n: GNode, x: Sym): Sym {
  const selu = n.op === 'Selu';
  const alpha = attr(n, 'alpha', selu ? SELU_ALPHA : 1);
  const gamma = selu ? attr(n, 'gamma', SELU_GAMMA) : 1;
  const xn = nodeSym(materialize(c.g, x, `${c.label} ${n.name} in`), [...x.shape]);
  const r = act(c, 'relu', xn, `${n.name} relu`);
  const neg = linear(c, [xn, r], [1, -1], 0, `${n.name} min(x, 0)`);
  const e = act(c, 'exp', neg, `${n.name} exp`);
  return linear(c, [r, e], [gamma, gamma * alpha], -gamma * alpha, n.name);
}

/** The lowering of an op of SMOOTH_GRAPH_OPS (or Div by a value), or null when `n` is none of them. */
export function lowerSmoothOp(g: BoundGraph, label: string, n: GNode, ins: Array<Sym | null>, refuse: Refuse): Sym | null {
  const c: Ctx = { g, label, refuse };
  const x = ins[0]!;
  if (UNARY[n.op]) return act(c, UNARY[n.op]!, x, n.name);
  if (n.op === 'Pow') {
    if (!isConst(ins[1]!) || isConst(x)) refuse('raises to a power that depends on the input');
    const p = scalarConst(ins[1]);
    const kind = p === null ? undefined : POW[String(p)];
    if (!kind) refuse(`raises to the power ${p === null ? 'of a non-scalar tensor' : p}; bound rules exist for the exponents 2, 0.5, 1, −1 and −0.5`);
    if (kind === 'copy') return x;
    return act(c, kind, x, n.name);
  }
  if (n.op === 'Div' && ins[1] && !isConst(ins[1])) return times(c, x, act(c, 'recip', ins[1], `${n.name} reciprocal`), n.name);
  if (n.op === 'Elu' || n.op === 'Selu') return elu(c, n, x);
  if (n.op === 'LayerNormalization') return layerNorm(c, n, ins);
  return null;
}

/**
 * Mul of two values that depend on the input, recognised as SiLU or GELU from the nodes that
 * produced its operands (`producer`: value name → node); null when it is neither.
 */
export function lowerMulPattern(g: BoundGraph, label: string, n: GNode, vals: Map<string, Sym>, producer: Map<string, GNode>, refuse: Refuse): Sym | null {
  const c: Ctx = { g, label, refuse };
  const [a, b] = n.inputs;
  for (const [xName, other] of [
    [a!, b!],
    [b!, a!],
  ] as const) {
    const x = vals.get(xName)!;
    const p = producer.get(other);
    if (!p) continue;
    const sameShape = (s: Sym) => s.shape.length === x.shape.length && s.shape.every((d, i) => d === x.shape[i]);
    if (p.op === 'Sigmoid' && p.inputs[0] === xName) return act(c, 'silu', x, `${n.name} silu`);
    if (p.op !== 'Add') continue;
    const [e0, e1] = p.inputs;
    for (const [erfName, oneName] of [
      [e0!, e1!],
      [e1!, e0!],
    ] as const) {
      const pe = producer.get(erfName);
      if (pe?.op !== 'Erf' || scalarConst(vals.get(oneName)) !== 1) continue;
      const pd = producer.get(pe.inputs[0]!);
      if (pd?.op !== 'Div' || pd.inputs[0] !== xName) continue;
      const k = scalarConst(vals.get(pd.inputs[1]!));
      const z = vals.get(pe.inputs[0]!)!;
      if (k === null || k === 0 || !Number.isFinite(k) || !sameShape(z)) continue;
      const q = act(c, 'gelu', z, `${n.name} gelu`);
      return linear(c, [q], [k], 0, `${n.name} gelu·c`);
    }
  }
  return null;
}
