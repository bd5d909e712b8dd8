/**
 * `numpy.percentile` with the default 'linear' method, reproduced operation by operation
 * (virtual index n·q + (1 − q) − 1, then numpy's two-sided lerp) so that bin edges and bootstrap
 * interval ends agree with NumPy/SciPy to the last bit where possible.
 */
import { ArgumentError } from '../../core/errors.js';

/** Percentile q ∈ [0, 100] of `sorted` (ascending, non-empty). */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0)
    throw new ArgumentError('percentile', 'values', 'a non-empty array', 'an empty array');
  if (!(q >= 0 && q <= 100))
    throw new ArgumentError('percentile', 'q', 'a number in [0, 100]', String(q));
  const qf = q / 100;
  const virtualIndex = n * qf + (1 + qf * (1 - 1 - 1)) - 1;
  const clipped = Math.min(Math.max(virtualIndex, 0), n - 1);
  const lo = Math.floor(clipped);
  const hi = Math.min(lo + 1, n - 1);
  const t = clipped - lo;
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  const diff = b - a;
  // numpy's _lerp: a + (b−a)t, or b − (b−a)(1−t) when t ≥ 0.5 (exact at both ends)
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** Percentile of unsorted values (copies and sorts). */
export function percentile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  return percentileSorted(sorted, q);
}
