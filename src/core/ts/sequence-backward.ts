/**
 * Backpropagation through time for sequence-forward.ts, in the cuDNN/PyTorch structure:
 *   per step (t = T−1 … 0): ∂h_t += ∂out_t (real steps only); the fused cell backward gives the
 *     pre-activation gradients ∂Gx_t, ∂Gh_t; ∂h_{t−1} = direct part + ∂Gh_t · Uᵀ (one small GEMM);
 *   at the end, over all steps at once:
 *     ∂W += Xᵀ · ∂Gx,  ∂U += Hprevᵀ · ∂Gh,  ∂bx += Σ ∂Gx,  ∂bh += Σ ∂Gh,  ∂X = ∂Gx · Wᵀ
 *   where Hprev[T·B, H] stacks h0, h_0 … h_{T−2}. ∂Gx and ∂Gh differ only for GRU's n block.
 */
import type { SequenceBackwardArgs, SequenceBackwardResult } from '../backend.js';
import type { DType } from '../tensor.js';
import { allocFloat } from '../tensor.js';
import { addColumnSums, gateDerivative } from './activations.js';
import type { BackwardBuffers } from './buffers.js';
import { gemm } from './gemm.js';
import { gruBackwardR, gruBackwardZN } from './gru.js';
import { lstmBackwardStep } from './lstm.js';
import { rnnBackwardStep } from './rnn.js';
import { copyOrZeros } from './sequence-forward.js';
import { checkBackwardArgs } from './validate.js';

export function sequenceBackward(dtype: DType, a: SequenceBackwardArgs): SequenceBackwardResult {
  const { T, B, D, H, GH } = checkBackwardArgs(`ts.sequenceBackward(${a.cell.kind})`, a);
  const kind = a.cell.kind;
  const resetAfter = a.cell.resetAfter !== false;
  const relu = a.cell.activation === 'relu';
  const dsig = gateDerivative(a.cell.recurrentActivation);
  const mask = a.mask ?? null;
  const lstm = kind === 'lstm';
  const resetBefore = kind === 'gru' && !resetAfter;

  const dGx = allocFloat(dtype, T * B * GH);
  const g: BackwardBuffers = {
    B,
    H,
    mask,
    h0: copyOrZeros(dtype, B * H, a.h0),
    c0: lstm ? copyOrZeros(dtype, B * H, a.c0) : null,
    hs: a.fwd.hs,
    cs: lstm ? a.fwd.cs! : null,
    gates: a.fwd.gates,
    hn: a.fwd.hn ?? null,
    dh: copyOrZeros(dtype, B * H, a.dhLast),
    dc: lstm ? copyOrZeros(dtype, B * H, a.dcLast) : null,
    dhPrev: allocFloat(dtype, B * H),
    dcPrev: lstm ? allocFloat(dtype, B * H) : null,
    dGx,
    dGh: kind === 'gru' ? allocFloat(dtype, T * B * GH) : dGx,
  };
  const dhSteps = a.wantDhSteps ? allocFloat(dtype, T * B * H) : null;
  const drh = resetBefore ? allocFloat(dtype, B * H) : null;
  const dOut = a.dOut ?? null;

  for (let t = T - 1; t >= 0; t--) {
    const base = t * B * H;
    if (dOut) {
      // Gradients arriving at padded outputs are ignored (those outputs are constant 0).
      for (let b = 0; b < B; b++) {
        if (mask !== null && mask[t * B + b] !== 1) continue;
        for (let j = 0; j < H; j++) g.dh[b * H + j] = g.dh[b * H + j]! + dOut[base + b * H + j]!;
      }
    }
    if (dhSteps) dhSteps.set(g.dh, base);

    if (kind === 'rnn') rnnBackwardStep(g, t, relu);
    else if (lstm) lstmBackwardStep(g, t, dsig);
    else {
      gruBackwardZN(g, t, resetAfter, dsig);
      if (drh) {
        // ∂(r⊙h) = ∂a_n · U_nᵀ
        gemm({
          transA: false,
          transB: true,
          M: B,
          N: H,
          K: H,
          alpha: 1,
          A: g.dGh,
          aOffset: t * B * GH + 2 * H,
          lda: GH,
          B: a.U,
          bOffset: 2 * H,
          ldb: GH,
          beta: 0,
          C: drh,
        });
        gruBackwardR(g, t, drh, dsig);
      }
    }
    // ∂h_{t−1} += ∂Gh_t · Uᵀ (reset-before: the n block went through r⊙h above, so only r, z here).
    const K = resetBefore ? 2 * H : GH;
    gemm({
      transA: false,
      transB: true,
      M: B,
      N: H,
      K,
      alpha: 1,
      A: g.dGh,
      aOffset: t * B * GH,
      lda: GH,
      B: a.U,
      ldb: GH,
      beta: 1,
      C: g.dhPrev,
    });
    [g.dh, g.dhPrev] = [g.dhPrev, g.dh];
    if (lstm) [g.dc, g.dcPrev] = [g.dcPrev, g.dc];
  }

  if (a.grads) accumulateWeightGrads(dtype, a, g, T, B, D, H, GH, resetBefore);

  const result: SequenceBackwardResult = { dh0: g.dh };
  if (lstm) result.dc0 = g.dc!;
  if (dhSteps) result.dhSteps = dhSteps;
  if (a.wantDx) {
    const dx = allocFloat(dtype, T * B * D);
    gemm({
      transA: false,
      transB: true,
      M: T * B,
      N: D,
      K: GH,
      alpha: 1,
      A: dGx,
      B: a.W,
      beta: 0,
      C: dx,
    });
    result.dx = dx;
  }
  return result;
}

function accumulateWeightGrads(
  dtype: DType,
  a: SequenceBackwardArgs,
  g: BackwardBuffers,
  T: number,
  B: number,
  D: number,
  H: number,
  GH: number,
  resetBefore: boolean,
): void {
  const grads = a.grads!;
  const TB = T * B;
  // ∂W += Xᵀ · ∂Gx
  gemm({
    transA: true,
    transB: false,
    M: D,
    N: GH,
    K: TB,
    alpha: 1,
    A: a.x,
    B: g.dGx,
    beta: 1,
    C: grads.W,
  });
  const hPrev = allocFloat(dtype, TB * H); // [T·B, H]: h0, h_0, …, h_{T−2}
  hPrev.set(g.h0, 0);
  hPrev.set(g.hs.subarray(0, (T - 1) * B * H), B * H);
  const width = resetBefore ? 2 * H : GH;
  // ∂U += Hprevᵀ · ∂Gh
  gemm({
    transA: true,
    transB: false,
    M: H,
    N: width,
    K: TB,
    alpha: 1,
    A: hPrev,
    B: g.dGh,
    ldb: GH,
    beta: 1,
    C: grads.U,
    ldc: GH,
  });
  if (resetBefore) {
    // U_n multiplies r⊙h: ∂U_n += (R ⊙ Hprev)ᵀ · ∂a_n
    for (let i = 0; i < TB; i++) {
      for (let j = 0; j < H; j++) hPrev[i * H + j] = hPrev[i * H + j]! * g.gates[i * GH + j]!;
    }
    gemm({
      transA: true,
      transB: false,
      M: H,
      N: H,
      K: TB,
      alpha: 1,
      A: hPrev,
      B: g.dGh,
      bOffset: 2 * H,
      ldb: GH,
      beta: 1,
      C: grads.U,
      cOffset: 2 * H,
      ldc: GH,
    });
  }
  addColumnSums(g.dGx, TB, GH, grads.bx);
  addColumnSums(g.dGh, TB, GH, grads.bh);
}
