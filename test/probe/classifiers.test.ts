import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fitLogistic, fitMlp } from '../../src/probe/classifiers.js';
import { Rng } from '../../src/core/rng.js';

interface Case { name: string; C: number; classes: number; X: number[][]; y: number[]; Xtest: number[][]; proba: number[][] }
const ref = JSON.parse(readFileSync(new URL('../fixtures/probe/logreg.json', import.meta.url), 'utf8')) as { cases: Case[] };

test("the linear probe is scikit-learn's LogisticRegression: the same probabilities on held-out rows (1e-5)", () => {
  for (const c of ref.cases) {
    const d = c.X[0]!.length;
    const m = fitLogistic(Float64Array.from(c.X.flat()), c.X.length, d, c.y, c.classes, { C: c.C });
    assert.ok(m.converged, `${c.name}: converged`);
    const p = m.predictProba(Float64Array.from(c.Xtest.flat()), c.Xtest.length);
    let worst = 0;
    c.proba.forEach((row, i) => row.forEach((v, k) => (worst = Math.max(worst, Math.abs(p[i * c.classes + k]! - v)))));
    assert.ok(worst < 1e-5, `${c.name}: largest probability difference ${worst}`);
  }
});

test('the MLP probe learns what no linear probe can (XOR of two signs); the linear one stays at chance', () => {
  const rng = new Rng(1);
  const n = 2000;
  const X = new Float64Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    X[2 * i] = rng.next() * 2 - 1;
    X[2 * i + 1] = rng.next() * 2 - 1;
    y[i] = X[2 * i]! * X[2 * i + 1]! > 0 ? 1 : 0;
  }
  const acc = (p: Float64Array) => {
    let hit = 0;
    for (let i = 0; i < n; i++) if ((p[2 * i + 1]! > p[2 * i]! ? 1 : 0) === y[i]) hit++;
    return hit / n;
  };
  const lin = acc(fitLogistic(X, n, 2, y, 2).predictProba(X, n));
  const mlp = acc(fitMlp(X, n, 2, y, 2, { epochs: 60, hidden: 32, lr: 1e-2 }).predictProba(X, n));
  assert.ok(lin < 0.6, `linear ${lin}`);
  assert.ok(mlp > 0.95, `mlp ${mlp}`);
});

test('probe classifiers name bad input', () => {
  assert.throws(() => fitLogistic(new Float64Array([1, 2, 3]), 2, 2, [0, 1], 2), /'X' expected 4 values \[2, 2\], received 3/);
  assert.throws(() => fitLogistic(new Float64Array([1, NaN]), 2, 1, [0, 1], 2), /'X\[1\]\[0\]' expected a finite number, received NaN/);
  assert.throws(() => fitLogistic(new Float64Array([1, 2]), 2, 1, [0, 2], 2), /'y\[1\]' expected a class in 0..1, received 2/);
  assert.throws(() => fitLogistic(new Float64Array([1, 2]), 2, 1, [0, 1], 2, { C: 0 }), /'C' expected a positive number, received 0/);
});
