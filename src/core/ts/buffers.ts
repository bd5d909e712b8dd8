/**
 * The arrays one sequence pass works on, shared by the per-cell step kernels (rnn.ts, lstm.ts,
 * gru.ts) and the drivers (sequence-forward.ts, sequence-backward.ts). Row (t, b) of a [T, B, W]
 * array starts at (t·B + b)·W. The state before step t is row t−1 of `hs`/`cs`, or `h0`/`c0` at
 * t = 0 (padded steps carry the state, so this is right under any mask).
 */
import type { FloatArray } from '../tensor.js';

export interface ForwardBuffers {
  B: number;
  H: number;
  mask: Uint8Array | null;
  /** x·W + bx for all steps [T, B, G*H]. */
  xw: FloatArray;
  /** h_{t−1}·U + bh for the current step [B, G*H]. */
  hu: FloatArray;
  h0: FloatArray; // [B, H]
  c0: FloatArray | null; // [B, H], LSTM
  hs: FloatArray; // [T, B, H]
  out: FloatArray; // [T, B, H], zero-initialised
  gates: FloatArray; // [T, B, G*H]
  cs: FloatArray | null; // [T, B, H], LSTM
  hn: FloatArray | null; // [T, B, H], GRU reset-after
  preact: FloatArray | null; // [T, B, G*H]
}

export interface BackwardBuffers {
  B: number;
  H: number;
  mask: Uint8Array | null;
  h0: FloatArray;
  c0: FloatArray | null;
  hs: FloatArray;
  cs: FloatArray | null;
  gates: FloatArray;
  hn: FloatArray | null;
  /** Total gradient on h_t for the current step [B, H]. */
  dh: FloatArray;
  /** Gradient on c_t (LSTM) [B, H]. */
  dc: FloatArray | null;
  /** Output: the part of ∂L/∂h_{t−1} that does not go through U [B, H]. */
  dhPrev: FloatArray;
  /** Output: ∂L/∂c_{t−1} (LSTM) [B, H]. */
  dcPrev: FloatArray | null;
  /** Output: gradient on the x-side pre-activations x·W + bx [T, B, G*H]. */
  dGx: FloatArray;
  /** Output: gradient on the h-side pre-activations h·U + bh [T, B, G*H] (same array as dGx for rnn/lstm). */
  dGh: FloatArray;
}

/** The state array and offset of h_{t−1} for batch row b. */
export function prevRow(t: number, b: number, B: number, H: number): number {
  return t === 0 ? b * H : ((t - 1) * B + b) * H;
}
