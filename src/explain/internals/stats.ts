/**
 * Small statistics used by the unit analyses: Pearson correlation, mutual information between
 * discretised variables, and permutation nulls that keep each sequence's autocorrelation.
 */
import { Rng } from '../../core/rng.js';

/** Pearson r of x and y over the first n values (0 when either is constant). */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>, n = x.length): number {
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

/**
 * Bin index of each value on `bins` equal-width bins over [min, max] (the last bin closed), the
 * rule of numpy.histogram; a constant variable gets a single bin.
 */
export function equalWidthBins(x: ArrayLike<number>, bins: number): Int32Array {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (x[i]! < min) min = x[i]!;
    if (x[i]! > max) max = x[i]!;
  }
  const out = new Int32Array(x.length);
  if (!(max > min)) return out;
  const w = (max - min) / bins;
  for (let i = 0; i < x.length; i++) out[i] = Math.min(bins - 1, Math.floor((x[i]! - min) / w));
  return out;
}

/** Discrete codes of an annotation: its distinct values when few (≤ maxLevels), else equal-width bins. */
export function discretise(y: ArrayLike<number>, maxLevels: number): Int32Array {
  const levels = new Map<number, number>();
  for (let i = 0; i < y.length && levels.size <= maxLevels; i++)
    if (!levels.has(y[i]!)) levels.set(y[i]!, levels.size);
  if (levels.size > maxLevels) return equalWidthBins(y, maxLevels);
  const sorted = [...levels.keys()].sort((a, b) => a - b);
  const code = new Map(sorted.map((v, i) => [v, i]));
  return Int32Array.from(y, (v) => code.get(v)!);
}

/** I(a; b) in nats = Σ p(a,b) ln(p(a,b) / (p(a) p(b))) over codes a, b (sklearn mutual_info_score). */
export function mutualInformation(a: Int32Array, b: Int32Array): number {
  const n = a.length;
  let ka = 0;
  let kb = 0;
  for (let i = 0; i < n; i++) {
    if (a[i]! >= ka) ka = a[i]! + 1;
    if (b[i]! >= kb) kb = b[i]! + 1;
  }
  const joint = new Float64Array(ka * kb);
  const pa = new Float64Array(ka);
  const pb = new Float64Array(kb);
  for (let i = 0; i < n; i++) {
    joint[a[i]! * kb + b[i]!]++;
    pa[a[i]!]++;
    pb[b[i]!]++;
  }
  let mi = 0;
  for (let i = 0; i < ka; i++)
    for (let j = 0; j < kb; j++) {
      const c = joint[i * kb + j]!;
      if (c > 0) mi += (c / n) * Math.log((c * n) / (pa[i]! * pb[j]!));
    }
  return Math.max(0, mi);
}

export type PermutationMethod = 'sequences' | 'cyclic-shift';

/**
 * A null draw of the annotation, aligned row by row with the activations, that keeps every
 * sequence's own autocorrelation (shuffling single steps would not, and would make smooth but
 * meaningless units look significant):
 * - 'sequences': whole annotation sequences are exchanged among sequences of the same length;
 * - 'cyclic-shift': each sequence's annotation is rotated by a random offset.
 */
export function nullAnnotation(
  y: ArrayLike<number>,
  offsets: Int32Array,
  method: PermutationMethod,
  rng: Rng,
  out: Float64Array,
): Float64Array {
  const S = offsets.length - 1;
  if (method === 'cyclic-shift') {
    for (let s = 0; s < S; s++) {
      const a = offsets[s]!;
      const len = offsets[s + 1]! - a;
      const k = rng.int(len);
      for (let t = 0; t < len; t++) out[a + t] = y[a + ((t + k) % len)]!;
    }
    return out;
  }
  const byLength = new Map<number, number[]>();
  for (let s = 0; s < S; s++) {
    const len = offsets[s + 1]! - offsets[s]!;
    if (!byLength.has(len)) byLength.set(len, []);
    byLength.get(len)!.push(s);
  }
  for (const group of byLength.values()) {
    const perm = rng.permutation(group.length);
    group.forEach((s, i) => {
      const src = group[perm[i]!]!;
      const a = offsets[s]!;
      const b = offsets[src]!;
      const len = offsets[s + 1]! - a;
      for (let t = 0; t < len; t++) out[a + t] = y[b + t]!;
    });
  }
  return out;
}

/** The method that can actually break the alignment: 'sequences' needs ≥ 2 sequences of one length. */
export function defaultMethod(offsets: Int32Array): PermutationMethod {
  const count = new Map<number, number>();
  for (let s = 0; s + 1 < offsets.length; s++) {
    const len = offsets[s + 1]! - offsets[s]!;
    count.set(len, (count.get(len) ?? 0) + 1);
  }
  let paired = 0;
  for (const c of count.values()) if (c > 1) paired += c;
  return paired >= 0.9 * (offsets.length - 1) && offsets.length > 2 ? 'sequences' : 'cyclic-shift';
}

/** p = (1 + #{null stats ≥ observed}) / (1 + permutations): never 0 (the +1 correction). */
export function permutationP(observed: number, nullStats: ArrayLike<number>): number {
  let ge = 0;
  for (let i = 0; i < nullStats.length; i++) if (nullStats[i]! >= observed - 1e-12) ge++;
  return (1 + ge) / (1 + nullStats.length);
}

export { Rng };
