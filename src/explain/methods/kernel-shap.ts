/**
 * KernelSHAP (Lundberg & Lee 2017), as Captum's KernelShap: coalitions are drawn from the Shapley
 * kernel, so the regression weights are uniform. The first coalition is all groups on, the second
 * all off (both weighted 10⁶, standing in for the kernel's infinite weight there); then a size
 * k ∈ [1, M−1] is drawn with probability ∝ (M − 1) / (k (M − k)) and k groups uniformly at random.
 * A weighted least-squares fit with intercept (minimum norm if under-determined) gives each
 * group's value. Default 25 samples.
 */
import type { AttributionMethod } from '../types.js';
import { coalitionAttribution } from './coalitions.js';
import { weightedLeastSquares } from './linear-models.js';
import { intOption } from './rows.js';

export const kernelShap: AttributionMethod = {
  name: 'kernel-shap',
  family: 'perturbation',
  inputKinds: ['numeric', 'tokens'],
  run(ctx) {
    const n = intOption(ctx, 'samples', 25);
    const cdfs = new Map<number, Float64Array>();
    const sizeCdf = (M: number): Float64Array => {
      let c = cdfs.get(M);
      if (!c) {
        c = new Float64Array(M - 1);
        let acc = 0;
        for (let k = 1; k < M; k++) c[k - 1] = acc += (M - 1) / (k * (M - k));
        for (let k = 0; k < M - 1; k++) c[k] = c[k]! / acc;
        cdfs.set(M, c);
      }
      return c;
    };
    return coalitionAttribution(
      ctx,
      n,
      {
        draw(_, s, M, z) {
          // With a single group only the two end coalitions exist.
          if (s === 0 || (M < 2 && s % 2 === 0)) return void z.fill(1);
          if (s === 1 || M < 2) return;
          const c = sizeCdf(M);
          const u = ctx.rng.next();
          let k = 1;
          while (k < M - 1 && c[k - 1]! < u) k++;
          const order = ctx.rng.permutation(M);
          for (let i = 0; i < k; i++) z[order[i]!] = 1;
        },
        weight(_, z) {
          let on = 0;
          for (let g = 0; g < z.length; g++) on += z[g]!;
          return on === 0 || on === z.length ? 1e6 : 1;
        },
        fit: (z, y, w, M) => weightedLeastSquares(z, y, w, M).coef,
      },
      'kernel shap',
    );
  },
};
