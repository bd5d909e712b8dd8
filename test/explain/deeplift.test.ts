import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../src/core/rng.js';
import { Tensor } from '../../src/core/tensor.js';
import type { SeqBatch } from '../../src/nn/layer.js';
import { SequenceModel } from '../../src/nn/model.js';
import { deeplift } from '../../src/explain/deeplift/deeplift.js';
import { DEEPLIFT_RULES } from '../../src/explain/deeplift/rules.js';
import { ZOO, zooInput, zooModel, T, F, LENGTHS } from './lrp-zoo.js';

const sum = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
};

function randomBaseline(seed: number, features: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: T * features }, () => rng.normal(0, 0.7));
}

describe('DeepLIFT summation-to-delta (float64)', () => {
  for (const name of Object.keys(ZOO)) {
    for (const kind of ['zeros', 'tensor'] as const) {
      it(`${name}, ${kind} baseline`, () => {
        const model = zooModel(name);
        const input = zooInput(model);
        const Fw = model.inputSpec.kind === 'tokens' ? 4 : F;
        const baseline =
          kind === 'zeros'
            ? ('zeros' as const)
            : { kind: 'tensor' as const, data: randomBaseline(5, Fw) };
        const target = name.endsWith('every') ? { kind: 'step' as const, index: 0 } : 1;
        const r = deeplift(model, input, { target, baseline });
        for (let b = 0; b < LENGTHS.length; b++) {
          const attr = r.attributions.data.subarray(b * T * Fw, (b + 1) * T * Fw);
          const diff = r.outputs[b]! - r.baselineOutputs[b]!;
          assert.ok(Math.abs(diff) > 1e-6, `a non-degenerate difference (${diff})`);
          assert.ok(
            Math.abs(sum(attr) - diff) <= 1e-6 * Math.abs(diff),
            `${name} b${b}: Σ ${sum(attr)} vs ${diff}`,
          );
          assert.ok(Math.abs(r.delta[b]!) <= 1e-6 * Math.abs(diff));
          for (let i = LENGTHS[b]! * Fw; i < T * Fw; i++) assert.equal(attr[i], 0);
        }
        // F(x) is the model's own output
        const out = model.predict(input);
        if (!name.endsWith('every')) assert.ok(Math.abs(out.data[1]! - r.outputs[0]!) < 1e-12);
      });
    }
  }

  it('a product merge (bidirectional mul) is split the Shapley way and still sums to delta', () => {
    const model = new SequenceModel(
      {
        input: { kind: 'numeric', features: 3 },
        layers: [
          { kind: 'bidirectional', merge: 'mul', layer: { kind: 'lstm', units: 3 } },
          { kind: 'dense', units: 2 },
        ],
      },
      { backend: 'ts64', seed: 4 },
    );
    const r = deeplift(model, zooInput(model), { target: 1, baseline: 0.5 });
    for (let b = 0; b < 2; b++)
      assert.ok(Math.abs(r.delta[b]!) < 1e-9 * Math.abs(r.outputs[b]! - r.baselineOutputs[b]!));
  });
});

describe('DeepLIFT multipliers against the model gradient', () => {
  // As the baseline approaches the input every secant tends to the derivative and every Shapley
  // factor ½(u + u₀) to u, so attr_i / Δx_i must tend to ∂F/∂x_i computed by the model's backprop.
  for (const name of [
    'lstm',
    'gru-after',
    'gru-before',
    'rnn-tanh',
    'bidi-concat-lstm',
    'stacked-lstm-gru',
    'lstm-backwards',
  ]) {
    it(name, () => {
      const model = zooModel(name);
      const input = zooInput(model) as SeqBatch;
      const h = 1e-6;
      const rng = new Rng(9);
      const dir = Float64Array.from({ length: input.data.length }, () =>
        rng.next() < 0.5 ? -1 : 1,
      );
      const base = Float64Array.from(input.data, (v, i) => v - h * dir[i]!);
      const r = deeplift(model, input, { target: 1, baseline: { kind: 'tensor', data: base } });
      const K = model.outputFeatures;
      const g = new Float64Array(input.batch * K);
      for (let b = 0; b < input.batch; b++) g[b * K + 1] = 1;
      const { grad } = model.inputGradient(input, new Tensor([input.batch, K], g));
      for (let b = 0; b < input.batch; b++)
        for (let i = 0; i < LENGTHS[b]! * F; i++) {
          const k = b * T * F + i;
          const m = r.attributions.data[k]! / (h * dir[k]!);
          assert.ok(
            Math.abs(m - grad.data[k]!) < 1e-5 * Math.max(1, Math.abs(grad.data[k]!)),
            `${name}[${k}]: ${m} vs ${grad.data[k]}`,
          );
        }
    });
  }
});

describe('DeepLIFT bad input', () => {
  it('a layer kind without a rule', () => {
    const model = zooModel('lstm');
    const { lstm: _l, ...rules } = DEEPLIFT_RULES;
    assert.throws(
      () => deeplift(model, zooInput(model), { target: 0, rules }),
      /DeepLIFT has no rule for layer kind 'lstm'/,
    );
  });
  it('a target out of range and a baseline of the wrong shape', () => {
    const model = zooModel('gru-after');
    assert.throws(
      () => deeplift(model, zooInput(model), { target: -1 }),
      /output index in \[0, 1\], received -1/,
    );
    assert.throws(
      () =>
        deeplift(model, zooInput(model), { target: 0, baseline: { kind: 'tensor', data: [1, 2] } }),
      /baseline\.data/,
    );
  });
});

describe('DeepLIFT through attribute()', () => {
  it('gives the standalone result, its delta, and token-level sums', async () => {
    const { attribute, registerMethod } = await import('../../src/explain/attribute.js');
    const { deepliftMethod } = await import('../../src/explain/deeplift/deeplift.js');
    registerMethod(deepliftMethod);
    for (const name of ['lstm', 'tokens-gru']) {
      const model = zooModel(name);
      const input = zooInput(model);
      const res = attribute(model, input, { method: 'deeplift', target: 1, baseline: 0.2 });
      const ref = deeplift(model, input, { target: 1, baseline: 0.2 });
      const want = ref.tokenAttributions ?? ref.attributions;
      assert.equal(res.attributions.features, want.features);
      for (let i = 0; i < want.data.length; i++)
        assert.ok(Math.abs(res.attributions.data[i]! - want.data[i]!) < 1e-12);
      for (let b = 0; b < 2; b++) {
        assert.ok(Math.abs(res.delta![b]!) < 1e-9);
        assert.ok(Math.abs(res.outputs[b]! - ref.outputs[b]!) < 1e-12);
      }
    }
  });
});

describe('DeepLIFT for a hidden-unit target', () => {
  it('sums to delta and tends to the gradient of the unit (neuron attribution)', async () => {
    const { neuronAttribution } = await import('../../src/explain/layer/neuron.js');
    const model = zooModel('stacked-lstm-gru');
    const input = zooInput(model) as SeqBatch;
    const target = { kind: 'hidden' as const, layer: 'gru', unit: 2 };
    const far = deeplift(model, input, { target, baseline: 0.3 });
    for (let b = 0; b < 2; b++) {
      const diff = far.outputs[b]! - far.baselineOutputs[b]!;
      assert.ok(Math.abs(far.delta[b]!) <= 1e-9 * Math.max(1e-3, Math.abs(diff)));
    }
    const h = 1e-6;
    const base = Float64Array.from(input.data, (v) => v - h);
    const near = deeplift(model, input, { target, baseline: { kind: 'tensor', data: base } });
    const g = neuronAttribution(model, input, { layer: 'gru', unit: 2 });
    for (let b = 0; b < 2; b++)
      for (let i = 0; i < LENGTHS[b]! * F; i++) {
        const k = b * T * F + i;
        const m = near.attributions.data[k]! / h;
        assert.ok(
          Math.abs(m - g.attributions[k]!) < 1e-5 * Math.max(1, Math.abs(g.attributions[k]!)),
          `[${k}] ${m} vs ${g.attributions[k]}`,
        );
      }
  });
});
