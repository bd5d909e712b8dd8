/**
 * The adding problem (Hochreiter & Schmidhuber 1997): T steps x 2 features; feature 0 is a value
 * drawn from U(0, 1), feature 1 marks two steps (one in each half of the sequence) with 1.
 * Target: the sum of the two marked values. Ground truth: both features at the marked steps.
 */
import { ArgumentError, describe } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { createDataset, type Dataset, type Item } from '../dataset.js';

export function addingDataset(opts: { n: number; seed: number; length?: number }): Dataset {
  const T = opts.length ?? 50;
  if (!Number.isInteger(T) || T < 2)
    throw new ArgumentError('addingDataset', 'length', 'an integer >= 2', describe(T));
  if (!Number.isInteger(opts.n) || opts.n < 1)
    throw new ArgumentError('addingDataset', 'n', 'an integer >= 1', describe(opts.n));
  const rng = new Rng(opts.seed);
  const half = Math.floor(T / 2);
  const items: Item[] = [];
  for (let i = 0; i < opts.n; i++) {
    const x = new Float32Array(T * 2);
    for (let t = 0; t < T; t++) x[t * 2] = rng.next();
    const a = rng.int(half);
    const b = half + rng.int(T - half);
    const truth = new Uint8Array(T * 2);
    for (const t of [a, b]) {
      x[t * 2 + 1] = 1;
      truth[t * 2] = 1;
      truth[t * 2 + 1] = 1;
    }
    // the sum in float32, exactly as a model would see the two inputs
    const values = Float32Array.of(x[a * 2]! + x[b * 2]!);
    items.push({ x, steps: T, values, truth, meta: { first: a, second: b } });
  }
  return createDataset({
    name: 'adding',
    input: 'numeric',
    features: 2,
    target: 'regression',
    targetSize: 1,
    items,
    settings: { synthetic: { kind: 'adding', n: opts.n, seed: opts.seed, length: T } },
  });
}
