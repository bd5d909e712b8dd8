/**
 * The Dataset: variable-length sequences with labels, per-item metadata and the settings needed to
 * reproduce the preprocessing (tokenizer JSON, feature settings, normalisation).
 *
 * An item's input is either numeric, `x: Float32Array` laid out [steps, features] row-major, or
 * tokens, `x: Int32Array` of ids [steps] (0 = PAD, 1 = UNK, see tokenizer.ts).
 * Targets (which one the dataset is about is `target`):
 * - 'class': `label` = class index into `classNames`;
 * - 'regression': `values: Float32Array` [targetSize];
 * - 'tags': `tags: Int32Array` [steps], a class per step (tagging, next-token targets of a language model);
 * - 'none': unlabelled data (prediction input).
 * Items may carry more than the primary target (e.g. a window's class label and its per-step tags).
 * Synthetic datasets add `truth: Uint8Array`, the ground-truth mask of the steps × features
 * (or steps, for tokens) that decide the target.
 */
import { ArgumentError, RnnlensError, describe } from '../core/errors.js';

export type InputKind = 'numeric' | 'tokens';
export type TargetKind = 'class' | 'regression' | 'tags' | 'none';
export type MetaValue = string | number | boolean;

export interface Item {
  /** numeric: Float32Array [steps * features]; tokens: Int32Array [steps] */
  x: Float32Array | Int32Array;
  steps: number;
  label?: number;
  values?: Float32Array;
  tags?: Int32Array;
  /** 1 where the input decides the target: [steps * features] (numeric) or [steps] (tokens) */
  truth?: Uint8Array;
  meta?: Record<string, MetaValue>;
}

export interface Dataset {
  name: string;
  input: InputKind;
  /** numeric: values per step; tokens: 1 */
  features: number;
  /** tokens: number of ids (including PAD and UNK) */
  vocabSize?: number;
  target: TargetKind;
  /** class names for 'class' targets, tag names for 'tags' targets (when known) */
  classNames?: string[];
  /** length of the regression vector */
  targetSize?: number;
  items: Item[];
  /** everything needed to reproduce the preprocessing: plain JSON */
  settings: Record<string, unknown>;
}

export type DatasetSpec = Omit<Dataset, 'settings' | 'features'> & {
  features?: number;
  settings?: Record<string, unknown>;
};

/** Builds a dataset and validates every item (shapes, label ranges, finite numbers). */
export function createDataset(spec: DatasetSpec): Dataset {
  const ds: Dataset = {
    ...spec,
    features: spec.input === 'tokens' ? 1 : (spec.features ?? 0),
    settings: spec.settings ?? {},
  };
  validateDataset(ds);
  return ds;
}

/** Throws an ArgumentError naming the first bad item and what is wrong with it. */
export function validateDataset(ds: Dataset): void {
  const where = `dataset '${ds.name}'`;
  if (ds.input !== 'numeric' && ds.input !== 'tokens') {
    throw new ArgumentError(where, 'input', "'numeric' or 'tokens'", describe(ds.input));
  }
  if (ds.input === 'numeric' && !(Number.isInteger(ds.features) && ds.features > 0)) {
    throw new ArgumentError(where, 'features', 'a positive integer', describe(ds.features));
  }
  const nClasses = ds.classNames?.length;
  for (let i = 0; i < ds.items.length; i++)
    validateItem(ds, ds.items[i]!, `${where} item ${i}`, nClasses);
}

function validateItem(ds: Dataset, it: Item, where: string, nClasses: number | undefined): void {
  if (!Number.isInteger(it.steps) || it.steps < 1) {
    throw new ArgumentError(where, 'steps', 'an integer >= 1', describe(it.steps));
  }
  if (ds.input === 'numeric') {
    if (!(it.x instanceof Float32Array))
      throw new ArgumentError(where, 'x', 'a Float32Array', describe(it.x));
    if (it.x.length !== it.steps * ds.features) {
      throw new ArgumentError(
        where,
        'x',
        `${it.steps * ds.features} values (${it.steps} steps x ${ds.features} features)`,
        `${it.x.length}`,
      );
    }
    for (let j = 0; j < it.x.length; j++) {
      if (!Number.isFinite(it.x[j]!)) {
        throw new ArgumentError(
          where,
          'x',
          'finite numbers',
          `${it.x[j]} at step ${Math.floor(j / ds.features)}, feature ${j % ds.features}`,
        );
      }
    }
  } else {
    if (!(it.x instanceof Int32Array))
      throw new ArgumentError(where, 'x', 'an Int32Array of token ids', describe(it.x));
    if (it.x.length !== it.steps)
      throw new ArgumentError(where, 'x', `${it.steps} token ids`, `${it.x.length}`);
    const v = ds.vocabSize;
    for (let j = 0; j < it.x.length; j++) {
      const id = it.x[j]!;
      if (id < 0 || (v !== undefined && id >= v)) {
        throw new ArgumentError(
          where,
          'x',
          `token ids in [0, ${v ?? 'vocabSize'})`,
          `${id} at step ${j}`,
        );
      }
    }
  }
  if (ds.target === 'class' || it.label !== undefined) {
    const ok =
      Number.isInteger(it.label) &&
      it.label! >= 0 &&
      (nClasses === undefined || it.label! < nClasses);
    if (!ok) {
      const range =
        nClasses === undefined ? 'an integer >= 0' : `a class index in [0, ${nClasses})`;
      throw new ArgumentError(where, 'label', range, describe(it.label));
    }
  }
  if (ds.target === 'regression') {
    if (
      !(it.values instanceof Float32Array) ||
      it.values.length !== (ds.targetSize ?? it.values.length)
    ) {
      throw new ArgumentError(
        where,
        'values',
        `a Float32Array of ${ds.targetSize ?? 'targetSize'} values`,
        describe(it.values),
      );
    }
    for (let j = 0; j < it.values.length; j++) {
      if (!Number.isFinite(it.values[j]!))
        throw new ArgumentError(where, 'values', 'finite numbers', `${it.values[j]} at index ${j}`);
    }
  }
  if (ds.target === 'tags' || it.tags !== undefined) {
    if (!(it.tags instanceof Int32Array) || it.tags.length !== it.steps) {
      throw new ArgumentError(
        where,
        'tags',
        `an Int32Array of ${it.steps} per-step classes`,
        describe(it.tags),
      );
    }
    // per-step classes index the class list (tagging) or the vocabulary (next-token targets)
    const limit = ds.target === 'tags' ? (nClasses ?? ds.vocabSize) : undefined;
    for (let t = 0; t < it.tags.length; t++) {
      const v = it.tags[t]!;
      if (v < 0 || (limit !== undefined && v >= limit)) {
        throw new ArgumentError(
          where,
          'tags',
          `per-step classes in [0, ${limit ?? 'n'})`,
          `${v} at step ${t}`,
        );
      }
    }
  }
  if (it.truth !== undefined && it.truth.length !== it.x.length) {
    throw new ArgumentError(
      where,
      'truth',
      `${it.x.length} mask values (one per input value)`,
      `${it.truth.length}`,
    );
  }
}

/** A dataset with the same description and a subset of the items (shared, not copied). */
export function subset(ds: Dataset, indices: ArrayLike<number>, name = ds.name): Dataset {
  const items: Item[] = new Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const it = ds.items[indices[i]!];
    if (!it)
      throw new ArgumentError(
        'subset',
        'indices',
        `indices in [0, ${ds.items.length})`,
        `${indices[i]} at position ${i}`,
      );
    items[i] = it;
  }
  return { ...ds, name, items };
}

/** Counts of each class label (index = class). */
export function classCounts(ds: Dataset): number[] {
  let n = ds.classNames?.length ?? 0;
  for (const it of ds.items) if (it.label !== undefined && it.label >= n) n = it.label + 1;
  const counts = new Array<number>(n).fill(0);
  for (const it of ds.items)
    if (it.label !== undefined) counts[it.label] = (counts[it.label] ?? 0) + 1;
  return counts;
}

/** Maps label names to indices with a fixed class list; unseen names are a clear error. */
export function labelIndex(
  where: string,
  classNames: readonly string[],
  name: string,
  context: string,
): number {
  const k = classNames.indexOf(name);
  if (k < 0) {
    throw new ArgumentError(
      where,
      'label',
      `one of the known classes [${classNames.slice(0, 20).join(', ')}${classNames.length > 20 ? ', ...' : ''}]`,
      `${JSON.stringify(name)} (${context})`,
    );
  }
  return k;
}

/** Sorted distinct label names: the class list built from training labels. */
export function classNamesOf(labels: readonly string[]): string[] {
  return [...new Set(labels)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Largest array the data layer allocates in one piece: 2^28 values (1 GiB of float32). */
export const MAX_ELEMENTS = 2 ** 28;

/** Refuses an out-of-memory-sized request before allocating, naming what was asked for. */
export function checkAllocation(where: string, what: string, elements: number): void {
  if (!(elements <= MAX_ELEMENTS)) {
    throw new RnnlensError(
      `${where}: ${what} would need ${elements.toExponential(3)} values, more than the limit of ${MAX_ELEMENTS} (1 GiB of float32); use smaller batches, shorter windows or a larger stride`,
    );
  }
}
