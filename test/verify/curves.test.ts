import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kFold } from '../../src/verify/splitters.js';
import { learningCurve, validationCurve } from '../../src/verify/stats/curves.js';
import { closeAll, loadFixture } from './helpers.js';

const fx = loadFixture('curves.json');

/** Nearest-centroid classifier (as sklearn's NearestCentroid, Euclidean) scored by accuracy. */
function nearestCentroidScore(
  X: number[][],
  y: number[],
  train: Int32Array,
  evalIdx: Int32Array,
): number {
  const sums = new Map<number, { s: number[]; n: number }>();
  for (const i of train) {
    const e = sums.get(y[i]!) ?? { s: X[i]!.map(() => 0), n: 0 };
    X[i]!.forEach((v, d) => (e.s[d]! += v));
    e.n++;
    sums.set(y[i]!, e);
  }
  const classes = [...sums.keys()].sort((a, b) => a - b);
  const centroids = classes.map((c) => sums.get(c)!.s.map((v) => v / sums.get(c)!.n));
  let hits = 0;
  for (const i of evalIdx) {
    let best = 0;
    let bestD = Infinity;
    centroids.forEach((m, k) => {
      const d = m.reduce((a, v, j) => a + (v - X[i]![j]!) ** 2, 0);
      if (d < bestD) [best, bestD] = [k, d];
    });
    if (classes[best] === y[i]) hits++;
  }
  return hits / evalIdx.length;
}

test('learning curve sizes and scores match sklearn learning_curve (NearestCentroid, KFold(5))', () => {
  const splits = kFold(fx.y.length, { k: fx.k });
  const progress: number[] = [];
  const lc = learningCurve({
    splits,
    fitAndScore: (train, testIdx) => ({
      test: nearestCentroidScore(fx.X, fx.y, train, testIdx),
      train: nearestCentroidScore(fx.X, fx.y, train, train),
    }),
    onProgress: (p) => progress.push(p.done),
  });
  assert.deepEqual(lc.trainSizes, fx.trainSizes);
  lc.testScores.forEach((row, s) =>
    closeAll(row, fx.testScores[s], 1e-12, 0, `test scores, size ${lc.trainSizes[s]}`),
  );
  lc.trainScores.forEach((row, s) =>
    closeAll(
      row as number[],
      fx.trainScores[s],
      1e-12,
      0,
      `train scores, size ${lc.trainSizes[s]}`,
    ),
  );
  assert.equal(progress[progress.length - 1], 25);
});

test('learning curve removes duplicate sizes with a warning and validates input', () => {
  const splits = kFold(10, { k: 2 });
  const lc = learningCurve({
    splits,
    trainFractions: [0.1, 0.15, 1],
    fitAndScore: (tr) => ({ test: tr.length }),
  });
  assert.deepEqual(lc.trainSizes, [1, 5]);
  assert.match(lc.warnings[0]!, /duplicate training sizes/);
  assert.deepEqual(lc.testScores, [
    [1, 1],
    [5, 5],
  ]);
  assert.throws(
    () => learningCurve({ splits, trainFractions: [0], fitAndScore: () => ({ test: 0 }) }),
    /fractions in \(0, 1\]/,
  );
  assert.throws(
    () => learningCurve({ splits, fitAndScore: () => ({ test: NaN }) }),
    /a finite test score/,
  );
});

test('validation curve scores every value on every split', () => {
  const splits = kFold(12, { k: 3 });
  const vc = validationCurve({
    splits,
    values: [1, 2],
    fitAndScore: (v, tr, te) => ({ test: v * te[0]!, train: tr.length }),
  });
  assert.deepEqual(vc.testScores, [
    [0, 4, 8],
    [0, 8, 16],
  ]);
  assert.deepEqual(vc.trainScores, [
    [8, 8, 8],
    [8, 8, 8],
  ]);
});
