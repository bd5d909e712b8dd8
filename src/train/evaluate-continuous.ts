/**
 * Continuous ("stateful") evaluation of a language model over the consecutive windows of one
 * text, the way character-LM bits per character are usually reported: every window starts from
 * the recurrent state the previous window ended in, so each character is predicted from all the
 * text before it instead of only from the start of its window.
 *
 * The windows are split into `streams` contiguous runs evaluated side by side (./streams.ts); a
 * run restarts from a zero state only at its first window and where the text is not contiguous.
 * Carrying the state this way gives the same numbers as running each run as one long sequence
 * (tested). `evaluate` instead starts every window from a zero state.
 */
import { ArgumentError } from '../core/errors.js';
import type { ProgressCallback } from '../core/progress.js';
import { collate } from '../data/batching.js';
import type { Dataset } from '../data/dataset.js';
import type { SequenceModel } from '../nn/model.js';
import { scoreSteps } from './evaluate.js';
import { checkForwardOnly, finalStates, initialStates, planStreams, type CarriedStates } from './streams.js';
import { batchInput, outputTensor } from './tasks.js';

export interface ContinuousOptions {
  /** Runs evaluated side by side (the batch size); default 32. */
  streams?: number;
  onProgress?: ProgressCallback;
}

export interface ContinuousEvaluation {
  /** bits per character (per token) over every target of the dataset */
  bpc: number;
  perplexity: number;
  /** mean negative log-likelihood, nats */
  loss: number;
  stepAccuracy: number;
  /** targets scored */
  steps: number;
  /** windows that started from a zero state (run starts and breaks in the text) */
  restarts: number;
}

export function evaluateContinuous(
  model: SequenceModel,
  ds: Dataset,
  opts: ContinuousOptions = {},
): ContinuousEvaluation {
  const where = 'evaluateContinuous';
  if (ds.target !== 'tags')
    throw new ArgumentError(where, 'dataset', 'per-step targets (a language-model dataset)', `target '${ds.target}'`);
  const plan = planStreams(where, ds, opts.streams ?? 32);
  checkForwardOnly(where, model);
  let carried: CarriedStates | null = null;
  let nll = 0;
  let correct = 0;
  let count = 0;
  let restarts = 0;
  plan.steps.forEach((idx, k) => {
    const fresh = plan.fresh[k]!;
    restarts += fresh.filter(Boolean).length;
    const batch = collate(ds, idx);
    const { output, finalStates: finals } = model.forward(batchInput(model, batch), {
      finalStates: true,
      initialStates: initialStates(carried, fresh),
    });
    const sc = scoreSteps(outputTensor(output), batch.lengths, batch.tags!);
    nll += sc.nll;
    correct += sc.correct;
    count += sc.count;
    carried = finalStates(where, finals ?? [], idx.length);
    opts.onProgress?.({ task: 'evaluate (continuous)', done: k + 1, total: plan.steps.length });
  });
  const loss = nll / count;
  return { bpc: loss / Math.LN2, perplexity: Math.exp(loss), loss, stepAccuracy: correct / count, steps: count, restarts };
}
