/**
 * Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay, exactly
 * torch.optim.SGD (1.13):
 *   d = g + λ·w
 *   b = d                                  at the first step
 *   b = μ·b + (1 − τ)·d                    afterwards (τ = dampening)
 *   d = d + μ·b  (Nesterov)   or   d = b
 *   w = w − η·d
 */
import { ArgumentError } from '../../core/errors.js';
import type { Parameter } from '../../core/parameter.js';
import type { FloatArray } from '../../core/tensor.js';
import { Optimizer, checkRange } from './optimizer.js';

export interface SgdOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

export class Sgd extends Optimizer {
  readonly type = 'sgd';
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor(params: readonly Parameter[], options: SgdOptions) {
    const { lr, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 } = options;
    super('Sgd', params, lr, momentum !== 0 ? ['momentum_buffer'] : []);
    checkRange('Sgd', 'momentum', momentum, 0);
    checkRange('Sgd', 'dampening', dampening, 0, 1);
    checkRange('Sgd', 'weightDecay', weightDecay, 0);
    if (nesterov && (momentum === 0 || dampening !== 0)) {
      throw new ArgumentError(
        'Sgd',
        'nesterov',
        'momentum > 0 and dampening 0',
        `momentum ${momentum}, dampening ${dampening}`,
      );
    }
    this.momentum = momentum;
    this.dampening = dampening;
    this.nesterov = nesterov;
    this.weightDecay = weightDecay;
  }

  config(): { type: 'sgd' } & Required<SgdOptions> {
    const { initialLr: lr, momentum, dampening, nesterov, weightDecay } = this;
    return { type: 'sgd', lr, momentum, dampening, nesterov, weightDecay };
  }

  protected update(i: number, w: FloatArray, g: FloatArray): void {
    const lr = this.lr;
    const mu = this.momentum;
    const wd = this.weightDecay;
    const n = w.length;
    if (mu === 0) {
      for (let k = 0; k < n; k++) w[k] = w[k]! + -lr * (g[k]! + wd * w[k]!);
      return;
    }
    const b = this.buffers['momentum_buffer']![i]!;
    const first = this.steps === 1;
    const keep = 1 - this.dampening;
    const nesterov = this.nesterov;
    for (let k = 0; k < n; k++) {
      const d = g[k]! + wd * w[k]!;
      b[k] = first ? d : b[k]! * mu + keep * d;
      w[k] = w[k]! + -lr * (nesterov ? d + mu * b[k]! : b[k]!);
    }
  }
}
