// TensorBoard-style smoothing of a training curve: an exponential moving average started from
// zero and debiased, so the first points are not pulled towards zero. With weight w, after the
// n-th finite value y_n: m_n = w m_{n-1} + (1 - w) y_n (m_0 = 0), shown as m_n / (1 - w^n).
// Non-finite values (a diverged loss) are shown as they are and leave the average unchanged.

/** Smoothed copy of `values` (in x order) with weight `w` in [0, 1); w = 0 returns the values. */
export function smooth(values: readonly number[], w: number): number[] {
  if (!(w >= 0 && w < 1)) throw new RangeError(`smooth: the weight must be in [0, 1), received ${w}`);
  let m = 0;
  let n = 0;
  return values.map((y) => {
    if (!Number.isFinite(y)) return y;
    m = w * m + (1 - w) * y;
    n++;
    return w === 0 ? y : m / (1 - w ** n);
  });
}
