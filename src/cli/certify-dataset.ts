/**
 * `rnnlens certify --dataset [RECIPE]`: the inputs are a recipe split's items (the model's
 * recorded recipe and seed by default), and the summary is the certified accuracy. With
 * `--executor` / `--parallel` the inputs are cut into chunks that run as jobs (worker threads
 * here, or `rnnlens worker` processes over Redis); results come back in input order, equal to a
 * run in this thread.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { RnnlensError } from '../core/errors.js';
import type { ProgressCallback } from '../core/progress.js';
import { subset, type Dataset } from '../data/dataset.js';
import type { Executor } from '../distributed/executor.js';
import { chunkRanges, chunkSize, runChunks } from './chunks.js';
import type { CertifyChunk, CertifyChunkShared } from '../distributed/handlers.js';
import { packModel } from '../distributed/model-package.js';
import type { LoadedAnyModel } from '../predict/load.js';
import { getRecipe } from '../train/recipes.js';
import type { CertifyCliOptions, CertifyCliResult } from '../verify/certify/batch.js';
import type { CertifyInput } from '../verify/certify/certify.js';
import type { SubstitutionSpec } from '../verify/certify/substitutions.js';

const SPLITS = ['train', 'validation', 'test'] as const;

/** The `meta` of a native model folder's model.json ({} for other formats). */
function nativeMeta(path: string): Record<string, unknown> {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'model.json') : basename(path) === 'model.json' ? path : join(dirname(path), '__none__');
  try {
    const j = JSON.parse(readFileSync(file, 'utf8')) as { format?: string; meta?: Record<string, unknown> };
    return j.format === 'rnnlens-model' ? (j.meta ?? {}) : {};
  } catch {
    return {};
  }
}

export interface DatasetInputOptions {
  model: string;
  dataset: string | true;
  data?: string;
  split: string;
  dataSeed?: number;
  limit?: number;
}

/** A recipe split's items for a command on a model (checked against the model's input and outputs). */
export function recipeSplit(command: string, o: DatasetInputOptions, m: LoadedAnyModel, onProgress?: ProgressCallback): Dataset {
  const meta = nativeMeta(o.model);
  const recipeName = typeof o.dataset === 'string' ? o.dataset : typeof meta['recipe'] === 'string' ? (meta['recipe'] as string) : undefined;
  if (!recipeName) throw new RnnlensError(`${command}: the model at ${o.model} records no recipe; name one with --dataset RECIPE (and --data PATH when it needs a data folder)`);
  if (!(SPLITS as readonly string[]).includes(o.split)) throw new RnnlensError(`${command}: --split expected train, validation or test, received ${JSON.stringify(o.split)}`);
  const recipe = getRecipe(recipeName);
  const seed = o.dataSeed ?? (typeof meta['seed'] === 'number' ? (meta['seed'] as number) : recipe.train.seed);
  let ds = recipe.load({ data: o.data, seed, onProgress })[o.split as (typeof SPLITS)[number]];
  if (ds.items.length === 0) throw new RnnlensError(`${command} --dataset: the ${o.split} split of '${recipeName}' is empty`);
  if (o.limit !== undefined && o.limit < ds.items.length) ds = subset(ds, Array.from({ length: o.limit }, (_, i) => i));
  const spec = m.model.inputSpec;
  if (spec.kind !== ds.input) throw new RnnlensError(`${command} --dataset: the model takes ${spec.kind} input, recipe '${recipeName}' gives ${ds.input}`);
  if (spec.kind === 'numeric' && spec.features !== ds.features) throw new RnnlensError(`${command} --dataset: the model takes ${spec.features} features per step, recipe '${recipeName}' gives ${ds.features}`);
  if (spec.kind === 'tokens' && ds.vocabSize !== undefined && ds.vocabSize > spec.vocabSize) throw new RnnlensError(`${command} --dataset: the model takes token ids below ${spec.vocabSize}, recipe '${recipeName}' has a vocabulary of ${ds.vocabSize} (is it the model's recipe?)`);
  if (ds.target === 'class' && ds.classNames && m.model.outputFeatures !== ds.classNames.length) throw new RnnlensError(`${command} --dataset: the model has ${m.model.outputFeatures} outputs, recipe '${recipeName}' has ${ds.classNames.length} classes`);
  return ds;
}

/** The split's items as certification inputs, with their class labels. */
export function datasetInputs(o: DatasetInputOptions, m: LoadedAnyModel, onProgress?: ProgressCallback): { inputs: CertifyInput[]; labels: number[]; name: string } {
  const ds = recipeSplit('certify', o, m, onProgress);
  if (ds.target !== 'class') throw new RnnlensError(`certify --dataset: the data has ${ds.target} targets; certified accuracy needs class labels (use --input FILE for other models)`);
  const inputs: CertifyInput[] = ds.items.map((it) => (ds.input === 'numeric' ? { kind: 'numeric', data: Float64Array.from(it.x), steps: it.steps } : { kind: 'tokens', ids: Array.from(it.x) }));
  return { inputs, labels: ds.items.map((it) => it.label!), name: ds.name };
}

/** Accuracy and certified accuracy of results already computed (see radius.ts's certifiedAccuracy for the one that certifies). */
export interface CertifiedSummary {
  dataset: string;
  n: number;
  /** fraction predicted correctly */
  accuracy: number;
  /** how many have a certified prediction (right or wrong) */
  certified: number;
  /** fraction predicted correctly and certified */
  certifiedAccuracy: number;
}

export function summarizeCertified(results: readonly CertifyCliResult[], labels: readonly number[], dataset: string): CertifiedSummary {
  let right = 0;
  let cert = 0;
  let certRight = 0;
  results.forEach((r, i) => {
    const ok = r.prediction === labels[i];
    if (ok) right++;
    if (r.certified) cert++;
    if (ok && r.certified) certRight++;
  });
  const n = results.length;
  return { dataset, n, accuracy: right / n, certified: cert, certifiedAccuracy: certRight / n };
}

/** Certifies the inputs as chunks on an executor; results in input order. */
export async function certifyOnExecutor(
  executor: Executor,
  modelPath: string,
  inputs: CertifyInput[],
  options: Omit<CertifyCliOptions, 'onProgress' | 'substitutions'>,
  substitutions: SubstitutionSpec | undefined,
  chunk: number | undefined,
  onProgress: (p: { done: number; total: number; message?: string }) => void,
  timeoutSeconds?: number,
): Promise<CertifyCliResult[]> {
  const ranges = chunkRanges(inputs.length, chunkSize(inputs.length, chunk));
  const items: CertifyChunk[] = ranges.map(([a, b]) => {
    const sub = substitutions ? { ...substitutions, ...(substitutions.sequences ? { sequences: substitutions.sequences.slice(a, b) } : {}) } : undefined;
    return { inputs: inputs.slice(a, b), ...(sub ? { substitutions: sub } : {}) };
  });
  const shared: CertifyChunkShared = { model: packModel(modelPath), options };
  const chunks = await runChunks<CertifyChunkShared, CertifyChunk, CertifyCliResult[]>(executor, { command: 'certify', kind: 'certify-chunk', shared, items, ranges, noun: 'input', onProgress, timeoutSeconds });
  return chunks.flat();
}
