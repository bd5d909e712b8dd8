/**
 * Confidence intervals of a binomial proportion. Wilson's score interval (1927):
 *   centre = (p̂ + z²/2n) / (1 + z²/n),  half = z·√(p̂(1 − p̂)/n + z²/4n²) / (1 + z²/n)
 * with z the two-sided normal quantile of the level; unlike the normal (Wald) interval it stays
 * inside [0, 1] and is not empty at p̂ = 0 or 1.
 */
import { ArgumentError, describe } from '../../core/errors.js';

export interface ProportionInterval {
  successes: number;
  n: number;
  estimate: number;
  low: number;
  high: number;
  level: number;
}

/** The standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

export function wilsonInterval(successes: number, n: number, level = 0.95): ProportionInterval {
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError('wilsonInterval', 'n', 'an integer >= 1', describe(n));
  if (!Number.isInteger(successes) || successes < 0 || successes > n) throw new ArgumentError('wilsonInterval', 'successes', `an integer in [0, ${n}]`, describe(successes));
  if (!(level > 0 && level < 1)) throw new ArgumentError('wilsonInterval', 'level', 'a number in (0, 1)', describe(level));
  const z = normalQuantile(1 - (1 - level) / 2);
  const p = successes / n;
  const z2 = z * z;
  const den = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / den;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / den;
  return { successes, n, estimate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half), level };
}
