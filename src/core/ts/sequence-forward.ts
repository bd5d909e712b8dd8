/**
 * Forward pass of one recurrent layer direction over all steps, in the cuDNN/PyTorch structure:
 *   1. one GEMM for the input projection of every step: XW[T·B, G·H] = X[T·B, D] · W + bx
 *   2. per step: hu = h_{t−1} · U + bh (one small GEMM), then the fused cell kernel.
 */
import type { SequenceForwardArgs, SequenceForwardResult } from '../backend.js';
import type { DType, FloatArray } from '../tensor.js';
import { allocFloat } from '../tensor.js';
import type { ForwardBuffers } from './buffers.js';
import { gateActivation } from './activations.js';
import { gemm } from './gemm.js';
import { gruForwardN, gruForwardRZ, gruResetHidden } from './gru.js';
import { lstmForwardStep } from './lstm.js';
import { rnnForwardStep } from './rnn.js';
import { checkForwardArgs } from './validate.js';

/** A copy of `src` in `dtype`, or zeros when absent. */
export function copyOrZeros(
  dtype: DType,
  n: number,
  src: FloatArray | null | undefined,
): FloatArray {
  const out = allocFloat(dtype, n);
  if (src) out.set(src);
  return out;
}

/** dst[r·ld + off + j] += bias[off + j] for r < rows, j < width. */
export function addBiasRows(
  dst: FloatArray,
  rows: number,
  ld: number,
  bias: FloatArray,
  off: number,
  width: number,
): void {
  for (let r = 0; r < rows; r++) {
    const row = r * ld + off;
    for (let j = 0; j < width; j++) dst[row + j] = dst[row + j]! + bias[off + j]!;
  }
}

/** [B, T, D] → [T, B, D]. */
function timeMajor(dtype: DType, x: FloatArray, B: number, T: number, D: number): FloatArray {
  const out = allocFloat(dtype, T * B * D);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      const s = (b * T + t) * D,
        d = (t * B + b) * D;
      for (let i = 0; i < D; i++) out[d + i] = x[s + i]!;
    }
  return out;
}

export function sequenceForward(dtype: DType, args: SequenceForwardArgs): SequenceForwardResult {
  const { T, B, D, H, GH } = checkForwardArgs(`ts.sequenceForward(${args.cell.kind})`, args);
  // batch-major x [B, T, D]: transposed here (the reference backend reads x time-major)
  const a = args.batchMajor
    ? { ...args, x: timeMajor(dtype, args.x, B, T, D), batchMajor: false }
    : args;
  const kind = a.cell.kind;
  const resetAfter = a.cell.resetAfter !== false;
  const relu = a.cell.activation === 'relu';
  const sigmoid = gateActivation(a.cell.recurrentActivation);

  const xw = allocFloat(dtype, T * B * GH); // [T·B, G·H]
  gemm({
    transA: false,
    transB: false,
    M: T * B,
    N: GH,
    K: D,
    alpha: 1,
    A: a.x,
    B: a.W,
    beta: 0,
    C: xw,
  });
  addBiasRows(xw, T * B, GH, a.bx, 0, GH);

  const f: ForwardBuffers = {
    B,
    H,
    mask: a.mask ?? null,
    xw,
    hu: allocFloat(dtype, B * GH),
    h0: copyOrZeros(dtype, B * H, a.h0),
    c0: kind === 'lstm' ? copyOrZeros(dtype, B * H, a.c0) : null,
    hs: allocFloat(dtype, T * B * H),
    out: allocFloat(dtype, T * B * H),
    gates: allocFloat(dtype, T * B * GH),
    cs: kind === 'lstm' ? allocFloat(dtype, T * B * H) : null,
    hn: kind === 'gru' && resetAfter ? allocFloat(dtype, T * B * H) : null,
    preact: a.keepPreactivations ? allocFloat(dtype, T * B * GH) : null,
  };
  const rh = kind === 'gru' && !resetAfter ? allocFloat(dtype, B * H) : null;

  for (let t = 0; t < T; t++) {
    const hp = t === 0 ? f.h0 : f.hs;
    const hpOff = t === 0 ? 0 : (t - 1) * B * H;
    // Reset-before GRU multiplies U_n by r⊙h, known only after r: the first GEMM covers r, z.
    const width = rh ? 2 * H : GH;
    gemm({
      transA: false,
      transB: false,
      M: B,
      N: width,
      K: H,
      alpha: 1,
      A: hp,
      aOffset: hpOff,
      lda: H,
      B: a.U,
      ldb: GH,
      beta: 0,
      C: f.hu,
      ldc: GH,
    });
    addBiasRows(f.hu, B, GH, a.bh, 0, width);
    if (kind === 'rnn') rnnForwardStep(f, t, relu);
    else if (kind === 'lstm') lstmForwardStep(f, t, sigmoid);
    else {
      gruForwardRZ(f, t, sigmoid);
      if (rh) {
        gruResetHidden(f, t, rh);
        gemm({
          transA: false,
          transB: false,
          M: B,
          N: H,
          K: H,
          alpha: 1,
          A: rh,
          B: a.U,
          bOffset: 2 * H,
          ldb: GH,
          beta: 0,
          C: f.hu,
          cOffset: 2 * H,
          ldc: GH,
        });
        addBiasRows(f.hu, B, GH, a.bh, 2 * H, H);
      }
      gruForwardN(f, t, resetAfter);
    }
  }

  const last = (T - 1) * B * H;
  const result: SequenceForwardResult = {
    out: a.lastOnly ? allocFloat(dtype, 0) : f.out,
    hs: a.lastOnly ? allocFloat(dtype, 0) : f.hs,
    gates: a.outputsOnly ? allocFloat(dtype, 0) : f.gates,
    hLast: f.hs.slice(last, last + B * H),
  };
  if (f.cs) {
    if (!a.outputsOnly) result.cs = f.cs;
    result.cLast = f.cs.slice(last, last + B * H);
  }
  if (f.hn && !a.outputsOnly) result.hn = f.hn;
  if (f.preact) result.preact = f.preact;
  return result;
}
