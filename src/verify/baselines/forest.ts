/**
 * Random-forest baseline on fixed-length features (summaryFeatures or bagOfTokens), backed by
 * ml-random-forest. Class probabilities are the share of trees voting for each class, counted
 * here from the per-tree predictions (ml-random-forest 2.1's predictProbability seeds its sum
 * with the first tree's label, so it is not used).
 */
import { RandomForestClassifier } from 'ml-random-forest';
import { ArgumentError } from '../../core/errors.js';
import {
  argmaxRows,
  checkTrainingData,
  toRows,
  type ProbabilisticClassifier,
} from './classifier.js';

export interface ForestOptions {
  numClasses?: number;
  /** Default 50. */
  nEstimators?: number;
  /** Features per tree: an integer, or a share in (0, 1]. Default √D (rounded, at least 1). */
  maxFeatures?: number;
  /** Default 5 (ml-cart's minNumSamples: nodes with at most this many samples become leaves). */
  minNumSamples?: number;
  maxDepth?: number;
  seed?: number;
}

export function fitRandomForest(
  X: ArrayLike<ArrayLike<number>>,
  y: ArrayLike<number>,
  opts: ForestOptions = {},
): ProbabilisticClassifier {
  const where = 'fitRandomForest';
  const C = checkTrainingData(where, X, y, opts.numClasses);
  const D = X[0]!.length;
  const nEstimators = opts.nEstimators ?? 50;
  if (!Number.isInteger(nEstimators) || nEstimators < 1)
    throw new ArgumentError(where, 'nEstimators', 'an integer >= 1', String(nEstimators));
  const maxFeatures = opts.maxFeatures ?? Math.max(1, Math.round(Math.sqrt(D)));
  if (
    !(maxFeatures > 0) ||
    (maxFeatures > 1 && (!Number.isInteger(maxFeatures) || maxFeatures > D))
  ) {
    throw new ArgumentError(
      where,
      'maxFeatures',
      `a share in (0, 1] or an integer in [1, ${D}]`,
      String(maxFeatures),
    );
  }
  const labels = Array.from(y);
  const rows = toRows(X);
  const forest = new RandomForestClassifier({
    nEstimators,
    maxFeatures,
    replacement: false,
    useSampleBagging: true,
    noOOB: true,
    seed: (opts.seed ?? 42) | 0,
    treeOptions: { minNumSamples: opts.minNumSamples ?? 5, maxDepth: opts.maxDepth ?? Infinity },
  });
  // ml-random-forest cannot train when every label is the same; a constant model is exact then.
  const constant = labels.every((v) => v === labels[0]) ? labels[0]! : null;
  if (constant === null) forest.train(rows, labels);
  const predictProba = (Xt: ArrayLike<ArrayLike<number>>): number[][] => {
    if (!Xt || Xt.length === 0) return [];
    if (Xt[0]!.length !== D)
      throw new ArgumentError(
        'randomForest.predictProba',
        'X',
        `rows of ${D} features`,
        `${Xt[0]!.length}`,
      );
    if (constant !== null)
      return Array.from({ length: Xt.length }, () =>
        Array.from({ length: C }, (_, c) => (c === constant ? 1 : 0)),
      );
    const votes = forest.predictionValues(toRows(Xt)); // [N, nEstimators] predicted labels
    return Array.from({ length: Xt.length }, (_, i) => {
      const count = new Array<number>(C).fill(0);
      for (let e = 0; e < nEstimators; e++) count[votes.get(i, e) as number]! += 1;
      return count.map((k) => k / nEstimators);
    });
  };
  return {
    name: 'random-forest',
    numClasses: C,
    predictProba,
    predict: (Xt) => argmaxRows(predictProba(Xt)),
  };
}
