/**
 * AdamW (Loshchilov & Hutter), exactly torch.optim.AdamW (1.13): the weights decay directly,
 * w = w·(1 − η·λ), before the Adam step, which then sees the raw gradient. Default λ = 0.01.
 */
import type { Parameter } from '../../core/parameter.js';
import { Adam, type AdamOptions } from './adam.js';

export type AdamWOptions = AdamOptions;

export class AdamW extends Adam {
  override readonly type = 'adamw';

  constructor(params: readonly Parameter[], options: AdamWOptions = {}) {
    super(params, options, true);
  }
}
