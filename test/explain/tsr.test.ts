import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Tensor } from '../../src/core/tensor.js';
import type { SeqBatch } from '../../src/nn/layer.js';
import { SequenceModel } from '../../src/nn/model.js';
import { attribute, registerMethod } from '../../src/explain/attribute.js';
import {
  quantile,
  minmax,
  temporalSaliencyRescaling,
  tsrMethod,
  type AttributionFn,
} from '../../src/explain/tsr.js';

type Rows = SeqBatch & { data: Float64Array };

describe('TSR helpers', () => {
  it('quantile interpolates linearly (numpy default) and minmax scales', () => {
    assert.equal(quantile([0, 1, 2, 3, 4], 0.55), 2.2);
    assert.equal(quantile([5], 0.3), 5);
    assert.deepEqual(minmax([2, 4, 3]), [0, 1, 0.5]);
    assert.deepEqual(minmax([3, 3]), [1, 1]);
    assert.deepEqual(minmax([0, 0]), [0, 0]);
  });
});

describe('TSR on a function whose answer is known', () => {
  // R(x)[t, f] = 2·w_t·x[t, 0]² on feature 0 (input × gradient of Σ_t w_t·x[t,0]²), 0 elsewhere.
  const w = [0, 3, 0, 1, 0.5];
  const fn: AttributionFn = (x) => {
    const out = new Float64Array(x.data.length);
    for (let r = 0; r < x.batch; r++)
      for (let t = 0; t < x.lengths[r]!; t++) {
        const i = (r * x.steps + t) * x.features;
        out[i] = 2 * w[t]! * x.data[i]! ** 2;
      }
    return out;
  };
  it('scores steps by how much masking them changes the map, features within kept steps', () => {
    const T = 5;
    const F = 2;
    const data = Float64Array.from({ length: T * F }, (_, i) => 1 + (i % 3)); // x[t, f]
    const x: Rows = { data, batch: 1, steps: T, features: F, lengths: Int32Array.of(T) };
    const r = temporalSaliencyRescaling(fn, x, new Float64Array(T * F));
    // Masking step t changes only R[t, 0], by |R[t, 0]|.
    const delta = w.map((wt, t) => 2 * wt * data[t * F]! ** 2);
    const scaled = minmax(delta);
    const q = quantile(scaled, 0.55);
    for (let t = 0; t < T; t++) {
      assert.ok(Math.abs(r.timeScores[t]! - scaled[t]!) < 1e-12);
      assert.equal(r.kept[t], scaled[t]! > q ? 1 : 0);
      // Kept: feature 0 scores 1, feature 1 (masking it changes nothing) 0.
      const expect0 = r.kept[t] ? scaled[t]! : 0;
      assert.ok(Math.abs(r.attributions[t * F]! - expect0) < 1e-12, `t${t}`);
      assert.equal(r.attributions[t * F + 1], 0);
    }
    assert.deepEqual(Array.from(r.kept), [0, 1, 0, 0, 1]); // Δ = [0, 54, 0, 2, 9]
    // droppedFeatureScore (the authors' code uses 0.1) rescales dropped steps instead of zeroing them.
    const r2 = temporalSaliencyRescaling(fn, x, new Float64Array(T * F), {
      droppedFeatureScore: 0.1,
      alpha: 0.9,
    });
    assert.deepEqual(Array.from(r2.kept), [0, 1, 0, 0, 0]);
    assert.ok(Math.abs(r2.attributions[3 * F]! - 0.1 * scaled[3]!) < 1e-12);
  });
  it('padded steps are never masked or scored, and bad options are errors', () => {
    const data = new Float64Array(2 * 5 * 2).fill(1);
    const x: Rows = { data, batch: 2, steps: 5, features: 2, lengths: Int32Array.of(5, 3) };
    const r = temporalSaliencyRescaling(fn, x, new Float64Array(20));
    for (let i = 13; i < 20; i++) assert.equal(r.attributions[i], 0);
    assert.equal(r.kept[8], 0);
    assert.throws(
      () => temporalSaliencyRescaling(fn, x, new Float64Array(20), { alpha: 1.5 }),
      /alpha/,
    );
    assert.throws(() => temporalSaliencyRescaling(fn, x, new Float64Array(3)), /baseline/);
  });
});

describe('TSR on a tiny model', () => {
  // A SimpleRNN without recurrence (U = 0) whose output reads only feature 0 of the last step:
  // output = tanh(2·x[T−1, 0] + 0.1). TSR over input × gradient must put everything there.
  function tiny(): SequenceModel {
    const m = new SequenceModel(
      { input: { kind: 'numeric', features: 2 }, layers: [{ kind: 'simple_rnn', units: 1 }] },
      { backend: 'ts64' },
    );
    const set: Record<string, number[]> = {
      'simple_rnn/W': [2, 0],
      'simple_rnn/U': [0],
      'simple_rnn/bx': [0.1],
      'simple_rnn/bh': [0],
    };
    for (const p of m.parameters()) p.value.set(set[p.name]!);
    return m;
  }
  const T = 4;
  const data = Float64Array.of(0.5, -1, 0.3, 0.8, -0.2, 0.4, 0.7, -0.6);
  const x: Rows = { data, batch: 1, steps: T, features: 2, lengths: Int32Array.of(T) };

  it('directly, with input × gradient from the model', () => {
    const model = tiny();
    const fn: AttributionFn = (rows) => {
      const { grad } = model.inputGradient(
        rows,
        new Tensor([rows.batch, 1], new Float64Array(rows.batch).fill(1)),
      );
      return Float64Array.from(rows.data, (v, i) => v * grad.data[i]!);
    };
    const r = temporalSaliencyRescaling(fn, x, new Float64Array(T * 2));
    assert.deepEqual(Array.from(r.kept), [0, 0, 0, 1]);
    const expected = new Float64Array(T * 2);
    expected[(T - 1) * 2] = 1;
    assert.deepEqual(Array.from(r.attributions), Array.from(expected));
  });

  it('through attribute() as a wrapper of a registered method', () => {
    registerMethod(tsrMethod);
    const res = attribute(tiny(), x, { method: 'tsr', inner: 'input-x-gradient', target: 0 });
    const expected = [0, 0, 0, 0, 0, 0, 1, 0];
    assert.deepEqual(Array.from(res.attributions.data), expected);
    assert.equal(res.diagnostics.keptSteps, 1);
    assert.throws(
      () => attribute(tiny(), x, { method: 'tsr', inner: 'tsr', target: 0 }),
      /tsrInner/,
    );
    // tsrInner leaves `inner` to a wrapped noise tunnel (no noise: the mean of its inner method).
    const nt = attribute(tiny(), x, {
      method: 'tsr',
      tsrInner: 'smoothgrad',
      inner: 'input-x-gradient',
      stdevs: 0,
      samples: 2,
      target: 0,
    });
    assert.deepEqual(Array.from(nt.attributions.data), expected);
  });
});
