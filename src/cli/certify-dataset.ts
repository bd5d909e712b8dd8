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
import { subset } from '../data/dataset.js';
import type { Executor } from '../distributed/executor.js';
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

/** The split's items as certification inputs, with their class labels. */
export function datasetInputs(o: DatasetInputOptions, m: LoadedAnyModel, onProgress?: ProgressCallback): { inputs: CertifyInput[]; labels: number[]; name: string } {
  const meta = nativeMeta(o.model);
  const recipeName = typeof o.dataset === 'string' ? o.dataset : typeof meta['recipe'] === 'string' ? (meta['recipe'] as string) : undefined;
  if (!recipeName) throw new RnnlensError(`certify: the model at ${o.model} records no recipe; name one with --dataset RECIPE (and --data PATH when it needs a data folder)`);
  if (!(SPLITS as readonly string[]).includes(o.split)) throw new RnnlensError(`certify: --split expected train, validation or test, received ${JSON.stringify(o.split)}`);
  const recipe = getRecipe(recipeName);
  const seed = o.dataSeed ?? (typeof meta['seed'] === 'number' ? (meta['seed'] as number) : recipe.train.seed);
  let ds = recipe.load({ data: o.data, seed, onProgress })[o.split as (typeof SPLITS)[number]];
  if (ds.target !== 'class') throw new RnnlensError(`certify --dataset: recipe '${recipeName}' has ${ds.target} targets; certified accuracy needs class labels (use --input FILE for other models)`);
  if (ds.items.length === 0) throw new RnnlensError(`certify --dataset: the ${o.split} split of '${recipeName}' is empty`);
  if (o.limit !== undefined && o.limit < ds.items.length) ds = subset(ds, Array.from({ length: o.limit }, (_, i) => i));
  const spec = m.model.inputSpec;
  if (spec.kind !== ds.input) throw new RnnlensError(`certify --dataset: the model takes ${spec.kind} input, recipe '${recipeName}' gives ${ds.input}`);
  if (spec.kind === 'numeric' && spec.features !== ds.features) throw new RnnlensError(`certify --dataset: the model takes ${spec.features} features per step, recipe '${recipeName}' gives ${ds.features}`);
  if (spec.kind === 'tokens' && ds.vocabSize !== undefined && ds.vocabSize > spec.vocabSize) throw new RnnlensError(`certify --dataset: the model takes token ids below ${spec.vocabSize}, recipe '${recipeName}' has a vocabulary of ${ds.vocabSize} (is it the model's recipe?)`);
  if (m.model.outputFeatures !== (ds.classNames?.length ?? m.model.outputFeatures)) throw new RnnlensError(`certify --dataset: the model has ${m.model.outputFeatures} outputs, recipe '${recipeName}' has ${ds.classNames!.length} classes`);
  const inputs: CertifyInput[] = ds.items.map((it) => (ds.input === 'numeric' ? { kind: 'numeric', data: Float64Array.from(it.x), steps: it.steps } : { kind: 'tokens', ids: Array.from(it.x) }));
  return { inputs, labels: ds.items.map((it) => it.label!), name: ds.name };
}

export interface CertifiedAccuracy {
  dataset: string;
  n: number;
  /** fraction predicted correctly */
  accuracy: number;
  /** how many have a certified prediction (right or wrong) */
  certified: number;
  /** fraction predicted correctly and certified */
  certifiedAccuracy: number;
}

export function certifiedAccuracy(results: readonly CertifyCliResult[], labels: readonly number[], dataset: string): CertifiedAccuracy {
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

/** Default chunking: about 32 jobs, at most 16 inputs each (so a lost job costs little). */
export function chunkSize(n: number, chunk?: number): number {
  return chunk ?? Math.max(1, Math.min(16, Math.ceil(n / 32)));
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
  const size = chunkSize(inputs.length, chunk);
  const items: CertifyChunk[] = [];
  for (let a = 0; a < inputs.length; a += size) {
    const b = Math.min(inputs.length, a + size);
    const sub = substitutions ? { ...substitutions, ...(substitutions.sequences ? { sequences: substitutions.sequences.slice(a, b) } : {}) } : undefined;
    items.push({ inputs: inputs.slice(a, b), ...(sub ? { substitutions: sub } : {}) });
  }
  const shared: CertifyChunkShared = { model: packModel(modelPath), options };
  const within = new Int32Array(items.length);
  let failure: unknown;
  const report = (message: string): void => {
    let done = 0;
    for (const d of within) done += d;
    try {
      onProgress({ done, total: inputs.length, message });
    } catch (e) {
      failure ??= e; // the --timeout deadline: stops the command below
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const deadline =
    timeoutSeconds === undefined
      ? undefined
      : new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new RnnlensError(`certify: stopped after --timeout ${timeoutSeconds} s (raise --timeout or reduce the work)`)), timeoutSeconds * 1000);
        });
  const start = (i: number): number => i * size;
  try {
    const run = executor.run<CertifyChunkShared, CertifyChunk, CertifyCliResult[]>({
      kind: 'certify-chunk',
      shared,
      items,
      label: (i) => `inputs ${start(i)}–${start(i) + items[i]!.inputs.length - 1}`,
      onProgress: (i, p) => {
        within[i] = Math.max(within[i]!, p.done);
        report(`input ${start(i) + p.done - 1}`);
      },
      onDone: (i) => {
        within[i] = items[i]!.inputs.length;
        report(`inputs ${start(i)}–${start(i) + items[i]!.inputs.length - 1} done`);
      },
    });
    run.catch(() => {}); // when the deadline wins, the run's own end is not awaited
    const chunks = await (deadline ? Promise.race([run, deadline]) : run);
    if (failure) throw failure;
    return chunks.flat();
  } finally {
    clearTimeout(timer);
  }
}
