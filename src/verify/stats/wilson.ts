/**
 * Wilson score interval for a binomial proportion (Wilson 1927), as statsmodels
 * `proportion_confint(count, nobs, alpha, method='wilson')`:
 *   centre = (p̂ + z²/2n) / (1 + z²/n),  half = z / (1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²).
 * Unlike the normal approximation it stays inside [0, 1] and is sound at 0 or n successes.
 */
import { ArgumentError } from '../../core/errors.js';
import { normalQuantile } from './distributions.js';

export function wilsonInterval(successes: number, n: number, confidenceLevel = 0.95): [number, number] {
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError('wilsonInterval', 'n', 'an integer >= 1', String(n));
  if (!Number.isInteger(successes) || successes < 0 || successes > n) throw new ArgumentError('wilsonInterval', 'successes', `an integer in [0, ${n}]`, String(successes));
  if (!(confidenceLevel > 0 && confidenceLevel < 1)) throw new ArgumentError('wilsonInterval', 'confidenceLevel', 'a number in (0, 1)', String(confidenceLevel));
  const z = normalQuantile(1 - (1 - confidenceLevel) / 2);
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
