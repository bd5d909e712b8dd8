/**
 * crossValidate: fresh seeded model per fold (checked against training one by hand), folds that
 * cover the pool, out-of-fold predictions, the summary, parallel workers giving identical numbers,
 * group and time splitters, and bad input (too few items, a missing group field, a class smaller
 * than the number of folds, a stratified split of a regression task).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDataset, subset, type Dataset } from '../../src/data/dataset.js';
import { addingDataset } from '../../src/data/synthetic/adding.js';
import { motifDataset } from '../../src/data/synthetic/motif.js';
import { SequenceModel } from '../../src/nn/model.js';
import { evaluate } from '../../src/train/evaluate.js';
import { buildModelConfig } from '../../src/train/recipes.js';
import { train } from '../../src/train/trainer.js';
import { makeBatches } from '../../src/data/batching.js';
import { batchInput, outputTensor } from '../../src/train/tasks.js';
import { crossValidate, prepareCrossValidation, type CrossValidateOptions } from '../../src/verify/cv.js';
import { meanSd } from '../../src/verify/stats/intervals.js';
import { studentTQuantile } from '../../src/verify/stats/distributions.js';

const motif = motifDataset({ n: 120, seed: 1, length: 10 });
const motifModel = buildModelConfig({ cell: 'lstm', hidden: 8, layers: 1, embedding: 6 }, motif, 'classification');
const base: CrossValidateOptions = {
  dataset: motif,
  modelConfig: motifModel,
  trainConfig: { epochs: 2, batchSize: 16, optimizer: { type: 'adam', lr: 1e-2 } },
  folds: 3,
  seed: 5,
  backend: 'ts',
};

function assertPartition(folds: { train: Int32Array; test: Int32Array }[], n: number): void {
  const seen = new Int32Array(n);
  for (const f of folds) {
    const inTrain = new Set(f.train);
    for (const i of f.test) {
      assert.ok(!inTrain.has(i), `item ${i} in both train and test`);
      seen[i]! += 1;
    }
    assert.equal(f.train.length + f.test.length, n);
  }
  assert.ok(seen.every((c) => c === 1), 'every item is tested exactly once');
}

describe('crossValidate (classification, sequential and parallel)', async () => {
  const progress: { done: number; total: number }[] = [];
  const seq = await crossValidate({ ...base, keepModels: true, onProgress: (p) => progress.push({ done: p.done, total: p.total }) });

  it('splits stratified by default into folds that partition the pool', () => {
    assert.equal(seq.splitter, 'stratified');
    assert.equal(seq.folds.length, 3);
    assertPartition(seq.folds, motif.items.length);
    const positives = motif.items.filter((it) => it.label === 1).length;
    for (const f of seq.folds) {
      const pos = Array.from(f.test).filter((i) => motif.items[i]!.label === 1).length;
      assert.ok(Math.abs(pos - positives / 3) <= 1, `class 1 in a test fold: ${pos} of ${positives}`);
    }
  });

  it('trains a fresh model per fold, seeded by the fold: same metrics as training it by hand', async () => {
    const f = seq.folds[1]!;
    const model = new SequenceModel(motifModel, { backend: 'ts', seed: f.seed });
    await train(model, subset(motif, f.train), { task: 'classification', epochs: 2, batchSize: 16, seed: f.seed, optimizer: { type: 'adam', lr: 1e-2 }, distributions: false });
    const ev = evaluate(model, subset(motif, f.test), 'classification');
    assert.deepEqual(f.metrics, ev.metrics);
    assert.notEqual(seq.folds[0]!.seed, f.seed);
  });

  it('returns out-of-fold predictions of every item and the fold models that made them', () => {
    const oof = seq.oof!;
    assert.equal(oof.indices.length, motif.items.length);
    assert.deepEqual([...oof.indices].sort((a, b) => a - b), Array.from({ length: motif.items.length }, (_, i) => i));
    for (let r = 0; r < oof.indices.length; r++) {
      assert.equal(oof.truth[r], motif.items[oof.indices[r]!]!.label);
      const row = oof.outputs.subarray(r * 2, r * 2 + 2);
      assert.ok(Math.abs(row[0]! + row[1]! - 1) < 1e-6); // float32 model, float64 rows
    }
    // fold 0's model reproduces its rows of the out-of-fold table
    const f0 = seq.folds[0]!;
    const [b] = makeBatches(subset(motif, f0.test), { batchSize: f0.test.length, bucketByLength: false });
    const logits = outputTensor(seq.models![0]!.predict(batchInput(seq.models![0]!, b!))).data;
    const row0 = Array.from(oof.indices).indexOf(f0.test[0]!);
    const p1 = 1 / (1 + Math.exp(logits[0]! - logits[1]!));
    assert.ok(Math.abs(oof.outputs[row0 * 2 + 1]! - p1) < 1e-5, `${oof.outputs[row0 * 2 + 1]} vs ${p1}`);
  });

  it('summarises each metric: mean, sd and the Nadeau–Bengio corrected interval', () => {
    const acc = seq.folds.map((f) => f.metrics.accuracy!);
    const { mean, sd } = meanSd(acc);
    const s = seq.summary.accuracy!;
    assert.ok(Math.abs(s.mean - mean) < 1e-12 && Math.abs(s.sd - sd) < 1e-12);
    const half = studentTQuantile(0.975, 2) * Math.sqrt((1 / 3 + 40 / 80) * sd * sd);
    assert.ok(Math.abs(s.ci[1] - (mean + half)) < 1e-9 && Math.abs(s.ci[0] - (mean - half)) < 1e-9);
    for (const k of ['loss', 'logLoss', 'f1', 'balancedAccuracy', 'rocAuc']) assert.ok(k in seq.summary, k);
  });

  it('reports progress over folds and epochs, ending at the total', () => {
    assert.equal(progress.at(-1)!.total, 6);
    assert.equal(progress.at(-1)!.done, 6);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.done >= progress[i - 1]!.done);
  });

  it('gives identical numbers in 2 worker threads', async () => {
    const par = await crossValidate({ ...base, parallel: 2 });
    assert.deepEqual(par.folds.map((f) => f.metrics), seq.folds.map((f) => f.metrics));
    assert.deepEqual(Array.from(par.oof!.outputs), Array.from(seq.oof!.outputs));
    assert.deepEqual(par.summary, seq.summary);
  });
});

describe('crossValidate: other splitters and tasks', () => {
  it('group k-fold by a metadata field keeps every group on one side', async () => {
    const items = motif.items.slice(0, 90).map((it, i) => ({ ...it, meta: { speaker: `s${i % 6}` } }));
    const ds: Dataset = { ...motif, items };
    const cv = await crossValidate({ ...base, dataset: ds, groupBy: 'speaker', trainConfig: { ...base.trainConfig, epochs: 1 } });
    assert.equal(cv.splitter, 'group');
    assertPartition(cv.folds, 90);
    for (const f of cv.folds) {
      const trainGroups = new Set(Array.from(f.train, (i) => items[i]!.meta.speaker));
      for (const i of f.test) assert.ok(!trainGroups.has(items[i]!.meta.speaker));
    }
  });

  it('regression (adding problem): k-fold by default, time-series split on request', async () => {
    const ds = addingDataset({ n: 90, seed: 2, length: 8 });
    const modelConfig = buildModelConfig({ cell: 'gru', hidden: 8, layers: 1 }, ds, 'regression');
    const opts: CrossValidateOptions = { dataset: ds, modelConfig, trainConfig: { epochs: 1, batchSize: 16 }, folds: 3, backend: 'ts' };
    const kf = await crossValidate(opts);
    assert.equal(kf.splitter, 'kfold');
    assert.ok(kf.summary.rmse && kf.summary.mae && kf.summary.r2);
    assert.equal(kf.oof!.width, 1);
    assert.equal(kf.oof!.truth[0], ds.items[kf.oof!.indices[0]!]!.values![0]);
    const ts = await crossValidate({ ...opts, splitter: 'time' });
    for (const f of ts.folds) assert.ok(Math.max(...f.train) < Math.min(...f.test), 'training strictly before testing');
  });

  it('repeats reshuffle the folds with new seeds', () => {
    const prep = prepareCrossValidation({ ...base, repeats: 2 });
    assert.equal(prep.plans.length, 6);
    assert.notDeepEqual(Array.from(prep.plans[0]!.test), Array.from(prep.plans[3]!.test));
    assert.equal(new Set(prep.plans.map((p) => p.seed)).size, 6);
  });
});

describe('crossValidate: bad input', () => {
  it('fewer items than folds', () => {
    const tiny = { ...motif, items: motif.items.slice(0, 3) };
    assert.throws(() => prepareCrossValidation({ ...base, dataset: tiny, folds: 5 }), /argument 'folds' expected at most the number of items \(3\), received 5/);
  });

  it('a group field the items do not have', () => {
    assert.throws(() => prepareCrossValidation({ ...base, groupBy: 'speaker' }), /groupBy.*'speaker', missing on item 0/);
  });

  it('a stratified split of a regression task, a splitter name that does not exist', () => {
    const ds = addingDataset({ n: 20, seed: 2, length: 4 });
    const modelConfig = buildModelConfig({ cell: 'gru', hidden: 4, layers: 1 }, ds, 'regression');
    assert.throws(() => prepareCrossValidation({ dataset: ds, modelConfig, trainConfig: { epochs: 1, batchSize: 4 }, splitter: 'stratified' }), /stratifying needs class labels/);
    assert.throws(() => prepareCrossValidation({ ...base, splitter: 'loo' as never }), /argument 'splitter'/);
  });

  it('a class with fewer members than folds: a warning naming the folds that miss it', () => {
    const items = motif.items.slice(0, 40).map((it, i) => ({ ...it, label: i < 2 ? 2 : it.label! }));
    const ds = createDataset({ ...motif, classNames: ['a', 'b', 'rare'], items });
    const warnings: string[] = [];
    prepareCrossValidation({ ...base, dataset: ds, modelConfig: buildModelConfig({ cell: 'gru', hidden: 4, layers: 1, embedding: 4 }, ds, 'classification'), onWarning: (m) => warnings.push(m) });
    assert.ok(warnings.some((w) => /least populated class has only 2 members/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /has no test items of class rare/.test(w)), warnings.join('\n'));
  });

  it('neither a recipe nor a dataset, or both', () => {
    assert.throws(() => prepareCrossValidation({}), /argument 'recipe' expected a recipe name/);
    assert.throws(() => prepareCrossValidation({ ...base, recipe: 'motif' }), /either a recipe or a dataset/);
  });
});
