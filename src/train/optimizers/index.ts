/**
 * Optimisers and a factory from a JSON config, validated with zod, e.g.
 *   { "type": "adam", "lr": 0.001, "betas": [0.9, 0.999], "weightDecay": 0 }
 * Unknown keys are rejected so a typo in a config file is an error, not a silently ignored option.
 */
import { z } from 'zod';
import { RnnlensError } from '../../core/errors.js';
import type { Parameter } from '../../core/parameter.js';
import { Adam } from './adam.js';
import { AdamW } from './adamw.js';
import type { Optimizer } from './optimizer.js';
import { Rmsprop } from './rmsprop.js';
import { Sgd } from './sgd.js';

export { Optimizer, type OptimizerState } from './optimizer.js';
export { Sgd, type SgdOptions } from './sgd.js';
export { Adam, type AdamOptions } from './adam.js';
export { AdamW, type AdamWOptions } from './adamw.js';
export { Rmsprop, type RmspropOptions } from './rmsprop.js';

const nonNegative = z.number().finite().nonnegative();
const unit = z.number().min(0).max(1);
const adamShape = {
  lr: nonNegative.optional(),
  betas: z.tuple([unit, unit]).optional(),
  eps: nonNegative.optional(),
  weightDecay: nonNegative.optional(),
  amsgrad: z.boolean().optional(),
};

export const optimizerConfigSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('sgd'),
      lr: nonNegative,
      momentum: nonNegative.optional(),
      dampening: unit.optional(),
      nesterov: z.boolean().optional(),
      weightDecay: nonNegative.optional(),
    })
    .strict(),
  z.object({ type: z.literal('adam'), ...adamShape }).strict(),
  z.object({ type: z.literal('adamw'), ...adamShape }).strict(),
  z
    .object({
      type: z.literal('rmsprop'),
      lr: nonNegative.optional(),
      alpha: unit.optional(),
      eps: nonNegative.optional(),
      weightDecay: nonNegative.optional(),
      momentum: nonNegative.optional(),
      centered: z.boolean().optional(),
    })
    .strict(),
]);

export type OptimizerConfig = z.infer<typeof optimizerConfigSchema>;

/** Builds an optimiser from a (parsed JSON) config; `optimizer.config()` gives it back in full. */
export function createOptimizer(params: readonly Parameter[], config: unknown): Optimizer {
  const parsed = optimizerConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (i) => `${i.path.length ? i.path.join('.') : '(config)'}: ${i.message}`,
    );
    throw new RnnlensError(`createOptimizer: invalid optimiser config: ${issues.join('; ')}`);
  }
  const { type, ...options } = parsed.data;
  switch (type) {
    case 'sgd':
      return new Sgd(params, parsed.data);
    case 'adam':
      return new Adam(params, options);
    case 'adamw':
      return new AdamW(params, options);
    case 'rmsprop':
      return new Rmsprop(params, options);
  }
}
