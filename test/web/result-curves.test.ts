// The result pages' ROC and precision-recall curves, their areas and the confusion matrix against
// scikit-learn (tools/make_curve_fixtures.py): continuous scores, tied scores, three classes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { averagePrecision, confusionMatrix, prCurve, rocAuc, rocCurve } from '../../web/src/results/curves.js';

interface BinaryCase {
  name: string;
  scores: number[];
  labels: number[];
  fpr: number[];
  tpr: number[];
  auc: number;
  recall: number[];
  precision: number[];
  ap: number;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/web/curves.json', import.meta.url), 'utf8')) as {
  binary: BinaryCase[];
  multiclass: { labels: number[]; probabilities: number[][]; confusion: number[][] };
};

const close = (a: number[], b: number[], what: string): void => {
  assert.equal(a.length, b.length, `${what}: ${a.length} points, scikit-learn ${b.length}`);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-12, `${what}[${i}] = ${v}, scikit-learn ${b[i]}`));
};

describe('result curves against scikit-learn', () => {
  for (const c of fixture.binary) {
    it(`${c.name}: ROC points and AUC, precision-recall points and average precision`, () => {
      const positive = c.labels.map((y) => y === 1);
      const roc = rocCurve(c.scores, positive);
      close(roc.map((p) => p.fpr), c.fpr, 'fpr');
      close(roc.map((p) => p.tpr), c.tpr, 'tpr');
      assert.ok(Math.abs(rocAuc(roc) - c.auc) < 1e-12, `AUC ${rocAuc(roc)} vs ${c.auc}`);
      const pr = prCurve(c.scores, positive);
      close(pr.map((p) => p.recall), c.recall, 'recall');
      close(pr.map((p) => p.precision), c.precision, 'precision');
      assert.ok(Math.abs(averagePrecision(pr) - c.ap) < 1e-12, `AP ${averagePrecision(pr)} vs ${c.ap}`);
    });
  }

  it('confusion matrix of the argmax of three-class probabilities', () => {
    const m = fixture.multiclass;
    assert.deepEqual(confusionMatrix(m.labels, m.probabilities, 3), m.confusion);
  });

  it('no curve without both classes', () => {
    assert.deepEqual(rocCurve([0.2, 0.7], [true, true]), []);
    assert.deepEqual(prCurve([0.2, 0.7], [false, false]), []);
  });
});
