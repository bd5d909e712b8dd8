/**
 * RMSprop, exactly torch.optim.RMSprop (1.13):
 *   g = g + λ·w
 *   s = α·s + (1 − α)·g²
 *   a = √(s − ḡ²) + ε  with ḡ = α·ḡ + (1 − α)·g  (centered),   else a = √s + ε
 *   b = μ·b + g / a,  w = w − η·b              (momentum μ > 0)
 *   w = w − η·g / a                              (no momentum)
 */
import type { Parameter } from '../../core/parameter.js';
import type { FloatArray } from '../../core/tensor.js';
import { Optimizer, checkRange } from './optimizer.js';

export interface RmspropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
}

export class Rmsprop extends Optimizer {
  readonly type = 'rmsprop';
  readonly alpha: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly momentum: number;
  readonly centered: boolean;

  constructor(params: readonly Parameter[], options: RmspropOptions = {}) {
    const {
      lr = 1e-2,
      alpha = 0.99,
      eps = 1e-8,
      weightDecay = 0,
      momentum = 0,
      centered = false,
    } = options;
    const buffers = ['square_avg'];
    if (momentum > 0) buffers.push('momentum_buffer');
    if (centered) buffers.push('grad_avg');
    super('Rmsprop', params, lr, buffers);
    checkRange('Rmsprop', 'alpha', alpha, 0, 1);
    checkRange('Rmsprop', 'eps', eps, 0);
    checkRange('Rmsprop', 'weightDecay', weightDecay, 0);
    checkRange('Rmsprop', 'momentum', momentum, 0);
    this.alpha = alpha;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.momentum = momentum;
    this.centered = centered;
  }

  config(): { type: 'rmsprop' } & Required<RmspropOptions> {
    const { initialLr: lr, alpha, eps, weightDecay, momentum, centered } = this;
    return { type: 'rmsprop', lr, alpha, eps, weightDecay, momentum, centered };
  }

  protected update(i: number, w: FloatArray, g: FloatArray): void {
    const { alpha, eps, weightDecay: wd, momentum: mu, lr } = this;
    const s = this.buffers['square_avg']![i]!;
    const ga = this.centered ? this.buffers['grad_avg']![i]! : null;
    const b = mu > 0 ? this.buffers['momentum_buffer']![i]! : null;
    const n = w.length;
    for (let k = 0; k < n; k++) {
      const gk = g[k]! + wd * w[k]!;
      s[k] = s[k]! * alpha + (1 - alpha) * gk * gk;
      let a: number;
      if (ga !== null) {
        ga[k] = ga[k]! * alpha + (1 - alpha) * gk;
        a = Math.sqrt(s[k]! - ga[k]! * ga[k]!) + eps;
      } else {
        a = Math.sqrt(s[k]!) + eps;
      }
      if (b !== null) {
        b[k] = b[k]! * mu + gk / a;
        w[k] = w[k]! + -lr * b[k]!;
      } else {
        w[k] = w[k]! + -lr * (gk / a);
      }
    }
  }
}
