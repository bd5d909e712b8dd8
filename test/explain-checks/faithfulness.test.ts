import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attribute } from '../../src/explain/attribute.js';
import { outputTensor } from '../../src/train/tasks.js';
import type { SeqBatch } from '../../src/nn/layer.js';
import type { SequenceModel } from '../../src/nn/model.js';
import { faithfulness, trapezoid } from '../../src/verify/explanations/faithfulness.js';
import {
  infidelity,
  maxSensitivity,
  randomLike,
} from '../../src/verify/explanations/sensitivity.js';
import { Rng } from '../../src/core/rng.js';
import { firstN, numericInput, trainedTask } from './helpers.js';

/** softmax(model(x))[cls[b]] per sequence, computed directly. */
function probs(model: SequenceModel, x: SeqBatch, cls: number[]): number[] {
  const t = outputTensor(model.predict(x));
  const K = t.shape[1]!;
  return cls.map((k, b) => {
    const row = Array.from(t.data.subarray(b * K, (b + 1) * K));
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    return e[k]! / e.reduce((s, v) => s + v, 0);
  });
}
const mean = (v: number[]): number => v.reduce((s, c) => s + c, 0) / v.length;

describe('deletion / insertion curves and ERASER', () => {
  it('curve end points and a comprehensiveness bin equal direct model evaluations', async () => {
    const task = await trainedTask();
    const x = firstN(numericInput(task), 8);
    const labels = task.labels.slice(0, 8);
    const map = attribute(task.model, x, {
      method: 'integrated-gradients',
      target: labels,
    }).attributions;
    const f = faithfulness(task.model, x, map, { target: labels, points: 10 });
    const full = probs(task.model, x, labels);
    const zeros = { ...x, data: new Float32Array(x.data.length) };
    const empty = probs(task.model, zeros, labels);
    assert.equal(f.deletion.fractions.length, 11);
    assert.ok(Math.abs(f.deletion.curve[0]! - mean(full)) < 1e-6);
    assert.ok(Math.abs(f.deletion.curve[10]! - mean(empty)) < 1e-6);
    assert.ok(Math.abs(f.insertion.curve[0]! - mean(empty)) < 1e-6);
    assert.ok(Math.abs(f.insertion.curve[10]! - mean(full)) < 1e-6);
    assert.ok(Math.abs(f.deletion.auc.value - trapezoid(f.deletion.curve)) < 1e-9);
    // The 20 % bin: remove the 4 steps (of 20) with the largest summed attribution.
    const masked = { ...x, data: Float32Array.from(x.data) };
    for (let b = 0; b < 8; b++) {
      const s = Array.from({ length: 20 }, (_, t) => {
        let v = 0;
        for (let k = 0; k < 10; k++) v += map.data[b * 200 + t * 10 + k]!;
        return { t, v };
      }).sort((p, q) => q.v - p.v || p.t - q.t);
      for (const { t } of s.slice(0, 4))
        masked.data.fill(0, b * 200 + t * 10, b * 200 + t * 10 + 10);
    }
    const after = probs(task.model, masked, labels);
    const comp20 = mean(full.map((p, b) => p - after[b]!));
    assert.ok(
      Math.abs(f.comprehensiveness.perBin[3]! - comp20) < 1e-6,
      `${f.comprehensiveness.perBin[3]} vs ${comp20}`,
    );
    assert.deepEqual(f.comprehensiveness.bins, [0.01, 0.05, 0.1, 0.2, 0.5]);
    assert.ok(Math.abs(f.comprehensiveness.value - mean(f.comprehensiveness.perBin)) < 1e-12);
  });

  it('integrated gradients is more faithful than random orderings on a trained model', async () => {
    const task = await trainedTask();
    const x = numericInput(task);
    const map = attribute(task.model, x, {
      method: 'integrated-gradients',
      target: task.labels,
    }).attributions;
    const f = faithfulness(task.model, x, map, { target: task.labels, unit: 'elements' });
    assert.ok(f.deletion.auc.value < f.deletion.auc.random - 0.05, JSON.stringify(f.deletion.auc));
    assert.ok(
      f.insertion.auc.value > f.insertion.auc.random + 0.05,
      JSON.stringify(f.insertion.auc),
    );
    assert.ok(f.comprehensiveness.value > f.comprehensiveness.random);
    assert.ok(f.sufficiency.value < f.sufficiency.random);
  });

  it('rejects a map of the wrong shape and bad options', async () => {
    const task = await trainedTask();
    const x = firstN(numericInput(task), 2);
    const bad = {
      data: new Float64Array(10),
      batch: 1,
      steps: 10,
      features: 1,
      lengths: Int32Array.of(10),
    };
    assert.throws(
      () => faithfulness(task.model, x, bad),
      /faithfulness: argument 'attributions' expected a map \[2, 20, 10\]/,
    );
    const ok = randomLike(
      {
        ...bad,
        batch: 2,
        steps: 20,
        features: 10,
        data: new Float64Array(400).fill(1),
        lengths: x.lengths,
      },
      new Rng(1),
    );
    assert.throws(() => faithfulness(task.model, x, ok, { points: 0 }), /points/);
    assert.throws(() => faithfulness(task.model, x, ok, { target: [0, 5] }), /target\[1\]/);
  });
});

describe('infidelity and max-sensitivity', () => {
  it('the gradient is nearly exact for small perturbations; a random map is not', async () => {
    const task = await trainedTask();
    const model = task.model.to('ts64');
    const x = { ...firstN(numericInput(task), 6) };
    const xd = { ...x, data: Float64Array.from(x.data) };
    const labels = task.labels.slice(0, 6);
    const grad = attribute(model, xd, {
      method: 'saliency',
      abs: false,
      target: labels,
    }).attributions;
    const inf = infidelity(model, xd, grad, { target: labels, sigma: 1e-3, samples: 20 });
    assert.ok(inf.value < 0.01 * inf.random, JSON.stringify({ v: inf.value, r: inf.random }));
    const ms = maxSensitivity(
      xd,
      (z) => attribute(model, z, { method: 'saliency', target: 0 }).attributions,
      { samples: 4 },
    );
    assert.ok(ms.value < 0.2 && ms.random > 1, JSON.stringify({ v: ms.value, r: ms.random }));
  });
});
