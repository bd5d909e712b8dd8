/**
 * compareModels: contenders scored on the same folds as the RNN; the paired test's numbers
 * recomputed here from the per-fold scores (Nadeau–Bengio formula, McNemar counts), 5×2cv,
 * a saved model scored without retraining, flagged constant differences, and bad input.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subset } from '../../src/data/dataset.js';
import { addingDataset } from '../../src/data/synthetic/adding.js';
import { motifDataset } from '../../src/data/synthetic/motif.js';
import { SequenceModel } from '../../src/nn/model.js';
import { saveModel } from '../../src/train/checkpoint.js';
import { evaluate } from '../../src/train/evaluate.js';
import { buildModelConfig } from '../../src/train/recipes.js';
import { train } from '../../src/train/trainer.js';
import { compareModels, pairedTest, type CompareOptions } from '../../src/verify/compare.js';
import { prepareCrossValidation } from '../../src/verify/cv.js';
import { meanSd } from '../../src/verify/stats/intervals.js';
import { studentTSf } from '../../src/verify/stats/distributions.js';

const ds = motifDataset({ n: 120, seed: 7, length: 10 });
const modelConfig = buildModelConfig({ cell: 'gru', hidden: 8, layers: 1, embedding: 6 }, ds, 'classification');
const base: CompareOptions = {
  dataset: ds,
  modelConfig,
  trainConfig: { epochs: 2, batchSize: 16, optimizer: { type: 'adam', lr: 1e-2 } },
  folds: 3,
  seed: 1,
  backend: 'ts',
  against: ['baseline'],
  forest: { nEstimators: 10 },
};

describe('compareModels against the baselines', async () => {
  const c = await compareModels(base);
  const rf = c.contenders.find((x) => x.name === 'random-forest')!;
  const maj = c.contenders.find((x) => x.name === 'majority')!;

  it('scores the random forest and the majority class on the same folds as the RNN', () => {
    assert.deepEqual(c.contenders.map((x) => x.name), ['random-forest', 'majority']);
    assert.equal(rf.folds.length, c.rnn.folds.length);
    c.rnn.folds.forEach((f, j) => {
      assert.deepEqual(Array.from(rf.folds[j]!.predictions!.indices), Array.from(f.test));
      // majority: the training fold's most frequent class, scored on the test fold
      const trainOnes = Array.from(f.train).filter((i) => ds.items[i]!.label === 1).length;
      const major = trainOnes * 2 > f.train.length ? 1 : 0;
      const acc = Array.from(f.test).filter((i) => ds.items[i]!.label === major).length / f.test.length;
      assert.ok(Math.abs(maj.folds[j]!.metrics.accuracy! - acc) < 1e-12);
    });
  });

  it('tests the paired differences with the Nadeau–Bengio corrected t-test (recomputed here)', () => {
    const p = c.comparisons[0]!;
    assert.equal(p.against, 'random-forest');
    assert.equal(p.metric, 'accuracy');
    const d = c.rnn.folds.map((f, j) => f.metrics.accuracy! - rf.folds[j]!.metrics.accuracy!);
    assert.deepEqual(p.differences, d);
    const { mean, sd } = meanSd(d);
    const nTest = ds.items.length / 3;
    const t = mean / Math.sqrt((1 / 3 + nTest / (ds.items.length - nTest)) * sd * sd);
    assert.equal(p.test, 'nadeau-bengio-t');
    assert.ok(Math.abs(p.statistic! - t) < 1e-9, `${p.statistic} vs ${t}`);
    assert.ok(Math.abs(p.pvalue! - 2 * studentTSf(Math.abs(t), 2)) < 1e-9);
    assert.equal(p.df, 2);
    assert.ok(p.ci[0] <= p.meanDifference && p.meanDifference <= p.ci[1]);
    assert.equal(p.significant, p.pvalue! < 0.05);
    assert.equal(p.rnnBetter, p.significant && p.meanDifference > 0);
  });

  it('adds McNemar on the pooled out-of-fold labels (discordant pairs counted here)', () => {
    const m = c.comparisons[0]!.mcnemar!;
    const argmax = (o: Float64Array, r: number): number => (o[r * 2 + 1]! > o[r * 2]! ? 1 : 0);
    const rnnPred = new Map<number, number>();
    const oof = c.rnn.oof!;
    for (let r = 0; r < oof.indices.length; r++) rnnPred.set(oof.indices[r]!, argmax(oof.outputs, r));
    let b = 0;
    let cc = 0;
    for (const f of rf.folds) {
      const p = f.predictions!;
      for (let r = 0; r < p.indices.length; r++) {
        const i = p.indices[r]!;
        const y = ds.items[i]!.label!;
        const ra = rnnPred.get(i) === y;
        const rb = argmax(p.outputs, r) === y;
        if (ra && !rb) b++;
        else if (!ra && rb) cc++;
      }
    }
    assert.deepEqual([m.b, m.c], [b, cc]);
    assert.ok(m.pvalue >= 0 && m.pvalue <= 1);
  });
});

describe('compareModels: other tests and contenders', () => {
  it('5x2cv: five repeats of 2-fold, Dietterich t with 5 df', async () => {
    const c = await compareModels({ ...base, test: '5x2cv', trainConfig: { ...base.trainConfig, epochs: 1 } });
    assert.equal(c.rnn.folds.length, 10);
    const p = c.comparisons[0]!;
    assert.equal(p.test, '5x2cv-t');
    assert.equal(p.df, 5);
    // t = d_11 / sqrt(mean of the per-repeat variances)
    let s2 = 0;
    for (let r = 0; r < 5; r++) {
      const [a, b] = [p.differences[2 * r]!, p.differences[2 * r + 1]!];
      s2 += ((a - b) ** 2) / 2;
    }
    assert.ok(Math.abs(p.statistic! - p.differences[0]! / Math.sqrt(s2 / 5)) < 1e-9);
  });

  it('a saved model is scored on each held-out fold without retraining', async () => {
    const model = new SequenceModel(modelConfig, { backend: 'ts', seed: 9 });
    await train(model, ds, { task: 'classification', epochs: 1, batchSize: 16, seed: 9, distributions: false });
    const dir = mkdtempSync(join(tmpdir(), 'rnnlens-compare-'));
    try {
      saveModel(dir, model, { task: 'classification', classNames: ds.classNames });
      const c = await compareModels({ ...base, against: [dir], trainConfig: { ...base.trainConfig, epochs: 1 } });
      assert.equal(c.contenders[0]!.kind, 'model');
      c.rnn.folds.forEach((f, j) => {
        assert.deepEqual(c.contenders[0]!.folds[j]!.metrics, evaluate(model, subset(ds, f.test), 'classification').metrics);
      });
      const other = buildModelConfig({ cell: 'gru', hidden: 8, layers: 1, embedding: 6 }, addingDataset({ n: 4, seed: 1, length: 4 }), 'regression');
      saveModel(dir, new SequenceModel(other, { backend: 'ts' }), { task: 'regression' });
      await assert.rejects(compareModels({ ...base, against: [dir] }), /argument 'against' expected a model whose input matches/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('equal differences in every fold are flagged, not a silent NaN', () => {
    const prep = prepareCrossValidation(base);
    const r = pairedTest(prep, [0.8, 0.8, 0.8], [0.7, 0.7, 0.7].map((v, j) => v + [0, 0, 0][j]!), 'nadeau-bengio', 0.05, true);
    assert.equal(r.pvalue, null);
    assert.equal(r.statistic, null);
    assert.equal(r.significant, false);
    assert.ok(Math.abs(r.meanDifference - 0.1) < 1e-12);
    assert.match(r.warnings[0]!, /no test statistic/);
  });

  it('bad input: a regression task against the baseline classifiers, unknown test, bad alpha', async () => {
    const reg = addingDataset({ n: 30, seed: 2, length: 4 });
    const cfg = buildModelConfig({ cell: 'gru', hidden: 4, layers: 1 }, reg, 'regression');
    await assert.rejects(compareModels({ dataset: reg, modelConfig: cfg, trainConfig: { epochs: 1, batchSize: 8 }, folds: 2, backend: 'ts', against: ['baseline'] }), /'baseline' models are classifiers/);
    await assert.rejects(compareModels({ ...base, test: 'wilcoxon' as never }), /argument 'test'/);
    await assert.rejects(compareModels({ ...base, alpha: 2 }), /argument 'alpha' expected a number in \(0, 1\)/);
    await assert.rejects(compareModels({ ...base, against: [] }), /argument 'against'/);
  });
});
