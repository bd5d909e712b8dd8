/**
 * The layer protocol: one small contract shared by every layer kind (see docs/architecture.md).
 *
 * - `forward(input, opts)` returns the output and an opaque `saved` value holding what backward
 *   needs; with `opts.trace` a recurrent layer also returns per-step internals.
 * - `backward(gradOutput, saved, opts)` returns the gradient for the input and ACCUMULATES
 *   parameter gradients into `Parameter.grad` (+=). A recurrent layer also accepts injected
 *   upstream gradients on any step's output and on its final state, and reports the total gradient
 *   on every step's hidden state.
 * - `parameters()` lists named tensors; `src/nn/names.ts` maps each name to Keras and PyTorch.
 * - `config()` returns JSON that `layerFromConfig` (src/nn/from-config.ts) turns back into the
 *   same layer.
 *
 * Activations flowing between layers are batch-first:
 * - `SeqBatch`: data [B, T, F], right-padded; steps t >= lengths[b] are padding and hold zeros.
 * - a plain `Tensor` [B, F] after a head or a recurrent layer without `returnSequences`.
 * Token input (for Embedding) is a `TokenBatch`: ids [B, T] and lengths.
 */
import type { Backend } from '../core/backend.js';
import type { Parameter } from '../core/parameter.js';
import type { Rng } from '../core/rng.js';
import { Tensor, type FloatArray } from '../core/tensor.js';
import type { LayerConfig } from './config.js';

/** A right-padded batch of sequences, batch-first: data [B, T, F]. */
export interface SeqBatch {
  data: FloatArray;
  batch: number;
  steps: number;
  features: number;
  /** [B]; each in [1, steps]. */
  lengths: Int32Array;
}

/** Token ids [B, T] (values at padded steps are ignored). */
export interface TokenBatch {
  ids: Int32Array;
  batch: number;
  steps: number;
  lengths: Int32Array;
}

/** What flows between layers. */
export type Flow = SeqBatch | Tensor;
export type LayerInput = Flow | TokenBatch;

export function isTokenBatch(x: LayerInput): x is TokenBatch {
  return !(x instanceof Tensor) && 'ids' in x;
}

export function isSeqBatch(x: LayerInput): x is SeqBatch {
  return !(x instanceof Tensor) && 'data' in x && 'features' in x;
}

/** A recurrent direction: a plain layer is 'forward', a goBackwards layer 'backward'. */
export type Direction = 'forward' | 'backward';

/** Initial state of one direction, each [B, H]; absent = zeros. */
export interface RecurrentState {
  h?: FloatArray | null;
  c?: FloatArray | null;
}

/** Extra upstream gradients for one direction of a recurrent layer. */
export interface DirectionInjection {
  /** Gradient on each step's output [B, T, H], indexed by INPUT position (ignored at padding). */
  dSteps?: FloatArray | null;
  /** Gradient on the final hidden state [B, H]. */
  dhLast?: FloatArray | null;
  /** Gradient on the final cell state [B, H] (LSTM). */
  dcLast?: FloatArray | null;
}

/**
 * Per-step internals of one recurrent direction, batch-first and indexed by INPUT position
 * (for a backward direction, position t is the state right after reading input t).
 * Values at padded positions are the carried-over state (h, c) or unspecified (gates).
 */
export interface DirectionTrace {
  layer: string;
  direction: Direction;
  cell: 'rnn' | 'lstm' | 'gru';
  batch: number;
  steps: number;
  units: number;
  /** Gate blocks G (rnn 1, lstm 4 in order i f g o, gru 3 in order r z n). */
  gateCount: number;
  lengths: Int32Array;
  /** Hidden state after each step [B, T, H]. */
  h: FloatArray;
  /** LSTM cell state after each step [B, T, H]. */
  c?: FloatArray;
  /** Gate activations [B, T, G*H]. */
  gates: FloatArray;
  /** Gate pre-activations [B, T, G*H] (GRU n: the argument of tanh). */
  preact?: FloatArray;
}

/** Per-direction gradient on every step's hidden state [B, T, H], indexed by input position. */
export interface StepGrad {
  layer: string;
  direction: Direction;
  data: FloatArray;
}

export interface InitialStateGrad {
  layer: string;
  direction: Direction;
  h: FloatArray;
  c?: FloatArray;
}

export interface ForwardOptions {
  backend: Backend;
  training: boolean;
  trace: boolean;
  /** Needed by Dropout when training. */
  rng?: Rng;
  /** Initial states of this layer, by direction. */
  initialState?: Partial<Record<Direction, RecurrentState>>;
  /** No backward will follow (inference): recurrent layers keep no gates or cell states. */
  outputsOnly?: boolean;
  /** The final states of the previous layer (for a graph layer that reads an LSTM's final cell state). */
  previousFinal?: FinalState[];
}

/** The state a recurrent direction ended in, per sequence [B, H] (at its last real step). */
export interface FinalState {
  layer: string;
  direction: Direction;
  h: FloatArray;
  /** LSTM only */
  c?: FloatArray;
}

export interface ForwardResult {
  output: Flow;
  saved: unknown;
  trace?: DirectionTrace[];
  /** recurrent layers: the final states (cheap: the backend returns them anyway) */
  final?: FinalState[];
}

export interface BackwardOptions {
  backend: Backend;
  /** Compute the gradient on the layer's input (false for the first layer when not asked). */
  wantInputGrad: boolean;
  /** Accumulate parameter gradients (false: attributions that only need input gradients). */
  paramGrads: boolean;
  /** Report per-step hidden-state gradients (recurrent layers). */
  wantStepGrads?: boolean;
  /** Extra upstream gradients by direction (recurrent layers). */
  inject?: Partial<Record<Direction, DirectionInjection>>;
}

export interface BackwardResult {
  gradInput: Flow | null;
  /** Gradients on the previous layer's final states, by direction (given back to it as injections). */
  previousFinalGrads?: Partial<Record<Direction, DirectionInjection>>;
  stepGrads?: StepGrad[];
  initialStateGrads?: InitialStateGrad[];
}

export type LayerKind =
  'embedding' | 'dense' | 'simple_rnn' | 'lstm' | 'gru' | 'bidirectional' | 'dropout' | 'head' | 'graph';

export interface Layer {
  readonly kind: LayerKind;
  readonly name: string;
  /** Features per step (or per row) of the input; for Embedding the vocabulary size. */
  readonly inputFeatures: number;
  readonly outputFeatures: number;
  /** Whether the output is a SeqBatch (true) or a [B, F] Tensor (false), given a sequence input. */
  readonly sequenceOutput: boolean;
  forward(input: LayerInput, opts: ForwardOptions): ForwardResult;
  backward(gradOutput: Flow, saved: unknown, opts: BackwardOptions): BackwardResult;
  /** Optional: `saved` will not be used again (its owner dropped the tape); frees backend copies. */
  discard?(saved: unknown, backend: Backend): void;
  parameters(): Parameter[];
  config(): LayerConfig;
}
