/**
 * Every graph op rule, table-driven: the forward pass against onnxruntime-node (the same op as a
 * one-node ONNX model), and the backward pass against central finite differences in float64 of
 * L = Σ w ⊙ y for random weights w.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GRAPH_OPS } from '../../src/nn/graph/ops.js';
import { nd, type Nd } from '../../src/nn/graph/nd.js';
import type { GNode } from '../../src/nn/graph/rule.js';
import { buildOnnx, values } from '../io/onnx-build.js';
import * as ort from 'onnxruntime-node';

ort.env.logLevel = 'error';

interface Case {
  op: string;
  /** float inputs: shapes (random values, or given data); int inputs: given data */
  ins: Array<{ shape: number[]; data?: number[]; int?: boolean; positive?: boolean; noGrad?: boolean } | null>;
  attrs?: Record<string, number | number[] | string>;
  opset?: number;
  outputs?: number;
  label?: string;
}

const X = (...shape: number[]) => ({ shape });
const P = (...shape: number[]) => ({ shape, positive: true });
const I = (data: number[], shape = [data.length]) => ({ shape, data, int: true });

const CASES: Case[] = [
  ...['Relu', 'Tanh', 'Sigmoid', 'Exp', 'Neg', 'Abs', 'Erf', 'Softplus', 'Softsign', 'Sin', 'Cos'].map((op) => ({ op, ins: [X(2, 3, 4)] })),
  ...['Log', 'Sqrt', 'Reciprocal'].map((op) => ({ op, ins: [P(2, 5)] })),
  { op: 'LeakyRelu', ins: [X(3, 4)], attrs: { alpha: 0.1 } },
  { op: 'Elu', ins: [X(3, 4)], attrs: { alpha: 0.7 } },
  { op: 'Selu', ins: [X(3, 4)] },
  { op: 'HardSigmoid', ins: [X(3, 4)], attrs: { alpha: 1.3, beta: 0.4 } },
  { op: 'HardSwish', ins: [X(3, 4)] },
  { op: 'Clip', ins: [X(3, 4), { shape: [], data: [-0.2], noGrad: true }, { shape: [], data: [0.25], noGrad: true }], label: 'Clip inputs' },
  { op: 'Clip', ins: [X(3, 4)], attrs: { min: -0.1, max: 0.2 }, opset: 10, label: 'Clip attributes' },
  ...['Add', 'Sub', 'Mul', 'Div'].map((op) => ({ op, ins: [X(2, 3, 4), op === 'Div' ? P(3, 1) : X(3, 1)] })),
  { op: 'Pow', ins: [P(2, 3), X(3)] },
  { op: 'Pow', ins: [X(2, 3), { shape: [], data: [2], noGrad: true }], label: 'Pow square' },
  { op: 'PRelu', ins: [X(2, 3, 4), X(3, 1)] },
  ...['Max', 'Min', 'Sum', 'Mean'].map((op) => ({ op, ins: [X(2, 3), X(3), X(2, 1)] })),
  { op: 'Where', ins: [{ shape: [2, 3], data: [1, 0, 1, 0, 0, 1], int: true }, X(2, 3), X(3)] },
  ...['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceSumSquare', 'ReduceL2', 'ReduceL1', 'ReduceLogSumExp'].map((op) => ({ op, ins: [X(2, 3, 4)], attrs: { axes: [1], keepdims: 0 }, opset: 11 })),
  { op: 'ReduceSum', ins: [X(2, 3, 4), I([1, -1])], opset: 13, label: 'ReduceSum axes input' },
  { op: 'ReduceMean', ins: [X(2, 3, 4), I([1])], attrs: { keepdims: 1 }, opset: 18, label: 'ReduceMean axes input (opset 18)' },
  { op: 'ReduceMax', ins: [X(2, 3, 4)], opset: 13, label: 'ReduceMax all axes' },
  { op: 'Softmax', ins: [X(2, 3, 4)], attrs: { axis: 1 }, opset: 13 },
  { op: 'Softmax', ins: [X(2, 3, 4)], attrs: { axis: 1 }, opset: 11, label: 'Softmax opset 11 (2-D coercion)' },
  { op: 'LogSoftmax', ins: [X(2, 3, 4)], attrs: { axis: -1 }, opset: 13 },
  { op: 'LogSoftmax', ins: [X(2, 3, 4)], attrs: { axis: 0 }, opset: 13, label: 'LogSoftmax over axis 0' },
  { op: 'MatMul', ins: [X(2, 3, 4), X(4, 5)] },
  { op: 'MatMul', ins: [X(2, 1, 3), X(2, 3, 4)], label: 'MatMul batched' },
  { op: 'MatMul', ins: [X(2, 3, 4), X(4)], label: 'MatMul vector' },
  { op: 'Gemm', ins: [X(3, 4), X(5, 4), X(5)], attrs: { transB: 1, alpha: 0.7, beta: 1.3 } },
  { op: 'Gemm', ins: [X(4, 3), X(4, 5)], attrs: { transA: 1 }, label: 'Gemm transA no C' },
  { op: 'Conv', ins: [X(2, 4, 9), X(6, 2, 3), X(6)], attrs: { group: 2, pads: [1, 2], strides: [2], dilations: [2] } },
  { op: 'Conv', ins: [X(1, 3, 7), X(2, 3, 3)], attrs: { auto_pad: 'SAME_UPPER' }, label: 'Conv SAME_UPPER' },
  { op: 'ConvTranspose', ins: [X(2, 4, 5), X(4, 3, 3), X(6)], attrs: { group: 2, strides: [2], pads: [1, 0], output_padding: [1] } },
  { op: 'MaxPool', ins: [X(2, 3, 9)], attrs: { kernel_shape: [3], strides: [2], pads: [1, 1] } },
  { op: 'AveragePool', ins: [X(2, 3, 9)], attrs: { kernel_shape: [3], strides: [2], pads: [1, 1] } },
  { op: 'AveragePool', ins: [X(2, 3, 9)], attrs: { kernel_shape: [2], strides: [2], ceil_mode: 1, count_include_pad: 1, pads: [1, 0] }, label: 'AveragePool ceil, pads counted' },
  { op: 'GlobalAveragePool', ins: [X(2, 3, 5)] },
  { op: 'GlobalMaxPool', ins: [X(2, 3, 5)] },
  { op: 'BatchNormalization', ins: [X(2, 3, 4), X(3), X(3), X(3), P(3)], attrs: { epsilon: 1e-3 } },
  { op: 'LayerNormalization', ins: [X(2, 3, 4), X(4), X(4)], attrs: { epsilon: 1e-5 }, opset: 17 },
  { op: 'LayerNormalization', ins: [X(2, 3, 4), X(3, 4), X(3, 4)], attrs: { axis: 1 }, opset: 17, label: 'LayerNormalization over two axes' },
  { op: 'Transpose', ins: [X(2, 3, 4)], attrs: { perm: [2, 0, 1] } },
  { op: 'Reshape', ins: [X(2, 3, 4), I([0, -1])] },
  { op: 'Flatten', ins: [X(2, 3, 4)], attrs: { axis: 2 } },
  { op: 'Squeeze', ins: [X(2, 1, 4), I([1])], opset: 13 },
  { op: 'Squeeze', ins: [X(2, 1, 4)], attrs: { axes: [1] }, opset: 11, label: 'Squeeze attribute' },
  { op: 'Unsqueeze', ins: [X(2, 4), I([0, 3])], opset: 13 },
  { op: 'Unsqueeze', ins: [X(2, 4)], attrs: { axes: [-1] }, opset: 11, label: 'Unsqueeze attribute' },
  { op: 'Concat', ins: [X(2, 3), X(2, 1), X(2, 2)], attrs: { axis: 1 } },
  { op: 'Split', ins: [X(2, 6), I([2, 4])], attrs: { axis: 1 }, opset: 13, outputs: 2 },
  { op: 'Split', ins: [X(6, 2)], attrs: { axis: 0, split: [1, 5] }, opset: 11, outputs: 2, label: 'Split attribute' },
  { op: 'Slice', ins: [X(3, 8), I([1, -1]), I([3, -8]), I([0, 1]), I([1, -2])] },
  { op: 'Slice', ins: [X(3, 8), I([-1]), I([2 ** 53]), I([1])], label: 'Slice to INT64_MAX' },
  { op: 'Gather', ins: [X(3, 4, 2), I([2, 0, -1])], attrs: { axis: 1 } },
  { op: 'Gather', ins: [X(3, 4), { shape: [], data: [-1], int: true }], attrs: { axis: 0 }, label: 'Gather scalar index' },
  { op: 'Tile', ins: [X(2, 3), I([2, 2])] },
  { op: 'Expand', ins: [X(3, 1), I([2, 3, 4])] },
  { op: 'Pad', ins: [X(2, 3, 4), I([0, 1, 2, 0, 0, 1]), { shape: [], data: [0.5], noGrad: true }], label: 'Pad constant' },
  { op: 'Pad', ins: [X(2, 3, 4), I([0, 0, 2, 0, 0, 3])], attrs: { mode: 'reflect' }, label: 'Pad reflect' },
  { op: 'Pad', ins: [X(2, 3, 4), I([0, 0, 2, 0, 0, 3])], attrs: { mode: 'edge' }, label: 'Pad edge' },
  { op: 'Identity', ins: [X(2, 3)] },
];

const INT_ONLY: Case[] = [
  { op: 'Shape', ins: [X(2, 3, 4)], opset: 15, attrs: { start: 1 } },
  { op: 'Size', ins: [X(2, 3, 4)] },
  { op: 'Equal', ins: [I([1, 2, 3]), I([1, 5, 3])] },
  { op: 'Less', ins: [X(2, 3), X(3)] },
  { op: 'Greater', ins: [X(2, 3), X(3)] },
  { op: 'Not', ins: [{ shape: [3], data: [1, 0, 1], int: true }] },
  { op: 'ArgMax', ins: [X(2, 3, 4)], attrs: { axis: 1, keepdims: 0 } },
  { op: 'ArgMin', ins: [X(2, 3, 4)], attrs: { axis: 2 } },
  { op: 'Range', ins: [{ shape: [], data: [1], int: true }, { shape: [], data: [10], int: true }, { shape: [], data: [3], int: true }] },
  { op: 'ConstantOfShape', ins: [I([2, 3])] },
  { op: 'NonZero', ins: [{ shape: [2, 3], data: [1, 0, 0, 2, 3, 0] }] },
  { op: 'Cast', ins: [X(2, 3)], attrs: { to: 7 } },
];

const BOOL_OPS = new Set(['Where', 'Not']);
const BOOL_OUT = new Set(['Equal', 'Less', 'Greater', 'Not']);

function inputs(c: Case, seed: number): Array<Nd | null> {
  return c.ins.map((s, i) => {
    if (!s) return null;
    if (s.data) return nd(s.shape, s.data, s.int ?? false);
    const n = s.shape.reduce((a, b) => a * b, 1);
    const v = values(n, seed + 17 * i).map((x) => (s.positive ? 0.3 + Math.abs(x) * 2 : x * 3));
    // values near 0 on kinks (Relu, Abs, Max...) would make finite differences meaningless
    return nd(s.shape, Float32Array.from(v.map((x) => (Math.abs(x) < 0.02 ? x + 0.05 : x))));
  });
}

function node(c: Case): GNode {
  const outs = Array.from({ length: c.outputs ?? 1 }, (_, i) => `y${i}`);
  return { op: c.op, name: c.op, inputs: c.ins.map((s, i) => (s ? `x${i}` : '')), outputs: outs, attrs: c.attrs ?? {} };
}

async function ortRun(c: Case, xs: Array<Nd | null>, shapes: number[][], ints: boolean[]): Promise<Array<{ shape: number[]; data: number[] }>> {
  const n = node(c);
  const feeds: Record<string, ort.Tensor> = {};
  const elem = (s: Case['ins'][number]) => (BOOL_OPS.has(c.op) && s?.int && c.ins.indexOf(s) === 0 ? 9 : s?.int ? 7 : 1);
  const bytes = buildOnnx({
    opset: c.opset ?? 14,
    nodes: [{ op: c.op, inputs: n.inputs, outputs: n.outputs, attrs: c.attrs ?? {} }],
    inits: [],
    inputs: c.ins.flatMap((s, i) => (s ? [{ name: `x${i}`, dims: s.shape, elem: elem(s) }] : [])),
    outputs: n.outputs.map((o, k) => ({ name: o, dims: shapes[k]!, elem: BOOL_OUT.has(c.op) ? 9 : ints[k] ? 7 : 1 })),
  });
  c.ins.forEach((s, i) => {
    if (!s) return;
    const x = xs[i]!;
    const e = elem(s);
    feeds[`x${i}`] = e === 9 ? new ort.Tensor('bool', Uint8Array.from(x.data), s.shape) : e === 7 ? new ort.Tensor('int64', BigInt64Array.from(Array.from(x.data, (v) => BigInt(v))), s.shape) : new ort.Tensor('float32', Float32Array.from(x.data), s.shape);
  });
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run(feeds);
  const res = n.outputs.map((o) => ({ shape: [...out[o]!.dims], data: Array.from(out[o]!.data as ArrayLike<number | bigint | boolean>, Number) }));
  await session.release();
  return res;
}

function fwd(c: Case, xs: Array<Nd | null>): Nd[] {
  return GRAPH_OPS[c.op]!.forward(xs, node(c), { opset: c.opset ?? 14 }).outs;
}

for (const c of [...CASES, ...INT_ONLY]) {
  test(`graph op ${c.label ?? c.op}: forward equals onnxruntime`, async () => {
    const xs = inputs(c, 3);
    const ours = fwd(c, xs);
    const ref = await ortRun(c, xs, ours.map((y) => y.shape), ours.map((y) => y.int));
    ref.forEach((r, k) => {
      assert.deepEqual(ours[k]!.shape, r.shape, `output ${k} shape`);
      for (let i = 0; i < r.data.length; i++) assert.ok(Math.abs(ours[k]!.data[i]! - r.data[i]!) <= 1e-5 * (1 + Math.abs(r.data[i]!)), `output ${k}[${i}]: ${ours[k]!.data[i]} vs ${r.data[i]}`);
    });
  });
}

for (const c of CASES) {
  test(`graph op ${c.label ?? c.op}: backward equals finite differences`, () => {
    const xs = inputs(c, 5);
    const f0 = fwd(c, xs);
    const ws = f0.map((y, k) => Float64Array.from(values(y.data.length, 99 + k)));
    const loss = (ys: Nd[]) => ys.reduce((s, y, k) => s + y.data.reduce((a, v, i) => a + v * ws[k]![i]!, 0), 0);
    const rule = GRAPH_OPS[c.op]!;
    const f = rule.forward(xs, node(c), { opset: c.opset ?? 14 });
    const g = rule.backward!(f.outs.map((y, k) => ({ shape: y.shape, data: ws[k]!, int: false })), xs, f, node(c), { opset: c.opset ?? 14 });
    let checked = 0;
    xs.forEach((x, i) => {
      if (!x || x.int || c.ins[i]!.noGrad) return;
      assert.ok(g[i], `a gradient for float input ${i}`);
      for (let j = 0; j < x.data.length; j++) {
        const h = 1e-6;
        const v = x.data[j]!;
        x.data[j] = v + h;
        const up = loss(fwd(c, xs));
        x.data[j] = v - h;
        const dn = loss(fwd(c, xs));
        x.data[j] = v;
        const num = (up - dn) / (2 * h);
        assert.ok(Math.abs(num - g[i]!.data[j]!) <= 1e-5 * (1 + Math.abs(num)), `d/dx${i}[${j}]: analytic ${g[i]!.data[j]} vs numeric ${num}`);
        checked++;
      }
    });
    assert.ok(checked > 0);
  });
}

test('graph ops refuse absurd sizes before allocating', () => {
  const x = nd([1, 1], [1]);
  const expand = { op: 'Expand', name: 'big', inputs: ['x', 's'], outputs: ['y'], attrs: {} };
  assert.throws(() => GRAPH_OPS.Expand!.forward([x, nd([2], [1e6, 1e6], true)], expand, { opset: 14 }), /larger than the \d+ elements allowed/);
  const range = { op: 'Range', name: 'r', inputs: ['a', 'b', 'c'], outputs: ['y'], attrs: {} };
  assert.throws(() => GRAPH_OPS.Range!.forward([nd([], [0], true), nd([], [1e15], true), nd([], [1], true)], range, { opset: 14 }), /larger than/);
  const conv = { op: 'Conv', name: 'c', inputs: ['x', 'w'], outputs: ['y'], attrs: { group: 2 } };
  assert.throws(() => GRAPH_OPS.Conv!.forward([nd([1, 4, 5]), nd([3, 2, 1])], conv, { opset: 14 }), /3 output channels do not split into 2 groups/);
});
