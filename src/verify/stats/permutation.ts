/**
 * Permutation test of a score (as sklearn's permutation_test_score): the score on the true
 * labels is compared with scores on randomly permuted labels;
 * p = (1 + #{permuted score ≥ observed}) / (1 + n_permutations), so p is never 0.
 */
import { ArgumentError, RnnlensError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { Progress } from './bootstrap.js';

export interface PermutationTestOptions {
  /** Number of samples whose labels are permuted. */
  n: number;
  /** Score with the labels permuted by `perm` (label of sample i taken from sample perm[i]); `null` means unpermuted. Higher is better. */
  score: (perm: Int32Array | null) => number;
  /** Default 100 (as sklearn). */
  nPermutations?: number;
  seed?: number;
  /** Pre-drawn permutations (tests); overrides nPermutations and seed. */
  permutations?: ArrayLike<ArrayLike<number>>;
  onProgress?: Progress;
}

export interface PermutationTestResult {
  observed: number;
  permutedScores: Float64Array;
  pvalue: number;
}

export function permutationTest(opts: PermutationTestOptions): PermutationTestResult {
  const where = 'permutationTest';
  if (!Number.isInteger(opts.n) || opts.n < 2)
    throw new ArgumentError(where, 'n', 'an integer >= 2', String(opts.n));
  const finite = (v: number, what: string) => {
    if (!Number.isFinite(v))
      throw new RnnlensError(`${where}: the score was ${v} on ${what}; it must be finite`);
    return v;
  };
  const rng = new Rng(opts.seed ?? 0);
  const total = opts.permutations ? opts.permutations.length : (opts.nPermutations ?? 100);
  if (!Number.isInteger(total) || total < 1)
    throw new ArgumentError(where, 'nPermutations', 'an integer >= 1', String(total));
  const observed = finite(opts.score(null), 'the true labels');
  const permutedScores = new Float64Array(total);
  let atLeast = 0;
  for (let k = 0; k < total; k++) {
    const perm = opts.permutations
      ? Int32Array.from(opts.permutations[k]!)
      : rng.permutation(opts.n);
    if (perm.length !== opts.n)
      throw new ArgumentError(where, `permutations[${k}]`, `${opts.n} indices`, `${perm.length}`);
    permutedScores[k] = finite(opts.score(perm), `permutation ${k}`);
    if (permutedScores[k]! >= observed) atLeast++;
    opts.onProgress?.({ done: k + 1, total, message: 'permutations' });
  }
  return { observed, permutedScores, pvalue: (1 + atLeast) / (1 + total) };
}
