/**
 * Tasks tie a dataset's targets to a model's output and a loss:
 * - classification: output [B, C] logits, softmax cross-entropy on the class label;
 * - regression (incl. multi-step forecasting): output [B, K], MSE (or MAE/Huber) on `values`;
 * - tagging and language modelling: output [B, T, C] per step, cross-entropy over real steps.
 */
import { ArgumentError, RnnlensError } from '../core/errors.js';
import { Tensor, type FloatArray } from '../core/tensor.js';
import type { Batch } from '../data/batching.js';
import type { Dataset } from '../data/dataset.js';
import type { SeqBatch, TokenBatch, Flow } from '../nn/layer.js';
import type { SequenceModel } from '../nn/model.js';
import { crossEntropy, sequenceCrossEntropy, mse, mae, huber } from './losses/index.js';
import type { LossResult } from './losses/index.js';

export type TaskKind = 'classification' | 'regression' | 'tagging' | 'language-model';

export interface LossConfig {
  /** Regression loss; default 'mse'. */
  regression?: 'mse' | 'mae' | 'huber';
  huberDelta?: number;
  /** Classification: per-class weights (PyTorch semantics). */
  classWeights?: number[];
  labelSmoothing?: number;
}

/** The task a dataset implies: class → classification, regression → regression, tags → tagging. */
export function taskOf(ds: Dataset, languageModel = false): TaskKind {
  switch (ds.target) {
    case 'class':
      return 'classification';
    case 'regression':
      return 'regression';
    case 'tags':
      return languageModel ? 'language-model' : 'tagging';
    default:
      throw new ArgumentError('taskOf', 'dataset.target', "'class', 'regression' or 'tags' (a labelled dataset)", `'${ds.target}' (${ds.name})`);
  }
}

/** The model input of a padded batch (numeric → SeqBatch in the model's dtype, tokens → TokenBatch). */
export function batchInput(model: SequenceModel, b: Batch): SeqBatch | TokenBatch {
  if (b.x instanceof Int32Array) {
    if (model.inputSpec.kind !== 'tokens') {
      throw new ArgumentError('batchInput', 'batch.x', 'numeric sequences (the model takes numeric input)', 'token ids');
    }
    return { ids: b.x, batch: b.size, steps: b.steps, lengths: b.lengths };
  }
  if (model.inputSpec.kind !== 'numeric') {
    throw new ArgumentError('batchInput', 'batch.x', 'token ids (the model starts with an Embedding)', 'numeric sequences');
  }
  const data: FloatArray = model.backend.dtype === 'float64' ? Float64Array.from(b.x) : b.x;
  return { data, batch: b.size, steps: b.steps, features: b.features, lengths: b.lengths };
}

/** The output as a Tensor: [B, C] for row outputs, [B, T, C] for sequence outputs. */
export function outputTensor(out: Flow): Tensor {
  if (out instanceof Tensor) return out;
  return new Tensor([out.batch, out.steps, out.features], out.data);
}

/** Gradient on the output shaped like the output itself. */
export function gradFlow(out: Flow, grad: FloatArray): Flow {
  if (out instanceof Tensor) return new Tensor(out.shape, grad);
  return { ...out, data: grad };
}

/** Loss and gradient of a batch's output. */
export function taskLoss(task: TaskKind, out: Flow, b: Batch, cfg: LossConfig = {}): LossResult {
  const t = outputTensor(out);
  switch (task) {
    case 'classification': {
      if (!b.labels) throw new RnnlensError('taskLoss: a classification batch has no labels');
      if (t.rank !== 2) throw new ArgumentError('taskLoss', 'model output', 'rows [B, C] (end the model with a head and a Dense layer)', `shape [${t.shape.join(', ')}]`);
      return crossEntropy(t, b.labels, { weights: cfg.classWeights, labelSmoothing: cfg.labelSmoothing });
    }
    case 'regression': {
      if (!b.values) throw new RnnlensError('taskLoss: a regression batch has no target values');
      if (t.rank !== 2 || t.data.length !== b.values.length) {
        throw new ArgumentError('taskLoss', 'model output', `rows [${b.size}, ${b.values.length / b.size}] matching the targets`, `shape [${t.shape.join(', ')}]`);
      }
      if (cfg.regression === 'mae') return mae(t, b.values);
      if (cfg.regression === 'huber') return huber(t, b.values, { delta: cfg.huberDelta ?? 1 });
      return mse(t, b.values);
    }
    case 'tagging':
    case 'language-model': {
      if (!b.tags) throw new RnnlensError('taskLoss: a per-step batch has no tags');
      if (t.rank !== 3) throw new ArgumentError('taskLoss', 'model output', 'per-step logits [B, T, C] (use a recurrent layer with returnSequences and no pooling head)', `shape [${t.shape.join(', ')}]`);
      return sequenceCrossEntropy(t, b.tags, { lengths: b.lengths, weights: cfg.classWeights, labelSmoothing: cfg.labelSmoothing });
    }
  }
}
