/**
 * Path-integral point rules on [0, 1], as Captum defines them (alphas, step sizes):
 * - gauss-legendre: nodes x_i of the Legendre polynomial P_n on [−1, 1] and weights
 *   w_i = 2 / ((1 − x_i²) P_n'(x_i)²), mapped to α_i = (1 + x_i)/2 with step sizes w_i/2;
 * - riemann-left:   α_k = k/n (k = 0..n−1),         step 1/n
 * - riemann-right:  α_k = (k+1)/n,                   step 1/n
 * - riemann-middle: α_k = (k + ½)/n,                 step 1/n
 * - riemann-trapezoid: α_k = k/(n−1) (k = 0..n−1), step 1/n with the first and last halved
 *   (Captum's weights, which sum to (n−1)/n, not 1; kept so results compare one to one).
 */
import { ArgumentError, describe } from '../../core/errors.js';
import type { IntegrationRule } from '../types.js';

export const RULES: readonly IntegrationRule[] = [
  'gauss-legendre',
  'riemann-left',
  'riemann-right',
  'riemann-middle',
  'riemann-trapezoid',
];

/** Legendre P_n(x) and P_n'(x) by the three-term recurrence (k+1) P_{k+1} = (2k+1) x P_k − k P_{k−1}. */
function legendre(n: number, x: number): { p: number; dp: number } {
  let p0 = 1;
  let p1 = x;
  for (let k = 1; k < n; k++) {
    const p2 = ((2 * k + 1) * x * p1 - k * p0) / (k + 1);
    p0 = p1;
    p1 = p2;
  }
  const p = n === 0 ? 1 : p1;
  // P_n'(x) = n (x P_n − P_{n−1}) / (x² − 1)
  const dp = n === 0 ? 0 : (n * (x * p1 - p0)) / (x * x - 1);
  return { p, dp };
}

/** Gauss–Legendre nodes (ascending) and weights on [−1, 1], by Newton's method on P_n. */
export function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    // Tricomi's initial guess for the i-th largest root.
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    for (let it = 0; it < 100; it++) {
      const { p, dp } = legendre(n, x);
      const dx = p / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    const { dp } = legendre(n, x);
    const w = 2 / ((1 - x * x) * dp * dp);
    nodes[n - 1 - i] = x;
    weights[n - 1 - i] = w;
    nodes[i] = -x;
    weights[i] = w;
  }
  return { nodes, weights };
}

/** Points α_k ∈ [0, 1] and step sizes of `rule` with `n` points. */
export function pathPoints(
  rule: IntegrationRule,
  n: number,
): { alphas: Float64Array; weights: Float64Array } {
  const alphas = new Float64Array(n);
  const weights = new Float64Array(n).fill(1 / n);
  switch (rule) {
    case 'gauss-legendre': {
      const g = gaussLegendre(n);
      for (let k = 0; k < n; k++) {
        alphas[k] = 0.5 * (1 + g.nodes[k]!);
        weights[k] = 0.5 * g.weights[k]!;
      }
      break;
    }
    case 'riemann-left':
      for (let k = 0; k < n; k++) alphas[k] = k / n;
      break;
    case 'riemann-right':
      for (let k = 0; k < n; k++) alphas[k] = (k + 1) / n;
      break;
    case 'riemann-middle':
      for (let k = 0; k < n; k++) alphas[k] = (k + 0.5) / n;
      break;
    case 'riemann-trapezoid':
      if (n < 2)
        throw new ArgumentError(
          'attribute',
          'steps',
          'at least 2 for riemann-trapezoid',
          String(n),
        );
      for (let k = 0; k < n; k++) alphas[k] = k / (n - 1);
      weights[0] = 0.5 / n;
      weights[n - 1] = 0.5 / n;
      break;
    default:
      throw new ArgumentError(
        'attribute',
        'rule',
        RULES.map((r) => `'${r}'`).join(', '),
        describe(rule),
      );
  }
  return { alphas, weights };
}
