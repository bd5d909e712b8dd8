/**
 * The ground-truth benchmark's tasks: Ismail-style series (every layout, a chosen generator) and
 * the token motif task, each with a small recurrent model trained on it with a fixed seed.
 *
 * Dataset names: 'ismail-<Layout>-<generator>' (e.g. 'ismail-RareTime-ar') or 'motif'.
 */
import { ArgumentError, describe } from '../../core/errors.js';
import type { BackendName } from '../../core/backends.js';
import { collate } from '../../data/batching.js';
import type { Dataset } from '../../data/dataset.js';
import {
  ISMAIL_GENERATORS,
  ISMAIL_LAYOUTS,
  ismailDataset,
  type IsmailGenerator,
  type IsmailLayout,
} from '../../data/synthetic/ismail.js';
import { motifDataset } from '../../data/synthetic/motif.js';
import { SequenceModel, type ModelInput } from '../../nn/model.js';
import { evaluate } from '../../train/evaluate.js';
import { buildModelConfig, type ModelShape } from '../../train/recipes.js';
import { batchInput } from '../../train/tasks.js';
import { train, type TrainConfig } from '../../train/trainer.js';

export const DEFAULT_BENCHMARK_DATASETS: readonly string[] = [
  ...ISMAIL_LAYOUTS.map((l) => `ismail-${l}-gaussian`),
  'motif',
];

/** Sizes of the benchmark's tasks and models; defaults keep the whole run in minutes. */
export interface BenchmarkTaskOptions {
  /** Training sequences; default 400. */
  trainSize?: number;
  /** Explained test sequences; default 40. */
  testSize?: number;
  /** Ismail steps × features; default 20 × 10 (the paper uses 50 × 50). */
  steps?: number;
  features?: number;
  /** Motif sequence length; default 30. */
  motifLength?: number;
  cell?: ModelShape['cell'];
  /** Default 16. */
  hidden?: number;
  /** Default 12. */
  epochs?: number;
  /** Adam learning rate; default 0.005. */
  lr?: number;
  seed?: number;
  backend?: BackendName;
}

export interface BenchmarkTask {
  name: string;
  train: Dataset;
  test: Dataset;
  model: SequenceModel;
  /** The model's training (for data randomisation). */
  trainConfig: TrainConfig;
  /** Test sequences as one batch, their labels and truth masks. */
  input: ModelInput;
  labels: number[];
  truth: Uint8Array[];
  testAccuracy: number;
  trainSeconds: number;
}

export function parseDatasetName(
  name: string,
): { kind: 'ismail'; layout: IsmailLayout; generator: IsmailGenerator } | { kind: 'motif' } {
  if (name === 'motif') return { kind: 'motif' };
  const m = /^ismail-([A-Za-z]+)(?:-([a-z]+))?$/.exec(name);
  const layout = m?.[1] as IsmailLayout | undefined;
  const generator = (m?.[2] ?? 'gaussian') as IsmailGenerator;
  if (!m || !ISMAIL_LAYOUTS.includes(layout!) || !ISMAIL_GENERATORS.includes(generator))
    throw new ArgumentError(
      'explanation benchmark',
      'dataset',
      `'motif' or 'ismail-<${ISMAIL_LAYOUTS.join('|')}>-<${ISMAIL_GENERATORS.join('|')}>'`,
      describe(name),
    );
  return { kind: 'ismail', layout: layout!, generator };
}

function makeData(name: string, n: number, seed: number, o: BenchmarkTaskOptions): Dataset {
  const p = parseDatasetName(name);
  if (p.kind === 'motif') return motifDataset({ n, seed, length: o.motifLength ?? 30 });
  return ismailDataset({
    n,
    seed,
    layout: p.layout,
    generator: p.generator,
    steps: o.steps ?? 20,
    features: o.features ?? 10,
  });
}

/** Builds the dataset `name`, trains its model, and batches the test set. */
export async function prepareTask(
  name: string,
  o: BenchmarkTaskOptions = {},
): Promise<BenchmarkTask> {
  const seed = o.seed ?? 0;
  // Different seeds for train and test data: the test sequences are new draws.
  const trainData = makeData(name, o.trainSize ?? 400, 1000 + seed, o);
  const test = makeData(name, o.testSize ?? 40, 2000 + seed, o);
  const shape: ModelShape = {
    cell: o.cell ?? 'lstm',
    hidden: o.hidden ?? 16,
    layers: 1,
    embedding: 16,
  };
  const model = new SequenceModel(buildModelConfig(shape, trainData, 'classification'), {
    seed,
    ...(o.backend ? { backend: o.backend } : {}),
  });
  const trainConfig: TrainConfig = {
    task: 'classification',
    epochs: o.epochs ?? 12,
    batchSize: 32,
    seed,
    optimizer: { type: 'adam', lr: o.lr ?? 0.005 },
    distributions: false,
  };
  const t0 = performance.now();
  await train(model, trainData, trainConfig);
  const trainSeconds = (performance.now() - t0) / 1000;
  const batch = collate(
    test,
    Int32Array.from({ length: test.items.length }, (_, i) => i),
  );
  return {
    name,
    train: trainData,
    test,
    model,
    trainConfig,
    input: batchInput(model, batch),
    labels: Array.from(batch.labels!),
    truth: test.items.map((it) => it.truth!),
    testAccuracy: evaluate(model, test, 'classification').metrics.accuracy!,
    trainSeconds,
  };
}
