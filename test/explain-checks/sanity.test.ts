import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SequenceModel } from '../../src/nn/model.js';
import { attribute } from '../../src/explain/attribute.js';
import {
  cascadeStages,
  cascadingRandomisation,
  compareMaps,
  dataRandomisation,
  explainerFor,
  type Explainer,
} from '../../src/verify/explanations/sanity.js';
import { firstN, inputAsMap, numericInput, trainedTask } from './helpers.js';

describe('cascading model-parameter randomisation', () => {
  it('goes from the head down: dense, each recurrent layer input then recurrent weights, embedding', () => {
    const m = new SequenceModel({
      input: { kind: 'tokens', vocabSize: 12 },
      layers: [
        { kind: 'embedding', vocabSize: 12, dim: 4 },
        { kind: 'gru', units: 5, returnSequences: true },
        { kind: 'gru', units: 5 },
        { kind: 'dense', units: 3 },
      ],
    });
    const stages = cascadeStages(m).map((s) => [s.name, s.parameters.map((p) => p.name)]);
    assert.deepEqual(stages, [
      ['dense', ['dense/kernel', 'dense/bias']],
      ['gru_1 input weights', ['gru_1/W', 'gru_1/bx']],
      ['gru_1 recurrent weights', ['gru_1/U', 'gru_1/bh']],
      ['gru input weights', ['gru/W', 'gru/bx']],
      ['gru recurrent weights', ['gru/U', 'gru/bh']],
      ['embedding', ['embedding/embeddings']],
    ]);
  });

  it('a broken method that returns the input FAILS; integrated gradients passes; the model is untouched', async () => {
    const task = await trainedTask('ismail-SmallMiddle-gaussian');
    const x = firstN(numericInput(task), 8);
    const before = task.model.parameters().map((p) => Float64Array.from(p.value));
    const broken: Explainer = (_m, z) => inputAsMap(z as typeof x);
    const b = cascadingRandomisation(task.model, x, broken);
    assert.equal(b.verdict, 'fail');
    assert.equal(b.rho, 1);
    assert.deepEqual(
      b.stages.map((s) => s.name),
      ['dense', 'lstm input weights', 'lstm recurrent weights'],
    );
    for (const s of b.stages) assert.ok(Math.abs(s.ssim - 1) < 1e-9);
    const ig = cascadingRandomisation(
      task.model,
      x,
      explainerFor({ method: 'integrated-gradients', target: task.labels.slice(0, 8) }),
    );
    assert.equal(ig.verdict, 'pass', `rho ${ig.rho}`);
    assert.ok(ig.stages.every((s) => s.ssim < 0.9));
    task.model
      .parameters()
      .forEach((p, i) => assert.deepEqual(Float64Array.from(p.value), before[i]));
  });

  it('compareMaps: identical maps score 1, negated maps keep |ρ| = 1 but signed ρ = −1', () => {
    const a = {
      data: Float64Array.from({ length: 12 }, (_, i) => Math.sin(i + 1)),
      batch: 2,
      steps: 3,
      features: 2,
      lengths: Int32Array.of(3, 3),
    };
    const same = compareMaps(a, a);
    assert.deepEqual([same.spearman, same.spearmanAbs], [1, 1]);
    const neg = compareMaps(a, { ...a, data: a.data.map((v) => -v) });
    assert.equal(neg.spearman, -1);
    assert.equal(neg.spearmanAbs, 1);
  });
});

describe('data randomisation', () => {
  it('a model trained on permuted labels explains differently; the input-map still fails', async () => {
    const task = await trainedTask('ismail-SmallMiddle-gaussian');
    const x = firstN(numericInput(task), 8);
    const small = { ...task.train, items: task.train.items.slice(0, 120) };
    const train = { ...task.trainConfig, epochs: 3 };
    const labels = task.labels.slice(0, 8);
    const ig = await dataRandomisation(
      task.model,
      small,
      x,
      explainerFor({ method: 'integrated-gradients', target: labels }),
      { train },
    );
    assert.equal(ig.kind, 'data');
    assert.notEqual(ig.verdict, 'fail', `rho ${ig.rho}`);
    const broken = await dataRandomisation(
      task.model,
      small,
      x,
      (_m, z) => inputAsMap(z as typeof x),
      { train },
    );
    assert.equal(broken.verdict, 'fail');
    // the check itself: attribute still runs on the original model
    assert.ok(
      attribute(task.model, x, { method: 'saliency', target: labels }).attributions.data.length > 0,
    );
  });
});
