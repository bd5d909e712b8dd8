/**
 * Train / validation / test splits: seeded random (optionally stratified by class label) or by a
 * rule on the items (e.g. FSDD's usual split: takes 0-4 of every speaker are the test set).
 */
import { ArgumentError, describe } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { subset, type Dataset, type Item } from './dataset.js';

export type Part = 'train' | 'validation' | 'test';

export interface Splits {
  train: Dataset;
  validation: Dataset;
  test: Dataset;
}

export interface RandomSplitOptions {
  /** fraction of items for validation, in [0, 1) */
  validation?: number;
  /** fraction of items for test, in [0, 1) */
  test?: number;
  seed: number;
  /** keep each class's proportion in every part (needs class labels) */
  stratify?: boolean;
}

/** Seeded random split; with `stratify` each class is split separately by the same fractions. */
export function splitDataset(ds: Dataset, opts: RandomSplitOptions): Splits {
  const labels = opts.stratify
    ? ds.items.map((it, i) => {
        if (it.label === undefined)
          throw new ArgumentError(
            'splitDataset',
            'stratify',
            'items with class labels',
            `item ${i} without a label`,
          );
        return it.label;
      })
    : undefined;
  return toSplits(ds, splitIndices(ds.items.length, opts, labels));
}

/**
 * The index sets of a seeded random split of n things (for splitting raw records before fitting a
 * tokenizer on the training part). `labels` (one per thing) stratifies.
 */
export function splitIndices(
  n: number,
  opts: RandomSplitOptions,
  labels?: readonly (number | string)[],
): Record<Part, number[]> {
  const where = 'splitDataset';
  const fv = opts.validation ?? 0;
  const ft = opts.test ?? 0;
  for (const [name, f] of [
    ['validation', fv],
    ['test', ft],
  ] as const) {
    if (!(f >= 0 && f < 1))
      throw new ArgumentError(where, name, 'a fraction in [0, 1)', describe(f));
  }
  if (fv + ft >= 1)
    throw new ArgumentError(where, 'validation + test', 'a sum below 1', String(fv + ft));
  const rng = new Rng(opts.seed);
  const groups: number[][] = [];
  if (labels) {
    const byClass = new Map<number | string, number[]>();
    for (let i = 0; i < n; i++) {
      const list = byClass.get(labels[i]!) ?? [];
      list.push(i);
      byClass.set(labels[i]!, list);
    }
    for (const k of [...byClass.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
      groups.push(byClass.get(k)!);
  } else {
    groups.push(Array.from({ length: n }, (_, i) => i));
  }
  const parts: Record<Part, number[]> = { train: [], validation: [], test: [] };
  for (const g of groups) {
    const perm = rng.permutation(g.length);
    const nTest = Math.round(ft * g.length);
    const nVal = Math.round(fv * g.length);
    for (let j = 0; j < g.length; j++) {
      const i = g[perm[j]!]!;
      if (j < nTest) parts.test.push(i);
      else if (j < nTest + nVal) parts.validation.push(i);
      else parts.train.push(i);
    }
  }
  for (const p of Object.values(parts)) p.sort((x, y) => x - y);
  return parts;
}

/** Splits by a rule deciding each item's part, e.g. `(it) => (it.meta!.take as number) < 5 ? 'test' : 'train'`. */
export function splitBy(ds: Dataset, rule: (item: Item, index: number) => Part): Splits {
  const parts: Record<Part, number[]> = { train: [], validation: [], test: [] };
  ds.items.forEach((it, i) => {
    const p = rule(it, i);
    if (!(p in parts))
      throw new ArgumentError(
        'splitBy',
        'rule',
        "'train', 'validation' or 'test'",
        `${describe(p)} for item ${i}`,
      );
    parts[p].push(i);
  });
  return toSplits(ds, parts);
}

function toSplits(ds: Dataset, parts: Record<Part, number[]>): Splits {
  // Keep the original order inside each part: reproducible and easy to inspect.
  const sorted = (a: number[]) => a.sort((x, y) => x - y);
  return {
    train: subset(ds, sorted(parts.train), `${ds.name}/train`),
    validation: subset(ds, sorted(parts.validation), `${ds.name}/validation`),
    test: subset(ds, sorted(parts.test), `${ds.name}/test`),
  };
}
