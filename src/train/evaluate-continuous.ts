/**
 * Continuous ("stateful") evaluation of a language model over the consecutive windows of one
 * text, the way character-LM bits per character are usually reported: every window starts from
 * the recurrent state the previous window ended in, so each character is predicted from all the
 * text before it instead of only from the start of its window.
 *
 * The windows (items with `meta.start`, sorted by it) are split into `streams` contiguous runs
 * that are evaluated side by side as one batch; step k feeds the k-th window of every run. A run
 * restarts from a zero state only at its first window and where the text is not contiguous (a
 * window that does not start where the previous one ended). Carrying the state this way gives
 * the same numbers as running each run as one long sequence (tested). `evaluate` instead starts
 * every window from a zero state.
 */
import { ArgumentError, describe } from '../core/errors.js';
import type { ProgressCallback } from '../core/progress.js';
import { collate } from '../data/batching.js';
import type { Dataset } from '../data/dataset.js';
import type { RecurrentState } from '../nn/layer.js';
import type { SequenceModel } from '../nn/model.js';
import { scoreSteps } from './evaluate.js';
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

function startOf(ds: Dataset, i: number): number {
  const s = ds.items[i]!.meta?.['start'];
  if (typeof s !== 'number' || !Number.isInteger(s))
    throw new ArgumentError(
      'evaluateContinuous',
      `dataset.items[${i}].meta.start`,
      'the integer position of the window in its text',
      describe(s),
    );
  return s;
}

export function evaluateContinuous(
  model: SequenceModel,
  ds: Dataset,
  opts: ContinuousOptions = {},
): ContinuousEvaluation {
  const where = 'evaluateContinuous';
  if (ds.target !== 'tags')
    throw new ArgumentError(where, 'dataset', 'per-step targets (a language-model dataset)', `target '${ds.target}'`);
  if (ds.items.length === 0)
    throw new ArgumentError(where, 'dataset', 'at least one window', `an empty dataset '${ds.name}'`);
  const streams = opts.streams ?? 32;
  if (!Number.isInteger(streams) || streams < 1)
    throw new ArgumentError(where, 'streams', 'an integer >= 1', describe(streams));
  const recurrent = model.layers.filter((l) => ['lstm', 'gru', 'simple_rnn', 'bidirectional'].includes(l.kind));
  if (recurrent.length === 0)
    throw new ArgumentError(where, 'model', 'a model with recurrent layers', 'none');
  for (const l of recurrent)
    if (l.kind === 'bidirectional')
      throw new ArgumentError(where, 'model', 'forward-only recurrent layers (a state can only be carried forward)', `bidirectional layer '${l.name}'`);

  const order = Int32Array.from(ds.items.keys()).sort((a, b) => startOf(ds, a) - startOf(ds, b));
  const S = Math.min(streams, order.length);
  const per = Math.ceil(order.length / S);
  // run s owns order[s·per .. (s+1)·per); the runs that are active at step k form a prefix
  const runs = Array.from({ length: S }, (_, s) => order.subarray(s * per, Math.min(order.length, (s + 1) * per))).filter((r) => r.length > 0);

  let states: Record<string, { forward: RecurrentState }> | null = null;
  let nll = 0;
  let correct = 0;
  let count = 0;
  let restarts = 0;
  for (let k = 0; k < per; k++) {
    const active = runs.filter((r) => k < r.length);
    const idx = Int32Array.from(active, (r) => r[k]!);
    const B = idx.length;
    // zero the carried state of a run whose window does not continue the previous one
    const fresh = active.map((r) => k === 0 || startOf(ds, r[k]!) !== startOf(ds, r[k - 1]!) + ds.items[r[k - 1]!]!.steps);
    restarts += fresh.filter(Boolean).length;
    let init: Record<string, { forward: RecurrentState }> | undefined;
    if (states) {
      init = {};
      for (const [name, st] of Object.entries(states)) {
        const H = st.forward.h!.length / runs.length;
        const trim = <T extends Float32Array | Float64Array>(a: T): T => {
          const out = a.slice(0, B * H) as T;
          fresh.forEach((f, b) => f && out.fill(0, b * H, (b + 1) * H));
          return out;
        };
        init[name] = { forward: { h: trim(st.forward.h!), c: st.forward.c ? trim(st.forward.c) : null } };
      }
    }
    const batch = collate(ds, idx);
    const { output, trace } = model.forward(batchInput(model, batch), { trace: true, initialStates: init });
    const sc = scoreSteps(outputTensor(output), batch.lengths, batch.tags!);
    nll += sc.nll;
    correct += sc.correct;
    count += sc.count;
    // the state each run ends this window in, padded to all runs (inactive rows stay zero)
    const next: Record<string, { forward: RecurrentState }> = {};
    for (const tr of trace ?? []) {
      if (tr.direction !== 'forward')
        throw new ArgumentError(where, 'model', 'forward-only recurrent layers', `layer '${tr.layer}' runs ${tr.direction}`);
      const H = tr.units;
      // the backend's float type, as initial states must be
      const alloc = (n: number): Float32Array | Float64Array => (tr.h instanceof Float32Array ? new Float32Array(n) : new Float64Array(n));
      const h = alloc(runs.length * H);
      const c = tr.c ? alloc(runs.length * H) : null;
      for (let b = 0; b < B; b++) {
        const last = (b * tr.steps + tr.lengths[b]! - 1) * H;
        h.set(tr.h.subarray(last, last + H), b * H);
        if (c && tr.c) c.set(tr.c.subarray(last, last + H), b * H);
      }
      next[tr.layer] = { forward: { h, c } };
    }
    states = next;
    opts.onProgress?.({ task: 'evaluate (continuous)', done: k + 1, total: per });
  }
  const loss = nll / count;
  return { bpc: loss / Math.LN2, perplexity: Math.exp(loss), loss, stepAccuracy: correct / count, steps: count, restarts };
}
