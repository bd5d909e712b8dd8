/**
 * Attribution to every step's hidden state of every recurrent layer and direction:
 *
 *   gradient[b, t, j]    = dF/dh_t[j]   (the TOTAL derivative: through the layer's output at t
 *                                        and through all later steps of the recurrence)
 *   attribution[b, t, j] = h_t[j] · dF/dh_t[j]         (gradient × activation)
 *   perStep[b, t]        = Σ_j attribution[b, t, j]
 *
 * Shapes are [B, T, H] batch-first and indexed by INPUT position (also for backward directions);
 * padded steps are 0. F is the target output of `seed.ts` (a logit, or an output at a step).
 */
import type { Direction } from '../../nn/layer.js';
import type { ModelInput, SequenceModel } from '../../nn/model.js';
import type { ResolvedTarget, Target } from '../types.js';
import { resolveSeed, seedGradient, seedValues } from './seed.js';

export interface HiddenStateAttribution {
  layer: string;
  direction: Direction;
  batch: number;
  steps: number;
  units: number;
  lengths: Int32Array;
  /** h_t [B, T, H]. */
  activation: Float64Array;
  /** dF/dh_t [B, T, H]. */
  gradient: Float64Array;
  /** h_t ⊙ dF/dh_t [B, T, H]. */
  attribution: Float64Array;
  /** Σ over units [B, T]. */
  perStep: Float64Array;
}

export interface HiddenStateResult {
  targets: ResolvedTarget[];
  outputs: Float64Array;
  layers: HiddenStateAttribution[];
}

export function hiddenStateAttribution(
  model: SequenceModel,
  input: ModelInput,
  opts: { target: Target },
): HiddenStateResult {
  const { output, trace } = model.forward(input, { trace: true });
  const seed = resolveSeed('hiddenStateAttribution', model, output, opts.target, input.lengths);
  const origin = Int32Array.from({ length: input.batch }, (_, b) => b);
  const grads = model.backward(seedGradient(output, seed, origin), {
    paramGrads: false,
    wantStepGrads: true,
  });
  const layers = trace!.map((tr, i) => {
    const g = grads.stepGrads[i]!;
    const H = tr.units;
    const { batch: B, steps: T } = tr;
    const activation = new Float64Array(B * T * H);
    const gradient = new Float64Array(B * T * H);
    const attribution = new Float64Array(B * T * H);
    const perStep = new Float64Array(B * T);
    for (let b = 0; b < B; b++)
      for (let t = 0; t < tr.lengths[b]!; t++)
        for (let j = 0; j < H; j++) {
          const k = (b * T + t) * H + j;
          activation[k] = tr.h[k]!;
          gradient[k] = g.data[k]!;
          attribution[k] = tr.h[k]! * g.data[k]!;
          perStep[b * T + t] += attribution[k]!;
        }
    return {
      layer: tr.layer,
      direction: tr.direction,
      batch: B,
      steps: T,
      units: H,
      lengths: tr.lengths,
      activation,
      gradient,
      attribution,
      perStep,
    };
  });
  return { targets: seed.targets, outputs: seedValues(output, seed, origin), layers };
}
