/**
 * Majority-class baseline (sklearn DummyClassifier, strategy 'prior'): predicts the training class
 * frequencies for every input, so its label is the most frequent class (ties to the lower label).
 */
import { ArgumentError } from '../../core/errors.js';
import { argmaxRows, checkTrainingData, type ProbabilisticClassifier } from './classifier.js';

export function fitMajority(
  X: ArrayLike<ArrayLike<number>>,
  y: ArrayLike<number>,
  opts: { numClasses?: number } = {},
): ProbabilisticClassifier {
  const C = checkTrainingData('fitMajority', X, y, opts.numClasses);
  const counts = new Array<number>(C).fill(0);
  for (let i = 0; i < y.length; i++) counts[y[i]!]! += 1;
  const prior = counts.map((c) => c / y.length);
  const predictProba = (Xt: ArrayLike<ArrayLike<number>>) => {
    if (!Xt) throw new ArgumentError('majority.predictProba', 'X', 'a feature matrix', String(Xt));
    return Array.from({ length: Xt.length }, () => prior.slice());
  };
  return {
    name: 'majority',
    numClasses: C,
    predictProba,
    predict: (Xt) => argmaxRows(predictProba(Xt)),
  };
}
