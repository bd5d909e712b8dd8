import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { attribute } from '../../src/explain/attribute.js';
import { Rng } from '../../src/core/rng.js';
import {
  accuracyDrop,
  groundTruthScores,
  truthCurves,
} from '../../src/verify/explanations/groundtruth.js';
import { randomLike } from '../../src/verify/explanations/sensitivity.js';
import { inputAsMap, numericInput, trainedTask } from './helpers.js';

const ref = JSON.parse(
  readFileSync(new URL('../fixtures/explain-checks/reference.json', import.meta.url), 'utf8'),
) as { aupr: { importance: number[]; truth: number[]; ap: number }[] };

describe('AUP, AUR, AUPR', () => {
  it('a perfect map: precision 1 and recall 1 above τ = 0, AUPR 1', () => {
    // 2 true units of 8: at τ = 0 precision 0.25, every τ > 0 selects exactly the truth.
    const c = truthCurves([0, 0, 5, 0, 3, 0, 0, 0], [0, 0, 1, 0, 1, 0, 0, 0]);
    assert.ok(Math.abs(c.aup - (1 - 0.75 / 200)) < 1e-12, String(c.aup));
    // τ ≤ 0.6 selects both, τ in (0.6, 1] only the top one (recall 0.5).
    // Trapezoid over τ = 0, 0.01, ..., 1: 0.6 + (1 + 0.5)/2 · 0.01 + 0.5 · 0.39.
    assert.ok(Math.abs(c.aur - 0.8025) < 1e-12, String(c.aur));
    assert.equal(c.aupr, 1);
  });
  it('AUPR is average precision as scikit-learn computes it (ties included)', () => {
    for (const r of ref.aupr) {
      const c = truthCurves(r.importance, r.truth);
      assert.ok(Math.abs(c.aupr - r.ap) < 1e-12, `${c.aupr} vs sklearn ${r.ap}`);
    }
  });
  it('step level pools features; sequences without truth are skipped', () => {
    const map = {
      data: Float64Array.from([0, 1, 0, 0, 2, 0, 0, 0, 9, 9, 9, 9]),
      batch: 2,
      steps: 3,
      features: 2,
      lengths: Int32Array.of(3, 3),
    };
    const truth = [Uint8Array.from([0, 1, 0, 0, 1, 0]), new Uint8Array(6)];
    const s = groundTruthScores(map, truth, 'steps');
    assert.equal(s.sequences, 1);
    assert.equal(s.aupr, 1); // steps 0 and 2 carry the truth and the attribution
    assert.throws(
      () => groundTruthScores(map, truth.slice(0, 1), 'steps'),
      /truth.*one mask per sequence \(2\)/,
    );
  });
});

describe('honesty: the benchmark separates a real method from a random map', () => {
  it('integrated gradients scores clearly better than a random map against the truth', async () => {
    const task = await trainedTask('ismail-RareFeature-gaussian');
    assert.ok(task.testAccuracy >= 0.85, `model accuracy ${task.testAccuracy}`);
    const x = numericInput(task);
    const ig = attribute(task.model, x, {
      method: 'integrated-gradients',
      target: task.labels,
    }).attributions;
    const rnd = randomLike(inputAsMap(x), new Rng(3));
    const a = groundTruthScores(ig, task.truth, 'features');
    const r = groundTruthScores(rnd, task.truth, 'features');
    assert.ok(a.aupr > r.aupr + 0.25, `IG ${a.aupr} vs random ${r.aupr}`);
    assert.ok(a.aup > r.aup + 0.25, `IG AUP ${a.aup} vs random ${r.aup}`);
    const dIg = accuracyDrop(task.model, x, task.labels, ig, { fractions: [0.1] });
    const dR = accuracyDrop(task.model, x, task.labels, rnd, { fractions: [0.1] });
    assert.ok(dIg.drop[0]! > dR.drop[0]! + 0.1, `drops ${dIg.drop[0]} vs ${dR.drop[0]}`);
    assert.ok(Math.abs(dIg.randomDrop[0]!) < 0.15);
  });
});
