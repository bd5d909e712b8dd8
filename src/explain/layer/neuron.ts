/**
 * Neuron attribution: how the input drives ONE hidden unit of a recurrent layer at one step,
 *
 *   gradient[b, s, f]    = ∂h_t[unit] / ∂x[s, f]        (x: numeric input, or embedding vectors)
 *   attribution[b, s, f] = x[s, f] · gradient[b, s, f]  (method 'input-x-gradient')
 *
 * computed by injecting a one-hot gradient on h_t[unit] into the model's backward pass. `step` is
 * an input position (default: the direction's final state: len − 1 forward, 0 backward). Shapes
 * [B, T, F] (token models: F = E, plus `perToken` [B, T] summed over the embedding); padding 0.
 */
import { ArgumentError, checkInt } from '../../core/errors.js';
import { Tensor } from '../../core/tensor.js';
import type { Direction, Flow } from '../../nn/layer.js';
import { isTokenBatch } from '../../nn/layer.js';
import type { ModelInput, SequenceModel } from '../../nn/model.js';
import { BidirectionalLayer } from '../../nn/bidirectional.js';
import { RecurrentLayer } from '../../nn/recurrent.js';
import { embedTokens } from '../baselines.js';

export interface NeuronOptions {
  /** A recurrent (or bidirectional) layer's name. */
  layer: string;
  unit: number;
  /** Default 'forward'; 'backward' for the backward half of a bidirectional layer or goBackwards. */
  direction?: Direction;
  /** Input position, one for all sequences or one per sequence; default the final state. */
  step?: number | readonly number[];
  /** Default 'gradient'. */
  method?: 'gradient' | 'input-x-gradient';
}

export interface NeuronResult {
  /** [B, T, F]: the gradient, or input × gradient. */
  attributions: Float64Array;
  /** Token models: Σ over the embedding [B, T]. */
  perToken?: Float64Array;
  /** h_t[unit] per sequence. */
  values: Float64Array;
  steps: Int32Array;
  batch: number;
  stepsPerSequence: number;
  features: number;
}

function layerInfo(model: SequenceModel, name: string, direction: Direction): { units: number } {
  const l = model.layer(name);
  if (l instanceof BidirectionalLayer) return { units: l.forwardLayer.outputFeatures };
  if (l instanceof RecurrentLayer) {
    if (l.direction !== direction)
      throw new ArgumentError(
        'neuronAttribution',
        'direction',
        `'${l.direction}' (layer '${name}' runs one direction)`,
        `'${direction}'`,
      );
    return { units: l.outputFeatures };
  }
  throw new ArgumentError(
    'neuronAttribution',
    'layer',
    'the name of a recurrent or bidirectional layer',
    `'${name}' (kind ${l.kind})`,
  );
}

export function neuronAttribution(
  model: SequenceModel,
  input: ModelInput,
  opts: NeuronOptions,
): NeuronResult {
  const where = 'neuronAttribution';
  const target = model.layer(opts.layer); // throws, listing the layer names, when unknown
  const direction =
    opts.direction ?? (target instanceof RecurrentLayer ? target.direction : 'forward');
  const { units: H } = layerInfo(model, opts.layer, direction);
  const method = opts.method ?? 'gradient';
  if (method !== 'gradient' && method !== 'input-x-gradient')
    throw new ArgumentError(where, 'method', "'gradient' or 'input-x-gradient'", String(method));
  checkInt(where, 'unit', opts.unit, 0, H - 1);
  const { batch: B, steps: T, lengths } = input;
  const steps = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const s =
      opts.step === undefined
        ? direction === 'forward'
          ? lengths[b]! - 1
          : 0
        : typeof opts.step === 'number'
          ? opts.step
          : opts.step[b];
    if (s === undefined)
      throw new ArgumentError(
        where,
        'step',
        `${B} steps (one per sequence)`,
        `${(opts.step as readonly number[]).length}`,
      );
    checkInt(where, `step (sequence ${b})`, s, 0, lengths[b]! - 1);
    steps[b] = s;
  }
  const { output, trace } = model.forward(input, { trace: true });
  const tr = trace!.find((x) => x.layer === opts.layer && x.direction === direction)!;
  const dSteps = new Float64Array(B * T * H);
  const values = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    const k = (b * T + steps[b]!) * H + opts.unit;
    dSteps[k] = 1;
    values[b] = tr.h[k]!;
  }
  const zero: Flow =
    output instanceof Tensor
      ? new Tensor(output.shape, model.backend.alloc(output.data.length))
      : { ...output, data: model.backend.alloc(output.data.length) };
  const inj = model.backend.dtype === 'float64' ? dSteps : Float32Array.from(dSteps);
  const r = model.backward(zero, {
    wantInputGrad: true,
    paramGrads: false,
    inject: { [opts.layer]: { [direction]: { dSteps: inj } } },
  });
  const tokens = isTokenBatch(input);
  const grad = (tokens ? r.embeddingGrad : r.inputGrad)!;
  const F = grad.features;
  const attributions = Float64Array.from(grad.data);
  if (method === 'input-x-gradient') {
    const x = tokens ? embedTokens(model, input) : input.data;
    for (let i = 0; i < attributions.length; i++) attributions[i] = attributions[i]! * x[i]!;
  }
  const res: NeuronResult = {
    attributions,
    values,
    steps,
    batch: B,
    stepsPerSequence: T,
    features: F,
  };
  if (tokens) {
    const perToken = new Float64Array(B * T);
    for (let i = 0; i < B * T; i++)
      for (let e = 0; e < F; e++) perToken[i] += attributions[i * F + e]!;
    res.perToken = perToken;
  }
  return res;
}
