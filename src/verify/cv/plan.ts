/**
 * Planning a cross-validation: the pool of items (a recipe's train + validation + test merged),
 * the splitter (stratified for classification, k-fold for the rest, group k-fold by a metadata
 * field, time-series split for ordered data) and the seeded folds, repeated R times.
 *
 * Bad input is caught here, before any training: fewer items (or groups) than folds, a group
 * field that some items lack, a class with fewer members than folds (a warning: some test folds
 * then miss that class), a time split on an unordered pool.
 */
import { ArgumentError, RnnlensError, checkInt } from '../../core/errors.js';
import type { Dataset, MetaValue } from '../../data/dataset.js';
import type { TaskKind } from '../../train/tasks.js';
import { groupKFold, kFold, stratifiedKFold, timeSeriesSplit, type Split } from '../splitters.js';
import { maxOf } from '../../core/extent.js';

export type SplitterName = 'stratified' | 'kfold' | 'group' | 'time';
export const SPLITTERS: readonly SplitterName[] = ['stratified', 'kfold', 'group', 'time'];

export interface FoldPlan {
  /** position in the list of folds (repeat-major) */
  index: number;
  repeat: number;
  fold: number;
  /** pool indices, sorted ascending */
  train: Int32Array;
  test: Int32Array;
  /** seed of this fold's model initialisation and training */
  seed: number;
}

export interface PlanOptions {
  splitter?: SplitterName;
  folds?: number;
  repeats?: number;
  seed?: number;
  /** metadata field holding the group of each item (group splitter) */
  groupBy?: string;
  onWarning?: (message: string) => void;
}

/** Merges datasets that share a description (a recipe's parts) into one pool, in order. */
export function mergePool(parts: readonly Dataset[], name: string): Dataset {
  const nonEmpty = parts.filter((p) => p.items.length > 0);
  if (nonEmpty.length === 0) throw new ArgumentError('crossValidate', 'dataset', 'at least one item', 'empty datasets');
  const first = nonEmpty[0]!;
  for (const p of nonEmpty) {
    if (p.input !== first.input || p.features !== first.features || p.target !== first.target || p.vocabSize !== first.vocabSize) {
      throw new RnnlensError(`crossValidate: cannot pool '${p.name}' with '${first.name}': their inputs or targets differ`);
    }
  }
  return { ...first, name, items: nonEmpty.flatMap((p) => p.items) };
}

/** The splitter a task uses when none is named. */
export function defaultSplitter(task: TaskKind, groupBy?: string): SplitterName {
  if (groupBy !== undefined) return 'group';
  return task === 'classification' ? 'stratified' : 'kfold';
}

/** Each item's value of a metadata field; an error names the first item without it. */
export function groupsOf(ds: Dataset, field: string): MetaValue[] {
  return ds.items.map((it, i) => {
    const v = it.meta?.[field];
    if (v === undefined) {
      const known = Object.keys(ds.items[0]?.meta ?? {});
      throw new ArgumentError('crossValidate', 'groupBy', `a metadata field every item has (item 0 has: ${known.join(', ') || 'no metadata'})`, `'${field}', missing on item ${i}`);
    }
    return v;
  });
}

function labelsOf(ds: Dataset): number[] {
  return ds.items.map((it, i) => {
    if (it.label === undefined) throw new ArgumentError('crossValidate', 'splitter', 'class labels on every item for a stratified split', `item ${i} without a label`);
    return it.label;
  });
}

/**
 * Integer hash (MurmurHash3's 32-bit finaliser). Seeds are hashed before they reach Rng because
 * xoroshiro128+ seeded with nearby integers starts with nearly equal outputs (Rng(155) and
 * Rng(156) draw the same first int(2^31 − 1)), which would give neighbouring folds near-identical
 * initial weights and repeats the same shuffle.
 */
export function mixSeed(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & 0x7fffffff;
}

/** Seed of fold f in repeat r: distinct per fold, reproducible from the run's seed. */
export function foldSeed(seed: number, repeat: number, fold: number): number {
  return mixSeed(seed * 1000 + repeat * 100 + fold + 1);
}

function splitOnce(ds: Dataset, splitter: SplitterName, k: number, seed: number, repeat: number, opts: PlanOptions): Split[] {
  const n = ds.items.length;
  const shuffleSeed = mixSeed(seed * 7919 + repeat + 0x5bd1e995);
  switch (splitter) {
    case 'stratified':
      return stratifiedKFold(labelsOf(ds), { k, shuffle: true, seed: shuffleSeed, onWarning: repeat === 0 ? opts.onWarning : undefined });
    case 'kfold':
      return kFold(n, { k, shuffle: true, seed: shuffleSeed });
    case 'group':
      // group k-fold is deterministic: every repeat would give the same folds
      return groupKFold(groupsOf(ds, opts.groupBy!) as (string | number)[], { k });
    case 'time':
      return timeSeriesSplit(n, { k });
  }
}

/** The folds of a (repeated) cross-validation of `ds`. */
export function planFolds(ds: Dataset, task: TaskKind, opts: PlanOptions = {}): { splitter: SplitterName; folds: FoldPlan[] } {
  const where = 'crossValidate';
  const k = opts.folds ?? 5;
  const repeats = opts.repeats ?? 1;
  const seed = opts.seed ?? 0;
  checkInt(where, 'folds', k, 2);
  checkInt(where, 'repeats', repeats, 1);
  const splitter = opts.splitter ?? defaultSplitter(task, opts.groupBy);
  if (!SPLITTERS.includes(splitter)) throw new ArgumentError(where, 'splitter', SPLITTERS.map((s) => `'${s}'`).join(', '), JSON.stringify(splitter));
  const n = ds.items.length;
  if (n < k) throw new ArgumentError(where, 'folds', `at most the number of items (${n})`, String(k));
  if (splitter === 'group' && opts.groupBy === undefined) throw new ArgumentError(where, 'groupBy', 'a metadata field naming each item\'s group (e.g. speaker)', 'nothing');
  if (splitter !== 'group' && opts.groupBy !== undefined) throw new ArgumentError(where, 'splitter', "'group' when groupBy is given", `'${splitter}'`);
  if (splitter === 'stratified' && task !== 'classification') throw new ArgumentError(where, 'splitter', "'kfold', 'group' or 'time' (stratifying needs class labels)", `'stratified' for a ${task} task`);
  if ((splitter === 'group' || splitter === 'time') && repeats > 1) {
    opts.onWarning?.(`crossValidate: the ${splitter} splitter is deterministic, so the ${repeats} repeats use the same folds (only the model seeds differ)`);
  }
  const folds: FoldPlan[] = [];
  for (let r = 0; r < repeats; r++) {
    const splits = splitOnce(ds, splitter, k, seed, r, opts);
    splits.forEach((s, f) => {
      if (s.test.length === 0 || s.train.length === 0) throw new RnnlensError(`crossValidate: fold ${f + 1} of repeat ${r + 1} has an empty ${s.test.length === 0 ? 'test' : 'training'} set`);
      folds.push({ index: folds.length, repeat: r, fold: f, train: s.train, test: s.test, seed: foldSeed(seed, r, f) });
    });
  }
  if (task === 'classification') warnMissingClasses(ds, folds, opts.onWarning);
  return { splitter, folds };
}

/** Flags folds whose training or test part misses a class (metrics over it are then partial). */
function warnMissingClasses(ds: Dataset, folds: FoldPlan[], onWarning?: (m: string) => void): void {
  if (!onWarning) return;
  const C = ds.classNames?.length ?? maxOf(ds.items.map((it) => (it.label ?? 0) + 1));
  for (const f of folds) {
    for (const [part, idx] of [['training', f.train], ['test', f.test]] as const) {
      const seen = new Uint8Array(C);
      for (const i of idx) seen[ds.items[i]!.label!] = 1;
      const missing = [...seen.keys()].filter((c) => !seen[c]);
      if (missing.length > 0) {
        const names = missing.map((c) => ds.classNames?.[c] ?? String(c)).join(', ');
        onWarning(`crossValidate: fold ${f.fold + 1} (repeat ${f.repeat + 1}) has no ${part} items of class ${names}${part === 'test' ? '; per-class metrics of that fold leave it out' : '; the model never sees it'}`);
      }
    }
  }
}
