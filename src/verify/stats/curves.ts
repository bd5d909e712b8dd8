/**
 * Learning and validation curves over given splits, as sklearn's `learning_curve` and
 * `validation_curve`. The caller supplies `fitAndScore` (train a fresh model on the training
 * indices, score it on the test indices), so any model — an RNN recipe or a baseline — fits in.
 * Learning curves train on prefixes of each split's training indices:
 *   sizes = unique(clip(floor(fraction · n_max), 1, n_max)), n_max = size of the first split's train.
 */
import { ArgumentError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { Split } from '../splitters.js';
import type { Progress } from './bootstrap.js';

export interface FoldScore {
  test: number;
  /** Score on the training data, if the caller computes it. */
  train?: number;
}

export interface LearningCurveOptions {
  splits: Split[];
  fitAndScore: (train: Int32Array, test: Int32Array) => FoldScore;
  /** Fractions in (0, 1] of the largest training set; default [0.1, 0.325, 0.55, 0.775, 1] (sklearn). */
  trainFractions?: number[];
  /** Absolute training-set sizes instead of fractions. */
  trainCounts?: number[];
  /** Shuffle each split's training indices (seeded) before taking prefixes; default false. */
  shuffle?: boolean;
  seed?: number;
  onProgress?: Progress;
}

export interface LearningCurve {
  trainSizes: number[];
  /** testScores[s][f]: score with trainSizes[s] samples on split f. */
  testScores: number[][];
  trainScores: (number | null)[][];
  warnings: string[];
}

function checkSplits(where: string, splits: Split[]): void {
  if (!Array.isArray(splits) || splits.length === 0)
    throw new ArgumentError(
      where,
      'splits',
      'at least one {train, test} split',
      String(splits?.length ?? splits),
    );
}

function checkScore(where: string, s: FoldScore, what: string): FoldScore {
  if (!s || !Number.isFinite(s.test))
    throw new ArgumentError(where, 'fitAndScore', 'a finite test score', `${s?.test} on ${what}`);
  return s;
}

export function learningCurve(opts: LearningCurveOptions): LearningCurve {
  const where = 'learningCurve';
  checkSplits(where, opts.splits);
  const nMax = opts.splits[0]!.train.length;
  const warnings: string[] = [];
  let sizes: number[];
  if (opts.trainCounts) {
    for (const c of opts.trainCounts) {
      if (!Number.isInteger(c) || c < 1 || c > nMax)
        throw new ArgumentError(where, 'trainCounts', `integers in [1, ${nMax}]`, String(c));
    }
    sizes = opts.trainCounts.slice();
  } else {
    const fractions = opts.trainFractions ?? [0.1, 0.325, 0.55, 0.775, 1];
    for (const f of fractions)
      if (!(f > 0 && f <= 1))
        throw new ArgumentError(where, 'trainFractions', 'fractions in (0, 1]', String(f));
    sizes = fractions.map((f) => Math.min(Math.max(Math.floor(f * nMax), 1), nMax));
  }
  const unique = [...new Set(sizes)].sort((a, b) => a - b);
  if (unique.length < sizes.length)
    warnings.push(`learningCurve: duplicate training sizes removed; ${unique.length} sizes remain`);
  const rng = new Rng(opts.seed ?? 0);
  const trains = opts.splits.map((s) =>
    opts.shuffle ? (rng.shuffle(Int32Array.from(s.train)) as Int32Array) : s.train,
  );
  const testScores = unique.map(() => new Array<number>(opts.splits.length));
  const trainScores = unique.map(() => new Array<number | null>(opts.splits.length));
  const total = unique.length * opts.splits.length;
  let done = 0;
  opts.splits.forEach((split, f) => {
    unique.forEach((size, s) => {
      if (trains[f]!.length < size)
        throw new ArgumentError(
          where,
          'splits',
          `every training set with at least ${size} samples`,
          `${trains[f]!.length} in split ${f}`,
        );
      const r = checkScore(
        where,
        opts.fitAndScore(trains[f]!.slice(0, size), split.test),
        `split ${f}, size ${size}`,
      );
      testScores[s]![f] = r.test;
      trainScores[s]![f] = r.train ?? null;
      opts.onProgress?.({
        done: ++done,
        total,
        message: `learning curve: ${size} training samples, split ${f + 1}`,
      });
    });
  });
  return { trainSizes: unique, testScores, trainScores, warnings };
}

export interface ValidationCurveOptions<T> {
  splits: Split[];
  /** The hyper-parameter values to try. */
  values: T[];
  fitAndScore: (value: T, train: Int32Array, test: Int32Array) => FoldScore;
  onProgress?: Progress;
}

export interface ValidationCurve<T> {
  values: T[];
  /** testScores[v][f]: score with values[v] on split f. */
  testScores: number[][];
  trainScores: (number | null)[][];
}

export function validationCurve<T>(opts: ValidationCurveOptions<T>): ValidationCurve<T> {
  const where = 'validationCurve';
  checkSplits(where, opts.splits);
  if (!Array.isArray(opts.values) || opts.values.length === 0)
    throw new ArgumentError(where, 'values', 'at least one parameter value', String(opts.values));
  const total = opts.values.length * opts.splits.length;
  let done = 0;
  const testScores: number[][] = [];
  const trainScores: (number | null)[][] = [];
  for (const value of opts.values) {
    const te: number[] = [];
    const tr: (number | null)[] = [];
    opts.splits.forEach((split, f) => {
      const r = checkScore(
        where,
        opts.fitAndScore(value, split.train, split.test),
        `split ${f}, value ${String(value)}`,
      );
      te.push(r.test);
      tr.push(r.train ?? null);
      opts.onProgress?.({
        done: ++done,
        total,
        message: `validation curve: ${String(value)}, split ${f + 1}`,
      });
    });
    testScores.push(te);
    trainScores.push(tr);
  }
  return { values: opts.values.slice(), testScores, trainScores };
}
