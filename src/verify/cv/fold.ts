/**
 * One fold of a cross-validation: build a FRESH model from the config (seeded by the fold), train
 * it on the fold's training items, score it on the held-out items. Everything it takes and returns
 * is plain data (structured-cloneable), so the same function runs in the main thread and in a
 * worker thread, and gives the same numbers in both for the same backend and seed.
 *
 * When the training config asks for early stopping, a stratified 10 % of the fold's training items
 * is held back as the validation set it monitors (never the fold's test items).
 */
import type { BackendName } from '../../core/backends.js';
import { RnnlensError } from '../../core/errors.js';
import type { ProgressCallback } from '../../core/progress.js';
import type { FloatArray } from '../../core/tensor.js';
import { subset, type Dataset } from '../../data/dataset.js';
import { splitIndices } from '../../data/split.js';
import type { ModelConfig } from '../../nn/config.js';
import { SequenceModel } from '../../nn/model.js';
import { evaluate, type Metrics } from '../../train/evaluate.js';
import type { TaskKind } from '../../train/tasks.js';
import { train, type TrainConfig } from '../../train/trainer.js';
import type { FoldPlan } from './plan.js';

/** What every fold shares: the pooled data, the task, the model and how to train it. */
export interface CvSetup {
  dataset: Dataset;
  task: TaskKind;
  modelConfig: ModelConfig;
  /** `seed` is replaced by each fold's seed */
  trainConfig: TrainConfig;
  backend: BackendName;
}

/** Out-of-fold predictions of one fold, rows in the order of `indices` (pool indices). */
export interface FoldPredictions {
  indices: Int32Array;
  /** classification: probabilities [N, width]; regression: predicted values [N, width] */
  outputs: Float64Array;
  width: number;
  /** classification: class labels; regression: true values [N, width] flattened */
  truth: Float64Array;
}

export interface FoldResult {
  index: number;
  repeat: number;
  fold: number;
  seed: number;
  train: Int32Array;
  test: Int32Array;
  metrics: Metrics;
  fitSeconds: number;
  scoreSeconds: number;
  epochs: number;
  predictions?: FoldPredictions;
  /** the trained parameters in model order (when models were asked for) */
  weights?: FloatArray[];
}

function innerValidation(ds: Dataset, train: Int32Array, task: TaskKind, seed: number): { fit: Int32Array; validation: Int32Array } {
  const labels = task === 'classification' ? Array.from(train, (i) => ds.items[i]!.label!) : undefined;
  const parts = splitIndices(train.length, { seed, validation: 0.1 }, labels);
  return { fit: Int32Array.from(parts.train, (j) => train[j]!), validation: Int32Array.from(parts.validation, (j) => train[j]!) };
}

export async function runFold(setup: CvSetup, plan: FoldPlan, opts: { keepWeights?: boolean; onProgress?: ProgressCallback } = {}): Promise<FoldResult> {
  const { dataset: ds, task } = setup;
  const cfg: TrainConfig = { ...setup.trainConfig, seed: plan.seed, distributions: false };
  const split = cfg.earlyStopping ? innerValidation(ds, plan.train, task, plan.seed) : { fit: plan.train, validation: new Int32Array(0) };
  const model = new SequenceModel(setup.modelConfig, { backend: setup.backend, seed: plan.seed });
  const t0 = performance.now();
  const result = await train(model, subset(ds, split.fit, `${ds.name}/fold${plan.fold + 1}/train`), cfg, {
    validation: split.validation.length > 0 ? subset(ds, split.validation, `${ds.name}/fold${plan.fold + 1}/validation`) : undefined,
    onProgress: opts.onProgress,
  });
  const fitSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const ev = evaluate(model, subset(ds, plan.test, `${ds.name}/fold${plan.fold + 1}/test`), task, { keepPredictions: true, loss: cfg.loss });
  const scoreSeconds = (performance.now() - t1) / 1000;
  const out: FoldResult = {
    index: plan.index,
    repeat: plan.repeat,
    fold: plan.fold,
    seed: plan.seed,
    train: plan.train,
    test: plan.test,
    metrics: ev.metrics,
    fitSeconds,
    scoreSeconds,
    epochs: result.history.length,
  };
  if (ev.predictions) {
    const p = ev.predictions;
    for (let i = 0; i < p.outputs.length; i++) {
      if (!Number.isFinite(p.outputs[i]!)) {
        throw new RnnlensError(`crossValidate: fold ${plan.fold + 1} (repeat ${plan.repeat + 1}) predicted ${p.outputs[i]} for item ${plan.test[p.indices[Math.floor(i / p.width)]!]}; training diverged (lower the learning rate or set clipNorm)`);
      }
    }
    out.predictions = { indices: Int32Array.from(p.indices, (j) => plan.test[j]!), outputs: p.outputs, width: p.width, truth: p.truth };
  }
  if (opts.keepWeights) out.weights = model.parameters().map((q) => q.value.slice());
  return out;
}
