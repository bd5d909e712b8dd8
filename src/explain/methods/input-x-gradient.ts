/** Input × gradient (Shrikumar et al. 2016): a = x ⊙ ∂F/∂x. */
import type { AttributionMethod } from '../types.js';

export const inputXGradient: AttributionMethod = {
  name: 'input-x-gradient',
  family: 'gradient',
  inputKinds: ['numeric', 'tokens'],
  run(ctx) {
    const { values, grad } = ctx.target.gradient(ctx.input, ctx.origin);
    const x = ctx.input.data;
    for (let i = 0; i < grad.length; i++) grad[i] = grad[i]! * x[i]!;
    return { attributions: grad, outputs: values };
  },
};
