/**
 * Integrated gradients (Sundararajan et al. 2017), Captum's definition:
 *   a = (x − b) ⊙ Σ_k w_k ∂F/∂x (b + α_k (x − b))
 * over the points α_k and step sizes w_k of a rule (quadrature.ts; default Gauss–Legendre, 50
 * points). All points of as many rows as fit in `gradientBatchSize` (default 512) go through the
 * network as one batch (point-major rows).
 * Completeness gap per row: δ = Σ a − (F(x) − F(b)).
 */
import type { AttributionMethod, IntegrationRule } from '../types.js';
import { pathPoints } from './quadrature.js';
import { intOption, rowSize } from './rows.js';

export const integratedGradients: AttributionMethod = {
  name: 'integrated-gradients',
  family: 'gradient',
  inputKinds: ['numeric', 'tokens'],
  run(ctx) {
    const n = intOption(ctx, 'steps', 50);
    const rule = (ctx.options.rule as IntegrationRule | undefined) ?? 'gauss-legendre';
    const { alphas, weights } = pathPoints(rule, n);
    const R = ctx.input.batch;
    const S = rowSize(ctx);
    const x = ctx.input.data;
    const b = ctx.baseline.data;
    const attr = new Float64Array(R * S);
    // Sequences go in groups whose n path points each fill at most one gradient batch (all n
    // points of one sequence always go together), so memory stays bounded for large batches.
    const per = Math.max(1, Math.floor((ctx.options.gradientBatchSize ?? 512) / n));
    for (let r0 = 0; r0 < R; r0 += per) {
      const Rc = Math.min(per, R - r0);
      // Path points, point-major: row k·Rc + j = b_r + α_k (x_r − b_r), r = r0 + j.
      const data = new Float64Array(n * Rc * S);
      const lengths = new Int32Array(n * Rc);
      const origin = new Int32Array(n * Rc);
      for (let k = 0; k < n; k++) {
        const a = alphas[k]!;
        const off = k * Rc * S;
        for (let i = 0; i < Rc * S; i++) {
          const g = r0 * S + i;
          data[off + i] = b[g]! + a * (x[g]! - b[g]!);
        }
        lengths.set(ctx.input.lengths.subarray(r0, r0 + Rc), k * Rc);
        origin.set(ctx.origin.subarray(r0, r0 + Rc), k * Rc);
      }
      ctx.progress(r0, R, 'integrated gradients');
      const { grad } = ctx.target.gradient({ ...ctx.input, data, batch: n * Rc, lengths }, origin);
      // a = (x − b) ⊙ Σ_k w_k ∂F/∂x(point k)
      for (let k = 0; k < n; k++) {
        const w = weights[k]!;
        const off = k * Rc * S;
        for (let i = 0; i < Rc * S; i++) attr[r0 * S + i] = attr[r0 * S + i]! + w * grad[off + i]!;
      }
    }
    for (let i = 0; i < R * S; i++) attr[i] = attr[i]! * (x[i]! - b[i]!);
    ctx.progress(R, R, 'integrated gradients');
    // F(x) and F(b) in one forward pass.
    const ends = new Float64Array(2 * R * S);
    ends.set(x);
    ends.set(b, R * S);
    const endLengths = new Int32Array(2 * R);
    endLengths.set(ctx.input.lengths);
    endLengths.set(ctx.input.lengths, R);
    const endOrigin = new Int32Array(2 * R);
    endOrigin.set(ctx.origin);
    endOrigin.set(ctx.origin, R);
    const f = ctx.target.evaluate(
      { ...ctx.input, data: ends, batch: 2 * R, lengths: endLengths },
      endOrigin,
    );
    const delta = new Float64Array(R);
    for (let r = 0; r < R; r++) {
      let s = 0;
      for (let i = 0; i < S; i++) s += attr[r * S + i]!;
      delta[r] = s - (f[r]! - f[R + r]!);
    }
    return {
      attributions: attr,
      delta,
      outputs: f.slice(0, R),
      diagnostics: { steps: n, rule, baselineOutputs: Array.from(f.subarray(R)) },
    };
  },
};
