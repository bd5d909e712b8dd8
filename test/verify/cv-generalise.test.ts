/**
 * Generalisation: a trained model on another dataset with bootstrap intervals, and
 * leave-one-group-out (each group held out in turn, a fresh model trained on the others).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { subset, type Dataset } from '../../src/data/dataset.js';
import { motifDataset } from '../../src/data/synthetic/motif.js';
import { addingDataset } from '../../src/data/synthetic/adding.js';
import { SequenceModel } from '../../src/nn/model.js';
import { evaluate } from '../../src/train/evaluate.js';
import { buildModelConfig } from '../../src/train/recipes.js';
import { train } from '../../src/train/trainer.js';
import { evaluateGeneralisation, leaveOneGroupOutEvaluation } from '../../src/verify/generalise.js';

const ds = motifDataset({ n: 100, seed: 3, length: 10 });
const cfg = buildModelConfig({ cell: 'lstm', hidden: 8, layers: 1, embedding: 6 }, ds, 'classification');

describe('evaluateGeneralisation', () => {
  it('scores a trained model on another dataset, with bootstrap intervals around the metrics', async () => {
    const model = new SequenceModel(cfg, { backend: 'ts', seed: 2 });
    await train(model, ds, { task: 'classification', epochs: 8, batchSize: 16, seed: 2, optimizer: { type: 'adam', lr: 2e-2 }, distributions: false });
    // another dataset, shifted: a quarter of its labels flipped, so the model cannot be perfect on it
    const fresh = motifDataset({ n: 80, seed: 99, length: 10 });
    const other: Dataset = { ...fresh, items: fresh.items.map((it, i) => (i % 4 === 0 ? { ...it, label: 1 - it.label! } : it)) };
    const r = evaluateGeneralisation(model, other, 'classification', { nResamples: 500, seed: 1 });
    assert.deepEqual(r.metrics, evaluate(model, other, 'classification').metrics);
    for (const k of ['accuracy', 'balancedAccuracy', 'f1']) {
      const iv = r.intervals[k]!;
      assert.ok(iv.low <= iv.estimate && iv.estimate <= iv.high && iv.high - iv.low > 0, `${k}: ${JSON.stringify(iv)}`);
    }
    assert.ok(Math.abs(r.intervals.accuracy!.estimate - r.metrics.accuracy!) < 1e-12);
    assert.ok(Math.abs(r.intervals.f1!.estimate - r.metrics.f1!) < 1e-12);
  });

  it('constant predictions (a model that always says class 0): point intervals, no NaN', () => {
    const model = new SequenceModel(cfg, { backend: 'ts', seed: 2 });
    for (const p of model.parameters()) if (p.name.startsWith('dense')) p.value.fill(0);
    model.parameters().find((p) => p.name === 'dense/bias')!.value[0] = 5;
    const r = evaluateGeneralisation(model, ds, 'classification', { nResamples: 200 });
    assert.equal(r.metrics.balancedAccuracy, 0.5);
    const iv = r.intervals.balancedAccuracy!;
    assert.deepEqual([iv.low, iv.estimate, iv.high], [0.5, 0.5, 0.5]);
    const share0 = ds.items.filter((it) => it.label === 0).length / ds.items.length;
    assert.ok(Math.abs(r.intervals.accuracy!.estimate - share0) < 1e-12);
    assert.ok(r.intervals.accuracy!.high > r.intervals.accuracy!.low);
  });

  it('regression: rmse and mae intervals; an empty dataset is an error', () => {
    const reg = addingDataset({ n: 40, seed: 1, length: 6 });
    const m = new SequenceModel(buildModelConfig({ cell: 'gru', hidden: 4, layers: 1 }, reg, 'regression'), { backend: 'ts' });
    const r = evaluateGeneralisation(m, reg, 'regression', { nResamples: 200 });
    assert.ok(Math.abs(r.intervals.rmse!.estimate - r.metrics.rmse!) < 1e-6);
    assert.throws(() => evaluateGeneralisation(m, { ...reg, items: [] }), /argument 'dataset' expected at least one item/);
  });
});

describe('leaveOneGroupOutEvaluation', () => {
  it('holds out each group in turn and trains a fresh model on the others', async () => {
    const items = ds.items.map((it, i) => ({ ...it, meta: { speaker: ['ann', 'bob', 'cy', 'di'][i % 4]! } }));
    const grouped: Dataset = { ...ds, items };
    const r = await leaveOneGroupOutEvaluation({ dataset: grouped, modelConfig: cfg, trainConfig: { epochs: 1, batchSize: 16 }, groupBy: 'speaker', backend: 'ts', seed: 4, bootstrap: { nResamples: 200 } });
    assert.deepEqual(r.groups.map((g) => g.group), ['ann', 'bob', 'cy', 'di']);
    for (const g of r.groups) {
      assert.equal(g.n, 25);
      assert.equal(g.trainSize, 75);
      assert.ok(g.intervals.accuracy!.low <= g.metrics.accuracy! && g.metrics.accuracy! <= g.intervals.accuracy!.high);
    }
    // group 'cy' by hand: a fresh model (seeded as fold 3) on the other groups
    const seedOfCy = (await import('../../src/verify/cv/plan.js')).foldSeed(4, 0, 2);
    const tr = items.map((_, i) => i).filter((i) => items[i]!.meta.speaker !== 'cy');
    const te = items.map((_, i) => i).filter((i) => items[i]!.meta.speaker === 'cy');
    const m = new SequenceModel(cfg, { backend: 'ts', seed: seedOfCy });
    await train(m, subset(grouped, tr), { task: 'classification', epochs: 1, batchSize: 16, seed: seedOfCy, distributions: false });
    assert.deepEqual(r.groups[2]!.metrics, evaluate(m, subset(grouped, te), 'classification').metrics);
  });

  it('a group field the items lack is a clear error', async () => {
    await assert.rejects(leaveOneGroupOutEvaluation({ dataset: ds, modelConfig: cfg, trainConfig: { epochs: 1, batchSize: 16 }, groupBy: 'speaker', backend: 'ts' }), /groupBy/);
  });
});
