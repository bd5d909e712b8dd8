/**
 * Interpretable fixed-length features of a sequence for the non-recurrent baselines and
 * surrogates: per-feature summary statistics of a [T][D] sequence, and bag-of-tokens counts.
 */
import { ArgumentError } from '../../core/errors.js';

export const SUMMARY_STATS = ['mean', 'sd', 'min', 'max', 'slope'] as const;

/** Names matching summaryFeatures' layout: for each input feature d, its five statistics. */
export function summaryFeatureNames(D: number, featureNames?: string[]): string[] {
  const names: string[] = [];
  for (let d = 0; d < D; d++)
    for (const s of SUMMARY_STATS) names.push(`${s}(${featureNames?.[d] ?? `x${d}`})`);
  return names;
}

/**
 * For each feature d of seq[T][D]: mean, sd (population, ddof 0), min, max and the least-squares
 * slope against the step index, slope = Σ (t − t̄)(x_t − x̄) / Σ (t − t̄)² (0 for T = 1).
 * Output length 5·D, grouped by feature (see summaryFeatureNames).
 */
export function summaryFeatures(seq: ArrayLike<ArrayLike<number>>): number[] {
  const where = 'summaryFeatures';
  if (!seq || seq.length === 0)
    throw new ArgumentError(
      where,
      'seq',
      'a sequence of at least one step [T][D]',
      seq ? 'no steps' : String(seq),
    );
  const T = seq.length;
  const D = seq[0]!.length;
  if (D === 0)
    throw new ArgumentError(where, 'seq', 'steps with at least one feature', '0 features');
  for (let t = 0; t < T; t++) {
    const row = seq[t]!;
    if (!row || row.length !== D)
      throw new ArgumentError(
        where,
        'seq',
        `every step with ${D} features`,
        `${row?.length} at step ${t}`,
      );
    for (let d = 0; d < D; d++)
      if (!Number.isFinite(row[d]!))
        throw new ArgumentError(
          where,
          'seq',
          'finite values',
          `${row[d]} at step ${t}, feature ${d}`,
        );
  }
  const tMean = (T - 1) / 2;
  let tVar = 0;
  for (let t = 0; t < T; t++) tVar += (t - tMean) ** 2;
  const out: number[] = [];
  for (let d = 0; d < D; d++) {
    let mean = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let t = 0; t < T; t++) {
      const v = seq[t]![d]!;
      mean += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    mean /= T;
    let ss = 0;
    let cov = 0;
    for (let t = 0; t < T; t++) {
      const dv = seq[t]![d]! - mean;
      ss += dv * dv;
      cov += (t - tMean) * dv;
    }
    out.push(mean, Math.sqrt(ss / T), min, max, tVar > 0 ? cov / tVar : 0);
  }
  return out;
}

/** Counts of each token id in [0, vocabSize) (ids outside are an error). */
export function bagOfTokens(tokens: ArrayLike<number>, vocabSize: number): number[] {
  if (!Number.isInteger(vocabSize) || vocabSize < 1)
    throw new ArgumentError('bagOfTokens', 'vocabSize', 'an integer >= 1', String(vocabSize));
  const counts = new Array<number>(vocabSize).fill(0);
  for (let i = 0; i < tokens.length; i++) {
    const id = tokens[i]!;
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize)
      throw new ArgumentError(
        'bagOfTokens',
        'tokens',
        `token ids in [0, ${vocabSize})`,
        `${id} at index ${i}`,
      );
    counts[id]! += 1;
  }
  return counts;
}
