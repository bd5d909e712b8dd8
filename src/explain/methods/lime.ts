/**
 * LIME (Ribeiro et al. 2016), as Captum's Lime defaults: each group is kept with probability ½
 * (else set to the baseline); each sample is weighted by an exponential kernel of the cosine
 * distance between the original and the perturbed input,
 *   d = 1 − x·x(z) / max(‖x‖ ‖x(z)‖, 10⁻⁸),  w = exp(−d² / (2 σ²))  (σ = `kernelWidth`, default 1),
 * and a lasso with intercept (penalty `alpha`, default 0.01, by coordinate descent) gives each
 * group's value. Default 25 samples.
 */
import type { AttributionMethod } from '../types.js';
import { coalitionAttribution } from './coalitions.js';
import { lasso } from './linear-models.js';
import { intOption, numberOption, rowSize } from './rows.js';

export const lime: AttributionMethod = {
  name: 'lime',
  family: 'perturbation',
  inputKinds: ['numeric', 'tokens'],
  run(ctx) {
    const n = intOption(ctx, 'samples', 25);
    const alpha = numberOption(ctx, 'alpha', 0.01);
    const width = numberOption(ctx, 'kernelWidth', 1.0);
    const S = rowSize(ctx);
    const x = ctx.input.data;
    const out = coalitionAttribution(
      ctx,
      n,
      {
        draw(_, __, M, z) {
          for (let g = 0; g < M; g++) z[g] = ctx.rng.next() < 0.5 ? 1 : 0;
        },
        weight(r, _, input) {
          let dot = 0;
          let nx = 0;
          let ny = 0;
          for (let i = 0; i < S; i++) {
            const a = x[r * S + i]!;
            const c = input[i]!;
            dot += a * c;
            nx += a * a;
            ny += c * c;
          }
          const d = 1 - dot / Math.max(Math.sqrt(nx) * Math.sqrt(ny), 1e-8);
          return Math.exp(-(d * d) / (2 * width * width));
        },
        fit: (z, y, w, M) => lasso(z, y, w, M, alpha).coef,
      },
      'lime',
    );
    return { ...out, diagnostics: { ...out.diagnostics, alpha, kernelWidth: width } };
  },
};
