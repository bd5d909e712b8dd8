/**
 * The labelled items `rnnlens evaluate` scores a model on, and the model's outputs on them:
 * - `--data FILE`: the JSON input file of `predict` ({"inputs"|"tokens"|"texts", "lengths"?}) plus
 *   "labels" (class indices, or names matched against the model's or the file's "classNames") or
 *   "values" (regression targets, a number or a vector per sequence);
 * - `--recipe NAME [--data FOLDER] [--split test]`: a recipe split (src/cli/certify-dataset.ts's
 *   recipeSplit, with its checks against the model), and its train split for baselines.
 * Outputs become class probabilities (softmax of a classifier's logits, or [1 − p, p] for a single
 * output in [0, 1]) or regression values.
 */
import { RnnlensError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { makeBatches } from '../data/batching.js';
import type { Dataset } from '../data/dataset.js';
import type { Flow } from '../nn/layer.js';
import type { LoadedAnyModel } from '../predict/load.js';
import { parseModelInput, readInputFile, type ParsedInput } from '../predict/input-file.js';
import { batchInput } from '../train/tasks.js';
import { recipeSplit } from './certify-dataset.js';

export interface EvalSet {
  /** where the items came from, for the report */
  source: string;
  n: number;
  task: 'classification' | 'regression';
  /** classification: labels; regression: values [n, width] */
  labels?: Int32Array;
  values?: Float64Array;
  width: number;
  classNames?: string[];
  /** model outputs: probabilities [n, C] or values [n, width] */
  outputs: Float64Array;
  /** the recipe's train split (for baselines that are fitted), when the items come from a recipe */
  train?: Dataset;
  dataset?: Dataset;
}

function rowsOf(out: Flow, where: string): Tensor {
  if (!('shape' in out) || out.shape.length !== 2) throw new RnnlensError(`${where}: the model outputs a sequence per input; evaluate scores one output per sequence (classifiers and regressors)`);
  return out as Tensor;
}

/** Outputs [B, K] → probability rows for a classifier with C classes, or values. */
function toOutputs(m: LoadedAnyModel, t: Tensor, task: 'classification' | 'regression', where: string): { rows: Float64Array; width: number } {
  const [B, K] = t.shape as [number, number];
  const d = t.data;
  if (task === 'regression') return { rows: Float64Array.from(d), width: K };
  if (m.task === 'classification' && K >= 2) {
    const rows = new Float64Array(B * K);
    for (let b = 0; b < B; b++) {
      let mx = -Infinity;
      for (let k = 0; k < K; k++) mx = Math.max(mx, d[b * K + k]!);
      let s = 0;
      for (let k = 0; k < K; k++) s += (rows[b * K + k] = Math.exp(d[b * K + k]! - mx));
      for (let k = 0; k < K; k++) rows[b * K + k]! /= s;
    }
    return { rows, width: K };
  }
  if (K === 1) {
    const rows = new Float64Array(2 * B);
    for (let b = 0; b < B; b++) {
      const p = d[b]!;
      if (!(p >= 0 && p <= 1)) throw new RnnlensError(`${where}: the model has one output but it is ${p} for item ${b}, not a probability; a binary classifier must end in a sigmoid (or use softmax over classes)`);
      rows[2 * b] = 1 - p;
      rows[2 * b + 1] = p;
    }
    return { rows, width: 2 };
  }
  throw new RnnlensError(`${where}: the model's ${K} outputs are not class probabilities (its file records no softmax / classification task); pass "values" for a regressor`);
}

function labelsOf(raw: unknown, n: number, names: string[] | undefined, where: string): { labels: Int32Array; classNames?: string[] } {
  if (!Array.isArray(raw) || raw.length !== n) throw new RnnlensError(`${where}: "labels" must be an array of ${n} labels (one per sequence), received ${Array.isArray(raw) ? `${raw.length} labels` : typeof raw}`);
  const labels = new Int32Array(n);
  raw.forEach((l, i) => {
    if (typeof l === 'string') {
      const k = names?.indexOf(l) ?? -1;
      if (k < 0) throw new RnnlensError(`${where}: labels[${i}] is the class name ${JSON.stringify(l)}, which is not among the class names ${names ? JSON.stringify(names) : '(none: give "classNames" in the file or integer labels)'}`);
      labels[i] = k;
    } else if (Number.isInteger(l) && (l as number) >= 0) labels[i] = l as number;
    else throw new RnnlensError(`${where}: labels[${i}] must be a class index (integer >= 0) or a class name, received ${JSON.stringify(l)}`);
  });
  return names ? { labels, classNames: names } : { labels };
}

function valuesOf(raw: unknown, n: number, where: string): { values: Float64Array; width: number } {
  if (!Array.isArray(raw) || raw.length !== n) throw new RnnlensError(`${where}: "values" must be an array of ${n} targets (one per sequence)`);
  const rows = raw.map((v) => (Array.isArray(v) ? v : [v]));
  const width = rows[0]!.length;
  const values = new Float64Array(n * width);
  rows.forEach((r, i) => {
    if (r.length !== width) throw new RnnlensError(`${where}: values[${i}] has ${r.length} numbers, values[0] has ${width}`);
    r.forEach((x, k) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new RnnlensError(`${where}: values[${i}] must hold finite numbers, received ${JSON.stringify(x)}`);
      values[i * width + k] = x;
    });
  });
  return { values, width };
}

/** Items of a labelled JSON file, with the model's outputs on them. */
export function fileSet(path: string, m: LoadedAnyModel): EvalSet {
  const where = `evaluate --data ${path}`;
  const raw = readInputFile(path) as Record<string, unknown>;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new RnnlensError(`${where}: expected a JSON object with "inputs" | "tokens" | "texts" and "labels" or "values"`);
  const { labels: rawLabels, values: rawValues, classNames: fileNames, ...rest } = raw;
  if ((rawLabels === undefined) === (rawValues === undefined)) throw new RnnlensError(`${where}: give exactly one of "labels" (classification) and "values" (regression)`);
  const input: ParsedInput = parseModelInput(rest, m.model.inputSpec, m.preprocessing, where);
  const n = input.batch;
  const task = rawLabels !== undefined ? 'classification' : 'regression';
  const out = toOutputs(m, rowsOf(m.model.predict(input, { batchSize: 256 }), where), task, where);
  const names = Array.isArray(fileNames) && fileNames.every((s) => typeof s === 'string') ? (fileNames as string[]) : m.classNames;
  if (task === 'classification') {
    const l = labelsOf(rawLabels, n, names, where);
    for (let i = 0; i < n; i++) if (l.labels[i]! >= out.width) throw new RnnlensError(`${where}: labels[${i}] = ${l.labels[i]} but the model has ${out.width} classes`);
    return { source: path, n, task, labels: l.labels, width: out.width, outputs: out.rows, ...(l.classNames ? { classNames: l.classNames } : {}) };
  }
  const v = valuesOf(rawValues, n, where);
  if (v.width !== out.width) throw new RnnlensError(`${where}: the targets have ${v.width} values per sequence but the model outputs ${out.width}`);
  return { source: path, n, task, values: v.values, width: v.width, outputs: out.rows };
}

/** The model's outputs on a dataset's items, in item order. */
function datasetOutputs(m: LoadedAnyModel, ds: Dataset, task: 'classification' | 'regression', where: string): { rows: Float64Array; width: number } {
  let rows: Float64Array | null = null;
  let width = 0;
  for (const b of makeBatches(ds, { batchSize: 128, bucketByLength: true })) {
    const o = toOutputs(m, rowsOf(m.model.predict(batchInput(m.model, b), { batchSize: b.size }), where), task, where);
    width = o.width;
    rows ??= new Float64Array(ds.items.length * width);
    b.indices.forEach((i, k) => rows!.set(o.rows.subarray(k * width, (k + 1) * width), i * width));
  }
  return { rows: rows!, width };
}

export interface RecipeSetOptions {
  model: string;
  recipe: string;
  data?: string;
  split: string;
  dataSeed?: number;
  limit?: number;
  /** also load the train split (for fitted baselines) */
  withTrain: boolean;
}

/** A recipe split's items with the model's outputs (and the train split when asked). */
export function recipeSet(o: RecipeSetOptions, m: LoadedAnyModel): EvalSet {
  const where = `evaluate --recipe ${o.recipe}`;
  const base = { model: o.model, dataset: o.recipe, split: o.split, ...(o.data !== undefined ? { data: o.data } : {}), ...(o.dataSeed !== undefined ? { dataSeed: o.dataSeed } : {}) };
  const ds = recipeSplit('evaluate', { ...base, ...(o.limit !== undefined ? { limit: o.limit } : {}) }, m);
  if (ds.target !== 'class' && ds.target !== 'regression') throw new RnnlensError(`${where}: the recipe has '${ds.target}' targets; evaluate scores classifiers and regressors (one output per sequence)`);
  const task = ds.target === 'class' ? 'classification' : 'regression';
  const out = datasetOutputs(m, ds, task, where);
  const set: EvalSet = { source: `recipe ${o.recipe}, ${o.split} split`, n: ds.items.length, task, width: out.width, outputs: out.rows, dataset: ds };
  if (task === 'classification') {
    set.labels = Int32Array.from(ds.items, (it) => it.label!);
    const names = ds.classNames ?? m.classNames;
    if (names) set.classNames = names;
  } else {
    const K = ds.targetSize ?? 1;
    if (K !== out.width) throw new RnnlensError(`${where}: the recipe's targets have ${K} values but the model outputs ${out.width}`);
    set.values = new Float64Array(ds.items.length * K);
    ds.items.forEach((it, i) => set.values!.set(it.values!, i * K));
  }
  if (o.withTrain) set.train = recipeSplit('evaluate', { ...base, split: 'train' }, m);
  return set;
}
