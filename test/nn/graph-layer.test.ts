/**
 * GraphLayer as a layer: input bindings (per-step values in their own axis order, final states of
 * each direction, reversed processing order) with padded batches, input and parameter gradients
 * against finite differences, and a JSON config round trip.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getBackend } from '../../src/core/backends.js';
import { Tensor } from '../../src/core/tensor.js';
import type { GraphConfig } from '../../src/nn/config.js';
import { layerFromConfig } from '../../src/nn/from-config.js';
import type { Flow, Layer, SeqBatch } from '../../src/nn/layer.js';

const backend = getBackend('ts64');
const B = 2, T = 4, D = 2, H = 3;

const pooled: GraphConfig = {
  kind: 'graph', name: 'g', opset: 14,
  inputs: [
    { value: 'Y', source: 'steps', axes: ['T', 'F0', 'B', 'F1'], featureDims: [D, H] },
    { value: 'Yh', source: 'last', axes: ['F0', 'B', 'F1'], featureDims: [D, H] },
  ],
  output: { value: 'out', axes: ['B', 'F0'], features: 2 },
  nodes: [
    { op: 'ReduceMean', name: 'mean', inputs: ['Y'], outputs: ['m'], attrs: { axes: [0], keepdims: 0 } },
    { op: 'Add', name: 'add', inputs: ['m', 'Yh'], outputs: ['s'], attrs: {} },
    { op: 'Transpose', name: 'tr', inputs: ['s'], outputs: ['t'], attrs: { perm: [1, 0, 2] } },
    { op: 'Reshape', name: 'flat', inputs: ['t', 'shape'], outputs: ['f'], attrs: {} },
    { op: 'MatMul', name: 'mm', inputs: ['f', 'W'], outputs: ['z'], attrs: {} },
    { op: 'Tanh', name: 'act', inputs: ['z'], outputs: ['out'], attrs: {} },
  ],
  consts: { shape: { shape: [2], data: [0, -1], int: true } },
  params: [{ value: 'W', shape: [D * H, 2] }],
};

function seq(lengths: number[]): SeqBatch {
  const F = D * H;
  const data = Float64Array.from({ length: B * T * F }, (_, i) => Math.sin(0.7 * i + 0.3));
  for (let b = 0; b < B; b++) data.fill(0, (b * T + lengths[b]!) * F, (b + 1) * T * F);
  return { data, batch: B, steps: T, features: F, lengths: Int32Array.from(lengths) };
}

function build(cfg: GraphConfig): Layer {
  const l = layerFromConfig(cfg, { inputFeatures: D * H, dtype: 'float64' });
  for (const p of l.parameters()) p.value.set(Float64Array.from({ length: p.value.length }, (_, i) => Math.cos(1.1 * i)));
  return l;
}

const flat = (f: Flow) => (f instanceof Tensor ? f.data : f.data);

function checkGradients(l: Layer, x: SeqBatch): void {
  const fwd = l.forward(x, { backend, training: false, trace: false });
  const y = flat(fwd.output);
  const w = Float64Array.from({ length: y.length }, (_, i) => 0.5 + Math.sin(i));
  const g: Flow = fwd.output instanceof Tensor ? new Tensor(fwd.output.shape, w) : { ...fwd.output, data: w };
  for (const p of l.parameters()) p.grad.fill(0);
  const r = l.backward(g, fwd.saved, { backend, wantInputGrad: true, paramGrads: true });
  const loss = () => Array.from(flat(l.forward(x, { backend, training: false, trace: false }).output)).reduce((s, v, i) => s + v * w[i]!, 0);
  const h = 1e-6;
  const gin = flat(r.gradInput!);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < x.lengths[b]!; t++)
      for (let f = 0; f < x.features; f++) {
        const i = (b * T + t) * x.features + f;
        const v = x.data[i]!;
        x.data[i] = v + h;
        const up = loss();
        x.data[i] = v - h;
        const dn = loss();
        x.data[i] = v;
        assert.ok(Math.abs((up - dn) / (2 * h) - gin[i]!) < 1e-6, `input grad at b${b} t${t} f${f}`);
      }
  for (let b = 0; b < B; b++) for (let t = x.lengths[b]!; t < T; t++) for (let f = 0; f < x.features; f++) assert.equal(gin[(b * T + t) * x.features + f], 0, 'zero at padding');
  for (const p of l.parameters())
    for (let j = 0; j < p.value.length; j++) {
      const v = p.value[j]!;
      p.value[j] = v + h;
      const up = loss();
      p.value[j] = v - h;
      const dn = loss();
      p.value[j] = v;
      assert.ok(Math.abs((up - dn) / (2 * h) - p.grad[j]!) < 1e-6, `${p.name}[${j}]`);
    }
}

describe('GraphLayer', () => {
  it('per-step and final-state bindings of a padded batch: gradients equal finite differences', () => {
    checkGradients(build(pooled), seq([4, 2]));
  });

  it('the final-state binding reads the forward direction at len − 1 and the backward one at 0', () => {
    const cfg: GraphConfig = { ...pooled, inputs: [pooled.inputs[1]!], output: { value: 'o', axes: ['F0', 'B', 'F1'], features: D * H }, nodes: [{ op: 'Identity', name: 'id', inputs: ['Yh'], outputs: ['o'], attrs: {} }], consts: {}, params: [] };
    const x = seq([3, 2]);
    const y = build(cfg).forward(x, { backend, training: false, trace: false }).output as Tensor;
    const F = D * H;
    for (let b = 0; b < B; b++)
      for (let j = 0; j < H; j++) {
        assert.equal(y.data[b * F + j], x.data[(b * T + x.lengths[b]! - 1) * F + j]);
        assert.equal(y.data[b * F + H + j], x.data[(b * T) * F + H + j]);
      }
  });

  it('a reversed binding reads processing order back in input order; padded output steps are zero', () => {
    const cfg: GraphConfig = {
      kind: 'graph', name: 'r', opset: 14,
      inputs: [{ value: 'Y', source: 'steps', axes: ['B', 'T', 'F0'], featureDims: [D * H], reversed: true }],
      output: { value: 'o', axes: ['B', 'T', 'F0'], features: D * H },
      nodes: [{ op: 'Mul', name: 'scale', inputs: ['Y', 'k'], outputs: ['o'], attrs: {} }, ],
      consts: { k: { shape: [], data: [2], int: false } }, params: [],
    };
    const l = build(cfg);
    const x = seq([4, 3]);
    const y = l.forward(x, { backend, training: false, trace: false }).output as SeqBatch;
    const F = D * H;
    for (let b = 0; b < B; b++) {
      const n = x.lengths[b]!;
      for (let t = 0; t < T; t++)
        for (let f = 0; f < F; f++) assert.equal(y.data[(b * T + t) * F + f], t < n ? 2 * x.data[(b * T + n - 1 - t) * F + f]! : 0);
    }
    checkGradients(l, x);
  });

  it('its config survives JSON and rebuilds the same layer', () => {
    const l = build(pooled);
    const again = layerFromConfig(JSON.parse(JSON.stringify(l.config())), { inputFeatures: D * H, dtype: 'float64' });
    again.parameters()[0]!.value.set(l.parameters()[0]!.value);
    const x = seq([4, 4]);
    assert.deepEqual(flat(again.forward(x, { backend, training: false, trace: false }).output), flat(l.forward(x, { backend, training: false, trace: false }).output));
  });

  it('a config naming an unknown op is an ArgumentError naming the node', () => {
    const bad = { ...pooled, nodes: [{ ...pooled.nodes[0]!, op: 'Frobnicate' }] };
    assert.throws(() => layerFromConfig(bad, { inputFeatures: D * H }), /nodes\.mean\.op.*Frobnicate/);
  });
});
