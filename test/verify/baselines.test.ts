import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';
import {
  bagOfTokens,
  summaryFeatureNames,
  summaryFeatures,
} from '../../src/verify/baselines/features.js';
import { fitMajority } from '../../src/verify/baselines/majority.js';
import { fitRandomForest } from '../../src/verify/baselines/forest.js';
import {
  naivePredictions,
  persistenceForecast,
  seasonalNaiveForecast,
} from '../../src/verify/baselines/forecast.js';
import { fitSurrogate } from '../../src/verify/surrogates.js';
import { accuracy } from '../../src/verify/metrics/classification.js';
import { closeAll, loadFixture } from './helpers.js';

const fx = loadFixture('features.json');

test('summaryFeatures matches NumPy mean / std / min / max and scipy linregress slope', () => {
  for (const c of fx.summary)
    closeAll(summaryFeatures(c.seq), c.features, 1e-10, 1e-12, `T=${c.seq.length}`);
  assert.deepEqual(summaryFeatureNames(1, ['mfcc0']), [
    'mean(mfcc0)',
    'sd(mfcc0)',
    'min(mfcc0)',
    'max(mfcc0)',
    'slope(mfcc0)',
  ]);
  assert.throws(() => summaryFeatures([[1, 2], [3]]), /every step with 2 features/);
  assert.throws(() => summaryFeatures([[1, NaN]]), /finite values/);
});

test('bagOfTokens counts ids and rejects ids outside the vocabulary', () => {
  assert.deepEqual(bagOfTokens([0, 2, 2, 3], 5), [1, 0, 2, 1, 0]);
  assert.throws(() => bagOfTokens([5], 5), /token ids in \[0, 5\)/);
});

test('majority baseline predicts training class frequencies and the most frequent class', () => {
  const m = fitMajority([[0], [0], [0], [0], [0]], [2, 1, 2, 0, 2], { numClasses: 4 });
  assert.deepEqual(m.predictProba([[9], [9]]), [
    [0.2, 0.2, 0.6, 0],
    [0.2, 0.2, 0.6, 0],
  ]);
  assert.deepEqual(Array.from(m.predict([[1]])), [2]);
  assert.throws(() => fitMajority([[0], [1]], [0]), /argument 'y' expected 2 labels/);
});

/** Two noisy classes separable by feature 0 (feature 1 is noise). */
function blobs(n: number, seed: number) {
  const rng = new Rng(seed);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    X.push([c * 2 + rng.normal(0, 0.5), rng.normal()]);
    y.push(c);
  }
  return { X, y };
}

test('random forest beats the majority baseline on separable data and is seeded', () => {
  const train = blobs(90, 1);
  const test = blobs(60, 2);
  const rf = fitRandomForest(train.X, train.y, { nEstimators: 15, seed: 3 });
  const proba = rf.predictProba(test.X);
  for (const row of proba)
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-12, 'rows sum to 1');
  const accRf = accuracy(test.y, rf.predict(test.X));
  const accMaj = accuracy(test.y, fitMajority(train.X, train.y).predict(test.X));
  assert.ok(accRf > 0.85, `forest accuracy ${accRf}`);
  assert.ok(accRf > accMaj + 0.4);
  const again = fitRandomForest(train.X, train.y, { nEstimators: 15, seed: 3 });
  assert.deepEqual(again.predictProba(test.X), proba);
  const single = fitRandomForest([[0], [1], [2]], [1, 1, 1], { numClasses: 2 });
  assert.deepEqual(single.predictProba([[5]]), [[0, 1]]);
});

test('persistence and seasonal-naive forecasts', () => {
  assert.deepEqual(Array.from(persistenceForecast([1, 2, 7], 3)), [7, 7, 7]);
  // season 4: repeat the last 4 values
  assert.deepEqual(
    Array.from(seasonalNaiveForecast([1, 2, 3, 4, 5, 6, 7, 8], 4, 6)),
    [5, 6, 7, 8, 5, 6],
  );
  const { predictions, targets } = naivePredictions([3, 5, 4, 6], 1);
  assert.deepEqual(
    [Array.from(predictions), Array.from(targets)],
    [
      [3, 5, 4],
      [5, 4, 6],
    ],
  );
  assert.throws(() => seasonalNaiveForecast([1, 2], 4, 1), /at least 4 values/);
});

test('a decision-tree surrogate recovers a threshold rule with full fidelity and readable rules', () => {
  const rng = new Rng(5);
  const make = (n: number) => {
    const X = Array.from({ length: n }, () => [rng.uniform(0, 1), rng.uniform(0, 1)]);
    // the "network" predicts class 1 when feature 0 exceeds 0.6
    return { X, labels: X.map((r) => (r[0]! > 0.6 ? 1 : 0)) };
  };
  const tr = make(200);
  const te = make(100);
  const s = fitSurrogate(
    { trainX: tr.X, trainLabels: tr.labels, testX: te.X, testLabels: te.labels },
    { featureNames: ['energy', 'noise'], classNames: ['ham', 'spam'] },
  );
  assert.ok(s.fidelity >= 0.97, `fidelity ${s.fidelity}`);
  assert.equal(s.trainFidelity, 1);
  const m = /split on energy:\n\s+if energy < ([0-9.]+): → ham/.exec(s.rules!);
  assert.ok(m, s.rules);
  assert.ok(Math.abs(Number(m![1]) - 0.6) < 0.05, `threshold ${m![1]}`);
  assert.ok(!/noise/.test(s.rules!), 'the noise feature is not used');
  const f = fitSurrogate(
    { trainX: tr.X, trainLabels: tr.labels, testX: te.X, testLabels: te.labels },
    { kind: 'forest', nEstimators: 10, seed: 1 },
  );
  assert.ok(f.fidelity >= 0.9, `forest fidelity ${f.fidelity}`);
  assert.throws(
    () => fitSurrogate({ trainX: tr.X, trainLabels: tr.labels, testX: [[1]], testLabels: [0] }),
    /rows of 2 features/,
  );
});
