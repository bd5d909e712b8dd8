import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError } from '../../src/core/errors.js';
import { accuracy, precisionRecallF1 } from '../../src/verify/metrics/classification.js';
import { averagePrecision, rocAuc, rocAucOvr } from '../../src/verify/metrics/ranking.js';
import { brierScore, calibrationCurve, logLoss } from '../../src/verify/metrics/probabilistic.js';
import { meanAbsoluteError } from '../../src/verify/metrics/regression.js';
import { perStepAccuracy, perplexity } from '../../src/verify/metrics/sequence.js';
import { classificationReport } from '../../src/verify/metrics/report.js';
import { mcnemarTest } from '../../src/verify/stats/comparisons.js';
import { tInterval } from '../../src/verify/stats/intervals.js';
import { bootstrapCI } from '../../src/verify/stats/bootstrap.js';

function throwsArg(f: () => unknown, pattern: RegExp) {
  assert.throws(f, (e: unknown) => e instanceof ArgumentError && pattern.test(e.message));
}

test('mismatched lengths name both arguments', () => {
  throwsArg(
    () => accuracy([0, 1, 1], [0, 1]),
    /accuracy: argument 'yPred' expected the same length as 'yTrue' \(3\), received length 2/,
  );
  throwsArg(
    () => rocAuc([0, 1], [0.1, 0.2, 0.3]),
    /argument 'scores' expected the same length as 'yTrue'/,
  );
  throwsArg(
    () => logLoss([0, 1], [[0.5, 0.5]]),
    /argument 'proba' expected the same length as 'yTrue'/,
  );
  throwsArg(() => meanAbsoluteError([1, 2], [1]), /argument 'yPred'/);
});

test('empty inputs are rejected', () => {
  throwsArg(
    () => accuracy([], []),
    /argument 'yTrue' expected a non-empty array of labels, received an empty array/,
  );
  throwsArg(() => logLoss([], []), /non-empty|at least one row/);
  throwsArg(() => tInterval([]), /argument 'values' expected at least 2 values/);
});

test('NaN or out-of-range probabilities are rejected, naming the position', () => {
  throwsArg(
    () =>
      logLoss(
        [0, 1],
        [
          [0.5, 0.5],
          [NaN, 1],
        ],
      ),
    /finite probabilities in \[0, 1\], received NaN at row 1, class 0/,
  );
  throwsArg(
    () => brierScore([0, 1], [0.2, NaN]),
    /argument 'proba' expected finite numbers, received NaN at index 1/,
  );
  throwsArg(() => rocAuc([0, 1], [0.2, Infinity]), /finite numbers/);
  throwsArg(
    () => calibrationCurve([0, 1], [0.2, 1.2]),
    /numbers in \[0, 1\], received 1.2 at index 1/,
  );
  throwsArg(() => perplexity([-1, 0.5]), /numbers in \[-inf, 0\]/);
});

test('probability rows must sum to 1 within tolerance', () => {
  throwsArg(
    () =>
      logLoss(
        [0, 1],
        [
          [0.5, 0.5],
          [0.3, 0.3],
        ],
      ),
    /rows summing to 1 \(tolerance 0.000001\), received sum 0.6 at row 1/,
  );
  throwsArg(
    () => rocAucOvr([0, 1, 2], { values: [0.2, 0.2, 0.2, 0.1, 0.8, 0.1, 0, 0, 1], numClasses: 3 }),
    /rows summing to 1/,
  );
  assert.ok(
    Number.isFinite(
      logLoss(
        [0, 1],
        [
          [0.5, 0.5 + 1e-9],
          [0.3, 0.7],
        ],
      ),
    ),
    'tiny rounding is accepted',
  );
});

test('ROC-AUC with a single class present is an error; constant scores give the defined 0.5', () => {
  throwsArg(
    () => rocAuc([1, 1, 1], [0.1, 0.5, 0.9]),
    /both classes 0 and 1 present \(ROC-AUC is undefined with one class\), received only class 1/,
  );
  throwsArg(() => averagePrecision([0, 0], [0.1, 0.5]), /at least one positive/);
  assert.equal(rocAuc([0, 1, 0, 1], [0.3, 0.3, 0.3, 0.3]), 0.5);
});

test('a fold with a missing class: OvR metrics error, the report flags and continues', () => {
  const proba = [
    [0.7, 0.2, 0.1],
    [0.2, 0.7, 0.1],
    [0.6, 0.3, 0.1],
  ];
  throwsArg(
    () => rocAucOvr([0, 1, 0], proba),
    /every one of the 3 classes present .* received no samples of class 2/,
  );
  const rep = classificationReport([0, 1, 0], proba);
  assert.equal(rep.rocAuc, null);
  assert.equal(rep.accuracy, 1);
  assert.ok(rep.warnings.some((w) => /rocAuc undefined/.test(w)));
  assert.ok(
    rep.warnings.some((w) => /class 2/.test(w)),
    'zero division for the absent class is flagged',
  );
});

test('constant predictions: precision of never-predicted classes is flagged, not NaN', () => {
  const r = precisionRecallF1([0, 1, 1, 0], [1, 1, 1, 1]);
  assert.deepEqual(r.perClass.precision, [0, 0.5]);
  assert.ok(r.warnings.length > 0);
  for (const v of [r.macro.precision, r.macro.recall, r.macro.f1, r.weighted.f1, r.micro.f1])
    assert.ok(Number.isFinite(v));
});

test('labels, counts and masks are validated', () => {
  throwsArg(() => accuracy([0, 1.5], [0, 1]), /integer class labels >= 0, received 1.5 at index 1/);
  throwsArg(() => accuracy([0, -1], [0, 1]), /integer class labels >= 0/);
  throwsArg(
    () =>
      logLoss(
        [0, 3],
        [
          [0.5, 0.5],
          [0.5, 0.5],
        ],
      ),
    /labels in \[0, 1\], received 3 at index 1/,
  );
  throwsArg(() => perStepAccuracy([1, 2], [1, 2], [0, 0]), /at least one unmasked step/);
  throwsArg(() => mcnemarTest(-1, 2), /argument 'b' expected a count/);
  throwsArg(
    () =>
      bootstrapCI({
        n: 3,
        statistic: () => 0,
        resamples: [
          [0, 1, 5],
          [0, 0, 0],
        ],
      }),
    /indices in \[0, 3\), received 5/,
  );
});
