/**
 * `rnnlens explain --dataset [RECIPE] [--split test] [--limit N]`: explanations of a recipe
 * split's sequences (the model's recorded recipe and seed by default), cut into chunks that run
 * as 'explain-chunk' jobs on the executor (this thread, worker threads with `--parallel`, or
 * `rnnlens worker` processes with `--executor redis://…`). The chunks are the same whatever runs
 * them (`--chunk`, else about 32), and each has its own seed (`--seed` + its first index), so the
 * numbers do not depend on the executor or the number of workers. A `mean` baseline is the mean
 * over the whole split, computed here.
 */
import type { Dataset } from '../data/dataset.js';
import type { Executor } from '../distributed/executor.js';
import type { ExplainChunk, ExplainChunkResult, ExplainChunkShared } from '../distributed/handlers.js';
import { packModel } from '../distributed/model-package.js';
import { checkExplainOptions, parseBaseline, type ExplainCliOptions } from '../explain/run.js';
import type { Baseline } from '../explain/types.js';
import type { ModelInput } from '../nn/model.js';
import { chunkRanges, chunkSize, runChunks } from './chunks.js';

/** Items [from, to) of a dataset as one padded model input. */
export function padChunk(ds: Dataset, from: number, to: number): ModelInput {
  const items = ds.items.slice(from, to);
  const B = items.length;
  const T = Math.max(...items.map((it) => it.steps));
  const lengths = Int32Array.from(items, (it) => it.steps);
  if (ds.input === 'tokens') {
    const ids = new Int32Array(B * T);
    items.forEach((it, b) => ids.set(it.x, b * T));
    return { ids, batch: B, steps: T, lengths };
  }
  const F = ds.features;
  const data = new Float32Array(B * T * F);
  items.forEach((it, b) => data.set(it.x, b * T * F));
  return { data, batch: B, steps: T, features: F, lengths };
}

/** The per-feature mean over every valid step of the dataset (numeric data). */
function datasetMean(ds: Dataset): Float64Array {
  const mean = new Float64Array(ds.features);
  let n = 0;
  for (const it of ds.items)
    for (let t = 0; t < it.steps; t++, n++) for (let f = 0; f < ds.features; f++) mean[f]! += it.x[t * ds.features + f]!;
  return mean.map((v) => v / Math.max(1, n));
}

export interface ExplainedChunk {
  start: number;
  input: ModelInput;
  result: ExplainChunkResult;
}

export async function explainDataset(
  executor: Executor,
  modelPath: string,
  model: Parameters<typeof parseBaseline>[1],
  ds: Dataset,
  o: ExplainCliOptions,
  chunk: number | undefined,
  onProgress: (p: { done: number; total: number; message?: string }) => void,
): Promise<ExplainedChunk[]> {
  const ranges = chunkRanges(ds.items.length, chunkSize(ds.items.length, chunk));
  const inputs = ranges.map(([a, b]) => padChunk(ds, a, b));
  // an occlusion window must fit every chunk (before any job is queued)
  checkExplainOptions(model, o, Math.min(...inputs.map((x) => x.steps)));
  let baselineValue: Baseline | undefined;
  if (o.baseline === 'mean' && ds.input === 'numeric') baselineValue = { kind: 'mean', mean: datasetMean(ds) };
  else if (o.baseline !== undefined) baselineValue = parseBaseline(o.baseline, model, inputs[0]!);
  const options: ExplainChunkShared['options'] = { method: o.method, seed: o.seed, ...(o.target !== undefined ? { target: o.target } : {}), ...(o.steps !== undefined ? { steps: o.steps } : {}), ...(o.tsr ? { tsr: true } : {}), ...(o.params ? { params: o.params } : {}), ...(baselineValue ? { baselineValue } : {}) };
  const shared: ExplainChunkShared = { model: packModel(modelPath), options };
  const items: ExplainChunk[] = inputs.map((input, i) => ({ input, seed: o.seed + ranges[i]![0] }));
  const results = await runChunks<ExplainChunkShared, ExplainChunk, ExplainChunkResult>(executor, { command: 'explain', kind: 'explain-chunk', shared, items, ranges, noun: 'sequence', onProgress, timeoutSeconds: o.timeout });
  return results.map((result, i) => ({ start: ranges[i]![0], input: inputs[i]!, result }));
}
