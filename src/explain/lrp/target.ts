/**
 * Targets for the propagation passes (LRP, DeepLIFT), which walk a float64 re-run of one sequence
 * (unroll.ts) rather than calling the model: resolving a user `Target` per sequence and reading the
 * explained score off the re-run output. Outputs (class logits / regression outputs, possibly at a
 * step) and hidden units (hidden-target.ts) are explained; a softmax probability is no score to
 * redistribute, so it is a clear error here (gradient methods handle it).
 */
import { ArgumentError } from '../../core/errors.js';
import type { ResolvedTarget, Target } from '../types.js';
import type { Act } from './unroll.js';

function pick(v: number | readonly number[], b: number): number {
  return typeof v === 'number' ? v : v[b]!;
}

/** One resolved target per sequence (output and step targets only). */
export function resolveTargets(
  where: string,
  target: Target,
  batch: number,
  lengths: Int32Array,
): ResolvedTarget[] {
  if (Array.isArray(target) && target.length !== batch)
    throw new ArgumentError(
      where,
      'target',
      `${batch} indices (one per sequence)`,
      `${target.length}`,
    );
  const out: ResolvedTarget[] = [];
  for (let b = 0; b < batch; b++) {
    if (typeof target === 'number' || Array.isArray(target)) {
      out.push({ kind: 'output', index: pick(target as number | number[], b) });
      continue;
    }
    const t = target as Exclude<Target, number | readonly number[]>;
    if (t.kind === 'hidden') {
      out.push(
        t.direction
          ? { kind: 'hidden', index: t.unit, layer: t.layer, direction: t.direction }
          : { kind: 'hidden', index: t.unit, layer: t.layer },
      );
      continue;
    }
    if (t.probability)
      throw new ArgumentError(
        where,
        'target',
        'a target on logits or hidden units (a softmax probability has no relevance to redistribute)',
        'probability: true',
      );
    if (t.kind === 'output') out.push({ kind: 'output', index: pick(t.index, b) });
    else {
      const s = t.step === undefined || t.step === 'last' ? lengths[b]! - 1 : pick(t.step, b);
      out.push({ kind: 'step', index: pick(t.index, b), step: s });
    }
  }
  return out;
}

/** Flat index of the explained value in one sequence's output, after range checks. */
export function targetIndex(where: string, output: Act, t: ResolvedTarget, b: number): number {
  if (t.kind === 'hidden' || t.probability)
    throw new ArgumentError(
      where,
      `target (sequence ${b})`,
      'an output or step target on logits',
      `kind '${t.kind}'${t.probability ? ' with probability' : ''}`,
    );
  const K = output.features;
  if (!Number.isInteger(t.index) || t.index < 0 || t.index >= K)
    throw new ArgumentError(
      where,
      `target (sequence ${b})`,
      `an output index in [0, ${K - 1}]`,
      String(t.index),
    );
  if (output.steps === null) {
    if (t.kind === 'step')
      throw new ArgumentError(
        where,
        `target (sequence ${b})`,
        "an 'output' target (the model outputs one row per sequence)",
        "kind 'step'",
      );
    return t.index;
  }
  const step = t.kind === 'step' && t.step !== undefined ? t.step : output.steps - 1;
  if (!Number.isInteger(step) || step < 0 || step >= output.steps)
    throw new ArgumentError(
      where,
      `target step (sequence ${b})`,
      `a step in [0, ${output.steps - 1}] (the sequence's valid steps)`,
      String(step),
    );
  return step * K + t.index;
}
