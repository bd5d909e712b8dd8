/**
 * Perturbation regions: concretisation of linear bounds against brute force (corners of L∞
 * balls, vertices of L1 balls, the L2 maximiser, products of substitution vertices), and
 * sampling / projection staying inside the set.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../../src/core/rng.js';
import type { LinearBound } from '../../../src/verify/certify/linear.js';
import {
  ballRegion,
  concretizeRegion,
  projectRegion,
  sampleRegion,
  substitutionRegion,
} from '../../../src/verify/certify/perturbation.js';

function randomBound(rng: Rng, rows: number, cols: number): LinearBound {
  const A = Float64Array.from({ length: rows * cols }, () => rng.normal());
  const B = Float64Array.from({ length: rows }, () => rng.normal());
  return { rows, cols, lowerA: A, lowerB: B, upperA: A.slice(), upperB: B.slice() };
}

const value = (b: LinearBound, i: number, x: ArrayLike<number>): number => {
  let s = b.lowerB[i]!;
  for (let j = 0; j < b.cols; j++) s += b.lowerA[i * b.cols + j]! * x[j]!;
  return s;
};

test('balls on chosen steps and features: concretisation equals the exact optimum', () => {
  const rng = new Rng(1);
  const T = 3;
  const F = 2;
  const c = Float64Array.from({ length: T * F }, () => rng.normal());
  for (const norm of ['linf', 'l2', 'l1'] as const) {
    const r = ballRegion(c, T, F, { kind: 'ball', norm, eps: 0.5, steps: [1, 2], features: [1] });
    const idx = [3, 5]; // step 1 feature 1, step 2 feature 1
    const b = randomBound(rng, 4, T * F);
    const box = concretizeRegion(b, r);
    for (let i = 0; i < 4; i++) {
      const a = idx.map((j) => b.lowerA[i * T * F + j]!);
      const dual =
        norm === 'linf'
          ? Math.abs(a[0]!) + Math.abs(a[1]!)
          : norm === 'l2'
            ? Math.hypot(a[0]!, a[1]!)
            : Math.max(Math.abs(a[0]!), Math.abs(a[1]!));
      const centre = value(b, i, c);
      assert.ok(box.lo[i]! <= centre - 0.5 * dual && centre - 0.5 * dual - box.lo[i]! < 1e-12);
      assert.ok(box.hi[i]! >= centre + 0.5 * dual && box.hi[i]! - (centre + 0.5 * dual) < 1e-12);
      // the optimum is attained: an exact maximiser of the ball reaches the upper value
      const x = Float64Array.from(c);
      if (norm === 'linf') idx.forEach((j, k) => (x[j] = c[j]! + 0.5 * Math.sign(a[k]!)));
      else if (norm === 'l2') idx.forEach((j, k) => (x[j] = c[j]! + (0.5 * a[k]!) / dual));
      else {
        const k = Math.abs(a[0]!) >= Math.abs(a[1]!) ? 0 : 1;
        x[idx[k]!] = c[idx[k]!]! + 0.5 * Math.sign(a[k]!);
      }
      assert.ok(Math.abs(value(b, i, x) - (centre + 0.5 * dual)) < 1e-12);
    }
  }
});

test('substitution hulls: concretisation equals the min / max over all substitution combinations', () => {
  const rng = new Rng(2);
  const V = 6;
  const E = 2;
  const emb = Float64Array.from({ length: V * E }, () => rng.normal());
  const ids = [1, 4, 0];
  const allowed = [[2, 3], [], [5]];
  const r = substitutionRegion(ids, emb, E, { kind: 'substitution', allowed });
  const b = randomBound(rng, 3, ids.length * E);
  const box = concretizeRegion(b, r);
  const choices = ids.map((id, t) => [id, ...allowed[t]!]);
  for (let i = 0; i < 3; i++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const a of choices[0]!)
      for (const bb of choices[1]!)
        for (const cc of choices[2]!) {
          const x = [a, bb, cc].flatMap((id) => [emb[id * E]!, emb[id * E + 1]!]);
          const v = value(b, i, x);
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
    assert.ok(box.lo[i]! <= lo && lo - box.lo[i]! < 1e-12, `row ${i} lower ${box.lo[i]} vs ${lo}`);
    assert.ok(box.hi[i]! >= hi && box.hi[i]! - hi < 1e-12, `row ${i} upper ${box.hi[i]} vs ${hi}`);
  }
});

test('samples and projections stay inside the set; fixed coordinates stay at the centre', () => {
  const rng = new Rng(3);
  const c = Float64Array.from({ length: 12 }, () => rng.normal());
  for (const norm of ['linf', 'l2', 'l1'] as const) {
    const r = ballRegion(c, 4, 3, { kind: 'ball', norm, eps: 0.3, steps: [1, 2] });
    for (let s = 0; s < 50; s++) {
      const x = sampleRegion(r, rng);
      const far = Float64Array.from(x, (v) => v + rng.normal(0, 2));
      projectRegion(r, far);
      for (const y of [x, far]) {
        const d = Array.from(y, (v, j) => v - c[j]!);
        [0, 1, 2, 9, 10, 11].forEach((j) => assert.equal(d[j], 0));
        const nrm =
          norm === 'linf'
            ? Math.max(...d.map(Math.abs))
            : norm === 'l2'
              ? Math.hypot(...d)
              : d.reduce((a, v) => a + Math.abs(v), 0);
        assert.ok(nrm <= 0.3 * (1 + 1e-12), `${norm} norm ${nrm}`);
      }
    }
  }
});
