/**
 * Saliency (Simonyan et al. 2014): the gradient of the target with respect to the input,
 * a = |∂F/∂x| by default (Captum's `abs=True`), or the signed gradient with `abs: false`.
 */
import type { AttributionMethod } from '../types.js';

export const saliency: AttributionMethod = {
  name: 'saliency',
  family: 'gradient',
  inputKinds: ['numeric', 'tokens'],
  run(ctx) {
    const abs = ctx.options.abs ?? true;
    const { values, grad } = ctx.target.gradient(ctx.input, ctx.origin);
    if (abs) for (let i = 0; i < grad.length; i++) grad[i] = Math.abs(grad[i]!);
    return { attributions: grad, outputs: values, diagnostics: { abs } };
  },
};
