import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  accuracy,
  balancedAccuracy,
  confusionMatrix,
  precisionRecallF1,
} from '../../src/verify/metrics/classification.js';
import {
  averagePrecision,
  averagePrecisionOvr,
  rocAuc,
  rocAucOvr,
  rocCurve,
} from '../../src/verify/metrics/ranking.js';
import {
  brierScore,
  calibrationCurve,
  expectedCalibrationError,
  logLoss,
} from '../../src/verify/metrics/probabilistic.js';
import {
  meanAbsoluteError,
  meanAbsolutePercentageError,
  r2Score,
  rootMeanSquaredError,
} from '../../src/verify/metrics/regression.js';
import {
  bitsPerCharacter,
  perStepAccuracy,
  perplexity,
} from '../../src/verify/metrics/sequence.js';
import { classificationReport } from '../../src/verify/metrics/report.js';
import { close, closeAll, loadFixture } from './helpers.js';

const fx = loadFixture('metrics.json');

test('binary ranking and probability metrics match sklearn (ties, constant scores, perfect)', () => {
  for (const c of fx.binary) {
    close(rocAuc(c.yTrue, c.scores), c.rocAuc, 1e-9, 1e-12, `${c.name} rocAuc`);
    close(averagePrecision(c.yTrue, c.scores), c.averagePrecision, 1e-9, 1e-12, `${c.name} AP`);
    close(logLoss(c.yTrue, c.scores), c.logLoss, 1e-9, 1e-12, `${c.name} logLoss`);
    close(brierScore(c.yTrue, c.scores), c.brier, 1e-9, 1e-12, `${c.name} brier`);
    const roc = rocCurve(c.yTrue, c.scores);
    closeAll(roc.fpr, c.rocCurve.fpr, 1e-12, 1e-15, `${c.name} fpr`);
    closeAll(roc.tpr, c.rocCurve.tpr, 1e-12, 1e-15, `${c.name} tpr`);
  }
});

test('calibration curve bins match sklearn calibration_curve (uniform and quantile)', () => {
  for (const c of fx.binary) {
    for (const k of c.calibration) {
      const r = calibrationCurve(c.yTrue, c.scores, { nBins: k.nBins, strategy: k.strategy });
      closeAll(r.probTrue, k.probTrue, 1e-12, 1e-15, `${c.name} ${k.strategy}/${k.nBins} probTrue`);
      closeAll(r.probPred, k.probPred, 1e-12, 1e-15, `${c.name} ${k.strategy}/${k.nBins} probPred`);
      assert.equal(
        r.bins.reduce((a, b) => a + b.count, 0),
        c.yTrue.length,
      );
    }
  }
});

test('label metrics match sklearn, including zero_division 0 and 1', () => {
  for (const c of fx.labels) {
    const opts = c.labels ? { labels: c.labels } : {};
    close(accuracy(c.yTrue, c.yPred), c.accuracy, 1e-12, 0, `${c.name} accuracy`);
    if (!c.labels)
      close(
        balancedAccuracy(c.yTrue, c.yPred).value,
        c.balancedAccuracy,
        1e-12,
        0,
        `${c.name} balanced`,
      );
    assert.deepEqual(
      confusionMatrix(c.yTrue, c.yPred, opts).matrix,
      c.confusion,
      `${c.name} confusion`,
    );
    for (const zd of [0, 1] as const) {
      const ref = c[`zd${zd}`];
      const r = precisionRecallF1(c.yTrue, c.yPred, { ...opts, zeroDivision: zd });
      closeAll(
        r.perClass.precision,
        ref.perClass.precision,
        1e-12,
        0,
        `${c.name} zd${zd} precision`,
      );
      closeAll(r.perClass.recall, ref.perClass.recall, 1e-12, 0, `${c.name} zd${zd} recall`);
      closeAll(r.perClass.f1, ref.perClass.f1, 1e-12, 0, `${c.name} zd${zd} f1`);
      assert.deepEqual(r.perClass.support, ref.perClass.support);
      for (const avg of ['macro', 'micro', 'weighted'] as const) {
        for (const m of ['precision', 'recall', 'f1'] as const)
          close(r[avg][m], ref[avg][m], 1e-12, 1e-15, `${c.name} zd${zd} ${avg} ${m}`);
      }
    }
  }
});

test('zero division is flagged, never silent', () => {
  const c = fx.labels.find((x: { name: string }) => x.name === 'zero division');
  const r = precisionRecallF1(c.yTrue, c.yPred);
  assert.ok(
    r.warnings.some((w) => /precision is ill-defined for class 3/.test(w)),
    r.warnings.join('; '),
  );
  assert.ok(
    r.warnings.some((w) => /recall is ill-defined for class 4/.test(w)),
    r.warnings.join('; '),
  );
  const b = balancedAccuracy(c.yTrue, c.yPred);
  assert.ok(b.warnings.some((w) => /class 4 occurs in yPred but not in yTrue/.test(w)));
});

test('multi-class probability metrics match sklearn (OvR ROC-AUC / AP, log-loss with clipping, Brier, top-label ECE)', () => {
  for (const c of fx.proba) {
    close(rocAucOvr(c.yTrue, c.proba).value, c.rocAucOvrMacro, 1e-9, 1e-12, `${c.name} ovr macro`);
    close(
      rocAucOvr(c.yTrue, c.proba, { average: 'weighted' }).value,
      c.rocAucOvrWeighted,
      1e-9,
      1e-12,
      `${c.name} ovr weighted`,
    );
    close(
      averagePrecisionOvr(c.yTrue, c.proba).value,
      c.averagePrecisionOvrMacro,
      1e-9,
      1e-12,
      `${c.name} AP ovr`,
    );
    close(logLoss(c.yTrue, c.proba), c.logLoss, 1e-9, 1e-12, `${c.name} logLoss`);
    const flat = { values: c.proba.flat(), numClasses: c.proba[0].length };
    close(logLoss(c.yTrue, flat), c.logLoss, 1e-9, 1e-12, `${c.name} logLoss flat`);
    close(brierScore(c.yTrue, c.proba), c.brierMulti, 1e-9, 1e-12, `${c.name} brier`);
    for (const k of c.topLabelCalibration) {
      const r = expectedCalibrationError(c.yTrue, c.proba, {
        nBins: k.nBins,
        strategy: k.strategy,
      });
      closeAll(r.probTrue, k.probTrue, 1e-12, 1e-15, `${c.name} ${k.strategy} probTrue`);
      closeAll(r.probPred, k.probPred, 1e-12, 1e-15, `${c.name} ${k.strategy} probPred`);
      close(r.ece, k.ece, 1e-9, 1e-14, `${c.name} ${k.strategy} ece`);
    }
    const rep = classificationReport(c.yTrue, c.proba);
    assert.deepEqual(
      Array.from(confusionMatrix(c.yTrue, c.yPred, { labels: rep.confusion.labels }).matrix),
      rep.confusion.matrix,
    );
    close(rep.rocAuc!, c.rocAucOvrMacro, 1e-9, 1e-12, 'report rocAuc');
    close(rep.logLoss, c.logLoss, 1e-9, 1e-12, 'report logLoss');
  }
});

test('regression metrics match sklearn', () => {
  const r = fx.regression;
  close(meanAbsoluteError(r.yTrue, r.yPred), r.mae, 1e-12, 0, 'mae');
  close(rootMeanSquaredError(r.yTrue, r.yPred), r.rmse, 1e-12, 0, 'rmse');
  const mape = meanAbsolutePercentageError(r.yTrue, r.yPred);
  close(mape.value, r.mape, 1e-9, 0, 'mape');
  assert.equal(mape.warnings.length, 1, 'a zero target is flagged');
  close(r2Score(r.yTrue, r.yPred).value, r.r2, 1e-12, 0, 'r2');
  assert.equal(r2Score([2, 2, 2], [2, 2, 2]).value, r.r2ConstantPerfect);
  const wrong = r2Score([2, 2, 2], [2, 2.5, 2]);
  assert.equal(wrong.value, r.r2ConstantWrong);
  assert.match(wrong.warnings[0]!, /constant/);
});

test('sequence metrics: masked per-step accuracy, perplexity and bits per character', () => {
  assert.equal(perStepAccuracy([1, 2, 3, 4], [1, 0, 3, 0], [1, 1, 1, 0]), 2 / 3);
  const lp = [Math.log(0.5), Math.log(0.25), Math.log(0.125), -100];
  const mask = [1, 1, 1, 0];
  close(perplexity(lp, mask), 4, 1e-14, 0, 'perplexity = 2^(mean bits)');
  close(bitsPerCharacter(lp, mask), 2, 1e-14, 0, 'bpc');
  close(perplexity([Math.log(0.1), Math.log(0.1)]), 10, 1e-14, 0, 'uniform over 10');
});

test('classification report on binary scores gathers every metric', () => {
  const c = fx.binary[0];
  const rep = classificationReport(c.yTrue, c.scores);
  close(rep.rocAuc!, c.rocAuc, 1e-9, 0, 'rocAuc');
  close(rep.averagePrecision!, c.averagePrecision, 1e-9, 0, 'AP');
  close(rep.brier, c.brier, 1e-9, 0, 'brier');
  close(rep.accuracy, accuracy(c.yTrue, c.yPred), 1e-12, 0, 'accuracy at 0.5');
  assert.equal(rep.calibration.bins.length, 10);
});

test('classification report flags undefined metrics instead of failing (one class present)', () => {
  const rep = classificationReport([1, 1, 1], [0.2, 0.7, 0.9]);
  assert.equal(rep.rocAuc, null);
  assert.ok(rep.warnings.some((w) => /rocAuc undefined/.test(w)));
  close(rep.averagePrecision!, 1, 1e-12, 0, 'AP with only positives');
});

test('property: ROC-AUC equals the Mann-Whitney probability with ties counted one half', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 6 })), {
        minLength: 2,
        maxLength: 40,
      }),
      (pairs) => {
        const y = pairs.map((p) => p[0]);
        const s = pairs.map((p) => p[1] / 6);
        fc.pre(y.includes(0) && y.includes(1));
        let u = 0;
        let pn = 0;
        for (let i = 0; i < y.length; i++) {
          for (let j = 0; j < y.length; j++) {
            if (y[i] === 1 && y[j] === 0) {
              pn++;
              u += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
            }
          }
        }
        close(rocAuc(y, s), u / pn, 1e-12, 1e-15, 'auc');
      },
    ),
    { numRuns: 200 },
  );
});

test('property: micro-averaged F1 equals accuracy when every class is counted', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })), {
        minLength: 1,
        maxLength: 50,
      }),
      (pairs) => {
        const t = pairs.map((p) => p[0]);
        const p = pairs.map((q) => q[1]);
        const r = precisionRecallF1(t, p);
        close(r.micro.f1, accuracy(t, p), 1e-12, 1e-15, 'micro f1');
        for (const v of [...r.perClass.f1, r.macro.f1, r.weighted.f1]) assert.ok(v >= 0 && v <= 1);
      },
    ),
    { numRuns: 200 },
  );
});
