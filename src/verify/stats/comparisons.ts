/**
 * Paired comparisons of two models: McNemar on one test set, Dietterich's 5×2cv paired t-test,
 * and the Nadeau–Bengio corrected resampled t-test over repeated splits. All p-values are
 * two-sided.
 */
import { ArgumentError } from '../../core/errors.js';
import { binomialCdf, chi2Sf, studentTSf } from './distributions.js';
import { meanSd } from './intervals.js';

export interface TestResult {
  test: string;
  statistic: number;
  pvalue: number;
  df?: number;
  /** Mean difference (model A − model B) where that is meaningful. */
  meanDifference?: number;
  warnings: string[];
}

export interface McNemarOptions {
  /** true: exact binomial test on the discordant pairs; false: χ² with 1 df. Default: exact when b + c < 25. */
  exact?: boolean;
  /** Continuity correction for the χ² version; default true. */
  correction?: boolean;
}

/**
 * McNemar's test from the discordant counts b (A right, B wrong) and c (A wrong, B right), as
 * statsmodels `mcnemar`: exact → statistic min(b, c), p = min(1, 2·BinomCdf(min(b, c); b + c, ½));
 * χ² → statistic (|b − c| − corr)² / (b + c), p = χ²₁ upper tail. With no discordant pairs there is
 * no evidence either way: statistic 0, p = 1 and a warning (statsmodels returns NaN there).
 */
export function mcnemarTest(b: number, c: number, opts: McNemarOptions = {}): TestResult {
  for (const [name, v] of [
    ['b', b],
    ['c', c],
  ] as const) {
    if (!Number.isInteger(v) || v < 0)
      throw new ArgumentError('mcnemarTest', name, 'a count (integer >= 0)', String(v));
  }
  const n = b + c;
  const exact = opts.exact ?? n < 25;
  if (exact) {
    const k = Math.min(b, c);
    return {
      test: 'mcnemar-exact',
      statistic: k,
      pvalue: Math.min(1, 2 * binomialCdf(k, n, 0.5)),
      warnings: [],
    };
  }
  if (n === 0) {
    return {
      test: 'mcnemar-chi2',
      statistic: 0,
      pvalue: 1,
      df: 1,
      warnings: ['mcnemarTest: no discordant pairs (b = c = 0); statistic set to 0, p to 1'],
    };
  }
  const corr = opts.correction === false ? 0 : 1;
  const statistic = (Math.abs(b - c) - corr) ** 2 / n; // statsmodels does not clamp |b − c| − 1 at 0
  return {
    test: corr ? 'mcnemar-chi2-corrected' : 'mcnemar-chi2',
    statistic,
    pvalue: chi2Sf(statistic, 1),
    df: 1,
    warnings: [],
  };
}

/** Counts the discordant pairs of two models' predictions against the truth, then runs McNemar. */
export function mcnemarFromPredictions(
  yTrue: ArrayLike<number>,
  predA: ArrayLike<number>,
  predB: ArrayLike<number>,
  opts: McNemarOptions = {},
): TestResult & { b: number; c: number } {
  if (predA.length !== yTrue.length)
    throw new ArgumentError(
      'mcnemarFromPredictions',
      'predA',
      `${yTrue.length} predictions`,
      `${predA.length}`,
    );
  if (predB.length !== yTrue.length)
    throw new ArgumentError(
      'mcnemarFromPredictions',
      'predB',
      `${yTrue.length} predictions`,
      `${predB.length}`,
    );
  if (yTrue.length === 0)
    throw new ArgumentError(
      'mcnemarFromPredictions',
      'yTrue',
      'at least one sample',
      'an empty array',
    );
  let b = 0;
  let c = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const a = predA[i] === yTrue[i];
    const bb = predB[i] === yTrue[i];
    if (a && !bb) b++;
    else if (!a && bb) c++;
  }
  return { ...mcnemarTest(b, c, opts), b, c };
}

function checkFiniteList(where: string, name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!))
      throw new ArgumentError(where, name, 'finite numbers', `${values[i]} at index ${i}`);
  }
}

/**
 * Dietterich's (1998) 5×2cv paired t-test. `differences[i][j]` is the score difference A − B on
 * fold j of replication i (5 replications of 2-fold CV). t = d₁₁ / √((1/5) Σᵢ sᵢ²) with
 * sᵢ² = Σⱼ (dᵢⱼ − d̄ᵢ)², 5 degrees of freedom.
 */
export function fiveByTwoCvTTest(differences: ArrayLike<ArrayLike<number>>): TestResult {
  const where = 'fiveByTwoCvTTest';
  if (!differences || differences.length !== 5)
    throw new ArgumentError(where, 'differences', '5 replications', `${differences?.length}`);
  let sumS2 = 0;
  let all = 0;
  for (let i = 0; i < 5; i++) {
    const row = differences[i]!;
    if (!row || row.length !== 2)
      throw new ArgumentError(where, `differences[${i}]`, '2 fold differences', `${row?.length}`);
    checkFiniteList(where, `differences[${i}]`, row);
    const m = (row[0]! + row[1]!) / 2;
    sumS2 += (row[0]! - m) ** 2 + (row[1]! - m) ** 2;
    all += row[0]! + row[1]!;
  }
  const meanDifference = all / 10;
  if (sumS2 === 0) {
    throw new ArgumentError(
      where,
      'differences',
      'some variation within replications (the t statistic divides by it)',
      'identical differences in every fold',
    );
  }
  const statistic = differences[0]![0]! / Math.sqrt(sumS2 / 5);
  return {
    test: '5x2cv-t',
    statistic,
    df: 5,
    pvalue: Math.min(1, 2 * studentTSf(Math.abs(statistic), 5)),
    meanDifference,
    warnings: [],
  };
}

/**
 * Nadeau & Bengio (2003) corrected resampled t-test over J train/test splits (for example
 * repeated k-fold): t = d̄ / √((1/J + n_test/n_train) σ̂²), J − 1 degrees of freedom. The
 * n_test/n_train term corrects for the overlap of the training sets.
 */
export function correctedResampledTTest(
  differences: ArrayLike<number>,
  nTrain: number,
  nTest: number,
): TestResult {
  const where = 'correctedResampledTTest';
  if (!differences || differences.length < 2)
    throw new ArgumentError(
      where,
      'differences',
      'at least 2 split differences',
      `${differences?.length}`,
    );
  checkFiniteList(where, 'differences', differences);
  if (!(nTrain > 0))
    throw new ArgumentError(where, 'nTrain', 'a positive training-set size', String(nTrain));
  if (!(nTest > 0))
    throw new ArgumentError(where, 'nTest', 'a positive test-set size', String(nTest));
  const J = differences.length;
  const { mean, sd } = meanSd(differences);
  if (sd === 0)
    throw new ArgumentError(
      where,
      'differences',
      'differences that vary between splits',
      `all equal to ${mean}`,
    );
  const statistic = mean / Math.sqrt((1 / J + nTest / nTrain) * sd * sd);
  return {
    test: 'nadeau-bengio-t',
    statistic,
    df: J - 1,
    pvalue: Math.min(1, 2 * studentTSf(Math.abs(statistic), J - 1)),
    meanDifference: mean,
    warnings: [],
  };
}
