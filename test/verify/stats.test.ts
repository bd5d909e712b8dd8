import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapCI } from '../../src/verify/stats/bootstrap.js';
import {
  correctedResampledTTest,
  fiveByTwoCvTTest,
  mcnemarFromPredictions,
  mcnemarTest,
} from '../../src/verify/stats/comparisons.js';
import { summarizeScores, tInterval } from '../../src/verify/stats/intervals.js';
import { permutationTest } from '../../src/verify/stats/permutation.js';
import { percentile } from '../../src/verify/stats/percentile.js';
import { close, loadFixture } from './helpers.js';

const fx = loadFixture('tests.json');

test('bootstrap percentile and BCa intervals match scipy.stats.bootstrap on the same resamples', () => {
  for (const c of fx.bootstrap) {
    const method = c.method === 'BCa' ? 'bca' : 'percentile';
    const statistic =
      c.statistic === 'mean'
        ? (idx: Int32Array) => idx.reduce((a, i) => a + c.data[i], 0) / idx.length
        : (idx: Int32Array) =>
            idx.reduce((a, i) => a + (c.yTrue[i] === c.yPred[i] ? 1 : 0), 0) / idx.length;
    const n = c.statistic === 'mean' ? c.data.length : c.yTrue.length;
    const r = bootstrapCI({
      n,
      statistic,
      method,
      confidenceLevel: c.confidenceLevel,
      resamples: c.resamples,
    });
    close(r.low, c.low, 1e-9, 1e-12, `${c.statistic} ${c.method} ${c.confidenceLevel} low`);
    close(r.high, c.high, 1e-9, 1e-12, `${c.statistic} ${c.method} ${c.confidenceLevel} high`);
    assert.ok(r.low <= r.estimate && r.estimate <= r.high);
  }
});

test('bootstrap with drawn resamples is seeded and reports progress', () => {
  const data = Array.from({ length: 40 }, (_, i) => Math.sin(i) * 3 + i / 10);
  const mean = (idx: Int32Array) => idx.reduce((a, i) => a + data[i]!, 0) / idx.length;
  const calls: number[] = [];
  const a = bootstrapCI({
    n: 40,
    statistic: mean,
    nResamples: 500,
    seed: 9,
    method: 'bca',
    onProgress: (p) => calls.push(p.done),
  });
  const b = bootstrapCI({ n: 40, statistic: mean, nResamples: 500, seed: 9, method: 'bca' });
  assert.deepEqual([a.low, a.high], [b.low, b.high]);
  assert.equal(calls[calls.length - 1], 500);
  // the bootstrap standard error of a mean is close to s / sqrt(n)
  const t = tInterval(data);
  assert.ok(Math.abs(a.standardError - t.sd / Math.sqrt(40)) < 0.2 * (t.sd / Math.sqrt(40)));
});

test('BCa on a degenerate statistic is a clear error, not NaN', () => {
  assert.throws(
    () => bootstrapCI({ n: 10, statistic: () => 1, nResamples: 50, method: 'bca' }),
    /BCa interval cannot be computed/,
  );
  assert.throws(
    () => bootstrapCI({ n: 10, statistic: () => NaN, nResamples: 50 }),
    /statistic returned NaN on the full sample/,
  );
});

test('t interval of a mean matches scipy.stats.t.interval', () => {
  for (const c of fx.tInterval) {
    const r = tInterval(c.x, c.confidenceLevel);
    close(r.mean, c.mean, 1e-12, 1e-15, 'mean');
    close(r.low, c.low, 1e-9, 1e-12, 'low');
    close(r.high, c.high, 1e-9, 1e-12, 'high');
  }
});

test('McNemar exact and chi-squared (with/without continuity correction) match statsmodels', () => {
  for (const c of fx.mcnemar) {
    const ex = mcnemarTest(c.b, c.c, { exact: true });
    close(ex.statistic, c.exact.statistic, 0, 0, 'exact statistic');
    close(ex.pvalue, c.exact.pvalue, 1e-9, 1e-15, `exact p (${c.b}, ${c.c})`);
    if (c.b + c.c === 0) {
      // statsmodels returns NaN / inf here; we return a flagged "no evidence" result
      const r = mcnemarTest(0, 0, { exact: false });
      assert.deepEqual([r.statistic, r.pvalue], [0, 1]);
      assert.match(r.warnings[0]!, /no discordant pairs/);
      continue;
    }
    for (const [key, correction] of [
      ['corrected', true],
      ['uncorrected', false],
    ] as const) {
      const r = mcnemarTest(c.b, c.c, { exact: false, correction });
      close(r.statistic, c[key].statistic, 1e-12, 1e-15, `${key} statistic (${c.b}, ${c.c})`);
      close(r.pvalue, c[key].pvalue, 1e-9, 1e-15, `${key} p (${c.b}, ${c.c})`);
    }
  }
  const r = mcnemarFromPredictions([0, 1, 1, 0, 1], [0, 1, 0, 0, 1], [1, 1, 1, 1, 0], {
    exact: true,
  });
  assert.deepEqual([r.b, r.c], [3, 1]);
});

test("Dietterich's 5x2cv t-test and the Nadeau-Bengio corrected t-test match the reference", () => {
  for (const c of fx.fiveByTwo) {
    const r = fiveByTwoCvTTest(c.differences);
    close(r.statistic, c.t, 1e-12, 1e-15, '5x2 t');
    close(r.pvalue, c.pvalue, 1e-9, 1e-15, '5x2 p');
    assert.equal(r.df, 5);
  }
  for (const c of fx.nadeauBengio) {
    const r = correctedResampledTTest(c.differences, c.nTrain, c.nTest);
    close(r.statistic, c.t, 1e-12, 1e-15, 'NB t');
    close(r.pvalue, c.pvalue, 1e-9, 1e-15, 'NB p');
    assert.equal(r.df, c.df);
  }
  assert.throws(
    () =>
      fiveByTwoCvTTest([
        [0.1, 0.1],
        [0.1, 0.1],
        [0.1, 0.1],
        [0.1, 0.1],
        [0.1, 0.1],
      ]),
    /some variation/,
  );
  assert.throws(() => correctedResampledTTest([0.1, NaN], 10, 5), /finite numbers/);
});

test('permutation test: p = (1 + #{perm >= observed}) / (1 + nPerm), never 0', () => {
  // score = agreement of x with labels y permuted
  const y = [0, 0, 0, 1, 1, 1, 0, 1];
  const x = [0, 0, 1, 1, 1, 1, 0, 1];
  const score = (perm: Int32Array | null) =>
    y.reduce((a, _, i) => a + (x[i] === y[perm ? perm[i]! : i] ? 1 : 0), 0) / y.length;
  const perms = [
    [0, 1, 2, 3, 4, 5, 6, 7], // identity: equal to observed, counts
    [7, 6, 5, 4, 3, 2, 1, 0],
    [1, 0, 3, 2, 5, 4, 7, 6],
    [3, 4, 5, 0, 1, 2, 7, 6],
  ];
  const r = permutationTest({ n: 8, score, permutations: perms });
  const atLeast = Array.from(r.permutedScores).filter((s) => s >= r.observed).length;
  assert.equal(r.observed, 7 / 8);
  assert.equal(r.pvalue, (1 + atLeast) / 5);
  const drawn = permutationTest({ n: 8, score, nPermutations: 200, seed: 1 });
  assert.ok(drawn.pvalue > 0 && drawn.pvalue <= 1);
  assert.ok(drawn.pvalue >= 1 / 201);
});

test('percentile reproduces numpy linear interpolation', () => {
  close(percentile([1, 2, 3, 4], 50), 2.5, 0, 0);
  close(percentile([10, 0, 5], 25), 2.5, 0, 0);
  close(percentile([3, 1, 2], 100), 3, 0, 0);
});

test('summarizeScores: plain t interval, and the Nadeau-Bengio widened interval', () => {
  const c = fx.tInterval[1];
  const plain = summarizeScores(c.x, { confidenceLevel: c.confidenceLevel });
  close(plain.ci[0], c.low, 1e-9, 1e-12, 'low');
  close(plain.ci[1], c.high, 1e-9, 1e-12, 'high');
  const nb = summarizeScores(c.x, {
    confidenceLevel: c.confidenceLevel,
    overlap: { nTrain: 80, nTest: 20 },
  });
  // half-width grows by √((1/J + 1/4) / (1/J))
  const J = c.x.length;
  close(
    (nb.ci[1] - nb.ci[0]) / (plain.ci[1] - plain.ci[0]),
    Math.sqrt((1 / J + 0.25) * J),
    1e-12,
    0,
    'widening',
  );
  assert.equal(nb.correction, 'nadeau-bengio');
});
