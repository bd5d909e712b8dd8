/**
 * Graph layers (src/nn/graph/layer.ts) in the certification pass, for one sequence (B = 1).
 * Every element of a graph value is either a constant or a reference to one coordinate of a bound
 * graph node; ops lower by kind:
 *   copies   (Transpose, Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout, Slice, Gather
 *            with constant indices, Tile, Expand, Concat, Split, Pad): move references, no node;
 *   affine   (Add, Sub, Neg, Sum, Mean, Mul/Div by constants, MatMul/Gemm with one constant side,
 *            Conv, ConvTranspose, BatchNormalization, ReduceMean, ReduceSum, AveragePool,
 *            GlobalAveragePool, Where with a constant condition): one affine node, its W and b
 *            read off the op's own forward rule (y = A·x + c from unit vectors);
 *   activations Relu, Tanh, Sigmoid (one act node), LeakyRelu = (1−α)·relu(x) + α·x,
 *            Clip = lo + relu(x − lo) − relu(x − hi), HardSigmoid = Clip(αx + β, 0, 1);
 *   maxima   ReduceMax, MaxPool, GlobalMaxPool, Max: a max node over candidate selections;
 *   products Mul of two non-constant values: a 'mul' product node (x·Sigmoid(x) and
 *            x·(Erf(x/c) + 1) become one silu / gelu act node), HardSwish = x·HardSigmoid(x);
 *   smooth   Erf, Softplus, Exp, Sqrt, Reciprocal, Pow (exponents 2, ½, 1, −1, −½), Div by a
 *            value, Elu, Selu, LayerNormalization: ./graph-smooth.ts;
 *   integer and shape ops on constants (Shape of a value is its known shape) run concretely.
 * Any other op is refused with its name: certification needs a bound rule for it.
 */
import { RnnlensError } from '../../../core/errors.js';
import type { GraphLayer } from '../../../nn/graph/layer.js';
import type { Layer } from '../../../nn/layer.js';
import { broadcastIndex, broadcastShapes, nd, numel, transposeIndex, type Nd } from '../../../nn/graph/nd.js';
import { GRAPH_OPS } from '../../../nn/graph/ops.js';
import type { GNode } from '../../../nn/graph/rule.js';
import type { BoundGraph, LFlow } from './graph.js';
import { lowerMulPattern, lowerSmoothOp, SMOOTH_GRAPH_OPS, times } from './graph-smooth.js';
import { affineFrom, constSym, isConst, materialize, nodeSym, toNd, type Sym } from './graph-sym.js';

const COPY = new Set(['Transpose', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity', 'Dropout', 'Slice', 'Gather', 'Tile', 'Expand', 'Concat', 'Split', 'Pad']);
const AFFINE = new Set(['Add', 'Sub', 'Neg', 'Sum', 'Mean', 'Mul', 'Div', 'MatMul', 'Gemm', 'Conv', 'ConvTranspose', 'BatchNormalization', 'ReduceMean', 'ReduceSum', 'AveragePool', 'GlobalAveragePool', 'Where']);
const ACT: Record<string, 'relu' | 'tanh' | 'sigmoid'> = { Relu: 'relu', Tanh: 'tanh', Sigmoid: 'sigmoid' };
/** Inputs of these ops that must be constant for the op to be affine (besides the data). */
const CONST_ONLY: Record<string, number[]> = { Div: [1], Conv: [1, 2], ConvTranspose: [1, 2], BatchNormalization: [1, 2, 3, 4], Where: [0] };

export const GRAPH_BOUND_OPS = [...COPY, ...AFFINE, ...Object.keys(ACT), ...SMOOTH_GRAPH_OPS, 'LeakyRelu', 'Clip', 'HardSigmoid', 'ReduceMax', 'MaxPool', 'GlobalMaxPool', 'Max', 'Shape', 'Size'].sort();

function refuse(layer: string, n: GNode, why: string): never {
  throw new RnnlensError(`certify: graph layer ${layer}: op '${n.name}' (${n.op}) ${why}; bound rules exist for ${GRAPH_BOUND_OPS.join(', ')}`);
}

/** Runs a copy op on element positions to find where every output element comes from. */
function copyOp(n: GNode, ins: Array<Sym | null>, env: { opset: number }): Sym[] {
  // data inputs: 0 (all), and for Concat every input; others are constant parameters of the op
  const dataIdx = n.op === 'Concat' ? ins.map((_, i) => i) : [0];
  const pool: Sym[] = [];
  let base = 1;
  const enc = ins.map((s, i) => {
    if (!s) return null;
    if (!dataIdx.includes(i)) return toNd(s);
    pool.push(s);
    const e = nd(s.shape, Float64Array.from({ length: s.ref.length }, (_, j) => base + j));
    base += s.ref.length;
    return e;
  });
  if (n.op === 'Pad' && enc[2]) enc[2] = nd(enc[2].shape, [0]);
  const outs = GRAPH_OPS[n.op]!.forward(enc, n, env).outs;
  const fill = n.op === 'Pad' && ins[2] ? ins[2].val[0]! : 0;
  const lookup = (code: number): [number, number, number] => {
    let c = code - 1;
    for (const s of pool) {
      if (c < s.ref.length) return [s.ref[c]!, s.idx[c]!, s.val[c]!];
      c -= s.ref.length;
    }
    throw new Error('copy op position out of range');
  };
  return outs.map((o) => {
    const m = o.data.length;
    const out: Sym = { shape: [...o.shape], ref: new Int32Array(m), idx: new Int32Array(m), val: new Float64Array(m), int: pool.every((p) => p.int) };
    for (let i = 0; i < m; i++) {
      const code = o.data[i]!;
      if (code === 0) {
        out.ref[i] = -1;
        out.val[i] = fill;
      } else {
        const [r, j, v] = lookup(code);
        out.ref[i] = r;
        out.idx[i] = j;
        out.val[i] = v;
      }
    }
    return out;
  });
}

/** y = A·x + c of an op affine in its symbolic inputs, read off its forward rule. */
function affineOp(g: BoundGraph, layer: string, n: GNode, ins: Array<Sym | null>, env: { opset: number }): Sym {
  const symIdx = ins.flatMap((s, i) => (s && !isConst(s) ? [i] : []));
  for (const i of CONST_ONLY[n.op] ?? []) if (symIdx.includes(i)) refuse(layer, n, `is not affine when input ${i} depends on the input`);
  if ((n.op === 'Mul' || n.op === 'MatMul' || n.op === 'Gemm') && symIdx.filter((i) => i < 2).length > 1) {
    if (n.op !== 'Mul') refuse(layer, n, 'multiplies two values that both depend on the input');
  }
  const base = ins.map((s) => (s ? toNd(s) : null));
  const zero = base.map((x, i) => (x && symIdx.includes(i) ? { ...x, data: new Float64Array(x.data.length) } : x));
  const c0 = GRAPH_OPS[n.op]!.forward(zero, n, env).outs[0]!;
  const size = c0.data.length;
  const cols = symIdx.map((i) => ins[i]!.ref.length);
  const A: Float64Array[] = symIdx.map((_, k) => new Float64Array(size * cols[k]!));
  symIdx.forEach((i, k) => {
    for (let j = 0; j < cols[k]!; j++) {
      const e = zero.map((x) => x);
      const unit = new Float64Array(cols[k]!);
      unit[j] = 1;
      e[i] = { ...zero[i]!, data: unit };
      const y = GRAPH_OPS[n.op]!.forward(e, n, env).outs[0]!;
      for (let r = 0; r < size; r++) A[k]![r * cols[k]! + j] = y.data[r]! - c0.data[r]!;
    }
  });
  const xs = symIdx.map((i) => ins[i]!);
  const id = affineFrom(g, xs, size, (r, k, j) => A[k]![r * cols[k]! + j]!, c0.data, `${layer} ${n.name}`);
  return nodeSym(id, [...c0.shape]);
}

/** max over candidate element lists (padded with repeats to a common count). */
function maxOver(g: BoundGraph, x: Sym, cand: number[][], shape: number[], label: string): Sym {
  const K = Math.max(...cand.map((c) => c.length));
  const m = cand.length;
  const srcs: number[] = [];
  for (let k = 0; k < K; k++) {
    const pick = cand.map((c) => c[Math.min(k, c.length - 1)]!);
    const s: Sym = { shape: [m], ref: Int32Array.from(pick, (p) => x.ref[p]!), idx: Int32Array.from(pick, (p) => x.idx[p]!), val: Float64Array.from(pick, (p) => x.val[p]!), int: false };
    srcs.push(materialize(g, s, `${label} candidate ${k}`));
  }
  return nodeSym(K === 1 ? srcs[0]! : g.max(srcs, label), shape);
}

function maxCandidates(n: GNode, ins: Array<Sym | null>, env: { opset: number }): { cand: number[][]; shape: number[] } {
  const x = ins[0]!;
  // where every output element's window lies: run the op on each single input element's indicator
  const enc = nd(x.shape, Float64Array.from({ length: x.ref.length }, (_, j) => j));
  if (n.op === 'ReduceMax' || n.op === 'GlobalMaxPool' || n.op === 'MaxPool') {
    const probe = GRAPH_OPS[n.op]!.forward([enc, ...ins.slice(1).map((s) => (s ? toNd(s) : null))], n, env);
    const m = probe.outs[0]!.data.length;
    const cand: number[][] = Array.from({ length: m }, () => []);
    for (let j = 0; j < x.ref.length; j++) {
      const e = nd(x.shape, new Float64Array(x.ref.length).fill(-1));
      e.data[j] = 1;
      const y = GRAPH_OPS[n.op]!.forward([e, ...ins.slice(1).map((s) => (s ? toNd(s) : null))], n, env).outs[0]!;
      for (let i = 0; i < m; i++) if (y.data[i] === 1) cand[i]!.push(j);
    }
    return { cand, shape: [...probe.outs[0]!.shape] };
  }
  throw new Error(n.op);
}

export function lowerGraphLayer(layer: Layer, input: LFlow, g: BoundGraph): LFlow {
  const L = layer as GraphLayer;
  const cfg = L.config();
  const env = { opset: cfg.opset };
  const vals = new Map<string, Sym>();
  for (const [k, c] of Object.entries(cfg.consts)) vals.set(k, constSym(nd(c.shape, c.data, c.int)));
  for (const p of L.parameters()) vals.set(p.name.slice(L.name.length + 1), constSym(nd(p.shape, p.value)));
  // bind the flow (B = 1)
  const T = input.kind === 'seq' ? input.steps.length : 1;
  const F = L.inputFeatures;
  for (const b of cfg.inputs) {
    if (b.source === 'cell') throw new RnnlensError(`certify: graph layer ${L.name} reads the final cell state of the previous LSTM layer (ONNX Y_c), which the certification pass does not bound`);
    if (b.source === 'mask') {
      vals.set(b.value, constSym(nd([1, T], new Array<number>(T).fill(1))));
      continue;
    }
    const canon = (t: number, f: number): [number, number] => [input.kind === 'seq' ? input.steps[t]! : input.node, f];
    const last = b.source === 'last';
    if ((b.source === 'flat') !== (input.kind === 'flat')) throw new RnnlensError(`certify: graph layer ${L.name}: its input binding '${b.value}' does not fit the previous layer's output`);
    const labels = ['B', ...(b.axes.includes('T') ? ['T'] : []), ...b.featureDims.map((_, i) => `F${i}`).filter((l) => b.axes.includes(l))];
    const steps = last ? 1 : T;
    const cShape = labels.map((l) => (l === 'B' ? 1 : l === 'T' ? steps : b.featureDims[Number(l.slice(1))]!));
    const n = steps * F;
    const ref = new Int32Array(n);
    const idx = new Int32Array(n);
    for (let t = 0; t < steps; t++)
      for (let f = 0; f < F; f++) {
        let tt = t;
        if (last) tt = f < F / b.featureDims[0]! ? T - 1 : 0;
        else if (b.reversed) tt = T - 1 - t;
        const [r, i] = canon(tt, f);
        ref[t * F + f] = r;
        idx[t * F + f] = i;
      }
    const tr = transposeIndex(cShape, b.axes.map((a) => labels.indexOf(a)));
    vals.set(b.value, { shape: tr.shape, ref: Int32Array.from(tr.map, (m) => ref[m]!), idx: Int32Array.from(tr.map, (m) => idx[m]!), val: new Float64Array(tr.map.length), int: false });
  }
  const producer = new Map<string, GNode>();
  for (const n of L.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  for (const n of L.nodes) {
    const ins = n.inputs.map((i) => (i ? vals.get(i)! : null));
    let outs: Sym[];
    if (ins.every((s) => !s || isConst(s))) {
      outs = GRAPH_OPS[n.op]!.forward(ins.map((s) => (s ? toNd(s) : null)), n, env).outs.map(constSym);
    } else if (n.op === 'Shape' || n.op === 'Size') {
      outs = GRAPH_OPS[n.op]!.forward([nd(ins[0]!.shape)], n, env).outs.map(constSym);
    } else if (COPY.has(n.op)) {
      outs = copyOp(n, ins, env);
    } else if (n.op === 'Mul' && ins.filter((s) => s && !isConst(s)).length === 2) {
      const no = (why: string) => refuse(L.name, n, why);
      outs = [lowerMulPattern(g, L.name, n, vals, producer, no) ?? times({ g, label: L.name, refuse: no }, ins[0]!, ins[1]!, n.name)];
    } else if (n.op === 'HardSwish') {
      const hs = piecewise(g, L.name, { ...n, op: 'HardSigmoid', attrs: { alpha: 1 / 6, beta: 0.5 } }, ins, env);
      outs = [times({ g, label: L.name, refuse: (why) => refuse(L.name, n, why) }, ins[0]!, hs, n.name)];
    } else if (SMOOTH_GRAPH_OPS.includes(n.op) || (n.op === 'Div' && ins[1] && !isConst(ins[1]))) {
      outs = [lowerSmoothOp(g, L.name, n, ins, (why) => refuse(L.name, n, why))!];
    } else if (AFFINE.has(n.op)) {
      outs = [affineOp(g, L.name, n, ins, env)];
    } else if (ACT[n.op]) {
      const x = ins[0]!;
      outs = [nodeSym(g.act(ACT[n.op]!, materialize(g, x, `${L.name} ${n.name} in`), `${L.name} ${n.name}`), [...x.shape])];
    } else if (n.op === 'LeakyRelu' || n.op === 'Clip' || n.op === 'HardSigmoid') {
      outs = [piecewise(g, L.name, n, ins, env)];
    } else if (n.op === 'ReduceMax' || n.op === 'MaxPool' || n.op === 'GlobalMaxPool') {
      if (n.outputs.length > 1 && n.outputs[1]) refuse(L.name, n, 'returns indices');
      const { cand, shape } = maxCandidates(n, ins, env);
      outs = [maxOver(g, ins[0]!, cand, shape, `${L.name} ${n.name}`)];
    } else if (n.op === 'Max') {
      const xs = ins.filter((s): s is Sym => s !== null);
      const shape = broadcastShapes(xs.map((s) => s.shape), `graph op '${n.name}'`);
      const srcs = xs.map((s) => {
        const m = broadcastIndex(s.shape, shape);
        return materialize(g, { shape, ref: Int32Array.from(m, (j) => s.ref[j]!), idx: Int32Array.from(m, (j) => s.idx[j]!), val: Float64Array.from(m, (j) => s.val[j]!), int: false }, `${L.name} ${n.name} operand`);
      });
      outs = [nodeSym(g.max(srcs, `${L.name} ${n.name}`), shape)];
    } else refuse(L.name, n, 'has no bound rule');
    n.outputs.forEach((o, k) => o && outs[k] && vals.set(o, outs[k]!));
  }
  // the output value as a flow
  const y = vals.get(cfg.output.value)!;
  const axes = cfg.output.axes;
  const order = ['B', ...(axes.includes('T') ? ['T'] : []), ...axes.filter((a) => a.startsWith('F'))];
  const tr = transposeIndex(y.shape, order.map((a) => axes.indexOf(a)));
  const flat: Sym = { shape: [tr.map.length], ref: Int32Array.from(tr.map, (m) => y.ref[m]!), idx: Int32Array.from(tr.map, (m) => y.idx[m]!), val: Float64Array.from(tr.map, (m) => y.val[m]!), int: false };
  const Fo = L.outputFeatures;
  const part = (t: number): Sym => ({ shape: [Fo], ref: flat.ref.slice(t * Fo, (t + 1) * Fo), idx: flat.idx.slice(t * Fo, (t + 1) * Fo), val: flat.val.slice(t * Fo, (t + 1) * Fo), int: false });
  if (!axes.includes('T')) return { kind: 'flat', node: materialize(g, part(0), `${L.name} output`) };
  const To = tr.map.length / Fo;
  return { kind: 'seq', steps: Array.from({ length: To }, (_, t) => materialize(g, part(t), `${L.name} output[${t}]`)) };
}

/** LeakyRelu, Clip and HardSigmoid as affine combinations of ReLUs. */
function piecewise(g: BoundGraph, layer: string, n: GNode, ins: Array<Sym | null>, env: { opset: number }): Sym {
  const x = ins[0]!;
  const m = x.ref.length;
  const num = (k: string, d: number) => (typeof n.attrs[k] === 'number' ? (n.attrs[k] as number) : d);
  let scale = 1;
  let shift = 0;
  let lo: number;
  let hi: number;
  if (n.op === 'LeakyRelu') {
    const a = num('alpha', 0.01);
    const xn = materialize(g, x, `${layer} ${n.name} in`);
    const r = g.act('relu', xn, `${layer} ${n.name} relu`);
    const W = new Float64Array(m * 2 * m);
    for (let i = 0; i < m; i++) {
      W[i * 2 * m + i] = 1 - a;
      W[i * 2 * m + m + i] = a;
    }
    return nodeSym(g.affine([r, xn], W, new Float64Array(m), m, `${layer} ${n.name}`), [...x.shape]);
  }
  if (n.op === 'Clip') {
    lo = env.opset < 11 ? num('min', -Infinity) : ins[1] && isConst(ins[1]) ? ins[1].val[0]! : ins[1] ? refuse(layer, n, 'has bounds that depend on the input') : -Infinity;
    hi = env.opset < 11 ? num('max', Infinity) : ins[2] && isConst(ins[2]) ? ins[2].val[0]! : ins[2] ? refuse(layer, n, 'has bounds that depend on the input') : Infinity;
  } else {
    scale = num('alpha', 0.2);
    shift = num('beta', 0.5);
    lo = 0;
    hi = 1;
  }
  // z = scale·x + shift; y = lo + relu(z − lo) − relu(z − hi) (a missing bound drops its term)
  const xn = materialize(g, x, `${layer} ${n.name} in`);
  const terms: number[] = [];
  const coef: number[] = [];
  let bias: number;
  const pre = (c: number) => {
    const W = new Float64Array(m * m);
    for (let i = 0; i < m; i++) W[i * m + i] = scale;
    return g.affine([xn], W, new Float64Array(m).fill(shift - c), m, `${layer} ${n.name} z−${c}`);
  };
  if (Number.isFinite(lo)) {
    terms.push(g.act('relu', pre(lo), `${layer} ${n.name} relu lo`));
    coef.push(1);
    bias = lo;
  } else {
    terms.push(xn);
    coef.push(scale);
    bias = shift;
  }
  if (Number.isFinite(hi)) {
    terms.push(g.act('relu', pre(hi), `${layer} ${n.name} relu hi`));
    coef.push(-1);
  }
  const W = new Float64Array(m * terms.length * m);
  for (let i = 0; i < m; i++) terms.forEach((_, k) => (W[i * terms.length * m + k * m + i] = coef[k]!));
  return nodeSym(g.affine(terms, W, new Float64Array(m).fill(bias), m, `${layer} ${n.name}`), [...x.shape]);
}
