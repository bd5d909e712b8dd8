/**
 * Certified output bounds of a SequenceModel for one input sequence and a perturbation set:
 * per-output lower/upper bounds, margin bounds between the predicted class and every other one,
 * and `certified` (every margin's lower bound > 0: no point of the set changes the prediction).
 *
 * Margins are bounded DIRECTLY: the back-substitution starts from C·z with C's row j = e_pred − e_j,
 * so correlated errors cancel (much tighter than lower_pred − upper_j); the interval difference is
 * also computed and the larger lower bound kept.
 *
 * What is guaranteed: see docs/certification.md (exact real network and its float64 forward pass).
 */
import { ArgumentError, RnnlensError, describe } from '../../core/errors.js';
import type { EmbeddingLayer } from '../../nn/embedding.js';
import type { SequenceModel } from '../../nn/model.js';
import { BoundGraph, type LFlow } from './layers/graph.js';
import { ruleFor } from './layers/registry.js';
import {
  concretizeRegion,
  ballRegion,
  substitutionRegion,
  type Perturbation,
  type Region,
} from './perturbation.js';
import {
  backSubstitute,
  checkMethod,
  propagate,
  type Method,
  type ProgressInfo,
  type Propagation,
} from './propagate.js';
import { addUp, subDown } from './rounding.js';
import { alphaRefine } from './alpha.js';

/** One input sequence: numeric frames [T·D] (row-major by step), or token ids. */
export type CertifyInput =
  | { kind: 'numeric'; data: ArrayLike<number>; steps: number }
  | { kind: 'tokens'; ids: ArrayLike<number> };

export interface CertifyOptions {
  method?: Method;
  /**
   * Back-substitute intermediate bounds through at most this many steps (then use the boxes of
   * older states): O(T·window) instead of O(T²), somewhat looser. Default: all steps.
   */
  window?: number;
  onProgress?: (p: ProgressInfo) => void;
}

export interface CertifyResult {
  method: Method;
  /** The float64 model output at the unperturbed input. */
  output: Float64Array;
  prediction: number;
  lower: Float64Array;
  upper: Float64Array;
  /** Bounds of output[prediction] − output[j] (0 at j = prediction). */
  marginLower: Float64Array;
  marginUpper: Float64Array;
  certified: boolean;
  seconds: number;
}

/** The model on the float64 reference backend (certification evaluates in float64). */
export function float64Model(model: SequenceModel): SequenceModel {
  return model.backend.dtype === 'float64' ? model : model.to('ts64');
}

export function inputSteps(input: CertifyInput): number {
  return input.kind === 'numeric' ? input.steps : input.ids.length;
}

/** Unrolls the model over T steps into a bound graph on the flat (embedded) input vector. */
export function buildGraph(
  model: SequenceModel,
  T: number,
): { graph: BoundGraph; output: LFlow; features: number } {
  const tokens = model.inputSpec.kind === 'tokens';
  const F = tokens ? model.layers[0]!.outputFeatures : model.layers[0]!.inputFeatures;
  const graph = new BoundGraph(T * F);
  let flow: LFlow = {
    kind: 'seq',
    steps: Array.from({ length: T }, (_, t) => {
      graph.step = t;
      return graph.input(t * F, F, `input[${t}]`);
    }),
  };
  graph.step = -1;
  for (const layer of model.layers) flow = ruleFor(layer.kind, layer.name)(layer, flow, graph);
  return { graph, output: flow, features: F };
}

/** The input region of a perturbation around an input (in embedding space for token models). */
export function regionFor(model: SequenceModel, input: CertifyInput, p: Perturbation): Region {
  if (!p || typeof p !== 'object')
    throw new ArgumentError('certify', 'perturbation', 'a ball or substitution set', describe(p));
  if (model.inputSpec.kind === 'numeric') {
    if (input.kind !== 'numeric')
      throw new ArgumentError(
        'certify',
        'input',
        'numeric frames (the model takes numbers)',
        'token ids',
      );
    const D = model.inputSpec.features;
    if (!Number.isInteger(input.steps) || input.steps < 1 || input.data.length !== input.steps * D)
      throw new ArgumentError(
        'certify',
        'input.data',
        `steps·${D} values with steps ≥ 1`,
        `${input.data.length} values for ${input.steps} steps`,
      );
    if (p.kind !== 'ball')
      throw new ArgumentError(
        'certify',
        'perturbation.kind',
        "'ball' for a numeric model (substitutions need tokens)",
        describe(p.kind),
      );
    return ballRegion(input.data, input.steps, D, p);
  }
  if (input.kind !== 'tokens')
    throw new ArgumentError(
      'certify',
      'input',
      'token ids (the model takes tokens)',
      'numeric frames',
    );
  const emb = model.layers[0] as EmbeddingLayer;
  const E = emb.outputFeatures;
  const V = emb.inputFeatures;
  const T = input.ids.length;
  if (T < 1) throw new ArgumentError('certify', 'input.ids', 'at least one token', '0 tokens');
  const table = emb.embeddings.value;
  if (p.kind === 'substitution') return substitutionRegion(input.ids, table, E, p);
  const centre = new Float64Array(T * E);
  for (let t = 0; t < T; t++) {
    const id = input.ids[t]!;
    if (!Number.isInteger(id) || id < 0 || id >= V)
      throw new ArgumentError(
        'certify',
        `input.ids[${t}]`,
        `a token id in [0, ${V})`,
        describe(id),
      );
    for (let e = 0; e < E; e++) centre[t * E + e] = table[id * E + e]!;
  }
  return ballRegion(centre, T, E, p);
}

/** The float64 outputs for a batch of flat input vectors [B·T·F] (embedded for token models). */
export function evaluateFlat(
  m64: SequenceModel,
  xs: Float64Array,
  B: number,
  T: number,
  F: number,
): Float64Array {
  const out = m64.predict(
    { data: xs, batch: B, steps: T, features: F, lengths: new Int32Array(B).fill(T) },
    { embedded: m64.inputSpec.kind === 'tokens' },
  );
  return Float64Array.from(out.data);
}

/** Node ids of the output values (one node, or one per step for a per-step head). */
export function outputNodes(out: LFlow): number[] {
  return out.kind === 'flat' ? [out.node] : out.steps;
}

/** Bounds of every model output over the region; the Propagation is kept for margins. */
export function boundOutputs(
  model: SequenceModel,
  region: Region,
  opts: CertifyOptions = {},
): { lower: Float64Array; upper: Float64Array; prop: Propagation; output: LFlow } {
  const method = checkMethod('certify', opts.method ?? 'crown');
  const { graph, output } = buildGraph(model, region.steps);
  const prop = propagate(graph, region, {
    method: method === 'alpha' ? 'crown' : method,
    onProgress: opts.onProgress,
    window: opts.window,
  });
  const nodes = outputNodes(output);
  const parts = nodes.map((id) => {
    let box = prop.boxes[id]!;
    if (method !== 'ibp') {
      const lin = concretizeRegion(backSubstitute(prop, id), region);
      box = intersectBox(box, lin);
      if (method === 'alpha') box = intersectBox(box, alphaRefine(prop, id));
    }
    return box;
  });
  const lower = Float64Array.from(parts.flatMap((b) => Array.from(b.lo)));
  const upper = Float64Array.from(parts.flatMap((b) => Array.from(b.hi)));
  return { lower, upper, prop, output };
}

function intersectBox(
  a: { lo: Float64Array; hi: Float64Array },
  b: { lo: Float64Array; hi: Float64Array },
) {
  return {
    lo: a.lo.map((v, i) => Math.max(v, b.lo[i]!)),
    hi: a.hi.map((v, i) => Math.min(v, b.hi[i]!)),
  };
}

/** Certifies the model's prediction at `input` against every point of `perturbation`. */
export function certify(
  model: SequenceModel,
  input: CertifyInput,
  perturbation: Perturbation,
  opts: CertifyOptions = {},
): CertifyResult {
  const t0 = performance.now();
  const method = checkMethod('certify', opts.method ?? 'crown');
  const m64 = float64Model(model);
  const region = regionFor(m64, input, perturbation);
  // α optimises what decides the verdict, the margins; the logit bounds stay CROWN's (each
  // optimised row costs a certification of its planes)
  const bounds = boundOutputs(m64, region, {
    ...opts,
    method: method === 'alpha' ? 'crown' : method,
  });
  return marginCertificate(m64, region, bounds, method, t0);
}

/** Prediction, margin bounds and the verdict from output bounds already computed. */
export function marginCertificate(
  m64: SequenceModel,
  region: Region,
  bounds: ReturnType<typeof boundOutputs>,
  method: Method,
  t0 = performance.now(),
): CertifyResult {
  const { lower, upper, prop, output } = bounds;
  if (output.kind !== 'flat')
    throw new RnnlensError(
      "certify: margins need a model with one output vector (its head is 'every'); use boundOutputs for per-step bounds",
    );
  const y = evaluateFlat(m64, region.centre, 1, region.steps, region.features);
  let pred = 0;
  for (let k = 1; k < y.length; k++) if (y[k]! > y[pred]!) pred = k;
  const C = y.length;
  const marginLower = new Float64Array(C);
  const marginUpper = new Float64Array(C);
  for (let j = 0; j < C; j++) {
    if (j === pred) continue;
    marginLower[j] = subDown(lower[pred]!, upper[j]!);
    marginUpper[j] = addUp(upper[pred]!, -lower[j]!);
  }
  if (method !== 'ibp' && C > 1) {
    const others = Array.from({ length: C }, (_, j) => j).filter((j) => j !== pred);
    const A = new Float64Array(others.length * C);
    others.forEach((j, r) => {
      A[r * C + pred] = 1;
      A[r * C + j] = -1;
    });
    const lin = concretizeRegion(
      backSubstitute(prop, output.node, { rows: others.length, A }),
      region,
    );
    const alpha =
      method === 'alpha'
        ? alphaRefine(prop, output.node, { rows: others.length, A }, { lowerOnly: true })
        : null;
    others.forEach((j, r) => {
      marginLower[j] = Math.max(marginLower[j]!, lin.lo[r]!, alpha ? alpha.lo[r]! : -Infinity);
      marginUpper[j] = Math.min(marginUpper[j]!, lin.hi[r]!, alpha ? alpha.hi[r]! : Infinity);
    });
  }
  const certified = C > 1 ? marginLower.every((v, j) => j === pred || v > 0) : false;
  return {
    method,
    output: y,
    prediction: pred,
    lower,
    upper,
    marginLower,
    marginUpper,
    certified,
    seconds: (performance.now() - t0) / 1000,
  };
}
