/**
 * Layer attribution: attributions to the OUTPUT of any layer (embedding vectors, a recurrent
 * layer's step outputs or final state, a dense layer), treating that output as the input of the
 * rest of the network (as Captum's LayerIntegratedGradients / LayerGradientXActivation):
 *
 *   integrated-gradients   A = (a − a₀) ⊙ Σ_k w_k ∂F/∂a (a₀ + α_k (a − a₀))
 *                          delta = Σ A − (F(a) − F(a₀))   (completeness gap, per sequence)
 *   gradient-x-activation  A = a ⊙ ∂F/∂a
 *
 * a₀ is zeros, a constant, or (embedding layer) a token's embedding at every valid step. Note the
 * derivative only follows the layer's output forward: a recurrent layer's own later steps are
 * upstream of the cut and do not move (hidden.ts gives the total derivative on every h_t).
 *
 * Shapes: [B, T, H] when the layer outputs sequences (`perStep` [B, T] sums over H; for the
 * embedding this is the token-level attribution), else [B, 1, H]. Padded steps are 0.
 */
import { ArgumentError, checkInt } from '../../core/errors.js';
import { Tensor, allocFloat, dtypeOf, type DType, type FloatArray } from '../../core/tensor.js';
import type { Flow, Layer, LayerInput, SeqBatch } from '../../nn/layer.js';
import { isSeqBatch } from '../../nn/layer.js';
import type { ModelInput, SequenceModel } from '../../nn/model.js';
import { pathPoints } from '../methods/quadrature.js';
import type { IntegrationRule, Progress, ResolvedTarget, Target } from '../types.js';
import { resolveSeed, seedGradient, seedValues, type Seed } from './seed.js';

export interface LayerAttributionOptions {
  /** Name of the layer whose output is attributed. */
  layer: string;
  target: Target;
  /** Default 'integrated-gradients'. */
  method?: 'integrated-gradients' | 'gradient-x-activation';
  /** IG path points; default 50. */
  steps?: number;
  /** Called after each IG path point. */
  onProgress?: (p: Progress) => void;
  /** Default 'gauss-legendre'. */
  rule?: IntegrationRule;
  /** Activation baseline; default 'zeros'. A token id only for an embedding layer. */
  baseline?: 'zeros' | number | { kind: 'token'; id: number };
}

export interface LayerAttributionResult {
  layer: string;
  /** [B, T, H] (sequence output) or [B, 1, H]. */
  attributions: Float64Array;
  batch: number;
  steps: number;
  features: number;
  lengths: Int32Array;
  /** Σ over features per step [B, T] (token level for an embedding layer). */
  perStep: Float64Array;
  targets: ResolvedTarget[];
  /** F(x). */
  outputs: Float64Array;
  /** IG: F at the baseline activation and the completeness gap per sequence. */
  baselineOutputs?: Float64Array;
  delta?: Float64Array;
}

const WHERE = 'layerAttribution';

function runLayers(
  layers: readonly Layer[],
  x: LayerInput,
  model: SequenceModel,
): { out: Flow; saved: unknown[] } {
  let cur: LayerInput = x;
  const saved: unknown[] = [];
  for (const l of layers) {
    const r = l.forward(cur, { backend: model.backend, training: false, trace: false });
    saved.push(r.saved);
    cur = r.output;
  }
  return { out: cur as Flow, saved };
}

/** F and ∂F/∂a for the activation `a` of the cut, through the layers after it. */
function downstream(
  model: SequenceModel,
  after: readonly Layer[],
  a: Flow,
  seed: Seed,
  origin: Int32Array,
): { values: Float64Array; grad: Flow } {
  const { out, saved } = runLayers(after, a, model);
  let g: Flow = seedGradient(out, seed, origin);
  for (let i = after.length - 1; i >= 0; i--) {
    const r = after[i]!.backward(g, saved[i], {
      backend: model.backend,
      wantInputGrad: true,
      paramGrads: false,
    });
    g = r.gradInput!;
  }
  return { values: seedValues(out, seed, origin), grad: g };
}

function toDtype(data: ArrayLike<number>, dtype: DType): FloatArray {
  const d = allocFloat(dtype, data.length);
  d.set(data);
  return d;
}

function like(a: Flow, data: Float64Array, dtype: DType): Flow {
  const d = toDtype(data, dtype);
  return a instanceof Tensor ? new Tensor(a.shape, d) : { ...(a as SeqBatch), data: d };
}

/** a₀ shaped like the activation (zeros at padding). */
function baselineOf(
  layer: Layer,
  a: Flow,
  spec: LayerAttributionOptions['baseline'],
): Float64Array {
  const out = new Float64Array(a.data.length);
  if (spec === undefined || spec === 'zeros') return out;
  let row: (j: number) => number;
  if (typeof spec === 'number') {
    if (!Number.isFinite(spec))
      throw new ArgumentError(WHERE, 'baseline', 'a finite constant', String(spec));
    row = () => spec;
  } else if (spec && spec.kind === 'token' && layer.kind === 'embedding') {
    checkInt(WHERE, 'baseline.id', spec.id, 0, layer.inputFeatures - 1);
    const table = layer.parameters()[0]!.value;
    row = (j) => table[spec.id * layer.outputFeatures + j]!;
  } else {
    throw new ArgumentError(
      WHERE,
      'baseline',
      "'zeros', a number, or { kind: 'token', id } for an embedding layer",
      JSON.stringify(spec),
    );
  }
  const F = isSeqBatch(a) ? a.features : a.shape[1]!;
  const rows = a.data.length / F;
  for (let r = 0; r < rows; r++) {
    if (isSeqBatch(a)) {
      const b = Math.floor(r / a.steps);
      if (r % a.steps >= a.lengths[b]!) continue;
    }
    for (let j = 0; j < F; j++) out[r * F + j] = row(j);
  }
  return out;
}

export function layerAttribution(
  model: SequenceModel,
  input: ModelInput,
  opts: LayerAttributionOptions,
): LayerAttributionResult {
  const k = model.layers.findIndex((l) => l.name === opts.layer);
  if (k < 0) model.layer(opts.layer); // throws the ArgumentError listing the layer names
  const method = opts.method ?? 'integrated-gradients';
  if (method !== 'integrated-gradients' && method !== 'gradient-x-activation')
    throw new ArgumentError(
      WHERE,
      'method',
      "'integrated-gradients' or 'gradient-x-activation'",
      String(method),
    );
  const n = opts.steps ?? 50;
  checkInt(WHERE, 'steps', n, 1);
  const { alphas, weights } = pathPoints(opts.rule ?? 'gauss-legendre', n);
  const dtype = model.backend.dtype;
  // Numeric input in the other float type is converted once, as SequenceModel.forward does.
  const x: LayerInput =
    isSeqBatch(input) && dtypeOf(input.data) !== dtype
      ? { ...input, data: toDtype(input.data, dtype) }
      : input;
  const a = runLayers(model.layers.slice(0, k + 1), x, model).out; // [B, T, H] or [B, H]
  const after = model.layers.slice(k + 1);
  const B = input.batch;
  const origin = Int32Array.from({ length: B }, (_, b) => b);
  const outFull = runLayers(after, a, model).out;
  const seed = resolveSeed(WHERE, model, outFull, opts.target, input.lengths);
  const av = Float64Array.from(a.data);
  const attributions = new Float64Array(av.length);
  let res: Partial<LayerAttributionResult> = {};
  if (method === 'gradient-x-activation') {
    const { values, grad } = downstream(model, after, a, seed, origin);
    for (let i = 0; i < av.length; i++) attributions[i] = av[i]! * grad.data[i]!;
    res.outputs = values;
  } else {
    const a0 = baselineOf(model.layers[k]!, a, opts.baseline);
    const sumGrad = new Float64Array(av.length);
    const point = new Float64Array(av.length);
    for (let p = 0; p < n; p++) {
      for (let i = 0; i < av.length; i++) point[i] = a0[i]! + alphas[p]! * (av[i]! - a0[i]!);
      const { grad } = downstream(model, after, like(a, point, dtype), seed, origin);
      for (let i = 0; i < av.length; i++) sumGrad[i] += weights[p]! * grad.data[i]!;
      opts.onProgress?.({ done: p + 1, total: n });
    }
    for (let i = 0; i < av.length; i++) attributions[i] = (av[i]! - a0[i]!) * sumGrad[i]!;
    const fx = seedValues(outFull, seed, origin);
    const f0 = seedValues(runLayers(after, like(a, a0, dtype), model).out, seed, origin);
    res = { outputs: fx, baselineOutputs: f0 };
  }
  const seq = isSeqBatch(a);
  const T = seq ? a.steps : 1;
  const H = seq ? a.features : a.shape[1]!;
  if (seq)
    for (let b = 0; b < B; b++) attributions.fill(0, (b * T + a.lengths[b]!) * H, (b + 1) * T * H);
  const perStep = new Float64Array(B * T);
  for (let r = 0; r < B * T; r++)
    for (let j = 0; j < H; j++) perStep[r] += attributions[r * H + j]!;
  const result: LayerAttributionResult = {
    layer: opts.layer,
    attributions,
    batch: B,
    steps: T,
    features: H,
    lengths: seq ? a.lengths : Int32Array.from({ length: B }, () => 1),
    perStep,
    targets: seed.targets,
    outputs: res.outputs!,
  };
  if (res.baselineOutputs) {
    result.baselineOutputs = res.baselineOutputs;
    result.delta = Float64Array.from({ length: B }, (_, b) => {
      let s = 0;
      for (let i = 0; i < T * H; i++) s += attributions[b * T * H + i]!;
      return s - (res.outputs![b]! - res.baselineOutputs![b]!);
    });
  }
  return result;
}
