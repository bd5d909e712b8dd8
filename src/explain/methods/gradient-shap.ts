/**
 * Gradient SHAP (Lundberg & Lee 2017; Captum's GradientShap): an expectation of input × gradient
 * along random points between the input and references drawn from a baseline distribution.
 * For each row and sample s = 1..n (default n = 5):
 *   x̃_s = x + ε_s, ε_s ~ N(0, σ²) (σ = `stdevs`, default 0), b_s drawn uniformly from the
 *   baseline samples (or the single baseline), α_s ~ U(0, 1),
 *   a = (1/n) Σ_s (x̃_s − b_s) ⊙ ∂F/∂x (b_s + α_s (x̃_s − b_s)).
 * All n × rows points are one batch.
 */
import type { AttributionMethod } from '../types.js';
import { emptyRows, intOption, numberOption, originOf, rowSize } from './rows.js';

export const gradientShap: AttributionMethod = {
  name: 'gradient-shap',
  family: 'gradient',
  inputKinds: ['numeric', 'tokens'],
  run(ctx) {
    const n = intOption(ctx, 'samples', 5);
    const sd = numberOption(ctx, 'stdevs', 0);
    const R = ctx.input.batch;
    const S = rowSize(ctx);
    const F = ctx.input.features;
    const pool = ctx.baseline.samples;
    const source = new Int32Array(R * n);
    for (let r = 0; r < R; r++) source.fill(r, r * n, (r + 1) * n);
    const points = emptyRows(ctx, source);
    const diff = new Float64Array(R * n * S);
    for (let q = 0; q < R * n; q++) {
      const r = source[q]!;
      const valid = ctx.input.lengths[r]! * F;
      const ref = pool
        ? pool.data.subarray(ctx.rng.int(pool.count) * S)
        : ctx.baseline.data.subarray(r * S);
      const alpha = ctx.rng.next();
      for (let i = 0; i < valid; i++) {
        const xi = ctx.input.data[r * S + i]! + (sd > 0 ? ctx.rng.normal(0, sd) : 0);
        const bi = ref[i]!;
        diff[q * S + i] = xi - bi;
        points.data[q * S + i] = bi + alpha * (xi - bi);
      }
    }
    const { grad } = ctx.target.gradient(points, originOf(ctx, source));
    const attr = new Float64Array(R * S);
    for (let q = 0; q < R * n; q++) {
      const r = source[q]!;
      for (let i = 0; i < S; i++)
        attr[r * S + i] = attr[r * S + i]! + (diff[q * S + i]! * grad[q * S + i]!) / n;
    }
    return { attributions: attr, diagnostics: { samples: n, stdevs: sd } };
  },
};
