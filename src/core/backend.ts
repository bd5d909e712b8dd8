/**
 * The compute backend interface. Two implementations share it and one test suite runs on both:
 * - `ts`   (src/core/ts-backend.ts): plain TypeScript, float32 or float64; the reference.
 * - `wasm` (src/core/wasm-backend.ts): AssemblyScript f32x4 SIMD kernels, float32, may split a
 *   batch across worker threads.
 *
 * Conventions (fixed; every layer, importer and pass relies on them):
 * - All matrices are row-major.
 * - Sequence data is time-major inside the backend: x is [T, B, D], hidden sequences [T, B, H].
 *   (Layers take batch-first [B, T, D] and transpose.)
 * - Weights are stored input-major: W [D, G*H] (input to gates), U [H, G*H] (hidden to gates),
 *   two bias vectors bx [G*H] and bh [G*H] (PyTorch's bias_ih and bias_hh; Keras has one bias, or
 *   two rows for GRU reset_after).
 * - Gate order along the G*H axis: LSTM i, f, g, o (PyTorch; Keras i, f, c, o is the same order);
 *   GRU r, z, n (PyTorch order; Keras z, r, h must be permuted on import/export); SimpleRNN one
 *   block.
 * - Cell equations (σ = logistic sigmoid; a_k = x·W_k + bx_k + h·U_k + bh_k for gate block k):
 *   SimpleRNN: h' = act(a)                      with act = tanh or relu
 *   LSTM:      i=σ(a_i) f=σ(a_f) g=tanh(a_g) o=σ(a_o); c' = f⊙c + i⊙g; h' = o⊙tanh(c')
 *   GRU reset-after (PyTorch, Keras reset_after=True, ONNX linear_before_reset=1):
 *              r=σ(a_r) z=σ(a_z); n = tanh(x·W_n + bx_n + r⊙(h·U_n + bh_n)); h' = (1−z)⊙n + z⊙h
 *   GRU reset-before (Keras reset_after=False, ONNX linear_before_reset=0):
 *              r, z as above;      n = tanh(x·W_n + bx_n + (r⊙h)·U_n + bh_n); h' = (1−z)⊙n + z⊙h
 * - Recurrent (gate) activation σ of the LSTM i, f, o and GRU r, z gates (CellSpec.recurrentActivation):
 *     'sigmoid'              σ(a) = 1 / (1 + e^(−a))              (PyTorch, Keras default)
 *     'hard_sigmoid'         σ(a) = clip(0.2·a + 0.5, 0, 1)       (Keras 2, TF.js default)
 *     'hard_sigmoid_keras3'  σ(a) = clip(a/6 + 0.5, 0, 1)         (Keras 3: relu6(a + 3)/6)
 *   Backward reads σ'(a) from the stored gate value s = σ(a): s(1−s) for the logistic sigmoid;
 *   for both hard sigmoids the slope (0.2 or 1/6) where 0 < s < 1 and 0 where s is 0 or 1. At the
 *   two kinks (s exactly 0 or 1) this is TF's relu6 convention (Keras 3: gradient 0 at a = ±3);
 *   TF's clip_by_value (Keras 2 / TF.js) passes the slope there instead. Backward only sees s,
 *   which cannot tell a kink from the saturated region, so rnnlens uses 0 for both definitions;
 *   the two conventions differ only where 0.2·a + 0.5 is exactly 0 or 1.
 * - Masks: mask[t*B + b] = 1 for a real step, 0 for padding. At a padded step the state (h and c)
 *   is carried over unchanged and the output is 0; gradients arriving at padded outputs are
 *   ignored. So a padded batch gives exactly what each sequence gives alone.
 */
import type { DType, FloatArray } from './tensor.js';

export type CellKind = 'rnn' | 'lstm' | 'gru';

/** Activation of the sigmoid gates (see the header): the logistic sigmoid or a hard sigmoid. */
export type RecurrentActivation = 'sigmoid' | 'hard_sigmoid' | 'hard_sigmoid_keras3';

export const RECURRENT_ACTIVATIONS: readonly RecurrentActivation[] = [
  'sigmoid',
  'hard_sigmoid',
  'hard_sigmoid_keras3',
];

/** Slope of a hard sigmoid inside (0, 1): 0.2 (Keras 2 / TF.js) or 1/6 (Keras 3); 0 for the logistic sigmoid. */
export function hardSigmoidSlope(act: RecurrentActivation | undefined): number {
  return act === 'hard_sigmoid' ? 0.2 : act === 'hard_sigmoid_keras3' ? 1 / 6 : 0;
}

export interface CellSpec {
  kind: CellKind;
  /** Input features D. */
  inputSize: number;
  /** Hidden units H. */
  hiddenSize: number;
  /** SimpleRNN activation; default 'tanh'. */
  activation?: 'tanh' | 'relu';
  /** GRU convention; default true (reset-after, as PyTorch). */
  resetAfter?: boolean;
  /** LSTM/GRU gate activation (i, f, o / r, z); default 'sigmoid'. SimpleRNN has no gates. */
  recurrentActivation?: RecurrentActivation;
}

/** Number of gate blocks G: rnn 1, lstm 4, gru 3. */
export function gateCount(kind: CellKind): number {
  return kind === 'lstm' ? 4 : kind === 'gru' ? 3 : 1;
}

export interface SequenceForwardArgs {
  cell: CellSpec;
  steps: number; // T
  batch: number; // B
  x: FloatArray; // [T, B, D]; [B, T, D] with batchMajor
  W: FloatArray; // [D, G*H]
  U: FloatArray; // [H, G*H]
  bx: FloatArray; // [G*H]
  bh: FloatArray; // [G*H]
  mask?: Uint8Array | null; // [T, B]; absent = every step real
  h0?: FloatArray | null; // [B, H]; absent = zeros
  c0?: FloatArray | null; // [B, H]; LSTM only; absent = zeros
  /** Also return gate pre-activations (for traces). */
  keepPreactivations?: boolean;
  /**
   * Inference only: return `out`, `hs`, `hLast` (and `cLast`) but keep no gates, cell states or
   * `hn` (`gates` is empty), so no backward pass can follow; saves copying [T, B, G·H] out of
   * the kernels. Without a mask `out` may be the same array as `hs` (their values are equal).
   * Cannot be combined with `keepPreactivations`.
   */
  outputsOnly?: boolean;
  /**
   * With `outputsOnly`: the caller reads only `hLast` (and `cLast`), so `out` and `hs` are empty
   * (a layer whose output is its last state, not the sequence).
   */
  lastOnly?: boolean;
  /**
   * With `outputsOnly`: `x` is batch-major [B, T, D] (the layer's input as it is, in the forward
   * direction) rather than [T, B, D]; the results keep their layouts. Saves the caller's
   * transpose; the wasm kernels read the rows in place.
   */
  batchMajor?: boolean;
}

export interface SequenceForwardResult {
  /** Outputs [T, B, H]: the hidden state at real steps, 0 at padded steps. */
  out: FloatArray;
  /** Hidden state after each step [T, B, H], carried over padded steps (equals `out` when no mask). */
  hs: FloatArray;
  /** LSTM: cell state after each step [T, B, H], carried over padded steps. */
  cs?: FloatArray;
  /**
   * Gate activations [T, B, G*H] in the gate order above (values at padded steps unspecified);
   * empty when the forward pass ran with `outputsOnly`.
   */
  gates: FloatArray;
  /** GRU reset-after only: h·U_n + bh_n per step [T, B, H] (what backward needs). */
  hn?: FloatArray;
  /** Gate pre-activations [T, B, G*H] when `keepPreactivations` (for GRU n: the argument of tanh). */
  preact?: FloatArray;
  /** Final hidden state [B, H] (state at each sequence's last real step). */
  hLast: FloatArray;
  /** LSTM final cell state [B, H]. */
  cLast?: FloatArray;
}

export interface SequenceGrads {
  W: FloatArray; // [D, G*H], accumulated (+=)
  U: FloatArray; // [H, G*H], accumulated (+=)
  bx: FloatArray; // [G*H], accumulated (+=)
  bh: FloatArray; // [G*H], accumulated (+=)
}

export interface SequenceBackwardArgs extends SequenceForwardArgs {
  fwd: SequenceForwardResult;
  /** Gradient on the outputs at every step [T, B, H] (ignored at padded steps); absent = zeros. */
  dOut?: FloatArray | null;
  /** Gradient on the final hidden state [B, H]; absent = zeros. */
  dhLast?: FloatArray | null;
  /** Gradient on the final cell state [B, H] (LSTM); absent = zeros. */
  dcLast?: FloatArray | null;
  /** Parameter gradients to accumulate into; null = do not compute them. */
  grads: SequenceGrads | null;
  /** Compute the input gradient dx [T, B, D]. */
  wantDx: boolean;
  /** Report the total gradient on every step's hidden state [T, B, H] (gradient flow). */
  wantDhSteps?: boolean;
}

export interface SequenceBackwardResult {
  dx?: FloatArray; // [T, B, D]
  dh0: FloatArray; // [B, H]
  dc0?: FloatArray; // [B, H], LSTM
  /** Total gradient on h_t (from the output at t and from step t+1) [T, B, H]. */
  dhSteps?: FloatArray;
}

export interface GemmArgs {
  transA: boolean;
  transB: boolean;
  /** C is M×N; op(A) is M×K; op(B) is K×N. */
  M: number;
  N: number;
  K: number;
  alpha: number;
  A: FloatArray;
  aOffset?: number;
  /** Leading dimension (row stride) of A as stored; default K (no trans) or M (trans). */
  lda?: number;
  B: FloatArray;
  bOffset?: number;
  ldb?: number;
  beta: number;
  C: FloatArray;
  cOffset?: number;
  ldc?: number;
}

export interface Backend {
  readonly name: 'ts' | 'wasm';
  readonly dtype: DType;
  /** Allocates a zeroed array of this backend's dtype. */
  alloc(n: number): FloatArray;

  /** C = alpha · op(A) · op(B) + beta · C. */
  gemm(args: GemmArgs): void;
  /** out[i] = σ(x[i]); `out` may be `x`. */
  sigmoid(x: FloatArray, out: FloatArray): void;
  /** out[i] = tanh(x[i]); `out` may be `x`. */
  tanh(x: FloatArray, out: FloatArray): void;
  /** Σ x[i]. */
  sum(x: FloatArray): number;
  /** Σ x[i]². */
  sumSquares(x: FloatArray): number;
  /** out[j] += Σ_i A[i, j] for A [rows, cols] (bias gradients). */
  addColumnSums(A: FloatArray, rows: number, cols: number, out: FloatArray): void;

  /** A whole recurrent layer (one direction) over all steps. */
  sequenceForward(args: SequenceForwardArgs): SequenceForwardResult;
  /** Backpropagation through time for `sequenceForward`. */
  sequenceBackward(args: SequenceBackwardArgs): SequenceBackwardResult;
  /**
   * Optional: the caller will neither read `fwd` again nor pass it to sequenceBackward, so a
   * backend that keeps the forward pass in its own memory (wasm) need not copy it out when that
   * memory is reused. Reading a discarded result's arrays afterwards is an error.
   */
  discardForward?(fwd: SequenceForwardResult): void;
}
