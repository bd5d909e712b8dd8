/** Shared fixtures of the explanation-check tests: small models trained once with fixed seeds. */
import type { SeqBatch } from '../../src/nn/layer.js';
import type { AttributionMap } from '../../src/explain/types.js';
import { prepareTask, type BenchmarkTask } from '../../src/verify/explanations/benchmark-data.js';

const cache = new Map<string, Promise<BenchmarkTask>>();

/** An LSTM (16 units) trained on a 20 × 10 Ismail layout, 240 training and 30 test sequences. */
export function trainedTask(name = 'ismail-RareFeature-gaussian'): Promise<BenchmarkTask> {
  if (!cache.has(name))
    cache.set(name, prepareTask(name, { trainSize: 240, testSize: 30, epochs: 10, seed: 0 }));
  return cache.get(name)!;
}

/** The numeric input of a task as a SeqBatch. */
export function numericInput(task: BenchmarkTask): SeqBatch {
  if ('ids' in task.input) throw new Error('numeric task expected');
  return task.input;
}

/** The input itself as an "attribution map" (the deliberately broken method). */
export function inputAsMap(x: SeqBatch): AttributionMap {
  return {
    data: Float64Array.from(x.data),
    batch: x.batch,
    steps: x.steps,
    features: x.features,
    lengths: x.lengths,
  };
}

export function firstN(x: SeqBatch, n: number): SeqBatch {
  return {
    ...x,
    batch: n,
    data: x.data.subarray(0, n * x.steps * x.features),
    lengths: x.lengths.subarray(0, n),
  };
}
