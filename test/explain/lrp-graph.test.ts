/**
 * LRP and DeepLIFT through graph layers (imported ONNX/Keras segments):
 * - both match the explicit PyTorch references of tools/make_lrp_graph_fixtures.py (Conv1d → ReLU
 *   → GRU → mean → Linear, GRU → attention pooling → Linear, LSTM → LayerNorm → Linear) to 1e-6;
 * - DeepLIFT's summation-to-delta holds on every ONNX zoo model and every Keras graph fixture;
 *   LRP conserves relevance there (input + bias = score);
 * - on a bias-free linear + ReLU + max-pool graph, LRP with ε = 0 equals input × gradient;
 * - ops without a rule are refused by name (relevance into an LSTM cell state: lrp-cell.test.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Tensor } from '../../src/core/tensor.js';
import { deeplift } from '../../src/explain/deeplift/deeplift.js';
import { lrp } from '../../src/explain/lrp/lrp.js';
import { loadModelAsync } from '../../src/io/load.js';
import { importOnnx, onnxFeedsToModel } from '../../src/io/onnx/import.js';
import type { GraphConfig } from '../../src/nn/config.js';
import type { ModelInput, SequenceModel } from '../../src/nn/model.js';
import { SequenceModel as Model } from '../../src/nn/model.js';
import type { Target } from '../../src/explain/types.js';
import { zooBytes, zooFixtures } from '../io/onnx-zoo-fixtures.js';
import { type RefCase, maxDiff, sum } from './lrp-reference.js';

const FIX = new URL('../fixtures/', import.meta.url).pathname;

/** Summation-to-delta and LRP conservation, per sequence, relative to the size of the scores. */
function checkPasses(model: SequenceModel, input: ModelInput, target: Target, what: string): void {
  const d = deeplift(model, input, { target, baseline: 'zeros' });
  const per = d.attributions.data.length / d.outputs.length;
  d.delta.forEach((gap, b) => {
    const change = d.outputs[b]! - d.baselineOutputs[b]!;
    const direct = sum(d.attributions.data, b * per, (b + 1) * per) - change;
    assert.ok(Math.abs(gap) <= 1e-9 * Math.max(1, Math.abs(change)), `${what}: DeepLIFT delta ${gap} (sequence ${b})`);
    assert.ok(Math.abs(direct) <= 1e-9 * Math.max(1, Math.abs(change)), `${what}: Σ attributions − ΔF = ${direct}`);
  });
  assert.ok(d.attributions.data.some((v) => v !== 0), `${what}: non-zero DeepLIFT attributions`);
  for (const bias of ['keep', 'redistribute'] as const) {
    const r = lrp(model, input, { target, bias });
    r.conservationGap.forEach((gap, b) => assert.ok(Math.abs(gap) <= 1e-9 * Math.max(1, Math.abs(r.outputs[b]!)), `${what}: LRP (${bias}) conservation gap ${gap}`));
    if (bias === 'redistribute') assert.ok(r.biasRelevance.every((v) => v === 0), `${what}: no bias relevance when redistributing`);
  }
}

describe('LRP and DeepLIFT through graph layers', () => {
  const ref = JSON.parse(readFileSync(join(FIX, 'explain', 'lrp-graph.json'), 'utf8')) as { cases: RefCase[] };

  for (const c of ref.cases) {
    it(`${c.name}: LRP (two ε) and DeepLIFT equal the PyTorch reference to 1e-6`, () => {
      const imp = importOnnx(new Uint8Array(readFileSync(join(FIX, 'explain', `${c.name}.onnx`))), { backend: 'ts64' });
      assert.ok(imp.model.layers.some((l) => l.kind === 'graph'), 'imports graph layers');
      const { input } = onnxFeedsToModel(imp, { x: c.input });
      for (const L of c.lrp) {
        const r = lrp(imp.model, input, { target: c.target, epsilon: L.epsilon });
        assert.ok(maxDiff(r.outputs, L.score) <= 1e-6, `score (ε ${L.epsilon})`);
        const e = maxDiff(r.relevance.data, L.relevance);
        assert.ok(e <= 1e-6, `LRP relevance (ε ${L.epsilon}): max difference ${e}`);
      }
      const d = deeplift(imp.model, input, { target: c.target, baseline: 'zeros' });
      assert.ok(maxDiff(d.outputs, c.deeplift.output) <= 1e-6, 'F(x)');
      assert.ok(maxDiff(d.baselineOutputs, c.deeplift.baselineOutput) <= 1e-6, 'F(x0)');
      const e = maxDiff(d.attributions.data, c.deeplift.attributions);
      assert.ok(e <= 1e-6, `DeepLIFT attributions: max difference ${e}`);
    });
  }

  it('ONNX zoo: summation-to-delta and conservation on every model', () => {
    let checked = 0;
    for (const fx of zooFixtures()) {
      const imp = importOnnx(zooBytes(fx.name), { backend: 'ts64' });
      const { input } = onnxFeedsToModel(imp, { x: { shape: fx.input.shape, data: fx.input.data } });
      const seq = !(imp.model.forward(input).output instanceof Tensor);
      const target: Target = seq ? { kind: 'step', index: fx.target, step: 'last' } : fx.target;
      checkPasses(imp.model, input, target, fx.name);
      checked++;
    }
    assert.ok(checked >= 18, `${checked} zoo models`);
  });

  it('Keras graph fixtures: summation-to-delta and conservation', async () => {
    const idx = JSON.parse(readFileSync(join(FIX, 'keras-graph', 'index.json'), 'utf8')) as { cases: Array<{ name: string; files: string[]; input: { shape: number[]; data: number[] } }> };
    assert.ok(idx.cases.length >= 4);
    for (const c of idx.cases) {
      const m = await loadModelAsync(join(FIX, 'keras-graph', c.files[0]!), { backend: 'ts64' });
      assert.ok(m.model.layers.some((l) => l.kind === 'graph'), `${c.name}: graph layers`);
      const [B, T, F] = c.input.shape as [number, number, number];
      const x = { data: Float64Array.from(c.input.data), batch: B, steps: T, features: F, lengths: new Int32Array(B).fill(T) };
      const seq = !(m.model.forward(x).output instanceof Tensor);
      checkPasses(m.model, x, seq ? { kind: 'step', index: 0, step: 'last' } : 1, c.name);
    }
  });

  it('bias-free linear + ReLU + max-pool graph: LRP with ε = 0 equals input × gradient', () => {
    const [F, C, K] = [3, 4, 2];
    const graph: GraphConfig = {
      kind: 'graph', name: 'cnn', opset: 14,
      inputs: [{ value: 'x', source: 'steps', axes: ['B', 'T', 'F0'], featureDims: [F] }],
      output: { value: 'y', axes: ['B', 'F0'], features: K },
      nodes: [
        { op: 'Transpose', name: 'tr', inputs: ['x'], outputs: ['xt'], attrs: { perm: [0, 2, 1] } },
        { op: 'Conv', name: 'conv', inputs: ['xt', 'W'], outputs: ['c'], attrs: { kernel_shape: [3], pads: [1, 1] } },
        { op: 'Relu', name: 'relu', inputs: ['c'], outputs: ['r'], attrs: {} },
        { op: 'MaxPool', name: 'pool', inputs: ['r'], outputs: ['p'], attrs: { kernel_shape: [2], strides: [1] } },
        { op: 'ReduceMean', name: 'mean', inputs: ['p'], outputs: ['m'], attrs: { axes: [2], keepdims: 0 } },
        { op: 'ReduceMax', name: 'max', inputs: ['r'], outputs: ['mx'], attrs: { axes: [2], keepdims: 0 } },
        { op: 'Concat', name: 'cat', inputs: ['m', 'mx'], outputs: ['h'], attrs: { axis: 1 } },
        { op: 'MatMul', name: 'fc1', inputs: ['h', 'V'], outputs: ['z'], attrs: {} },
        { op: 'Relu', name: 'relu2', inputs: ['z'], outputs: ['z2'], attrs: {} },
        { op: 'MatMul', name: 'fc2', inputs: ['z2', 'U'], outputs: ['y'], attrs: {} },
      ],
      consts: {},
      params: [{ value: 'W', shape: [C, F, 3] }, { value: 'V', shape: [2 * C, 5] }, { value: 'U', shape: [5, K] }],
    };
    const model = new Model({ input: { kind: 'numeric', features: F }, layers: [graph] }, { backend: 'ts64' });
    for (const p of model.parameters()) p.value.set(Float64Array.from({ length: p.value.length }, (_, i) => Math.sin(1.3 * i + p.value.length)));
    const [B, T] = [2, 6];
    const x = { data: Float64Array.from({ length: B * T * F }, (_, i) => Math.cos(0.9 * i) + 0.3), batch: B, steps: T, features: F, lengths: Int32Array.of(T, T) };
    for (const target of [0, 1]) {
      const r = lrp(model, x, { target, epsilon: 0 });
      const g = new Tensor([B, K], Float64Array.from({ length: B * K }, (_, i) => (i % K === target ? 1 : 0)));
      const { grad } = model.inputGradient(x, g);
      const ixg = Array.from(grad.data, (v, i) => v * x.data[i]!);
      const e = maxDiff(r.relevance.data, ixg);
      assert.ok(e <= 1e-12, `LRP vs input × gradient (target ${target}): ${e}`);
      assert.ok(r.biasRelevance.every((v) => Math.abs(v) <= 1e-12), 'no bias relevance without biases at ε = 0');
      assert.ok(ixg.some((v) => v !== 0));
    }
  });

  it('refuses an op without a rule, naming the op and the node and listing the supported ops', () => {
    const graph: GraphConfig = {
      kind: 'graph', name: 'g', opset: 14,
      inputs: [{ value: 'x', source: 'flat', axes: ['B', 'F0'], featureDims: [3] }],
      output: { value: 'y', axes: ['B', 'F0'], features: 3 },
      nodes: [
        { op: 'Exp', name: 'exp', inputs: ['x'], outputs: ['e'], attrs: {} },
        { op: 'Sqrt', name: 'root', inputs: ['e'], outputs: ['s'], attrs: {} },
        { op: 'Mul', name: 'square', inputs: ['s', 's'], outputs: ['y'], attrs: {} },
      ],
      consts: {},
      params: [],
    };
    const model = new Model({ input: { kind: 'numeric', features: 3 }, layers: [{ kind: 'gru', units: 2, returnSequences: false }, { kind: 'dense', units: 3 }, graph] }, { backend: 'ts64' });
    const x = { data: Float64Array.from({ length: 2 * 4 * 3 }, (_, i) => Math.sin(i)), batch: 2, steps: 4, features: 3, lengths: Int32Array.of(4, 4) };
    assert.throws(() => lrp(model, x, { target: 0 }), (e: Error) => {
      assert.match(e.message, /^LRP: graph layer 'g': op 'square' \(Mul\) multiplies two signals of which neither is a gate/);
      assert.match(e.message, /ops with LRP rules: .*LayerNormalization.*MatMul/);
      return true;
    });
    // DeepLIFT has rules for all three (Exp, Sqrt: rescale; s·s: the product rule) and sums to delta
    const d = deeplift(model, x, { target: 0 });
    d.delta.forEach((g) => assert.ok(Math.abs(g) < 1e-9, `delta ${g}`));
    const bad: GraphConfig = { ...graph, nodes: [{ op: 'ReduceProd', name: 'prod', inputs: ['x'], outputs: ['y'], attrs: { axes: [1], keepdims: 1 } }], output: { value: 'y', axes: ['B', 'F0'], features: 1 } };
    const m2 = new Model({ input: { kind: 'numeric', features: 3 }, layers: [{ kind: 'gru', units: 2, returnSequences: false }, { kind: 'dense', units: 3 }, bad] }, { backend: 'ts64' });
    assert.throws(() => deeplift(m2, x, { target: 0 }), /DeepLIFT: graph layer 'g': op 'prod' \(ReduceProd\) has no rule; ops with DeepLIFT rules: /);
  });
});
