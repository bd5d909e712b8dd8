/**
 * Adam, exactly torch.optim.Adam (1.13), with optional AMSGrad; AdamW (adamw.ts) reuses this rule
 * with decoupled weight decay. At step t:
 *   g = g + λ·w                     (Adam's L2 weight decay; AdamW instead does w = w·(1 − η·λ))
 *   m = β1·m + (1 − β1)·g
 *   v = β2·v + (1 − β2)·g²
 *   v̂ = max(v̂, v) with AMSGrad, else v
 *   w = w − (η / (1 − β1^t)) · m / (√v̂ / √(1 − β2^t) + ε)
 */
import type { Parameter } from '../../core/parameter.js';
import type { FloatArray } from '../../core/tensor.js';
import { Optimizer, checkRange } from './optimizer.js';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
}

export class Adam extends Optimizer {
  readonly type: 'adam' | 'adamw' = 'adam';
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly amsgrad: boolean;
  /** true for AdamW: decay the weights directly instead of adding λ·w to the gradient. */
  protected readonly decoupled: boolean;

  constructor(params: readonly Parameter[], options: AdamOptions = {}, decoupled = false) {
    const where = decoupled ? 'AdamW' : 'Adam';
    const {
      lr = 1e-3,
      betas = [0.9, 0.999],
      eps = 1e-8,
      weightDecay = decoupled ? 1e-2 : 0,
      amsgrad = false,
    } = options;
    super(
      where,
      params,
      lr,
      amsgrad ? ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] : ['exp_avg', 'exp_avg_sq'],
    );
    checkRange(where, 'betas[0]', betas[0], 0, 1, true);
    checkRange(where, 'betas[1]', betas[1], 0, 1, true);
    checkRange(where, 'eps', eps, 0);
    checkRange(where, 'weightDecay', weightDecay, 0);
    this.betas = [betas[0], betas[1]];
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.amsgrad = amsgrad;
    this.decoupled = decoupled;
  }

  config(): { type: 'adam' | 'adamw'; lr: number } & Required<AdamOptions> {
    const { type, initialLr: lr, eps, weightDecay, amsgrad } = this;
    return { type, lr, betas: [this.betas[0], this.betas[1]], eps, weightDecay, amsgrad };
  }

  protected update(i: number, w: FloatArray, g: FloatArray): void {
    const [b1, b2] = this.betas;
    const lr = this.lr;
    const t = this.steps;
    const stepSize = lr / (1 - b1 ** t);
    const bc2Sqrt = Math.sqrt(1 - b2 ** t);
    const eps = this.eps;
    const l2 = this.decoupled ? 0 : this.weightDecay;
    const shrink = this.decoupled ? 1 - lr * this.weightDecay : 1;
    const m = this.buffers['exp_avg']![i]!;
    const v = this.buffers['exp_avg_sq']![i]!;
    const vMax = this.amsgrad ? this.buffers['max_exp_avg_sq']![i]! : v;
    const n = w.length;
    if (shrink === 1 && l2 === 0 && vMax === v) {
      // plain Adam (the common case): the same arithmetic without the per-element branches
      const c1 = 1 - b1;
      const c2 = 1 - b2;
      for (let k = 0; k < n; k++) {
        const gk = g[k]!;
        const mk = m[k]! * b1 + c1 * gk;
        const vk = v[k]! * b2 + c2 * gk * gk;
        m[k] = mk;
        v[k] = vk;
        w[k] = w[k]! + -stepSize * (m[k]! / (Math.sqrt(v[k]!) / bc2Sqrt + eps));
      }
      return;
    }
    for (let k = 0; k < n; k++) {
      if (shrink !== 1) w[k] = w[k]! * shrink;
      const gk = g[k]! + l2 * w[k]!;
      m[k] = m[k]! * b1 + (1 - b1) * gk;
      v[k] = v[k]! * b2 + (1 - b2) * gk * gk;
      if (vMax !== v && v[k]! > vMax[k]!) vMax[k] = v[k]!;
      const denom = Math.sqrt(vMax[k]!) / bc2Sqrt + eps;
      w[k] = w[k]! + -stepSize * (m[k]! / denom);
    }
  }
}
