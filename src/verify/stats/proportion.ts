/**
 * Confidence intervals of a binomial proportion. Wilson's score interval (1927):
 *   centre = (p̂ + z²/2n) / (1 + z²/n),  half = z·√(p̂(1 − p̂)/n + z²/4n²) / (1 + z²/n)
 * with z the two-sided normal quantile of the level; unlike the normal (Wald) interval it stays
 * inside [0, 1] and is not empty at p̂ = 0 or 1. The same as statsmodels
 * `proportion_confint(count, nobs, alpha, method='wilson')`.
 */
import { ArgumentError, describe } from '../../core/errors.js';
import { normalQuantile } from './distributions.js';

export interface ProportionInterval {
  successes: number;
  n: number;
  estimate: number;
  low: number;
  high: number;
  level: number;
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

/** The interval alone, [low, high]. */
export function wilsonBounds(successes: number, n: number, level = 0.95): [number, number] {
  const w = wilsonInterval(successes, n, level);
  return [w.low, w.high];
}
