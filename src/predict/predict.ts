/**
 * Prediction from a loaded model and parsed input: probabilities for classifiers (softmax of the
 * logits; `logits: true` keeps the raw scores), values for regressors, per-step probabilities for
 * tagging and language models (real steps only).
 */
import { Tensor } from '../core/tensor.js';
import type { SequenceModel } from '../nn/model.js';
import { softmax } from '../train/losses/index.js';
import type { TaskKind } from '../train/tasks.js';
import type { ParsedInput } from './input-file.js';

export interface PredictOptions {
  task?: TaskKind;
  logits?: boolean;
  batchSize?: number;
}

/** Nested arrays: [B][outputs] for row outputs, [B][steps][outputs] for per-step outputs. */
export function predictOutputs(model: SequenceModel, input: ParsedInput, opts: PredictOptions = {}): number[][] | number[][][] {
  const out = model.predict(input, { batchSize: opts.batchSize ?? 256 });
  const probs = !opts.logits && (opts.task === 'classification' || opts.task === 'tagging' || opts.task === 'language-model');
  if (out instanceof Tensor) {
    const t = probs ? softmax(out) : out;
    const [B, C] = t.shape as [number, number];
    return Array.from({ length: B }, (_, b) => Array.from(t.data.subarray(b * C, (b + 1) * C)));
  }
  const t3 = new Tensor([out.batch, out.steps, out.features], out.data);
  const t = probs ? softmax(t3) : t3;
  const C = out.features;
  return Array.from({ length: out.batch }, (_, b) =>
    Array.from({ length: out.lengths[b]! }, (_, s) => Array.from(t.data.subarray((b * out.steps + s) * C, (b * out.steps + s + 1) * C))),
  );
}
