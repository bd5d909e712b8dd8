/**
 * The common vocabulary of every attribution method: targets, baselines, the options object of
 * `attribute`, the result, and the context a method runs in.
 *
 * The work space. Methods never see token ids: for a token model the input is the sequence of
 * embedding vectors [B, T, E] (run through the model with `embedded: true`), so gradient and
 * perturbation methods treat text and numeric series alike. A method produces one value per element
 * of its work-space input [rows, T, F]; `attribute` then reduces it to one value per token (see
 * AttributionResult.attributions for the token-model convention).
 *
 * Rows and sequences. A method may build a larger batch (path points, noisy copies, perturbed
 * copies): every row of a work-space batch belongs to one of the user's sequences, recorded in an
 * `origin` array (row → sequence). The target function uses it to pick each row's class/step.
 */
import type { Direction, SeqBatch, TokenBatch } from '../nn/layer.js';
import type { ModelInput, SequenceModel } from '../nn/model.js';
import type { Rng } from '../core/rng.js';

// ───────────────────────────── targets ─────────────────────────────

/**
 * What is explained, per sequence. A number (or one number per sequence) is the output index of
 * a classifier/regressor (the logit for classifiers; see `probability`).
 */
export type Target = number | readonly number[] | OutputTarget | StepTarget | HiddenTarget;

/** Output `index` of a model whose output is [B, K] (class logit or regression output). */
export interface OutputTarget {
  kind: 'output';
  /** One index for all sequences, or one per sequence. */
  index: number | readonly number[];
  /** Explain softmax(logits)[index] instead of the logit; default false. */
  probability?: boolean;
}

/** Output `index` at step `step` of a per-step model (tagging, language model): output [B, T, K]. */
export interface StepTarget {
  kind: 'step';
  index: number | readonly number[];
  /** A step (0-based), one per sequence, or 'last' (each sequence's last valid step; default). */
  step?: number | readonly number[] | 'last';
  probability?: boolean;
}

/** Unit `unit` of recurrent layer `layer`'s hidden state after its last step. */
export interface HiddenTarget {
  kind: 'hidden';
  layer: string;
  unit: number;
  /** For a bidirectional layer; default 'forward'. */
  direction?: Direction;
}

/** A target resolved for one sequence (what the result reports). */
export interface ResolvedTarget {
  kind: 'output' | 'step' | 'hidden';
  index: number;
  /** 'step' targets: the step. */
  step?: number;
  probability?: boolean;
  layer?: string;
  direction?: Direction;
}

/**
 * The scalar function being explained, F(x) for each row of a work-space batch. Implemented in
 * targets.ts; methods call only these two.
 */
export interface TargetFunction {
  /** One resolved target per sequence. */
  readonly targets: readonly ResolvedTarget[];
  /**
   * F(row) for every row; row r explains sequence origin[r]. Batches of any size (chunked).
   * With `resume`, each row continues a sequence from a known recurrent state (see ResumeState).
   */
  evaluate(x: SeqBatch, origin: Int32Array, resume?: ResumeState): Float64Array;
  /** F(row) and dF/dx [rows, T, F] (zeros at padded steps). */
  gradient(x: SeqBatch, origin: Int32Array): { values: Float64Array; grad: Float64Array };
}

/**
 * Rows that resume sequences part-way (shared-prefix evaluation of perturbations): row r holds
 * the original steps shift[r], shift[r] + 1, ... of its sequence, and every recurrent layer starts
 * from its state after step shift[r] − 1. Evaluated in one pass (not chunked).
 */
export interface ResumeState {
  /** Initial states by recurrent layer name, direction 'forward', each [rows, H]. */
  initialStates: Record<
    string,
    { forward: { h: Float64Array | Float32Array; c?: Float64Array | Float32Array } }
  >;
  shift: Int32Array;
}

// ───────────────────────────── baselines ─────────────────────────────

/**
 * The reference input ("absence of signal"). Numbers and 'zeros' work for token models in the
 * embedding space; token baselines only for token models, blur and mean only for numeric ones.
 */
export type Baseline =
  | 'zeros'
  | number
  | { kind: 'zeros' }
  | { kind: 'constant'; value: number }
  /** The training mean: per feature [F] or per step and feature [T, F] (flat). */
  | { kind: 'mean'; mean: ArrayLike<number> }
  /** Moving average over `window` steps (centred, within each sequence's valid steps). */
  | { kind: 'blur'; window: number }
  /** Token models: every token replaced by this token's embedding (PAD, UNK, [MASK]). */
  | { kind: 'token'; id: number }
  /** An explicit reference: [T, F] for all sequences or [B, T, F] (flat, work space). */
  | { kind: 'tensor'; data: ArrayLike<number> }
  /**
   * Samples from data (same steps as the input; numeric, or token ids for token models).
   * Gradient SHAP draws a reference per sample from them; every other method uses their mean.
   */
  | { kind: 'samples'; data: ModelInput };

/** A baseline resolved in the work space. */
export interface ResolvedBaseline {
  /** One reference per sequence [B, T, F] (zeros at padded steps). */
  data: Float64Array;
  /** Candidate references [count, T, F] to draw from (samples baselines); absent otherwise. */
  samples?: { data: Float64Array; count: number };
  /** A short description for diagnostics, e.g. 'zeros', 'blur(5)'. */
  description: string;
}

// ───────────────────────────── options ─────────────────────────────

export type IntegrationRule =
  'gauss-legendre' | 'riemann-left' | 'riemann-right' | 'riemann-middle' | 'riemann-trapezoid';

export type NoiseTunnelType = 'smoothgrad' | 'smoothgrad_sq' | 'vargrad';

/** Perturbation groups: every element, every step, every feature, or a user mask. */
export type FeatureGroups =
  | 'elements'
  | 'steps'
  | 'features'
  /**
   * Group id per element [T, F] (shared by all sequences) or [B, T, F]; ids are 0..G−1. Token
   * models: one id per token, [T] or [B, T].
   */
  | { mask: ArrayLike<number> };

export interface Progress {
  done: number;
  total: number;
  message?: string;
}

/**
 * One options object for every method (what `rnnlens explain` flags map to). Options a method
 * does not use are ignored. Defaults follow Captum so results compare one to one.
 */
export interface AttributeOptions {
  /** A registered method name (see attribute.ts: listMethods()). */
  method: string;
  target: Target;
  /** Default 'zeros' (for token models: zero embedding vectors). */
  baseline?: Baseline;
  /** Seed of every random choice; default 0. */
  seed?: number;
  /**
   * Most rows per forward pass of the perturbation methods; default 128 (measured faster than
   * larger batches on the benchmark LSTM: the states stay in cache).
   */
  batchSize?: number;
  /** Most rows per forward + backward pass of the gradient methods; default 512. */
  gradientBatchSize?: number;
  onProgress?: (p: Progress) => void;

  // gradient methods
  /** Saliency: absolute gradient (Captum's default true). */
  abs?: boolean;
  /** Integrated gradients / path points; default 50. */
  steps?: number;
  /** Default 'gauss-legendre'. */
  rule?: IntegrationRule;
  /** Noise tunnel: the wrapped gradient method; default 'saliency'. */
  inner?: string;
  /** Noise tunnel type; default 'smoothgrad'. */
  noiseType?: NoiseTunnelType;
  /** Noise tunnel / Gradient SHAP samples; defaults 5. */
  samples?: number;
  /** Standard deviation of the Gaussian noise; default 1.0 (noise tunnel), 0 (Gradient SHAP). */
  stdevs?: number;

  // perturbation methods
  /**
   * Occlusion window [steps, features]; a number = that many steps × all features (token models:
   * always all features, the whole embedding).
   */
  window?: number | readonly [number, number];
  /** Occlusion strides [steps, features]; default 1 (features: 1). */
  strides?: number | readonly [number, number];
  /**
   * Feature ablation / permutation / Shapley / KernelSHAP / LIME groups; default 'elements'
   * ('steps' for token models, which accept only whole-token groups: 'steps' or a mask [T]/[B, T]).
   */
  groups?: FeatureGroups;
  /** Shapley value sampling permutations; default 25; 'all': every order (exact Shapley values). */
  permutations?: number | 'all';
  /** LIME lasso penalty; default 0.01. */
  alpha?: number;
  /** LIME kernel width; default 1.0. */
  kernelWidth?: number;

  /** Further options of methods registered later (DeepLIFT, LRP, TSR, layer attributions). */
  [extra: string]: unknown;
}

// ───────────────────────────── result ─────────────────────────────

/** Attributions shaped like a batch of sequences: data [batch, steps, features], row-major. */
export interface AttributionMap {
  data: Float64Array;
  batch: number;
  steps: number;
  features: number;
  /** Valid steps per sequence; entries at steps >= lengths[b] are exactly 0. */
  lengths: Int32Array;
}

export type DiagnosticValue = number | string | boolean | readonly number[];

export interface AttributionResult {
  method: string;
  /**
   * [B, T, F] for numeric models; [B, T, 1] for token models, where a token's value depends on the
   * method's family:
   * - gradient, propagation and wrapper methods (saliency, IG, DeepLIFT, LRP, TSR, ...): the sum
   *   over the token's embedding dimensions (completeness holds for the sum);
   * - perturbation methods (occlusion, feature ablation/permutation, Shapley sampling, KernelSHAP,
   *   LIME) perturb whole tokens (a group is a step's whole embedding vector, replaced by the
   *   baseline's, e.g. the PAD token's embedding): the token's value is its group's value, e.g.
   *   F(x) − F(x with the token replaced) for occlusion and feature ablation. Not summed over E.
   */
  attributions: AttributionMap;
  /**
   * Token models: the per-dimension attribution on the embedding vectors [B, T, E]. Gradient and
   * propagation methods: each dimension's own value. Perturbation methods: the token's value
   * divided evenly over its E dimensions. Either way the dimensions sum to the token's value.
   */
  embeddingAttributions?: AttributionMap;
  /** F(x): the target's output per sequence. */
  outputs: Float64Array;
  targets: ResolvedTarget[];
  /** Completeness gap per sequence: Σ attributions − (F(x) − F(baseline)), where defined. */
  delta?: Float64Array;
  diagnostics: Record<string, DiagnosticValue>;
}

// ───────────────────────────── methods ─────────────────────────────

/** What a method computes on its context. */
export interface MethodOutput {
  /** One value per element of ctx.input [rows, T, F] (padded entries are zeroed afterwards). */
  attributions: Float64Array;
  /** Completeness gap per row, where the method defines one. */
  delta?: Float64Array;
  /** F(x) per row when the method computed it anyway (saves a forward pass). */
  outputs?: Float64Array;
  diagnostics?: Record<string, DiagnosticValue>;
}

/** Everything a method needs; `derive` makes a context over another batch of rows. */
export interface AttributionContext {
  model: SequenceModel;
  /** 'tokens': the work space is the embedding vectors. */
  inputKind: 'numeric' | 'tokens';
  /** Work-space input [rows, T, F] (Float64Array data, zeros at padded steps). */
  input: SeqBatch & { data: Float64Array };
  /** Row → the user's sequence it explains. */
  origin: Int32Array;
  /** The original token ids (token models). */
  tokens?: TokenBatch;
  target: TargetFunction;
  /** Baseline per row (data [rows, T, F]). */
  baseline: ResolvedBaseline;
  options: AttributeOptions;
  rng: Rng;
  /** Most rows per forward pass (perturbation methods). */
  batchSize: number;
  /** Counts work for diagnostics (shared by derived contexts). */
  counters: { forwardRows: number; backwardRows: number };
  progress(done: number, total: number, message?: string): void;
  /** A context over other rows (e.g. noisy copies): same model, target, options and counters. */
  derive(
    input: SeqBatch & { data: Float64Array },
    origin: Int32Array,
    baseline: ResolvedBaseline,
  ): AttributionContext;
  /** Looks up a registered method (for wrappers such as noise tunnel and TSR). */
  method(name: string): AttributionMethod;
}

export interface AttributionMethod {
  readonly name: string;
  /** 'gradient' methods may be wrapped by the noise tunnel. */
  readonly family: 'gradient' | 'perturbation' | 'propagation' | 'wrapper';
  /** Input kinds the method applies to. */
  readonly inputKinds: readonly ('numeric' | 'tokens')[];
  run(ctx: AttributionContext): MethodOutput;
}
