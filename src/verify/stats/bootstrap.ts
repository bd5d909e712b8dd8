/**
 * Bootstrap confidence intervals for any statistic of the samples (a metric of predictions, a
 * mean, ...), percentile or BCa, following scipy.stats.bootstrap (SciPy 1.10) formula by formula:
 *   percentile: [q(α/2), q(1 − α/2)] of the bootstrap distribution θ*_b;
 *   BCa (Efron & Tibshirani 1993, §14.3): z0 = Φ⁻¹(share of θ*_b below θ̂, ties half),
 *     a = Σ U³ / (6 (Σ U²)^{3/2}) with jackknife U_i = (n − 1)(θ̄_(·) − θ̂_(i)),
 *     α_{1,2} = Φ(z0 + (z0 + z_{α/2, 1−α/2}) / (1 − a (z0 + z_{…}))).
 * The statistic receives sample indices, so paired data (labels and predictions) stay paired.
 * Resample indices may be passed in (tests use SciPy's own), otherwise they are drawn from a
 * seeded Rng.
 */
import { ArgumentError, RnnlensError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { normalCdf, normalQuantile } from './distributions.js';
import { percentileSorted } from './percentile.js';

export type Progress = (p: { done: number; total: number; message?: string }) => void;

export interface BootstrapOptions {
  /** Number of samples (the statistic receives indices into 0..n-1). */
  n: number;
  /** θ(indices): the statistic evaluated on the samples at `indices` (with repeats). */
  statistic: (indices: Int32Array) => number;
  method?: 'percentile' | 'bca';
  /** Default 0.95. */
  confidenceLevel?: number;
  /** Default 9999 (as SciPy). Ignored when `resamples` is given. */
  nResamples?: number;
  seed?: number;
  /** Pre-drawn resamples, each n indices in [0, n). */
  resamples?: ArrayLike<ArrayLike<number>>;
  onProgress?: Progress;
}

export interface BootstrapResult {
  estimate: number;
  low: number;
  high: number;
  confidenceLevel: number;
  method: 'percentile' | 'bca';
  /** Sample standard deviation of the bootstrap distribution (ddof 1). */
  standardError: number;
  nResamples: number;
  /** BCa only: bias correction z0 and acceleration a. */
  z0?: number;
  acceleration?: number;
}

function checkedStatistic(
  statistic: (idx: Int32Array) => number,
  idx: Int32Array,
  what: string,
): number {
  const v = statistic(idx);
  if (!Number.isFinite(v))
    throw new RnnlensError(
      `bootstrap: the statistic returned ${v} on ${what}; it must be finite on every resample`,
    );
  return v;
}

/** Bootstrap confidence interval (percentile or BCa) of `statistic`. */
export function bootstrapCI(opts: BootstrapOptions): BootstrapResult {
  const where = 'bootstrapCI';
  const { n, statistic } = opts;
  if (!Number.isInteger(n) || n < 2)
    throw new ArgumentError(where, 'n', 'an integer >= 2', String(n));
  if (typeof statistic !== 'function')
    throw new ArgumentError(where, 'statistic', 'a function of sample indices', typeof statistic);
  const method = opts.method ?? 'percentile';
  if (method !== 'percentile' && method !== 'bca')
    throw new ArgumentError(where, 'method', "'percentile' or 'bca'", String(method));
  const level = opts.confidenceLevel ?? 0.95;
  if (!(level > 0 && level < 1))
    throw new ArgumentError(where, 'confidenceLevel', 'a number in (0, 1)', String(level));

  let draws: Int32Array[];
  if (opts.resamples) {
    draws = Array.from(opts.resamples, (r, b) => {
      if (r.length !== n)
        throw new ArgumentError(where, `resamples[${b}]`, `${n} indices`, `${r.length}`);
      const idx = Int32Array.from(r);
      for (const i of idx)
        if (!(i >= 0 && i < n))
          throw new ArgumentError(where, `resamples[${b}]`, `indices in [0, ${n})`, String(i));
      return idx;
    });
  } else {
    const B = opts.nResamples ?? 9999;
    if (!Number.isInteger(B) || B < 2)
      throw new ArgumentError(where, 'nResamples', 'an integer >= 2', String(B));
    const rng = new Rng(opts.seed ?? 0);
    draws = Array.from({ length: B }, () => Int32Array.from({ length: n }, () => rng.int(n)));
  }
  const B = draws.length;
  if (B < 2) throw new ArgumentError(where, 'resamples', 'at least 2 resamples', String(B));

  const all = Int32Array.from({ length: n }, (_, i) => i);
  const estimate = checkedStatistic(statistic, all, 'the full sample');
  const thetas = new Float64Array(B);
  const every = Math.max(1, Math.floor(B / 100));
  for (let b = 0; b < B; b++) {
    thetas[b] = checkedStatistic(statistic, draws[b]!, `resample ${b}`);
    if (opts.onProgress && (b % every === 0 || b === B - 1))
      opts.onProgress({ done: b + 1, total: B, message: 'bootstrap resamples' });
  }
  let mean = 0;
  for (const t of thetas) mean += t;
  mean /= B;
  let ss = 0;
  for (const t of thetas) ss += (t - mean) ** 2;
  const standardError = Math.sqrt(ss / (B - 1));
  const sorted = Float64Array.from(thetas).sort();
  const alpha = (1 - level) / 2;

  if (method === 'percentile') {
    return {
      estimate,
      low: percentileSorted(sorted, alpha * 100),
      high: percentileSorted(sorted, (1 - alpha) * 100),
      confidenceLevel: level,
      method,
      standardError,
      nResamples: B,
    };
  }

  // z0 from the share of bootstrap values below θ̂ (ties count half), as SciPy's _percentile_of_score
  let below = 0;
  let atOrBelow = 0;
  for (const t of thetas) {
    if (t < estimate) below++;
    if (t <= estimate) atOrBelow++;
  }
  const z0 = normalQuantile((below + atOrBelow) / (2 * B));
  // acceleration from the leave-one-out jackknife
  const jack = new Float64Array(n);
  const loo = new Int32Array(n - 1);
  for (let i = 0; i < n; i++) {
    for (let j = 0, k = 0; j < n; j++) if (j !== i) loo[k++] = j;
    jack[i] = checkedStatistic(statistic, loo, `the jackknife sample without ${i}`);
  }
  let jackMean = 0;
  for (const t of jack) jackMean += t;
  jackMean /= n;
  let num = 0;
  let den = 0;
  for (const t of jack) {
    const u = (n - 1) * (jackMean - t);
    num += u ** 3;
    den += u ** 2;
  }
  const acceleration = ((1 / 6) * (num / n ** 3)) / (den / n ** 2) ** 1.5;
  const zAlpha = normalQuantile(alpha);
  const shifted = (z: number) => z0 + (z0 + z) / (1 - acceleration * (z0 + z));
  const s1 = shifted(zAlpha);
  const s2 = shifted(-zAlpha);
  if (Number.isNaN(s1) || Number.isNaN(s2) || !Number.isFinite(z0)) {
    throw new RnnlensError(
      `bootstrapCI: the BCa interval cannot be computed (bias correction z0=${z0}, acceleration=${acceleration}); ` +
        `the bootstrap distribution is degenerate (for example a constant statistic); use method 'percentile'`,
    );
  }
  const a1 = normalCdf(s1);
  const a2 = normalCdf(s2);
  return {
    estimate,
    low: percentileSorted(sorted, a1 * 100),
    high: percentileSorted(sorted, a2 * 100),
    confidenceLevel: level,
    method,
    standardError,
    nResamples: B,
    z0,
    acceleration,
  };
}
