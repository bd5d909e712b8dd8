/**
 * How alike two attribution maps are: Spearman rank correlation (average ranks for ties, as
 * scipy.stats.spearmanr) and an SSIM-style structural similarity (Wang et al. 2004), both used by
 * the sanity checks (Adebayo et al. 2018) to decide whether a map changed.
 */
import { ArgumentError } from '../../core/errors.js';

/** Ranks 1..n with ties given their average rank (scipy.stats.rankdata 'average'). */
export function rankAverage(v: ArrayLike<number>): Float64Array {
  const n = v.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => v[a]! - v[b]!);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && v[order[j + 1]!] === v[order[i]!]) j++;
    const r = (i + j) / 2 + 1; // average of ranks i+1 .. j+1
    for (let k = i; k <= j; k++) ranks[order[k]!] = r;
    i = j + 1;
  }
  return ranks;
}

/** Pearson correlation; NaN when either side is constant. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkPair('pearson', a, b);
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

/** Spearman's ρ = Pearson correlation of the average ranks; NaN when either side is constant. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkPair('spearman', a, b);
  return pearson(rankAverage(a), rankAverage(b));
}

export interface SsimOptions {
  /** Dynamic range L of the values (C1 = (0.01 L)², C2 = (0.03 L)²); default 1. */
  range?: number;
}

/**
 * SSIM-style similarity of two maps over their whole extent (one global window):
 *   SSIM = (2 μa μb + C1)(2 σab + C2) / ((μa² + μb² + C1)(σa² + σb² + C2)).
 * Each map is first scaled to [0, 1] by its largest absolute value (Adebayo et al. compare
 * normalised absolute maps), so the score ignores the maps' overall scale. 1 = identical.
 */
export function ssim(a: ArrayLike<number>, b: ArrayLike<number>, opts: SsimOptions = {}): number {
  checkPair('ssim', a, b);
  const L = opts.range ?? 1;
  const c1 = (0.01 * L) ** 2;
  const c2 = (0.03 * L) ** 2;
  const na = scaleAbs(a);
  const nb = scaleAbs(b);
  const n = na.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += na[i]!;
    mb += nb[i]!;
  }
  ma /= n;
  mb /= n;
  let va = 0;
  let vb = 0;
  let cab = 0;
  for (let i = 0; i < n; i++) {
    va += (na[i]! - ma) ** 2;
    vb += (nb[i]! - mb) ** 2;
    cab += (na[i]! - ma) * (nb[i]! - mb);
  }
  // Sample (n − 1) moments, as skimage's structural_similarity with sample_covariance.
  const d = Math.max(1, n - 1);
  va /= d;
  vb /= d;
  cab /= d;
  return ((2 * ma * mb + c1) * (2 * cab + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
}

/** |v| / max|v| (all zeros stay zeros). */
export function scaleAbs(v: ArrayLike<number>): Float64Array {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]!));
  const out = new Float64Array(v.length);
  if (m > 0) for (let i = 0; i < v.length; i++) out[i] = Math.abs(v[i]!) / m;
  return out;
}

function checkPair(where: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length || a.length < 2)
    throw new ArgumentError(
      where,
      'b',
      `as many values as a (${a.length}, at least 2)`,
      `${b.length} values`,
    );
}
