/**
 * Arithmetic and recurrent ONNX ops. Gemm/MatMul with a constant weight become Dense layers
 * (y = x·K + b, K [in, out]); Add/Sub/Mul/Div with a constant fold into the preceding Dense or
 * become a diagonal Dense; Relu/Tanh/Sigmoid set a Dense's activation (or follow an identity
 * Dense); Softmax is allowed as the model's last op. RNN/LSTM/GRU read their weights (rnn.ts)
 * and return recurrent outputs whose use decides the layer (lifter.ts `commit`).
 */
import { binaryConst, numbers } from './consts.js';
import { fail, type Lifter, type NodeHandler } from './lifter.js';
import type { OnnxNode } from './parse.js';
import { readRnnNode } from './rnn.js';
import { describeVal, type Axis, type ConstVal, type FlowVal, type RnnVal, type StateSource } from './values.js';

function attr<T>(node: OnnxNode, name: string, def: T): T extends number ? number : T extends string ? string : T {
  const a = node.attributes.get(name);
  return (a === undefined || a === null ? def : a) as never;
}

function floats(c: ConstVal, node: OnnxNode): Float64Array {
  return Float64Array.from(numbers(c, `node '${node.name}'`));
}

/** A constant that broadcasts along the last axis of width n: returns its n values. */
function perFeature(c: ConstVal, n: number, node: OnnxNode): Float64Array {
  const size = c.shape.reduce((a, b) => a * b, 1);
  const lastOk = c.shape.length === 0 || c.shape.slice(0, -1).every((d) => d === 1);
  if (!lastOk || (size !== 1 && size !== n)) fail(node, `constant of shape [${c.shape.join(', ')}] does not act per feature on ${n} features`);
  const v = floats(c, node);
  return size === n ? v : new Float64Array(n).fill(v[0]!);
}

function identity(n: number, diag?: Float64Array): Float64Array {
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) k[i * n + i] = diag ? diag[i]! : 1;
  return k;
}

const gemm: NodeHandler = (l, node) => {
  const x = l.flow(l.need(node, 0), node);
  if (attr(node, 'transA', 0) !== 0) fail(node, 'transA=1 (transposed activations) is not supported');
  const B = l.constInput(node, 1);
  if (!B || B.shape.length !== 2) fail(node, 'needs a constant 2-D weight B');
  const alpha = attr(node, 'alpha', 1);
  const beta = attr(node, 'beta', 1);
  const transB = attr(node, 'transB', 0) === 1;
  const [r, c] = B.shape as [number, number];
  const [K, N] = transB ? [c, r] : [r, c];
  if (l.features(x, node) !== K) fail(node, `weight expects ${K} input features, the activations have ${l.features(x, node)}`);
  const w = floats(B, node);
  const kernel = new Float64Array(K * N);
  for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) kernel[k * N + n] = alpha * (transB ? w[n * K + k]! : w[k * N + n]!);
  const C = l.constInput(node, 2);
  const bias = C ? perFeature(C, N, node).map((v) => v * beta) : new Float64Array(N);
  return [l.dense(x, node, kernel, bias)];
};

const matmul: NodeHandler = (l, node) => {
  const x = l.flow(l.need(node, 0), node);
  const B = l.constInput(node, 1);
  if (!B || B.shape.length !== 2 || !B.float) fail(node, 'supported only as activations × constant 2-D weight');
  const [K, N] = B.shape as [number, number];
  if (l.features(x, node) !== K) fail(node, `weight expects ${K} input features, the activations have ${l.features(x, node)}`);
  return [l.dense(x, node, floats(B, node), new Float64Array(N))];
};

/** Folds y = x ⊙ s + t (per feature) into the last Dense, or appends a diagonal Dense. */
function affine(l: Lifter, node: OnnxNode, x: FlowVal, scale: Float64Array | null, shift: Float64Array | null): FlowVal {
  const n = l.features(x, node);
  const last = l.foldableDense(x);
  if (last && last.config.kind === 'dense' && (last.config.activation ?? 'linear') === 'linear') {
    const k = last.weights.kernel!;
    const b = last.weights.bias!;
    if (scale) {
      for (let i = 0; i < k.length; i++) k[i] = k[i]! * scale[i % n]!;
      for (let j = 0; j < n; j++) b[j] = b[j]! * scale[j]!;
    }
    if (shift) for (let j = 0; j < n; j++) b[j] = b[j]! + shift[j]!;
    return x;
  }
  return l.dense(x, node, identity(n, scale ?? undefined), shift ? Float64Array.from(shift) : new Float64Array(n));
}

function elementwise(op: 'Add' | 'Sub' | 'Mul' | 'Div'): NodeHandler {
  return (l, node) => {
    const a = l.need(node, 0);
    const b = l.need(node, 1);
    const where = `node '${node.name}'`;
    if (a.v === 'const' && b.v === 'const') return [binaryConst(op, a, b, where)];
    // Both directions of one bidirectional node: sum / product merges.
    if (a.v === 'rnn' && b.v === 'rnn' && (op === 'Add' || op === 'Mul')) {
      const ok = [a, b].every((r) => r.parts.length === 1 && !r.axes.some((x) => x.k === 'dir') && r.merge === 'concat');
      if (!ok || a.parts[0]!.node !== b.parts[0]!.node) fail(node, 'combines recurrent outputs other than the two directions of one node');
      return [{ ...a, parts: [a.parts[0]!, b.parts[0]!], merge: op === 'Add' ? 'sum' : 'mul' } satisfies RnnVal];
    }
    // (forward + backward) / 2 or · 0.5: the mean merge.
    if (a.v === 'rnn' && a.merge === 'sum' && b.v === 'const') {
      const s = numbers(b, where);
      if (s.length === 1 && ((op === 'Div' && s[0] === 2) || (op === 'Mul' && s[0] === 0.5))) return [{ ...a, merge: 'mean' } satisfies RnnVal];
    }
    const flowSide = a.v === 'const' ? b : a;
    const constSide = a.v === 'const' ? a : b;
    if (constSide.v !== 'const' || (a.v === 'const' && (op === 'Sub' || op === 'Div'))) {
      fail(node, `computes ${op} of ${describeVal(a)} and ${describeVal(b)}; supported: activations with a per-feature constant, or the two directions of one recurrent node`);
    }
    const x = l.flow(flowSide, node);
    const c = perFeature(constSide, l.features(x, node), node);
    if (op === 'Add') return [affine(l, node, x, null, c)];
    if (op === 'Sub') return [affine(l, node, x, null, c.map((v) => -v))];
    if (op === 'Mul') return [affine(l, node, x, c, null)];
    if (c.some((v) => v === 0)) fail(node, 'divides by zero');
    return [affine(l, node, x, c.map((v) => 1 / v), null)];
  };
}

function activation(act: 'relu' | 'tanh' | 'sigmoid'): NodeHandler {
  return (l, node) => {
    let x = l.flow(l.need(node, 0), node);
    const last = l.foldableDense(x);
    if (!last || last.config.kind !== 'dense' || (last.config.activation ?? 'linear') !== 'linear') {
      const n = l.features(x, node);
      x = l.dense(x, node, identity(n), new Float64Array(n));
    }
    const cfg = l.layers[l.layers.length - 1]!.config;
    if (cfg.kind === 'dense') cfg.activation = act;
    return [x];
  };
}

const softmax: NodeHandler = (l, node) => {
  const x = l.flow(l.need(node, 0), node);
  const rank = x.axes.length;
  const axis = attr(node, 'axis', -1);
  if ((axis < 0 ? axis + rank : axis) !== rank - 1) fail(node, `softmax over axis ${axis}; supported: the last (feature) axis`);
  return [{ ...x, softmax: true }];
};

/** Initial state input: none (absent or zeros) or rows of a graph input. */
function stateSource(l: Lifter, node: OnnxNode, i: number, dirs: number, batchMajor: boolean): StateSource | null {
  const s = l.input(node, i);
  if (s === null || s.v === 'zeros') return null;
  if (s.v === 'const' && Array.from(s.data as ArrayLike<number>).every((v) => v === 0)) return null;
  if (s.v === 'input') {
    if (batchMajor) {
      if (s.rows) fail(node, `layout 1 initial state from rows of '${s.info.name}' is not supported`);
      return { input: s.info.name, row: 0, batchMajor };
    }
    const rows = s.rows ?? [0, typeof s.info.dims[0] === 'number' ? s.info.dims[0] : dirs];
    if (rows[1] - rows[0] !== dirs) fail(node, `initial state from '${s.info.name}' rows [${rows[0]}, ${rows[1]}) does not give ${dirs} direction(s)`);
    return { input: s.info.name, row: rows[0], batchMajor };
  }
  fail(node, `initial state input ${i} is ${describeVal(s)}; supported: absent, zeros, or (rows of) a graph input`);
}

const recurrent: NodeHandler = (l, node) => {
  const flow = l.flow(l.need(node, 0), node);
  if (flow.tokens) fail(node, 'reads token ids directly (an Embedding/Gather must come first)');
  const layout = attr(node, 'layout', 0);
  if (flow.axes.length !== 3 || flow.axes[0]!.k !== 'bt' || flow.axes[1]!.k !== 'bt' || flow.axes[2]!.k !== 'f') fail(node, `input X must be a sequence [T, B, F] (layout 0) or [B, T, F] (layout 1), got ${describeVal(flow)}`);
  const [a0, a1] = [flow.axes[0] as Extract<Axis, { k: 'bt' }>, flow.axes[1] as Extract<Axis, { k: 'bt' }>];
  const [tAxis, bAxis] = layout === 1 ? [a1, a0] : [a0, a1];
  for (const [ax, role] of [[tAxis, 'T'], [bAxis, 'B']] as const) {
    if (ax.r.role !== '?' && ax.r.role !== role) fail(node, `reads an axis as ${role === 'T' ? 'time' : 'batch'} that is ${role === 'T' ? 'batch' : 'time'} elsewhere (layout ${layout})`);
    ax.r.role = role;
  }
  const lens = l.input(node, 4);
  if (lens) {
    if (lens.v === 'input') {
      if (l.lengthsInput && l.lengthsInput !== lens.info.name) fail(node, 'recurrent nodes read different sequence_lens inputs');
      l.lengthsInput = lens.info.name;
    } else if (!(lens.v === 'const' && tAxis.r.size !== undefined && numbers(lens, node.name).every((v) => v === tAxis.r.size))) {
      fail(node, `sequence_lens is ${describeVal(lens)}; supported: a graph input (int [batch]) or absent`);
    }
  }
  const W = l.constInput(node, 1);
  const R = l.constInput(node, 2);
  const B = l.constInput(node, 3);
  const P = node.opType === 'LSTM' ? l.constInput(node, 7) : null;
  const p = readRnnNode(node, { features: (flow.axes[2] as { n: number }).n, W, R, B, P }, flow.tip);
  const D = p.direction === 'bidirectional' ? 2 : 1;
  p.h0 = stateSource(l, node, 5, D, layout === 1);
  if (node.opType === 'LSTM') p.c0 = stateSource(l, node, 6, D, layout === 1);
  const h: Axis = { k: 'h', n: p.units };
  const dir: Axis = { k: 'dir' };
  const parts = (what: 'Y' | 'h' | 'c') => Array.from({ length: D }, (_, d) => ({ node: p, dir: d, what }));
  const val = (what: 'Y' | 'h' | 'c', axes: Axis[]): RnnVal => ({ v: 'rnn', axes, parts: parts(what), merge: 'concat' });
  return layout === 1
    ? [val('Y', [bAxis, tAxis, dir, h]), val('h', [bAxis, dir, h]), val('c', [bAxis, dir, h])]
    : [val('Y', [tAxis, dir, bAxis, h]), val('h', [dir, bAxis, h]), val('c', [dir, bAxis, h])];
};

export const MATH_OPS: Record<string, NodeHandler> = {
  Gemm: gemm,
  MatMul: matmul,
  Add: elementwise('Add'),
  Sub: elementwise('Sub'),
  Mul: elementwise('Mul'),
  Div: elementwise('Div'),
  Relu: activation('relu'),
  Tanh: activation('tanh'),
  Sigmoid: activation('sigmoid'),
  Softmax: softmax,
  RNN: recurrent,
  LSTM: recurrent,
  GRU: recurrent,
};
