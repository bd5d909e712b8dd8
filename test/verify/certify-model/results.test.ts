/**
 * Results: margins bounded directly, certified radius vs attack radius, certified accuracy with
 * Clopper–Pearson intervals (against SciPy), and clear errors for bad input.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { RnnlensError } from '../../../src/core/errors.js';
import { certify, type CertifyInput } from '../../../src/verify/certify/certify.js';
import { ruleFor } from '../../../src/verify/certify/layers/registry.js';
import {
  attackRadius,
  certifiedAccuracy,
  certifiedRadius,
  clopperPearson,
} from '../../../src/verify/certify/radius.js';
import { numericModel, randomInput } from './helpers.js';

const fixture = JSON.parse(
  readFileSync(
    new URL('../../fixtures/certify-model/clopper-pearson.json', import.meta.url),
    'utf8',
  ),
) as { cases: { n: number; k: number; alpha: number; lower: number; upper: number }[] };

const LSTM = [
  { kind: 'lstm' as const, units: 4 },
  { kind: 'dense' as const, units: 3 },
];

test('margins bounded directly are at least as tight as the difference of logit bounds', () => {
  const model = numericModel(3, LSTM, 600, 1.5);
  let strictlyTighter = 0;
  for (let s = 0; s < 3; s++) {
    const r = certify(model, randomInput(5, 3, 600 + s), { kind: 'ball', norm: 'linf', eps: 0.05 });
    r.marginLower.forEach((m, j) => {
      if (j === r.prediction) return;
      const diff = r.lower[r.prediction]! - r.upper[j]!;
      assert.ok(m >= diff - 1e-12, `margin ${j}: ${m} looser than the difference ${diff}`);
      if (m > diff + 1e-6) strictlyTighter++;
      const d = r.output[r.prediction]! - r.output[j]!;
      assert.ok(
        r.marginLower[j]! <= d && d <= r.marginUpper[j]!,
        'the centre margin lies in its bounds',
      );
    });
  }
  assert.ok(strictlyTighter > 0, 'direct margin bounds should beat the difference of bounds');
});

test('certified radius ≤ attack radius, both positive; CROWN radius ≥ IBP radius', () => {
  const model = numericModel(
    2,
    [
      { kind: 'gru' as const, units: 3 },
      { kind: 'dense' as const, units: 2 },
    ],
    610,
    2,
  );
  const input = randomInput(4, 2, 610);
  const shape = { kind: 'ball' as const, norm: 'linf' as const };
  const crown = certifiedRadius(model, input, shape, {
    method: 'crown',
    start: 0.05,
    tolerance: 1e-3,
  });
  const ibp = certifiedRadius(model, input, shape, { method: 'ibp', start: 0.05, tolerance: 1e-3 });
  const adv = attackRadius(model, input, shape, { start: 0.05, tolerance: 1e-3, max: 50 });
  assert.ok(crown.radius > 0, 'a clear prediction has a positive certified radius');
  assert.ok(adv !== null, 'the attack must fool the model at some radius up to 50');
  assert.ok(crown.radius <= adv!, `certified ${crown.radius} exceeds the attack radius ${adv}`);
  assert.ok(crown.radius + 1e-3 >= ibp.radius, `CROWN ${crown.radius} below IBP ${ibp.radius}`);
  // the certificate holds at the radius found and the attack indeed succeeds at its radius
  assert.ok(certify(model, input, { ...shape, eps: crown.radius }).certified);
});

test('Clopper–Pearson intervals match SciPy', () => {
  for (const c of fixture.cases) {
    const r = clopperPearson(c.k, c.n, c.alpha);
    assert.ok(
      Math.abs(r.lower - c.lower) < 1e-9,
      `lower n=${c.n} k=${c.k}: ${r.lower} vs ${c.lower}`,
    );
    assert.ok(
      Math.abs(r.upper - c.upper) < 1e-9,
      `upper n=${c.n} k=${c.k}: ${r.upper} vs ${c.upper}`,
    );
  }
});

test('certified accuracy over a small dataset', () => {
  const model = numericModel(
    2,
    [
      { kind: 'simple_rnn' as const, units: 3 },
      { kind: 'dense' as const, units: 2 },
    ],
    620,
  );
  const inputs: CertifyInput[] = Array.from({ length: 8 }, (_, i) => randomInput(3, 2, 620 + i));
  const labels = inputs.map(
    (x) => certify(model, x, { kind: 'ball', norm: 'linf', eps: 0 }).prediction,
  );
  labels[0] = 1 - labels[0]!; // one wrong label: never counted as certified
  const small = certifiedAccuracy(model, inputs, labels, { kind: 'ball', norm: 'linf', eps: 1e-4 });
  const big = certifiedAccuracy(model, inputs, labels, { kind: 'ball', norm: 'linf', eps: 10 });
  assert.equal(small.correct, 7);
  assert.ok(small.certified <= 7 && small.certified >= big.certified);
  assert.equal(big.certified, 0);
  assert.ok(small.interval.lower <= small.accuracy && small.accuracy <= small.interval.upper);
});

test('bad input gives clear errors, never a certificate', () => {
  const model = numericModel(2, LSTM, 630);
  const x = randomInput(3, 2, 1);
  assert.throws(
    () => certify(model, x, { kind: 'ball', norm: 'linf', eps: -0.1 }),
    /eps.*finite number ≥ 0.*-0\.1/,
  );
  assert.throws(
    () => certify(model, x, { kind: 'ball', norm: 'linf', eps: Number.NaN }),
    /eps.*NaN/,
  );
  assert.throws(
    () => certify(model, x, { kind: 'ball', norm: 'l3' as 'l2', eps: 0.1 }),
    /norm.*'linf', 'l2' or 'l1'.*l3/,
  );
  assert.throws(
    () =>
      certify(model, x, { kind: 'ball', norm: 'l2', eps: 0.1 }, { method: 'zonotope' as 'ibp' }),
    /method.*zonotope/,
  );
  assert.throws(
    () => certify(model, x, { kind: 'ball', norm: 'l2', eps: 0.1, steps: [2, 7] }),
    /steps/,
  );
  assert.throws(() => certify(model, x, { kind: 'substitution', allowed: [[1]] }), /substitution/);
  assert.throws(
    () =>
      certify(
        model,
        { kind: 'numeric', data: [1, 2, 3], steps: 3 },
        { kind: 'ball', norm: 'l2', eps: 0.1 },
      ),
    /input\.data/,
  );
  assert.throws(
    () => ruleFor('conv1d', 'c1'),
    (e: unknown) =>
      e instanceof RnnlensError &&
      /layer kind 'conv1d'/.test(e.message) &&
      /certification pass/.test(e.message),
  );
  assert.throws(() => clopperPearson(5, 3), /k/);
  assert.throws(
    () => certifiedRadius(model, x, { kind: 'ball', norm: 'linf' }, { start: 0 }),
    /start/,
  );
});
