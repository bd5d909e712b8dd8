/**
 * Runs a model over a dataset (no gradients) and computes the task's metrics:
 * classification: accuracy, balanced accuracy, F1 (macro, weighted), ROC-AUC, log-loss, ...;
 * regression: rmse, mae, r2; tagging: per-step accuracy; language models: bits per character
 * and perplexity.
 */
import type { ProgressCallback } from '../core/progress.js';
import { makeBatches } from '../data/batching.js';
import type { Dataset } from '../data/dataset.js';
import type { Tensor } from '../core/tensor.js';
import type { SequenceModel } from '../nn/model.js';
import { classificationReport } from '../verify/metrics/report.js';
import { meanAbsoluteError, rootMeanSquaredError, r2Score } from '../verify/metrics/regression.js';
import { logSoftmax } from './losses/index.js';
import { batchInput, outputTensor, taskLoss, type LossConfig, type TaskKind } from './tasks.js';

export type Metrics = Record<string, number>;

export interface Predictions {
  /** Dataset positions, in the order of the rows below. */
  indices: Int32Array;
  /** classification: probabilities [N, C]; regression: values [N, K]. */
  outputs: Float64Array;
  width: number;
  /** classification: true labels; regression: flattened true values. */
  truth: Float64Array;
}

export interface Evaluation {
  loss: number;
  metrics: Metrics;
  predictions?: Predictions;
}

export interface EvaluateOptions {
  batchSize?: number;
  loss?: LossConfig;
  keepPredictions?: boolean;
  onProgress?: ProgressCallback;
}

/** Per-step scores of logits [B, T, C] against targets at the real steps: summed NLL (nats), argmax hits, count. */
export function scoreSteps(logits: Tensor, lengths: ArrayLike<number>, tags: ArrayLike<number>): { nll: number; correct: number; count: number } {
  const [B, T, C] = logits.shape as [number, number, number];
  const lp = logSoftmax(logits).data;
  let nll = 0;
  let correct = 0;
  let count = 0;
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < lengths[b]!; s++) {
      const row = (b * T + s) * C;
      const y = tags[b * T + s]!;
      let best = 0;
      for (let c = 1; c < C; c++) if (lp[row + c]! > lp[row + best]!) best = c;
      if (best === y) correct++;
      nll -= lp[row + y]!;
      count++;
    }
  }
  return { nll, correct, count };
}

export function evaluate(model: SequenceModel, ds: Dataset, task: TaskKind, opts: EvaluateOptions = {}): Evaluation {
  const batches = makeBatches(ds, { batchSize: opts.batchSize ?? 128, bucketByLength: true });
  let lossSum = 0;
  let lossWeight = 0;
  const probs: number[] = [];
  const truth: number[] = [];
  const indices: number[] = [];
  let width = 0;
  let stepCorrect = 0;
  let stepCount = 0;
  let nllSum = 0;
  batches.forEach((b, bi) => {
    const out = model.predict(batchInput(model, b), { batchSize: b.size });
    const l = taskLoss(task, out, b, opts.loss);
    const t = outputTensor(out);
    if (task === 'classification' || task === 'regression') {
      lossSum += l.loss * b.size;
      lossWeight += b.size;
      width = t.shape[1]!;
      const rows = task === 'classification' ? logSoftmax(t).data.map(Math.exp) : t.data;
      for (let i = 0; i < rows.length; i++) probs.push(rows[i]!);
      if (task === 'classification') for (const y of b.labels!) truth.push(y);
      else for (const v of b.values!) truth.push(v);
      for (const i of b.indices) indices.push(i);
    } else {
      // per-step: accuracy and mean negative log-likelihood over real steps
      const sc = scoreSteps(t, b.lengths, b.tags!);
      const real = sc.count;
      stepCorrect += sc.correct;
      nllSum += sc.nll;
      stepCount += real;
      lossSum += l.loss * real;
      lossWeight += real;
    }
    opts.onProgress?.({ task: 'evaluate', done: bi + 1, total: batches.length });
  });
  const loss = lossWeight > 0 ? lossSum / lossWeight : NaN;
  const metrics: Metrics = { loss };
  if (task === 'classification') {
    const y = Int32Array.from(truth);
    const rep = classificationReport(y, { values: probs, numClasses: width });
    metrics.accuracy = rep.accuracy;
    metrics.balancedAccuracy = rep.balancedAccuracy;
    metrics.f1 = rep.precisionRecallF1.macro.f1;
    metrics.f1Weighted = rep.precisionRecallF1.weighted.f1;
    metrics.precision = rep.precisionRecallF1.macro.precision;
    metrics.recall = rep.precisionRecallF1.macro.recall;
    metrics.logLoss = rep.logLoss;
    if (rep.rocAuc !== null) metrics.rocAuc = rep.rocAuc;
  } else if (task === 'regression') {
    metrics.rmse = rootMeanSquaredError(truth, probs);
    metrics.mae = meanAbsoluteError(truth, probs);
    if (truth.length > 1) metrics.r2 = r2Score(truth, probs).value;
  } else {
    const nll = stepCount > 0 ? nllSum / stepCount : NaN;
    metrics.stepAccuracy = stepCount > 0 ? stepCorrect / stepCount : NaN;
    if (task === 'language-model') {
      metrics.bpc = nll / Math.LN2;
      metrics.perplexity = Math.exp(nll);
    }
  }
  const result: Evaluation = { loss, metrics };
  if (opts.keepPredictions && (task === 'classification' || task === 'regression')) {
    result.predictions = { indices: Int32Array.from(indices), outputs: Float64Array.from(probs), width, truth: Float64Array.from(truth) };
  }
  return result;
}
