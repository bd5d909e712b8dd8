/**
 * The numerical pieces behind the methods against independent references: Gauss–Legendre nodes
 * and weights (numpy.polynomial.legendre.leggauss), Captum's Riemann points, and the KernelSHAP /
 * LIME surrogate fits (scikit-learn LinearRegression and Lasso(alpha=0.01) with sample weights).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gaussLegendre, pathPoints } from '../../src/explain/methods/quadrature.js';
import { lasso, weightedLeastSquares } from '../../src/explain/methods/linear-models.js';
import { assertClose } from './helpers.js';

interface Fit {
  n: number;
  M: number;
  z: number[];
  y: number[];
  w: number[];
  ols: { coef: number[]; intercept: number };
  lasso?: { coef: number[]; intercept: number };
}
const fx = JSON.parse(
  readFileSync(new URL('../fixtures/explain/solvers.json', import.meta.url), 'utf8'),
) as {
  gaussLegendre: Record<string, { nodes: number[]; weights: number[] }>;
  fits: Fit[];
};

describe('quadrature', () => {
  it('Gauss–Legendre nodes and weights match numpy to 1e-13', () => {
    for (const [n, ref] of Object.entries(fx.gaussLegendre)) {
      const g = gaussLegendre(Number(n));
      assertClose(g.nodes, ref.nodes, 1e-13, `nodes n=${n}`);
      assertClose(g.weights, ref.weights, 1e-13, `weights n=${n}`);
    }
  });

  it('Riemann rules follow Captum (alphas and step sizes)', () => {
    const n = 4;
    assert.deepEqual(Array.from(pathPoints('riemann-left', n).alphas), [0, 0.25, 0.5, 0.75]);
    assert.deepEqual(Array.from(pathPoints('riemann-right', n).alphas), [0.25, 0.5, 0.75, 1]);
    assert.deepEqual(
      Array.from(pathPoints('riemann-middle', n).alphas),
      [0.125, 0.375, 0.625, 0.875],
    );
    const tr = pathPoints('riemann-trapezoid', n);
    assertClose(tr.alphas, [0, 1 / 3, 2 / 3, 1], 1e-15, 'trapezoid alphas');
    assert.deepEqual(Array.from(tr.weights), [0.125, 0.25, 0.25, 0.125]);
    // Every Gauss–Legendre rule integrates a polynomial of degree 2n − 1 exactly: ∫₀¹ 8α⁷ dα = 1.
    const gl = pathPoints('gauss-legendre', n);
    let s = 0;
    gl.alphas.forEach((a, k) => (s += gl.weights[k]! * 8 * a ** 7));
    assert.ok(Math.abs(s - 1) < 1e-14, `∫ 8α⁷ = ${s}`);
  });
});

describe('surrogate fits', () => {
  for (const f of fx.fits) {
    const z = Float64Array.from(f.z);
    const y = Float64Array.from(f.y);
    const w = Float64Array.from(f.w);
    it(`weighted least squares n=${f.n} M=${f.M} (max weight ${Math.max(...f.w).toExponential(0)}) matches scikit-learn`, () => {
      const r = weightedLeastSquares(z, y, w, f.M);
      assertClose(r.coef, f.ols.coef, 1e-6, 'coef');
      assertClose([r.intercept], [f.ols.intercept], 1e-6, 'intercept');
    });
    if (f.lasso) {
      it(`lasso alpha 0.01 n=${f.n} M=${f.M} matches scikit-learn`, () => {
        const r = lasso(z, y, w, f.M, 0.01);
        assertClose(r.coef, f.lasso!.coef, 1e-6, 'coef');
        assertClose([r.intercept], [f.lasso!.intercept], 1e-6, 'intercept');
      });
    }
  }
});
