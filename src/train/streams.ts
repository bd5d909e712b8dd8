/**
 * Consecutive windows of a text as parallel streams, for language models that carry their
 * recurrent state from one window to the next (continuous evaluation, stateful training).
 *
 * The windows (items with `meta.start`, sorted by it) are split into `streams` contiguous runs;
 * step k is the batch of the k-th window of every run that has one (always a prefix of the runs).
 * A run starts from a zero state at its first window and wherever the text is not contiguous (a
 * window that does not start where the previous one ended).
 */
import { ArgumentError, describe } from '../core/errors.js';
import type { Dataset } from '../data/dataset.js';
import type { FinalState, RecurrentState } from '../nn/layer.js';
import type { SequenceModel } from '../nn/model.js';
import type { FloatArray } from '../core/tensor.js';

export interface StreamPlan {
  /** runs of dataset positions, in text order */
  runs: Int32Array[];
  /** windows per step: steps[k] are the dataset positions of step k's batch, one per active run */
  steps: Int32Array[];
  /** per step and active run: does the run restart from a zero state here? */
  fresh: boolean[][];
}

function startOf(where: string, ds: Dataset, i: number): number {
  const s = ds.items[i]!.meta?.['start'];
  if (typeof s !== 'number' || !Number.isInteger(s))
    throw new ArgumentError(
      where,
      `dataset.items[${i}].meta.start`,
      'the integer position of the window in its text',
      describe(s),
    );
  return s;
}

/** Why a model cannot carry its state forward (no recurrent layer, a bidirectional one), or null. */
function forwardOnlyProblem(model: SequenceModel): { expected: string; received: string } | null {
  const recurrent = model.layers.filter((l) => ['lstm', 'gru', 'simple_rnn', 'bidirectional'].includes(l.kind));
  if (recurrent.length === 0) return { expected: 'a model with recurrent layers', received: 'none' };
  const bi = recurrent.find((l) => l.kind === 'bidirectional');
  if (bi) return { expected: 'forward-only recurrent layers (a state can only be carried forward)', received: `bidirectional layer '${bi.name}'` };
  return null;
}

/** Checks that a model can carry its state forward: recurrent, no bidirectional layer. */
export function checkForwardOnly(where: string, model: SequenceModel): void {
  const p = forwardOnlyProblem(model);
  if (p) throw new ArgumentError(where, 'model', p.expected, p.received);
}

/** Can the windows of `ds` be streamed through `model` (forward-only model, windows placed in their text)? */
export function streamable(model: SequenceModel, ds: Dataset): boolean {
  return (
    forwardOnlyProblem(model) === null &&
    ds.items.every((it) => Number.isInteger(it.meta?.['start']))
  );
}

export function planStreams(where: string, ds: Dataset, streams: number): StreamPlan {
  if (ds.items.length === 0) throw new ArgumentError(where, 'dataset', 'at least one window', `an empty dataset '${ds.name}'`);
  if (!Number.isInteger(streams) || streams < 1) throw new ArgumentError(where, 'streams', 'an integer >= 1', describe(streams));
  const starts = ds.items.map((_, i) => startOf(where, ds, i));
  const order = Int32Array.from(ds.items.keys()).sort((a, b) => starts[a]! - starts[b]!);
  const S = Math.min(streams, order.length);
  const per = Math.ceil(order.length / S);
  const runs: Int32Array[] = [];
  for (let s = 0; s * per < order.length; s++) runs.push(order.subarray(s * per, Math.min(order.length, (s + 1) * per)));
  const steps: Int32Array[] = [];
  const fresh: boolean[][] = [];
  for (let k = 0; k < per; k++) {
    const active = runs.filter((r) => k < r.length);
    steps.push(Int32Array.from(active, (r) => r[k]!));
    fresh.push(active.map((r) => k === 0 || starts[r[k]!] !== starts[r[k - 1]!]! + ds.items[r[k - 1]!]!.steps));
  }
  return { runs, steps, fresh };
}

/** The states a step's runs ended in: [batch, H] per recurrent layer (the next step's active runs are a prefix). */
export interface CarriedStates {
  batch: number;
  layers: Record<string, { h: FloatArray; c: FloatArray | null }>;
}

/** The initial states of a step's batch: the carried ones of its runs, zero where a run restarts. */
export function initialStates(
  carried: CarriedStates | null,
  fresh: readonly boolean[],
): Record<string, { forward: RecurrentState }> | undefined {
  if (!carried) return undefined;
  const B = fresh.length;
  const out: Record<string, { forward: RecurrentState }> = {};
  for (const [name, st] of Object.entries(carried.layers)) {
    const H = st.h.length / carried.batch;
    const trim = (a: FloatArray): FloatArray => {
      const o = a.slice(0, B * H);
      fresh.forEach((f, b) => f && o.fill(0, b * H, (b + 1) * H));
      return o;
    };
    out[name] = { forward: { h: trim(st.h), c: st.c ? trim(st.c) : null } };
  }
  return out;
}

/** The states a batch of `batch` runs ended in, from the model's final states. */
export function finalStates(where: string, finals: readonly FinalState[], batch: number): CarriedStates {
  const layers: CarriedStates['layers'] = {};
  for (const f of finals) {
    if (f.direction !== 'forward')
      throw new ArgumentError(where, 'model', 'forward-only recurrent layers', `layer '${f.layer}' runs ${f.direction}`);
    layers[f.layer] = { h: f.h, c: f.c ?? null };
  }
  return { batch, layers };
}
