/**
 * The faster offset search of the product planes (relax/products.ts, certified-min.ts): seeds and
 * the relative closing tolerance change the work, never soundness, and cost at most the stated
 * tightness. (Soundness of relaxProduct itself is tested on dense grids and by attack in
 * relax-products.test.ts, which runs the same code path.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../../src/core/rng.js';
import { certifiedMin2D, type Enclosure } from '../../../src/verify/certify/certified-min.js';
import { productFn, PRODUCT_KINDS } from '../../../src/verify/certify/relax/product-fns.js';
import {
  certifiedPlaneLower,
  certifiedPlaneUpper,
  PLANE_REL_TOL,
  relaxProduct,
} from '../../../src/verify/certify/relax/products.js';

test('relaxProduct offsets: rigorous side of the tight offsets, within 1e-4 × spread of them', () => {
  const rng = new Rng(17);
  let n = 0;
  for (let k = 0; k < 90; k++) {
    const kind = PRODUCT_KINDS[k % 3]!;
    const fn = productFn(kind);
    const cx = rng.normal(0, 2);
    const cy = rng.normal(0, 2);
    const wx = 0.01 + 2 * rng.uniform();
    const wy = 0.01 + 2 * rng.uniform();
    const bx = { lx: cx - wx / 2, ux: cx + wx / 2, ly: cy - wy / 2, uy: cy + wy / 2 };
    const r = relaxProduct(kind, bx);
    for (const [plane, lower] of [
      [r.lower, true],
      [r.upper, false],
    ] as const) {
      const tight = lower
        ? certifiedPlaneLower(fn, bx, plane.a, plane.b)
        : certifiedPlaneUpper(fn, bx, plane.a, plane.b);
      // spread of the residual on a 33×33 grid (contains the 9×9 grid relaxProduct uses)
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i <= 32; i++)
        for (let j = 0; j <= 32; j++) {
          const x = bx.lx + ((bx.ux - bx.lx) * i) / 32;
          const y = bx.ly + ((bx.uy - bx.ly) * j) / 32;
          const v = fn.f(x, y) - plane.a * x - plane.b * y;
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      const allowed = PLANE_REL_TOL * (hi - lo) * 1.001 + 1e-12;
      const loss = lower ? tight - plane.c : plane.c - tight;
      assert.ok(
        loss >= -1e-12,
        `${kind}: relaxed offset tighter than the 1e-12 search by ${-loss}`,
      );
      assert.ok(loss <= allowed, `${kind}: offset loosened by ${loss} > ${allowed}`);
      n++;
    }
  }
  assert.equal(n, 180);
});

test('certifiedMin2D seeds: same guarantee, fewer evaluations, outside seeds ignored', () => {
  // g = (x − 0.3)² + 2·(y + 0.2)² + 0.1·x·y has its minimum inside; exact value from the 2×2 system
  let evals = 0;
  const f = (x: number, y: number): number => (x - 0.3) ** 2 + 2 * (y + 0.2) ** 2 + 0.1 * x * y;
  const g = (x: number, y: number): Enclosure => {
    evals++;
    const v = f(x, y);
    return { lo: v - 1e-15, hi: v + 1e-15 };
  };
  const curv = (): { xx: number; yy: number } => ({ xx: 2, yy: 4 });
  // ∂x: 2(x − 0.3) + 0.1y = 0, ∂y: 4(y + 0.2) + 0.1x = 0
  const det = 2 * 4 - 0.1 * 0.1;
  const xs = (0.6 * 4 - 0.1 * -0.8) / det;
  const ys = (2 * -0.8 - 0.1 * 0.6) / det;
  const exact = f(xs, ys);
  const run = (seeds?: [number, number][]): [number, number] => {
    evals = 0;
    const v = certifiedMin2D(g, curv, -1, 1, -1, 1, { tol: 1e-9, seeds });
    return [v, evals];
  };
  const [plain, nPlain] = run();
  const [seeded, nSeeded] = run([[xs + 1e-3, ys - 1e-3]]);
  const [outside] = run([[5, 5]]);
  for (const v of [plain, seeded, outside]) {
    assert.ok(v <= exact, `bound ${v} above the exact minimum ${exact}`);
    assert.ok(v >= exact - 2e-9, `bound ${v} looser than the tolerance`);
  }
  assert.ok(nSeeded < nPlain, `seeded ${nSeeded} evaluations, plain ${nPlain}`);
});
