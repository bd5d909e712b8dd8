/**
 * The output-side seed of the layer attributions: for each sequence the explained output (a logit
 * or regression output, possibly at a step), as a one-hot gradient shaped like the model's output,
 * and the explained value read off an output.
 */
import { ArgumentError } from '../../core/errors.js';
import { Tensor } from '../../core/tensor.js';
import type { Flow, SeqBatch } from '../../nn/layer.js';
import type { SequenceModel } from '../../nn/model.js';
import type { ResolvedTarget, Target } from '../types.js';
import { resolveTargets } from '../lrp/target.js';

/** Where each sequence's explained value sits in the flat output (per row of a batch). */
export interface Seed {
  targets: ResolvedTarget[];
  /** Flat offset of the explained value within one sequence's output block. */
  offsets: Int32Array;
}

export function resolveSeed(
  where: string,
  model: SequenceModel,
  out: Flow,
  target: Target,
  lengths: Int32Array,
): Seed {
  const B = lengths.length;
  const targets = resolveTargets(where, target, B, lengths);
  const K = model.outputFeatures;
  const seq = !(out instanceof Tensor);
  const offsets = new Int32Array(B);
  targets.forEach((t, b) => {
    if (t.kind === 'hidden')
      throw new ArgumentError(
        where,
        'target',
        "an 'output' or 'step' target",
        "kind 'hidden' (use neuronAttribution)",
      );
    if (!Number.isInteger(t.index) || t.index < 0 || t.index >= K)
      throw new ArgumentError(
        where,
        `target (sequence ${b})`,
        `an output index in [0, ${K - 1}]`,
        String(t.index),
      );
    if (!seq) {
      if (t.kind === 'step')
        throw new ArgumentError(
          where,
          `target (sequence ${b})`,
          "an 'output' target (the model outputs one row per sequence)",
          "kind 'step'",
        );
      offsets[b] = t.index;
      return;
    }
    const step = t.step ?? lengths[b]! - 1;
    if (!Number.isInteger(step) || step < 0 || step >= lengths[b]!)
      throw new ArgumentError(
        where,
        `target step (sequence ${b})`,
        `a step in [0, ${lengths[b]! - 1}]`,
        String(step),
      );
    offsets[b] = step * K + t.index;
  });
  return { targets, offsets };
}

/** One-hot gradient shaped like `out` for rows whose sequence is origin[r]. */
export function seedGradient(out: Flow, seed: Seed, origin: Int32Array): Flow {
  const g = new Float64Array(out.data.length);
  const block = out.data.length / origin.length;
  origin.forEach((b, r) => (g[r * block + seed.offsets[b]!] = 1));
  const data = out.data instanceof Float64Array ? g : Float32Array.from(g);
  if (out instanceof Tensor) return new Tensor(out.shape, data);
  return { ...(out as SeqBatch), data };
}

/** The explained value of each row. */
export function seedValues(out: Flow, seed: Seed, origin: Int32Array): Float64Array {
  const block = out.data.length / origin.length;
  return Float64Array.from(origin, (b, r) => out.data[r * block + seed.offsets[b]!]!);
}
