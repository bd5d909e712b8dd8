/**
 * The model and the dataset of the analyses that look inside a model (`internals`, `probe`,
 * `intervene`, `dynamics`), for every model format:
 * - native rnnlens folders keep their recorded recipe, data seed and training state;
 * - imported models (ONNX, Keras .keras / .h5, TF.js) load through src/io (`loadModelAsync`);
 *   they record no recipe, so the data is `--recipe NAME [--data PATH]` or `--data FILE.json`,
 *   the input file of `predict` ({"inputs" | "tokens" | "texts", "lengths"?}) with optional
 *   "labels" (class indices) or "values" (regression targets), one per sequence, or "tags" (a
 *   class index per step, for `probe --annotation tags`).
 * The analyses read the recurrent layers; the graph layers of imported models run in the forward
 * and backward passes like any layer.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { RnnlensError } from '../core/errors.js';
import { createDataset, type Dataset, type Item } from '../data/dataset.js';
import { detectFormat, loadModelAsync, type ModelFormat } from '../io/load.js';
import type { SequenceModel } from '../nn/model.js';
import { parseModelInput, readInputFile } from '../predict/input-file.js';
import { loadModel as loadNative } from '../train/checkpoint.js';
import { getRecipe } from '../train/recipes.js';
import type { TaskKind } from '../train/tasks.js';
import type { LayerDistribution } from '../train/trainer.js';
import type { ProgressCallback } from '../core/progress.js';

export interface AnalysisModel {
  model: SequenceModel;
  format: ModelFormat;
  /** Native models: the checkpoint's meta (recipe, seed, ...); imported models: {}. */
  meta: Record<string, unknown>;
  preprocessing: Record<string, unknown>;
  classNames?: string[];
  distributions?: LayerDistribution[];
}

/** Loads a model of any format for an analysis command. */
export async function loadAnalysisModel(path: string): Promise<AnalysisModel> {
  if (existsSync(path) && detectFormat(path) === 'native') {
    const n = loadNative(statSync(path).isDirectory() ? path : dirname(path));
    const out: AnalysisModel = { model: n.model, format: 'native', meta: n.file.meta, preprocessing: n.file.preprocessing ?? {} };
    if (n.file.classNames) out.classNames = n.file.classNames;
    if (n.trainState?.distributions) out.distributions = n.trainState.distributions;
    return out;
  }
  const any = await loadModelAsync(path);
  const out: AnalysisModel = { model: any.model, format: any.format, meta: {}, preprocessing: any.preprocessing };
  if (any.classNames) out.classNames = any.classNames;
  return out;
}

export interface DataChoice {
  recipe?: string;
  data?: string;
  split: string;
  dataSeed?: number;
  onProgress?: ProgressCallback;
}

export type SplitName = 'train' | 'validation' | 'test';

/** The dataset an analysis runs on, with the recipe and data seed it came from (null for a file). */
export function analysisDataset(cmd: string, path: string, m: AnalysisModel, o: DataChoice): { ds: Dataset; recipe: string | null; seed: number | null } {
  if (!['train', 'validation', 'test'].includes(o.split)) throw new RnnlensError(`${cmd}: --split expected train, validation or test, received ${JSON.stringify(o.split)}`);
  const d = analysisSplits(cmd, path, m, o);
  return { ds: d.splits[o.split as SplitName], recipe: d.recipe, seed: d.seed };
}

/** Every split of the analysis data (a --data file is all three). */
export function analysisSplits(cmd: string, path: string, m: AnalysisModel, o: Omit<DataChoice, 'split'>): { splits: Record<SplitName, Dataset>; task: TaskKind | null; recipe: string | null; seed: number | null } {
  const recipeName = o.recipe ?? (typeof m.meta['recipe'] === 'string' ? (m.meta['recipe'] as string) : undefined);
  if (!recipeName) {
    if (o.data && o.data.toLowerCase().endsWith('.json') && statSync(o.data, { throwIfNoEntry: false })?.isFile()) {
      const ds = datasetFromFile(cmd, o.data, m);
      const task = ds.target === 'class' ? 'classification' : ds.target === 'regression' ? 'regression' : ds.target === 'tags' ? 'tagging' : null;
      return { splits: { train: ds, validation: ds, test: ds }, task, recipe: null, seed: null };
    }
    throw new RnnlensError(
      m.format === 'native'
        ? `${cmd}: the model at ${path} records no recipe; pass --recipe NAME (with --data PATH when the recipe needs it), or --data FILE.json with the sequences`
        : `${cmd}: the ${m.format} model at ${path} records no recipe; pass --data FILE.json (the sequences, as predict's input file, with optional "labels" or "values"), or --recipe NAME`,
    );
  }
  const recipe = getRecipe(recipeName);
  // The split must be the one the model was trained with, or the test part may hold training data.
  const recorded = m.meta['seed'];
  const seed = o.dataSeed ?? (typeof recorded === 'number' ? recorded : recipe.train.seed);
  const data = recipe.load({ data: o.data, seed, onProgress: o.onProgress });
  return { splits: { train: data.train, validation: data.validation, test: data.test }, task: data.task, recipe: recipeName, seed };
}

/** A dataset from a JSON file of sequences (predict's input file, with optional labels or values). */
export function datasetFromFile(cmd: string, file: string, m: AnalysisModel): Dataset {
  const where = `${cmd} --data ${file}`;
  const raw = readInputFile(file) as Record<string, unknown>;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new RnnlensError(`${where}: expected a JSON object with "inputs", "tokens" or "texts" (and optional "labels" or "values")`);
  const { labels, values, tags, classNames, name, ...rest } = raw;
  const x = parseModelInput(rest, m.model.inputSpec, m.preprocessing, where);
  const items: Item[] = [];
  for (let b = 0; b < x.batch; b++) {
    const L = x.lengths[b]!;
    if (x.kind === 'numeric') items.push({ x: Float32Array.from(x.data.subarray(b * x.steps * x.features, (b * x.steps + L) * x.features)), steps: L });
    else items.push({ x: Int32Array.from(x.ids.subarray(b * x.steps, b * x.steps + L)), steps: L });
  }
  let target: Dataset['target'] = 'none';
  let names: string[] | undefined;
  let targetSize: number | undefined;
  if ([labels, values, tags].filter((v) => v !== undefined).length > 1) throw new RnnlensError(`${where}: give at most one of "labels", "values" and "tags"`);
  if (tags !== undefined) {
    if (!Array.isArray(tags) || tags.length !== items.length) throw new RnnlensError(`${where}: "tags" expected ${items.length} arrays of per-step tags (class indices), one per sequence`);
    let k = 0;
    tags.forEach((t, i) => {
      const n = items[i]!.steps;
      if (!Array.isArray(t) || t.length < n || t.some((v) => !Number.isInteger(v) || (v as number) < 0))
        throw new RnnlensError(`${where}: tags[${i}] expected ${n} tags (integers >= 0), one per step, received ${JSON.stringify(t).slice(0, 80)}`);
      items[i]!.tags = Int32Array.from((t as number[]).slice(0, n));
      k = Math.max(k, ...items[i]!.tags!);
    });
    names = Array.from({ length: k + 1 }, (_, i) => String(i));
    target = 'tags';
  } else if (labels !== undefined) {
    if (!Array.isArray(labels) || labels.length !== items.length || labels.some((l) => !Number.isInteger(l) || (l as number) < 0))
      throw new RnnlensError(`${where}: "labels" expected ${items.length} class indices (integers >= 0), one per sequence, received ${JSON.stringify(labels).slice(0, 80)}`);
    const k = Math.max(...(labels as number[])) + 1;
    names = Array.isArray(classNames) && classNames.every((c) => typeof c === 'string') ? (classNames as string[]) : m.classNames ?? Array.from({ length: k }, (_, i) => String(i));
    if (k > names.length) throw new RnnlensError(`${where}: "labels" holds class ${k - 1} but there are ${names.length} class names`);
    target = 'class';
    items.forEach((it, i) => (it.label = (labels as number[])[i]!));
  } else if (values !== undefined) {
    if (!Array.isArray(values) || values.length !== items.length) throw new RnnlensError(`${where}: "values" expected ${items.length} targets, one per sequence`);
    const rows = values.map((v) => (Array.isArray(v) ? v : [v]));
    targetSize = rows[0]!.length;
    rows.forEach((r, i) => {
      if (r.length !== targetSize || r.some((v) => typeof v !== 'number' || !Number.isFinite(v))) throw new RnnlensError(`${where}: values[${i}] expected ${targetSize} finite numbers, received ${JSON.stringify(r).slice(0, 80)}`);
      items[i]!.values = Float32Array.from(r as number[]);
    });
    target = 'regression';
  }
  const spec = m.model.inputSpec;
  return createDataset({
    name: typeof name === 'string' ? name : file.replace(/^.*[\\/]/, '').replace(/\.json$/i, ''),
    input: spec.kind,
    ...(spec.kind === 'numeric' ? { features: spec.features } : { vocabSize: spec.vocabSize }),
    target,
    ...(names ? { classNames: names } : {}),
    ...(targetSize !== undefined ? { targetSize } : {}),
    items,
    settings: m.preprocessing,
  });
}
