/**
 * The `attribute` verb and the method registry.
 *
 * attribute(model, input, { method, target, baseline, ... }) checks its arguments, moves the input
 * into the work space (numeric features, or embedding vectors for token models), resolves the
 * target and the baseline, runs the method, then zeroes padded steps, reduces token models'
 * attributions to one value per token (tokenAttributions below), and reports F(x), the
 * completeness gap and diagnostics.
 */
import { ArgumentError, checkInt, describe } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { SeqBatch, TokenBatch } from '../nn/layer.js';
import { isSeqBatch, isTokenBatch } from '../nn/layer.js';
import { SequenceModel, type ModelInput } from '../nn/model.js';
import { expectSeq, expectTokens } from '../nn/seq.js';
import { embedTokens, resolveBaseline, zeroPadding } from './baselines.js';
import { createTargetFunction, resolveTargets } from './targets.js';
import type {
  AttributeOptions,
  AttributionContext,
  AttributionMap,
  AttributionMethod,
  AttributionResult,
  DiagnosticValue,
  ResolvedBaseline,
  TargetFunction,
} from './types.js';
import { saliency } from './methods/saliency.js';
import { inputXGradient } from './methods/input-x-gradient.js';
import { integratedGradients } from './methods/integrated-gradients.js';
import { noiseTunnel, smoothgrad } from './methods/noise-tunnel.js';
import { gradientShap } from './methods/gradient-shap.js';
import { occlusion } from './methods/occlusion.js';
import { featureAblation } from './methods/feature-ablation.js';
import { featurePermutation } from './methods/feature-permutation.js';
import { shapleySampling } from './methods/shapley-sampling.js';
import { kernelShap } from './methods/kernel-shap.js';
import { lime } from './methods/lime.js';
import { deepliftMethod } from './deeplift/deeplift.js';
import { lrpMethod } from './lrp/lrp.js';
import { tsrMethod } from './tsr.js';

const WHERE = 'attribute';
const registry = new Map<string, AttributionMethod>();

/** Adds (or replaces) a method under its name. */
export function registerMethod(method: AttributionMethod): void {
  registry.set(method.name, method);
}

/** Registered method names, sorted. */
export function listMethods(): string[] {
  return [...registry.keys()].sort();
}

export function getMethod(name: string): AttributionMethod {
  const m = registry.get(name);
  if (!m)
    throw new ArgumentError(WHERE, 'method', `one of ${listMethods().join(', ')}`, describe(name));
  return m;
}

for (const m of [
  saliency,
  inputXGradient,
  integratedGradients,
  noiseTunnel,
  smoothgrad,
  gradientShap,
  occlusion,
  featureAblation,
  featurePermutation,
  shapleySampling,
  kernelShap,
  lime,
  deepliftMethod,
  lrpMethod,
  tsrMethod,
])
  registerMethod(m);

type Work = SeqBatch & { data: Float64Array };

/** The input in the work space: a float64 copy [B, T, F] (or embedding vectors), zero at padding. */
function workInput(model: SequenceModel, input: ModelInput): { work: Work; tokens?: TokenBatch } {
  if (model.inputSpec.kind === 'tokens') {
    const tokens = expectTokens(WHERE, input);
    const data = embedTokens(model, tokens);
    const E = model.layers[0]!.outputFeatures;
    return {
      work: {
        data,
        batch: tokens.batch,
        steps: tokens.steps,
        features: E,
        lengths: tokens.lengths,
      },
      tokens,
    };
  }
  if (isTokenBatch(input))
    throw new ArgumentError(
      WHERE,
      'input',
      `a numeric sequence batch [B, T, ${model.inputSpec.features}]`,
      'token ids',
    );
  const x = expectSeq(WHERE, input, model.inputSpec.features);
  const data = zeroPadding(Float64Array.from(x.data), x, x.features);
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i]!))
      throw new ArgumentError(
        WHERE,
        'input.data',
        'finite numbers',
        `${data[i]} at flat index ${i}`,
      );
  return { work: { ...x, data } };
}

interface Shared {
  model: SequenceModel;
  inputKind: 'numeric' | 'tokens';
  tokens?: TokenBatch;
  target: TargetFunction;
  options: AttributeOptions;
  rng: Rng;
  batchSize: number;
  counters: { forwardRows: number; backwardRows: number };
}

function makeContext(
  s: Shared,
  input: Work,
  origin: Int32Array,
  baseline: ResolvedBaseline,
): AttributionContext {
  const ctx: AttributionContext = {
    ...s,
    input,
    origin,
    baseline,
    progress(done, total, message) {
      s.options.onProgress?.(message === undefined ? { done, total } : { done, total, message });
    },
    derive: (i, o, b) => makeContext(s, i, o, b),
    method: getMethod,
  };
  if (s.tokens === undefined) delete ctx.tokens;
  return ctx;
}

/** Explains `model`'s `target` on every sequence of `input` with `options.method`. */
export function attribute(
  model: SequenceModel,
  input: ModelInput,
  options: AttributeOptions,
): AttributionResult {
  const t0 = performance.now();
  if (!(model instanceof SequenceModel))
    throw new ArgumentError(WHERE, 'model', 'a SequenceModel', describe(model));
  if (!options || typeof options !== 'object')
    throw new ArgumentError(WHERE, 'options', 'an options object', describe(options));
  if (!input || typeof input !== 'object' || (!isSeqBatch(input) && !isTokenBatch(input)))
    throw new ArgumentError(WHERE, 'input', 'a SeqBatch or a TokenBatch', describe(input));
  const method = getMethod(options.method);
  const inputKind = model.inputSpec.kind;
  if (!method.inputKinds.includes(inputKind))
    throw new ArgumentError(
      WHERE,
      'method',
      `a method that applies to ${inputKind === 'tokens' ? 'token' : 'numeric'} models (${listMethods()
        .filter((n) => registry.get(n)!.inputKinds.includes(inputKind))
        .join(', ')})`,
      `'${method.name}' (for ${method.inputKinds.join('/')} input only)`,
    );
  const batchSize = options.batchSize ?? 128;
  checkInt(WHERE, 'batchSize', batchSize, 1);
  const gradientBatchSize = options.gradientBatchSize ?? 512;
  checkInt(WHERE, 'gradientBatchSize', gradientBatchSize, 1);
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed))
    throw new ArgumentError(WHERE, 'seed', 'a finite number', describe(seed));

  const { work, tokens } = workInput(model, input);
  const targets = resolveTargets(model, work.lengths, options.target);
  const counters = { forwardRows: 0, backwardRows: 0 };
  const target = createTargetFunction(model, targets, {
    embedded: inputKind === 'tokens',
    batchSize,
    gradientBatchSize,
    counters,
  });
  const baseline = resolveBaseline(model, work, inputKind, options.baseline);
  const shared: Shared = {
    model,
    inputKind,
    target,
    options,
    rng: new Rng(seed),
    batchSize,
    counters,
  };
  if (tokens) shared.tokens = tokens;
  const origin = Int32Array.from({ length: work.batch }, (_, i) => i);
  const ctx = makeContext(shared, work, origin, baseline);

  const out = method.run(ctx);
  const { batch: B, steps: T, features: F, lengths } = work;
  const attr = zeroPadding(out.attributions, work, F);
  const outputs = out.outputs ?? target.evaluate(work, origin);
  const diagnostics: Record<string, DiagnosticValue> = {
    baseline: baseline.description,
    ...(out.diagnostics ?? {}),
  };
  if (out.delta) diagnostics.maxAbsDelta = out.delta.reduce((m, d) => Math.max(m, Math.abs(d)), 0);
  diagnostics.forwardRows = counters.forwardRows;
  diagnostics.backwardRows = counters.backwardRows;
  diagnostics.elapsedMs = performance.now() - t0;

  const map = (data: Float64Array, features: number): AttributionMap => ({
    data,
    batch: B,
    steps: T,
    features,
    lengths,
  });
  const result: AttributionResult = {
    method: method.name,
    attributions: map(attr, F),
    outputs,
    targets: [...targets],
    diagnostics,
  };
  if (inputKind === 'tokens') {
    const { perToken, perDimension } = tokenAttributions(attr, B * T, F, method.family);
    result.attributions = map(perToken, 1);
    result.embeddingAttributions = map(perDimension, F);
  }
  if (out.delta) result.delta = out.delta;
  return result;
}

/**
 * Token values from work-space attributions [tokens, E]. Gradient, propagation and wrapper
 * methods: a token's value is the sum over its embedding dimensions (completeness holds for the
 * sum). Perturbation methods perturb whole tokens and give every dimension of a token the value of
 * its group (Captum's convention): the token's value is that group value, and the per-dimension
 * map divides it evenly (value / E per dimension), so the dimensions still sum to the token.
 */
function tokenAttributions(
  attr: Float64Array,
  tokens: number,
  E: number,
  family: AttributionMethod['family'],
): { perToken: Float64Array; perDimension: Float64Array } {
  const perToken = new Float64Array(tokens);
  const whole = family === 'perturbation';
  for (let i = 0; i < tokens; i++) {
    // perturbation methods: every dimension of the token holds the same group value
    if (whole) {
      perToken[i] = attr[i * E]!;
      continue;
    }
    let s = 0;
    for (let j = 0; j < E; j++) s += attr[i * E + j]!;
    perToken[i] = s;
  }
  if (!whole) return { perToken, perDimension: attr };
  const perDimension = new Float64Array(tokens * E);
  for (let i = 0; i < tokens; i++) perDimension.fill(perToken[i]! / E, i * E, (i + 1) * E);
  return { perToken, perDimension };
}

/** Nested arrays [B][T][F] of an attribution map (for JSON output). */
export function toNested(map: AttributionMap): number[][][] {
  const out: number[][][] = [];
  for (let b = 0; b < map.batch; b++) {
    const seq: number[][] = [];
    for (let t = 0; t < map.steps; t++) {
      const o = (b * map.steps + t) * map.features;
      seq.push(Array.from(map.data.subarray(o, o + map.features)));
    }
    out.push(seq);
  }
  return out;
}
