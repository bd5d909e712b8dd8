/**
 * Baselines (constant, mean, tensor, blur, samples, PAD token) replace what they should, and
 * hidden-unit targets of reversed directions have the right gradient (central differences).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';
import type { SeqBatch, TokenBatch } from '../../src/nn/layer.js';
import { SequenceModel } from '../../src/nn/model.js';
import { attribute } from '../../src/explain/attribute.js';
import type { AttributeOptions } from '../../src/explain/types.js';
import {
  assertClose,
  assertZeroPadding,
  buildModel,
  fixtureInput,
  loadAttributionFixtures,
} from './helpers.js';

const fixtures = loadAttributionFixtures();
const lstm = fixtures.find((f) => f.name === 'lstm_cls')!;
const emb = fixtures.find((f) => f.name === 'emb_lstm')!;

describe('baselines', () => {
  const model = buildModel(lstm, 'ts64');
  const x = fixtureInput(lstm) as SeqBatch;
  const S = x.steps * x.features;
  const ablate = (baseline: AttributeOptions['baseline']) =>
    attribute(model, x, { method: 'feature-ablation', target: 0, baseline, groups: 'steps' });
  it('constant, mean, tensor and blur baselines replace what they should', () => {
    const mean = [0.1, -0.2, 0.3];
    const a = ablate({ kind: 'mean', mean });
    const tensor = Array.from({ length: S }, (_, i) => mean[i % 3]!);
    const b = ablate({ kind: 'tensor', data: tensor });
    assert.deepEqual(a.attributions.data, b.attributions.data);
    assert.equal(a.diagnostics.baseline, 'mean');
    // Blur with a window of 1 is the input itself: nothing changes when a step is "removed".
    const blur1 = ablate({ kind: 'blur', window: 1 });
    assert.ok(blur1.attributions.data.every((v) => Math.abs(v) < 1e-15));
    // Blur with window 3: step t becomes the mean of steps t−1..t+1 within the sequence.
    const blur3 = attribute(model, x, {
      method: 'integrated-gradients',
      target: 0,
      baseline: { kind: 'blur', window: 3 },
      steps: 4,
      rule: 'riemann-left',
    });
    const manual: number[] = [];
    for (let b2 = 0; b2 < x.batch; b2++)
      for (let t = 0; t < x.steps; t++)
        for (let f = 0; f < 3; f++) {
          const L = x.lengths[b2]!;
          if (t >= L) {
            manual.push(0);
            continue;
          }
          const lo = Math.max(0, t - 1);
          const hi = Math.min(L - 1, t + 1);
          let s = 0;
          for (let u = lo; u <= hi; u++) s += x.data[b2 * S + u * 3 + f]!;
          manual.push(s / (hi - lo + 1));
        }
    const viaTensor = attribute(model, x, {
      method: 'integrated-gradients',
      target: 0,
      baseline: { kind: 'tensor', data: manual },
      steps: 4,
      rule: 'riemann-left',
    });
    assertClose(blur3.attributions.data, viaTensor.attributions.data, 1e-12, 'blur(3)');
  });
  it('samples: Gradient SHAP draws from them, other methods use their mean', () => {
    const samples: SeqBatch = {
      data: new Rng(2).fillNormal(new Float64Array(4 * S)),
      batch: 4,
      steps: x.steps,
      features: 3,
      lengths: Int32Array.of(5, 5, 5, 5),
    };
    const mean = Array.from({ length: S }, (_, i) =>
      [0, 1, 2, 3].reduce((s, n) => s + samples.data[n * S + i]! / 4, 0),
    );
    const viaSamples = ablate({ kind: 'samples', data: samples });
    const viaMean = ablate({ kind: 'tensor', data: mean });
    assertClose(viaSamples.attributions.data, viaMean.attributions.data, 1e-12, 'samples mean');
    const gs = attribute(model, x, {
      method: 'gradient-shap',
      target: 0,
      baseline: { kind: 'samples', data: samples },
    });
    assert.ok(gs.attributions.data.some((v) => v !== 0));
    assert.equal(gs.diagnostics.baseline, 'samples(4)');
  });
  it('token models: a PAD token baseline and token samples', () => {
    const m = buildModel(emb, 'ts64');
    const t = fixtureInput(emb) as TokenBatch;
    const pad = attribute(m, t, {
      method: 'feature-ablation',
      target: 1,
      baseline: { kind: 'token', id: 0 },
    });
    assert.equal(pad.attributions.features, 1);
    assertZeroPadding(pad.attributions.data, emb.lengths, emb.steps, 1, 'pad');
    const same = attribute(m, t, {
      method: 'feature-ablation',
      target: 1,
      baseline: {
        kind: 'samples',
        data: {
          ids: new Int32Array(2 * emb.steps),
          batch: 2,
          steps: emb.steps,
          lengths: Int32Array.of(emb.steps, emb.steps),
        },
      },
    });
    assertClose(same.attributions.data, pad.attributions.data, 1e-12, 'samples of PAD tokens');
  });
});

describe('hidden-unit targets of reversed directions', () => {
  it('the gradient matches central differences (bidirectional both ways, goBackwards)', () => {
    const configs = [
      {
        layers: [
          { kind: 'bidirectional', name: 'bi', layer: { kind: 'lstm', units: 3 } },
          { kind: 'dense', units: 2 },
        ],
        target: { kind: 'hidden', layer: 'bi', unit: 1, direction: 'backward' },
      },
      {
        layers: [
          { kind: 'bidirectional', name: 'bi', layer: { kind: 'gru', units: 3 } },
          { kind: 'dense', units: 2 },
        ],
        target: { kind: 'hidden', layer: 'bi', unit: 2, direction: 'forward' },
      },
      {
        layers: [
          { kind: 'gru', name: 'g', units: 3, goBackwards: true },
          { kind: 'dense', units: 2 },
        ],
        target: { kind: 'hidden', layer: 'g', unit: 0 },
      },
    ] as const;
    const rng = new Rng(3);
    const x: SeqBatch = {
      data: rng.fillNormal(new Float64Array(2 * 4 * 2)),
      batch: 2,
      steps: 4,
      features: 2,
      lengths: Int32Array.of(4, 3),
    };
    x.data.fill(0, (4 + 3) * 2, 16);
    for (const c of configs) {
      const model = new SequenceModel(
        { input: { kind: 'numeric', features: 2 }, layers: c.layers as never },
        { backend: 'ts64', seed: 1 },
      );
      const g = attribute(model, x, { method: 'saliency', abs: false, target: c.target as never });
      const value = (d: SeqBatch['data']) =>
        attribute(
          model,
          { ...x, data: d },
          { method: 'occlusion', target: c.target as never, window: [1, 1] },
        ).outputs;
      for (let i = 0; i < 14; i++) {
        const up = x.data.slice();
        const down = x.data.slice();
        up[i] += 1e-6;
        down[i] -= 1e-6;
        const b = i < 8 ? 0 : 1;
        const fd = (value(up)[b]! - value(down)[b]!) / 2e-6;
        assert.ok(
          Math.abs(fd - g.attributions.data[i]!) < 1e-6,
          `${JSON.stringify(c.target)} element ${i}: ${g.attributions.data[i]} vs ${fd}`,
        );
      }
    }
  });
});
